/**
 * Twelve-factor configuration: every setting comes from the environment, is parsed and
 * validated once at start-up, and a bad value stops the process with a message naming the
 * variable. Nothing else in api/ reads process.env.
 */
import { z } from 'zod';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The libpq variables we honour; when none of them nor DATABASE_URL is set we run embedded. */
const LIBPQ_VARIABLES = ['PGHOST', 'PGPORT', 'PGUSER', 'PGPASSWORD', 'PGDATABASE'] as const;

/** libpq's sslmode values; see `tlsOptionsFor` in db.ts for what each one means here. */
export const SSL_MODES = [
  'disable',
  'allow',
  'prefer',
  'require',
  'verify-ca',
  'verify-full',
] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** Where the service's PostgreSQL is. Secrets stay inside this object; never log it whole. */
export type DatabaseTarget =
  | { kind: 'url'; connectionString: string }
  | {
      kind: 'libpq';
      host?: string;
      port?: number;
      user?: string;
      password?: string;
      database?: string;
      sslMode?: SslMode;
      sslRootCertFile?: string;
    }
  /** Zero-setup mode for `npm start`: PGlite behind a local Postgres wire-protocol socket. */
  | { kind: 'embedded'; dataDir: string | 'memory' };

/** Read the user name and password from AWS Secrets Manager at connect time. */
export interface DatabaseSecretSettings {
  secretId: string;
  region?: string;
  endpoint?: string;
}

/**
 * RDS IAM database authentication (`DB_IAM_AUTH=true`): the password of PGUSER is a short-lived
 * token signed with the process's AWS credentials for PGHOST:PGPORT (see rds-iam-auth.ts).
 */
export interface DatabaseIamAuthSettings {
  /** Region of the instance. Default: the SDK's region chain. */
  region?: string;
}

export interface DatabaseSettings {
  target: DatabaseTarget;
  /** When set, overrides any user/password in DATABASE_URL or PGUSER/PGPASSWORD. */
  secret?: DatabaseSecretSettings;
  /** When set, PGUSER logs in with an RDS IAM token (libpq target only; excludes `secret`). */
  iamAuth?: DatabaseIamAuthSettings;
  poolMin: number;
  poolMax: number;
  connectTimeoutMs: number;
  /** Server-side statement_timeout for the service's queries (0 = none). */
  statementTimeoutMs: number;
}

/** OTLP/HTTP encodings we can send (gRPC is not bundled: point the service at port 4318). */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/** The OpenTelemetry spec's built-in samplers (`OTEL_TRACES_SAMPLER`). */
export const TRACE_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type TraceSampler = (typeof TRACE_SAMPLERS)[number];

/** OpenTelemetry trace export, from the standard `OTEL_*` variables (see docs/api.md). */
export interface TracingSettings {
  /** Full OTLP/HTTP traces URL, e.g. http://collector:4318/v1/traces. */
  endpoint: string;
  protocol: OtlpProtocol;
  /** Extra request headers for the collector (may hold credentials; never logged). */
  headers: Record<string, string>;
  exportTimeoutMs: number;
  /** Batch span processor: longest a finished span waits before export. */
  scheduleDelayMs: number;
  serviceName: string;
  /** From OTEL_RESOURCE_ATTRIBUTES, without service.name (see serviceName). */
  resourceAttributes: Record<string, string>;
  sampler: TraceSampler;
  /** Ratio for the *traceidratio samplers, 0..1. */
  samplerRatio: number;
}

export interface AppConfig {
  host: string;
  port: number;
  logLevel: LogLevel;
  /** IANA zone that defines "today" for birthdays; the process TZ is never used. */
  timeZone: string;
  readinessTimeoutMs: number;
  /** After SIGTERM: time to keep serving while load balancers deregister the pod. */
  shutdownDrainDelayMs: number;
  /** After SIGTERM: hard limit for the whole shutdown; must exceed the drain delay. */
  shutdownGracePeriodMs: number;
  database: DatabaseSettings;
  /** Undefined when tracing is off (the default): no SDK is loaded then. */
  tracing?: TracingSettings;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const emptyAsUndefined = (value: unknown): unknown => (value === '' ? undefined : value);

const integer = (min: number, max: number, fallback: number) =>
  z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^\d+$/, 'must be a whole number')
      .transform(Number)
      .pipe(z.number().int().min(min).max(max))
      .default(fallback),
  );

const optionalString = z.preprocess(emptyAsUndefined, z.string().optional());

const optionalInteger = (min: number, max: number) =>
  z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^\d+$/, 'must be a whole number')
      .transform(Number)
      .pipe(z.number().int().min(min).max(max))
      .optional(),
  );

