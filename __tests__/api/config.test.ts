import { ConfigError, describeDatabase, loadConfig } from '../../api/config';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('drains for 5 s by default, but not in embedded (local) mode unless asked', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://db/app' }).shutdownDrainDelayMs).toBe(5000);
    expect(loadConfig({}).shutdownDrainDelayMs).toBe(0);
    expect(loadConfig({ SHUTDOWN_DRAIN_DELAY_MS: '700' }).shutdownDrainDelayMs).toBe(700);
  });

  it('has documented defaults and runs embedded without database variables', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://db/app' });
    expect(config.database.target.kind).toBe('url');
    expect(loadConfig({}).database.target).toEqual({ kind: 'embedded', dataDir: '.data/pglite' });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 8000,
      logLevel: 'info',
      timeZone: 'UTC',
      readinessTimeoutMs: 1000,
      shutdownDrainDelayMs: 5000,
      shutdownGracePeriodMs: 25000,
      database: {
        poolMin: 0,
        poolMax: 10,
        connectTimeoutMs: 5000,
        statementTimeoutMs: 5000,
      },
    });
  });

  it('prefers DATABASE_URL, then the libpq variables', () => {
    expect(
      loadConfig({ DATABASE_URL: 'postgres://u:p@db/app', PGHOST: 'x' }).database.target,
    ).toEqual({ kind: 'url', connectionString: 'postgres://u:p@db/app' });
    expect(
      loadConfig({ PGHOST: 'db', PGPORT: '6432', PGUSER: 'u', PGSSLMODE: 'verify-full' }).database
        .target,
    ).toMatchObject({ kind: 'libpq', host: 'db', port: 6432, user: 'u', sslMode: 'verify-full' });
    expect(loadConfig({ EMBEDDED_DB_DIR: 'memory' }).database.target).toEqual({
      kind: 'embedded',
      dataDir: 'memory',
    });
  });

  it('names every bad variable', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      APP_TIMEZONE: 'Mars/Olympus',
      DB_POOL_MAX: '0',
      PGSSLMODE: 'sometimes',
    });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'APP_TIMEZONE',
      'DB_POOL_MAX',
      'LOG_LEVEL',
      'PGSSLMODE',
      'PORT',
    ]);
    expect(problems.join('\n')).toContain('"eighty"');
  });

  it('checks cross-field rules', () => {
    expect(problemsOf({ DB_POOL_MIN: '5', DB_POOL_MAX: '2' })[0]).toMatch(/^DB_POOL_MIN: /);
    expect(
      problemsOf({ SHUTDOWN_DRAIN_DELAY_MS: '5000', SHUTDOWN_GRACE_PERIOD_MS: '1000' })[0],
    ).toMatch(/^SHUTDOWN_GRACE_PERIOD_MS: /);
  });

  it('never echoes secret values', () => {
    const message = problemsOf({ DATABASE_URL: 'mysql://root:hunter2@db/x' }).join('\n');
    expect(message).toMatch(/^DATABASE_URL: /);
    expect(message).not.toContain('hunter2');
  });

  it('describes the database without credentials', () => {
    const described = JSON.stringify(
      describeDatabase({ kind: 'url', connectionString: 'postgres://app:s3cret@db:5432/hello' }),
    );
    expect(described).toContain('db');
    expect(described).not.toContain('s3cret');
    expect(described).not.toContain('app:');
  });
});

