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