const optionalUrl = z.preprocess(
  emptyAsUndefined,
  z
    .string()
    .regex(
      /^https?:\/\/[^\s]+$/,
      'must be an http:// or https:// URL such as http://collector:4318',
    )
    .optional(),
);

const otlpProtocol = z.preprocess(
  emptyAsUndefined,
  z
    .enum([...OTLP_PROTOCOLS, 'grpc'])
    .refine((value) => value !== 'grpc', 'grpc is not supported; use http/protobuf (port 4318)')
    .optional(),
);

/**
 * The W3C-baggage-like lists of OTEL_RESOURCE_ATTRIBUTES and OTEL_EXPORTER_OTLP_HEADERS:
 * `key=value,key2=value2`, values percent-encoded. Undefined when malformed.
 */
export function parseKeyValueList(raw: string): Record<string, string> | undefined {
  const result: Record<string, string> = {};
  for (const item of raw.split(',')) {
    if (item.trim() === '') continue;
    const equals = item.indexOf('=');
    if (equals <= 0) return undefined;
    const key = item.slice(0, equals).trim();
    try {
      result[key] = decodeURIComponent(item.slice(equals + 1).trim());
    } catch {
      return undefined;
    }
    if (key === '') return undefined;
  }
  return result;
}

const keyValueList = z.preprocess(
  emptyAsUndefined,
  z
    .string()
    .refine(
      (value) => parseKeyValueList(value) !== undefined,
      'must be a comma-separated list of key=value pairs (values percent-encoded)',
    )
    .optional(),
);

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1']);

/**
 * DB_IAM_AUTH signs a token for one host, port and user, so those must be explicit libpq
 * variables; and the token is a bearer credential, so off the loopback interface it only travels
 * over TLS that verifies the server (RDS also refuses plain connections: rds.force_ssl).
 */
function iamAuthProblems(env: {
  DB_SECRET_ARN?: string;
  DATABASE_URL?: string;
  PGHOST?: string;
  PGUSER?: string;
  PGPASSWORD?: string;
  PGSSLMODE?: SslMode;
}): { variable: string; message: string }[] {
  const problems: { variable: string; message: string }[] = [];
  const add = (variable: string, message: string) => problems.push({ variable, message });
  if (env.DB_SECRET_ARN) {
    add('DB_SECRET_ARN', 'cannot be combined with DB_IAM_AUTH=true: choose one credential source');
  }
  if (env.DATABASE_URL) {
    add(
      'DATABASE_URL',
      'cannot be used with DB_IAM_AUTH=true: set PGHOST/PGPORT/PGUSER/PGDATABASE',
    );
  }
  if (env.PGPASSWORD) add('PGPASSWORD', 'must not be set with DB_IAM_AUTH=true (the token is)');
  if (!env.PGHOST) add('PGHOST', 'is required with DB_IAM_AUTH=true (the token is signed for it)');
  if (!env.PGUSER) {
    add('PGUSER', 'is required with DB_IAM_AUTH=true (the database user the token is for)');
  }
  const verified = env.PGSSLMODE === 'verify-full' || env.PGSSLMODE === 'verify-ca';
  if (env.PGHOST && !LOOPBACK_HOSTS.has(env.PGHOST) && !verified) {
    add(
      'PGSSLMODE',
      'must be verify-full or verify-ca with DB_IAM_AUTH=true: the token is a bearer credential',
    );
  }
  return problems;
}

