/**
 * One Knex instance (pg client, one pool) per process. The connection settings come from a
 * provider function that Knex calls when it opens connections, so a later credential source
 * (e.g. a secret fetched at connect time) only has to change `connectionSettings`.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import knex, { type Knex } from 'knex';
import type { ClientConfig } from 'pg';
import type { DatabaseSettings, DatabaseTarget, SslMode } from './config';
import {
  type CredentialSource,
  type DatabaseCredentials,
  isAuthenticationFailure,
} from './credentials';
import type { Logger } from './logger';
import { rdsAuthTokenSigner, rdsIamTokenPassword, type TokenPassword } from './rds-iam-auth';
import { secretsManagerCredentials } from './secrets-manager';

/** An external database: a URL or libpq-style fields (embedded mode resolves to a URL). */
export type ExternalTarget = Exclude<DatabaseTarget, { kind: 'embedded' }>;

/**
 * libpq sslmode → node TLS options. pg cannot negotiate TLS opportunistically, so allow and
 * prefer behave like disable; require encrypts without verifying (as libpq does); verify-ca and
 * verify-full both verify the chain and the host name.
 */
export function tlsOptionsFor(
  mode: SslMode | undefined,
  rootCertFile: string | undefined,
): false | ConnectionOptions {
  if (mode === undefined || mode === 'disable' || mode === 'allow' || mode === 'prefer') {
    return false;
  }
  const ca = rootCertFile ? readFileSync(rootCertFile, 'utf8') : undefined;
  if (mode === 'require') return { rejectUnauthorized: false, ca };
  return { rejectUnauthorized: true, ca };
}

export interface ConnectionTuning {
  connectTimeoutMs: number;
  statementTimeoutMs: number;
}

/**
 * pg client settings for one new connection. Async on purpose: see the module comment.
 * `password`, when given, is pg's password function (an RDS IAM token); pg calls it for each new
 * connection, so the settings themselves never go stale.
 */
export async function connectionSettings(
  target: ExternalTarget,
  tuning: ConnectionTuning,
  credentials?: CredentialSource,
  password?: TokenPassword,
): Promise<ClientConfig> {
  const common: ClientConfig = {
    connectionTimeoutMillis: tuning.connectTimeoutMs,
    keepAlive: true,
    application_name: 'hello-api',
    ...(tuning.statementTimeoutMs > 0
      ? {
          statement_timeout: tuning.statementTimeoutMs,
          // statement_timeout is enforced by the server: when packets vanish (a black-holed
          // route) no answer ever comes, so the client also gives up, one connect budget later.
          query_timeout: tuning.statementTimeoutMs + tuning.connectTimeoutMs,
        }
      : {}),
  };
  const secret: DatabaseCredentials | undefined = await credentials?.get();
  if (target.kind === 'url') {
    // A URL always carries a password field for pg (empty when absent), which would beat a
    // password function; config.ts only allows IAM authentication with libpq variables.
    if (password) throw new Error('IAM authentication needs a libpq target, not DATABASE_URL');
    // pg lets fields parsed from connectionString win over explicit ones, so credentials from
    // a secret go into the URL itself.
    let connectionString = target.connectionString;
    if (secret) {
      const url = new URL(connectionString);
      url.username = encodeURIComponent(secret.user);
      url.password = encodeURIComponent(secret.password);
      connectionString = url.toString();
    }
    return { ...common, connectionString };
  }
  return {
    ...common,
    host: target.host,
    port: target.port,
    user: secret?.user ?? target.user,
    password: password ?? secret?.password ?? target.password,
    database: target.database,
    ssl: tlsOptionsFor(target.sslMode, target.sslRootCertFile),
  };
}

export interface KnexOptions {
  /** Override for one-shot tools, e.g. the migrator disables statement_timeout. */
  statementTimeoutMs?: number;
  /** Overrides the source built from settings.secret (tests). */
  credentials?: CredentialSource;
  /** Overrides the IAM token password built from settings.iamAuth (tests: a fake signer). */
  iamPassword?: TokenPassword;
  /** Log PostgreSQL notices (RAISE NOTICE in migrations) at info level. Default: false. */
  logNotices?: boolean;
}

/** The RDS IAM token password for a libpq target (host, port and user are what is signed). */
function iamPasswordFor(
  target: ExternalTarget,
  iamAuth: NonNullable<DatabaseSettings['iamAuth']>,
): TokenPassword {
  if (target.kind !== 'libpq' || !target.host || !target.user) {
    throw new Error('IAM authentication needs PGHOST and PGUSER (not DATABASE_URL)');
  }
  return rdsIamTokenPassword({
    signer: rdsAuthTokenSigner({
      hostname: target.host,
      port: target.port ?? 5432,
      username: target.user,
      region: iamAuth.region,
    }),
  });
}