describe('loadConfig: OpenTelemetry tracing (OTEL_*)', () => {
  const db = { DATABASE_URL: 'postgres://db/app' };

  it('is off by default and when disabled or exporting nowhere', () => {
    expect(loadConfig(db).tracing).toBeUndefined();
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(loadConfig({ ...db, ...endpoint }).tracing).toBeDefined();
    expect(loadConfig({ ...db, ...endpoint, OTEL_SDK_DISABLED: 'TRUE' }).tracing).toBeUndefined();
    expect(loadConfig({ ...db, ...endpoint, OTEL_SDK_DISABLED: 'false' }).tracing).toBeDefined();
    expect(
      loadConfig({ ...db, ...endpoint, OTEL_TRACES_EXPORTER: 'none' }).tracing,
    ).toBeUndefined();
    // Sampler settings alone do not turn tracing on.
    expect(loadConfig({ ...db, OTEL_TRACES_SAMPLER: 'always_on' }).tracing).toBeUndefined();
  });

  it('follows the OTLP exporter rules for the endpoint, protocol, headers and timeout', () => {
    expect(
      loadConfig({ ...db, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracing,
    ).toEqual({
      endpoint: 'http://collector:4318/v1/traces',
      protocol: 'http/protobuf',
      headers: {},
      exportTimeoutMs: 10_000,
      scheduleDelayMs: 5000,
      serviceName: 'hello-api',
      resourceAttributes: {},
      sampler: 'parentbased_always_on',
      samplerRatio: 1,
    });
    const specific = loadConfig({
      ...db,
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://generic:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/custom',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Basic%20abc,x-team=a',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-team=b',
      OTEL_EXPORTER_OTLP_TIMEOUT: '3000',
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '2000',
      OTEL_BSP_SCHEDULE_DELAY: '250',
    }).tracing;
    expect(specific).toMatchObject({
      endpoint: 'https://traces.example.com/custom',
      protocol: 'http/json',
      headers: { authorization: 'Basic abc', 'x-team': 'b' },
      exportTimeoutMs: 2000,
      scheduleDelayMs: 250,
    });
  });

  it('names the service from OTEL_SERVICE_NAME, then OTEL_RESOURCE_ATTRIBUTES, then hello-api', () => {
    const endpoint = { ...db, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    const attributes = 'service.name=from-attrs,deployment.environment.name=prod';
    expect(loadConfig({ ...endpoint, OTEL_RESOURCE_ATTRIBUTES: attributes }).tracing).toMatchObject(
      {
        serviceName: 'from-attrs',
        resourceAttributes: { 'deployment.environment.name': 'prod' },
      },
    );
    expect(
      loadConfig({ ...endpoint, OTEL_RESOURCE_ATTRIBUTES: attributes, OTEL_SERVICE_NAME: 'hello' })
        .tracing?.serviceName,
    ).toBe('hello');
  });

  it('takes the spec samplers and a ratio argument', () => {
    const tracing = loadConfig({
      ...db,
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    }).tracing;
    expect(tracing).toMatchObject({ sampler: 'parentbased_traceidratio', samplerRatio: 0.25 });
  });

  it('rejects bad values, naming the variable, without echoing endpoints or headers', () => {
    const problems = problemsOf({
      ...db,
      OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4317',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_HEADERS: 'no-equals-sign-token123',
      OTEL_TRACES_SAMPLER: 'xray',
      OTEL_TRACES_SAMPLER_ARG: '1.5',
      OTEL_TRACES_EXPORTER: 'zipkin',
      OTEL_SDK_DISABLED: 'yes',
    });
    const message = problems.join('\n');
    for (const variable of [
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'OTEL_EXPORTER_OTLP_PROTOCOL',
      'OTEL_EXPORTER_OTLP_HEADERS',
      'OTEL_TRACES_SAMPLER',
      'OTEL_TRACES_SAMPLER_ARG',
      'OTEL_TRACES_EXPORTER',
      'OTEL_SDK_DISABLED',
    ]) {
      expect(message).toMatch(new RegExp(`^${variable}: `, 'm'));
    }
    expect(message).toContain('use http/protobuf (port 4318)');
    expect(message).not.toContain('token123');
    expect(message).not.toContain('collector:4317');
  });
});

describe('loadConfig: RDS IAM authentication (DB_IAM_AUTH)', () => {
  const rds = {
    PGHOST: 'hello-prod-postgres.abc123.eu-west-1.rds.amazonaws.com',
    PGPORT: '5432',
    PGDATABASE: 'app',
    PGUSER: 'hello_api',
    PGSSLMODE: 'verify-full',
    AWS_REGION: 'eu-west-1',
  };

  it('is off by default; on, it keeps the libpq target and adds the region', () => {
    expect(loadConfig(rds).database.iamAuth).toBeUndefined();
    expect(loadConfig({ ...rds, DB_IAM_AUTH: 'false' }).database.iamAuth).toBeUndefined();
    const config = loadConfig({ ...rds, DB_IAM_AUTH: 'TRUE' });
    expect(config.database.iamAuth).toEqual({ region: 'eu-west-1' });
    expect(config.database.secret).toBeUndefined();
    expect(config.database.target).toMatchObject({ kind: 'libpq', user: 'hello_api' });
    // Loopback needs no TLS (no network between client and server), e.g. a local tunnel.
    const local = { ...rds, PGHOST: '127.0.0.1', PGSSLMODE: 'disable', DB_IAM_AUTH: 'true' };
    expect(loadConfig(local).database.iamAuth).toBeDefined();
  });

  it('names every conflicting or missing variable', () => {
    const problems = problemsOf({
      DATABASE_URL: 'postgres://db/app',
      DB_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x',
      PGPASSWORD: 'do-not-print',
      PGSSLMODE: 'require',
      DB_IAM_AUTH: 'true',
    });
    expect(problems).toEqual([
      'DB_SECRET_ARN: cannot be combined with DB_IAM_AUTH=true: choose one credential source',
      'DATABASE_URL: cannot be used with DB_IAM_AUTH=true: set PGHOST/PGPORT/PGUSER/PGDATABASE',
      'PGPASSWORD: must not be set with DB_IAM_AUTH=true (the token is)',
      'PGHOST: is required with DB_IAM_AUTH=true (the token is signed for it)',
      'PGUSER: is required with DB_IAM_AUTH=true (the database user the token is for)',
    ]);
    expect(problemsOf({ ...rds, DB_IAM_AUTH: 'yes' })).toEqual([
      'DB_IAM_AUTH: must be true or false (got "yes")',
    ]);
  });

  it('refuses to send the token over TLS that does not verify the server', () => {
    for (const mode of ['disable', 'prefer', 'require']) {
      expect(problemsOf({ ...rds, PGSSLMODE: mode, DB_IAM_AUTH: 'true' })).toEqual([
        `PGSSLMODE: must be verify-full or verify-ca with DB_IAM_AUTH=true: the token is a bearer credential (got "${mode}")`,
      ]);
    }
    expect(loadConfig({ ...rds, PGSSLMODE: 'verify-ca', DB_IAM_AUTH: 'true' })).toBeDefined();
  });
});