const environmentSchema = z
  .object({
    HOST: z.preprocess(emptyAsUndefined, z.string().default('0.0.0.0')),
    PORT: integer(0, 65_535, 8000),
    LOG_LEVEL: z.preprocess(emptyAsUndefined, z.enum(LOG_LEVELS).default('info')),
    APP_TIMEZONE: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .default('UTC')
        .refine(isTimeZone, 'must be an IANA time zone such as UTC or Europe/Paris'),
    ),
    READINESS_TIMEOUT_MS: integer(50, 60_000, 1000),
    SHUTDOWN_DRAIN_DELAY_MS: integer(0, 600_000, 5000),
    SHUTDOWN_GRACE_PERIOD_MS: integer(100, 3_600_000, 25_000),
    DATABASE_URL: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
        .optional(),
    ),
    PGHOST: optionalString,
    PGPORT: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^\d+$/, 'must be a whole number')
        .transform(Number)
        .pipe(z.number().int().min(1).max(65_535))
        .optional(),
    ),
    PGUSER: optionalString,
    PGPASSWORD: optionalString,
    PGDATABASE: optionalString,
    PGSSLMODE: z.preprocess(emptyAsUndefined, z.enum(SSL_MODES).optional()),
    PGSSLROOTCERT: optionalString,
    DB_POOL_MIN: integer(0, 100, 0),
    DB_POOL_MAX: integer(1, 100, 10),
    DB_CONNECT_TIMEOUT_MS: integer(100, 120_000, 5000),
    DB_STATEMENT_TIMEOUT_MS: integer(0, 3_600_000, 5000),
    EMBEDDED_DB_DIR: z.preprocess(emptyAsUndefined, z.string().default('.data/pglite')),
    DB_SECRET_ARN: optionalString,
    DB_IAM_AUTH: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .transform((value) => value.toLowerCase())
        .pipe(z.enum(['true', 'false'], { message: 'must be true or false' }))
        .default('false'),
    ),
    AWS_REGION: optionalString,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .url('must be a URL such as https://secretsmanager.eu-west-1.amazonaws.com')
        .optional(),
    ),
    OTEL_SDK_DISABLED: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .transform((value) => value.toLowerCase())
        .pipe(z.enum(['true', 'false']))
        .optional(),
    ),
    OTEL_TRACES_EXPORTER: z.preprocess(
      emptyAsUndefined,
      z
        .enum(['otlp', 'none'], { message: 'must be otlp or none (the exporters bundled here)' })
        .default('otlp'),
    ),
    OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalUrl,
    OTEL_EXPORTER_OTLP_PROTOCOL: otlpProtocol,
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: otlpProtocol,
    OTEL_EXPORTER_OTLP_HEADERS: keyValueList,
    OTEL_EXPORTER_OTLP_TRACES_HEADERS: keyValueList,
    OTEL_EXPORTER_OTLP_TIMEOUT: optionalInteger(1, 600_000),
    OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: optionalInteger(1, 600_000),
    OTEL_BSP_SCHEDULE_DELAY: integer(0, 600_000, 5000),
    OTEL_SERVICE_NAME: optionalString,
    OTEL_RESOURCE_ATTRIBUTES: keyValueList,
    OTEL_TRACES_SAMPLER: z.preprocess(
      emptyAsUndefined,
      z.enum(TRACE_SAMPLERS).default('parentbased_always_on'),
    ),
    OTEL_TRACES_SAMPLER_ARG: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/, 'must be a ratio between 0 and 1')
        .transform(Number)
        .optional(),
    ),
  })
  .superRefine((env, ctx) => {
    const hasServer =
      env.DATABASE_URL !== undefined || env.PGHOST !== undefined || env.PGDATABASE !== undefined;
    if (env.DB_SECRET_ARN && !hasServer) {
      ctx.addIssue({
        code: 'custom',
        path: ['DB_SECRET_ARN'],
        message: 'needs DATABASE_URL or PGHOST/PGDATABASE for the server address',
      });
    }
    if (env.DB_IAM_AUTH === 'true') {
      for (const problem of iamAuthProblems(env)) {
        ctx.addIssue({ code: 'custom', path: [problem.variable], message: problem.message });
      }
    }
    if (env.DB_POOL_MIN > env.DB_POOL_MAX) {
      ctx.addIssue({
        code: 'custom',
        path: ['DB_POOL_MIN'],
        message: `must not exceed DB_POOL_MAX (${env.DB_POOL_MAX})`,
      });
    }
    if (env.SHUTDOWN_GRACE_PERIOD_MS <= env.SHUTDOWN_DRAIN_DELAY_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['SHUTDOWN_GRACE_PERIOD_MS'],
        message: `must exceed SHUTDOWN_DRAIN_DELAY_MS (${env.SHUTDOWN_DRAIN_DELAY_MS})`,
      });
    }
  });

type Environment = z.output<typeof environmentSchema>;

/** Default service.name when neither OTEL_SERVICE_NAME nor OTEL_RESOURCE_ATTRIBUTES set one. */
export const DEFAULT_SERVICE_NAME = 'hello-api';

/**
 * Tracing is on when an OTLP endpoint is named, unless OTEL_SDK_DISABLED=true or
 * OTEL_TRACES_EXPORTER=none. Precedence follows the OTLP exporter spec: the signal-specific
 * variable wins, and only the generic endpoint gets `/v1/traces` appended.
 */