/**
 * After an authentication failure (the secret was rotated, or a token was refused), forget the
 * cached credentials or token and try once more with fresh ones, so callers only see the failure
 * if the new ones fail too. Every Knex operation (queries, migrations, the hot path) acquires
 * connections through here.
 */
function retryAuthFailuresWithFreshCredentials(
  instance: Knex,
  credentials: { invalidate(): void },
  logger: Logger,
  retrying: string,
): void {
  const client = instance.client as { acquireConnection(): Promise<unknown> };
  const acquire = client.acquireConnection.bind(client);
  client.acquireConnection = async () => {
    try {
      return await acquire();
    } catch (error) {
      if (!isAuthenticationFailure(error)) throw error;
      logger.warn(`database authentication failed; ${retrying}`);
      credentials.invalidate();
      return acquire();
    }
  };
}

export function createKnex(
  target: ExternalTarget,
  settings: Omit<DatabaseSettings, 'target'>,
  logger: Logger,
  options: KnexOptions = {},
): Knex {
  const tuning: ConnectionTuning = {
    connectTimeoutMs: settings.connectTimeoutMs,
    statementTimeoutMs: options.statementTimeoutMs ?? settings.statementTimeoutMs,
  };
  const log = logger.child({ component: 'knex' });
  const credentials =
    options.credentials ??
    (settings.secret ? secretsManagerCredentials(settings.secret) : undefined);
  const iamPassword =
    options.iamPassword ??
    (settings.iamAuth ? iamPasswordFor(target, settings.iamAuth) : undefined);
  if (credentials && iamPassword) {
    throw new Error('Choose one credential source: a secret or IAM authentication');
  }
  const noticeLogging = options.logNotices ? { afterCreate: logNoticesOf(log) } : {};
  const instance = knex({
    client: 'pg',
    // Knex re-runs this provider for a new connection only when expirationChecker says so: with
    // a secret, that is after invalidate(); without one, the settings never expire.
    connection: async () => ({
      ...((await connectionSettings(
        target,
        tuning,
        credentials,
        iamPassword,
      )) as Knex.PgConnectionConfig),
      ...(credentials ? { expirationChecker: () => credentials.stale } : {}),
    }),
    pool: { min: settings.poolMin, max: settings.poolMax, ...noticeLogging },
    // Fail fast when the database is unreachable instead of queueing for Knex's default 60 s.
    acquireConnectionTimeout: settings.connectTimeoutMs,
    // Knex's own messages go to our logger; `debug` stays off so SQL is never logged.
    log: {
      warn: (message: string) => log.warn(String(message)),
      error: (message: string) => log.error(String(message)),
      deprecate: (message: string) => log.warn(String(message)),
      debug: () => undefined,
    },
  });
  if (credentials) {
    retryAuthFailuresWithFreshCredentials(
      instance,
      credentials,
      log,
      're-reading the credentials secret',
    );
  } else if (iamPassword) {
    retryAuthFailuresWithFreshCredentials(instance, iamPassword, log, 'signing a new IAM token');
  }
  return instance;
}

/** Pool hook: forward each connection's server notices to the logger. */
function logNoticesOf(
  logger: Logger,
): (connection: NoticeEmitter, done: (error: Error | null, connection: unknown) => void) => void {
  return (connection, done) => {
    connection.on('notice', (notice) => logger.info({ notice: notice.message }, 'database notice'));
    done(null, connection);
  };
}

interface NoticeEmitter {
  on(event: 'notice', listener: (notice: { message: string }) => void): unknown;
}

/** Error codes meaning "could not reach or keep a connection to PostgreSQL". */
const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * True when an error means the database is unavailable (answer 503, not 500): pool/connect
 * timeouts, network errors, PostgreSQL's connection-exception class 08, shutdown (57P0x), too
 * many connections (53300), statement timeout (57014), no answer at all (pg's connect timeout,
 * `timeout expired`, and its query_timeout).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'KnexTimeoutError') return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (UNAVAILABLE_NODE_CODES.has(code)) return true;
    if (code.startsWith('08') || code.startsWith('57P') || code === '53300' || code === '57014') {
      return true;
    }
  }
  return /Connection terminated|Connection ended|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed|Query read timeout|^timeout expired$/i.test(
    error.message,
  );
}
