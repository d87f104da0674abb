/**
 * Database credentials read at connect time (RDS keeps the master password in Secrets
 * Manager and rotates it). Cached after the first read; re-read only after an authentication
 * failure marks the cache stale.
 */

export interface DatabaseCredentials {
  user: string;
  password: string;
}

export interface CredentialSource {
  /** The cached credentials, fetched on first use and again after invalidate(). */
  get(): Promise<DatabaseCredentials>;
  /** Forget the cached credentials (e.g. the password was rotated). */
  invalidate(): void;
  /** True once invalidated and not yet re-read. */
  readonly stale: boolean;
}

export function cachedCredentials(fetch: () => Promise<DatabaseCredentials>): CredentialSource {
  let cached: Promise<DatabaseCredentials> | undefined;
  return {
    get() {
      // Concurrent connection attempts share one fetch; a failed fetch is not cached.
      cached ??= fetch().catch((error: unknown) => {
        cached = undefined;
        throw error;
      });
      return cached;
    },
    invalidate() {
      cached = undefined;
    },
    get stale() {
      return cached === undefined;
    },
  };
}

/** PostgreSQL's invalid_password / invalid_authorization_specification. */
export function isAuthenticationFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === '28P01' || code === '28000';
}
