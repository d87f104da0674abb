/**
 * RDS IAM database authentication: the password is a token the process signs with its own AWS
 * credentials (EKS Pod Identity in the cluster) for one host, port and database user. RDS checks
 * a token only at login and accepts it for 15 minutes, so one token serves every connection
 * opened while it is fresh. pg calls the password function once per new connection, never per
 * query; the function re-signs only when the cached token is close to its expiry.
 * The AWS SDK is loaded only when this is used.
 */

/** How long RDS accepts a token after it was signed (the signer's `X-Amz-Expires`). */
export const RDS_IAM_TOKEN_LIFETIME_MS = 15 * 60_000;

/**
 * Re-sign this long before a token expires. A connection attempt can take seconds (TLS, a
 * failover), and the signer may use credentials that themselves expire soon; five minutes of
 * slack keeps every login well inside the token's life.
 */
export const DEFAULT_REFRESH_MARGIN_MS = 5 * 60_000;

/** What signs a token: `@aws-sdk/rds-signer`'s Signer, or a stand-in in tests. */
export interface AuthTokenSigner {
  getAuthToken(): Promise<string>;
}

export interface TokenPasswordOptions {
  signer: AuthTokenSigner;
  /** Milliseconds since the epoch. Default: `Date.now` (tests inject a fake clock). */
  now?: () => number;
  /** Default: DEFAULT_REFRESH_MARGIN_MS; must be below the token lifetime. */
  refreshMarginMs?: number;
}

/** pg's `password` option: called by pg for each new connection. */
export interface TokenPassword {
  (): Promise<string>;
  /** Forget the cached token (the database refused it), so the next login signs a new one. */
  invalidate(): void;
}

/**
 * A password function that signs a token on first use, reuses it until it is within the
 * refresh margin of its expiry, and then signs a new one. Concurrent logins share one signing;
 * a failed signing is not cached.
 */
export function rdsIamTokenPassword(options: TokenPasswordOptions): TokenPassword {
  const now = options.now ?? Date.now;
  const margin = options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
  if (!(margin >= 0 && margin < RDS_IAM_TOKEN_LIFETIME_MS)) {
    throw new Error(
      `refreshMarginMs must be between 0 and ${RDS_IAM_TOKEN_LIFETIME_MS} ms, got ${margin}`,
    );
  }
  const reuseForMs = RDS_IAM_TOKEN_LIFETIME_MS - margin;
  let cached: { signedAt: number; token: Promise<string> } | undefined;

  const password = (() => {
    const time = now();
    // A clock that moved backwards makes the token's age unknown: sign again.
    if (cached === undefined || time - cached.signedAt >= reuseForMs || time < cached.signedAt) {
      // The time is taken before signing, so the token's real expiry is never earlier than assumed.
      const entry = { signedAt: time, token: Promise.resolve('') };
      entry.token = options.signer.getAuthToken().catch((error: unknown) => {
        if (cached === entry) cached = undefined;
        throw error;
      });
      cached = entry;
    }
    return cached.token;
  }) as TokenPassword;
  password.invalidate = () => {
    cached = undefined;
  };
  return password;
}

export interface RdsSignerSettings {
  /** The instance's endpoint address, exactly as the client connects to it (PGHOST). */
  hostname: string;
  port: number;
  /** The database user the token is for (PGUSER); it must have been granted `rds_iam`. */
  username: string;
  /** Default: the SDK's region chain (AWS_REGION, profile). */
  region?: string;
}

/**
 * `@aws-sdk/rds-signer` with the SDK's default credential chain (environment, EKS Pod Identity,
 * IRSA, profile, instance metadata). One Signer per process, so credentials are cached and
 * refreshed by the SDK.
 */
export function rdsAuthTokenSigner(settings: RdsSignerSettings): AuthTokenSigner {
  let signer: Promise<import('@aws-sdk/rds-signer').Signer> | undefined;
  return {
    async getAuthToken() {
      signer ??= import('@aws-sdk/rds-signer').then(
        ({ Signer }) =>
          new Signer({
            hostname: settings.hostname,
            port: settings.port,
            username: settings.username,
            ...(settings.region ? { region: settings.region } : {}),
          }),
      );
      return (await signer).getAuthToken();
    },
  };
}