function tracingSettings(env: Environment): TracingSettings | undefined {
  if (env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none') return undefined;
  let endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (endpoint === undefined && env.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined) {
    endpoint = `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
  }
  if (endpoint === undefined) return undefined;
  const { 'service.name': namedService, ...resourceAttributes } = parseKeyValueList(
    env.OTEL_RESOURCE_ATTRIBUTES ?? '',
  ) as Record<string, string>;
  return {
    endpoint,
    protocol:
      (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL as OtlpProtocol | undefined) ??
      (env.OTEL_EXPORTER_OTLP_PROTOCOL as OtlpProtocol | undefined) ??
      'http/protobuf',
    headers: {
      ...parseKeyValueList(env.OTEL_EXPORTER_OTLP_HEADERS ?? ''),
      ...parseKeyValueList(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS ?? ''),
    },
    exportTimeoutMs:
      env.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT ?? env.OTEL_EXPORTER_OTLP_TIMEOUT ?? 10_000,
    scheduleDelayMs: env.OTEL_BSP_SCHEDULE_DELAY,
    serviceName: env.OTEL_SERVICE_NAME ?? namedService ?? DEFAULT_SERVICE_NAME,
    resourceAttributes,
    sampler: env.OTEL_TRACES_SAMPLER,
    samplerRatio: env.OTEL_TRACES_SAMPLER_ARG ?? 1,
  };
}

function databaseTarget(env: Environment, raw: NodeJS.ProcessEnv): DatabaseTarget {
  if (env.DATABASE_URL) return { kind: 'url', connectionString: env.DATABASE_URL };
  if (LIBPQ_VARIABLES.some((name) => emptyAsUndefined(raw[name]) !== undefined)) {
    return {
      kind: 'libpq',
      host: env.PGHOST,
      port: env.PGPORT,
      user: env.PGUSER,
      password: env.PGPASSWORD,
      database: env.PGDATABASE,
      sslMode: env.PGSSLMODE,
      sslRootCertFile: env.PGSSLROOTCERT,
    };
  }
  return {
    kind: 'embedded',
    dataDir: env.EMBEDDED_DB_DIR === 'memory' ? 'memory' : env.EMBEDDED_DB_DIR,
  };
}

/** Parses and validates the environment; throws ConfigError listing every bad variable. */
export function loadConfig(raw: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = environmentSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const variable = issue.path.join('.') || '(environment)';
        const value = raw[variable];
        // Values of secret-looking variables are never echoed.
        const shown =
          value === undefined || /PASSWORD|URL|SECRET|ENDPOINT|HEADERS/.test(variable)
            ? ''
            : ` (got ${JSON.stringify(value)})`;
        return `${variable}: ${issue.message}${shown}`;
      }),
    );
  }
  const env = parsed.data;
  const target = databaseTarget(env, raw);
  // No load balancer in front of a local embedded run: restarts (npm run dev) should be instant.
  const drainDelayMs =
    target.kind === 'embedded' && emptyAsUndefined(raw.SHUTDOWN_DRAIN_DELAY_MS) === undefined
      ? 0
      : env.SHUTDOWN_DRAIN_DELAY_MS;
  const tracing = tracingSettings(env);
  return {
    host: env.HOST,
    port: env.PORT,
    logLevel: env.LOG_LEVEL,
    timeZone: env.APP_TIMEZONE,
    readinessTimeoutMs: env.READINESS_TIMEOUT_MS,
    shutdownDrainDelayMs: drainDelayMs,
    shutdownGracePeriodMs: env.SHUTDOWN_GRACE_PERIOD_MS,
    database: {
      target,
      ...(env.DB_SECRET_ARN
        ? {
            secret: {
              secretId: env.DB_SECRET_ARN,
              region: env.AWS_REGION,
              endpoint: env.AWS_ENDPOINT_URL_SECRETS_MANAGER,
            },
          }
        : {}),
      ...(env.DB_IAM_AUTH === 'true' ? { iamAuth: { region: env.AWS_REGION } } : {}),
      poolMin: env.DB_POOL_MIN,
      poolMax: env.DB_POOL_MAX,
      connectTimeoutMs: env.DB_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
    },
    ...(tracing ? { tracing } : {}),
  };
}

/** A log-safe description of where the database is (no user, no password). */
export function describeDatabase(target: DatabaseTarget): Record<string, unknown> {
  switch (target.kind) {
    case 'embedded':
      return { kind: 'embedded', dataDir: target.dataDir };
    case 'libpq':
      return { kind: 'libpq', host: target.host, port: target.port, database: target.database };
    case 'url': {
      try {
        const url = new URL(target.connectionString);
        return { kind: 'url', host: url.hostname, port: url.port, database: url.pathname.slice(1) };
      } catch {
        return { kind: 'url' };
      }
    }
  }
}
