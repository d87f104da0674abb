import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connectionSettings, isDatabaseUnavailable, tlsOptionsFor } from '../../api/db';
import { cachedCredentials } from '../../api/credentials';

describe('tlsOptionsFor (libpq sslmode semantics)', () => {
  let dir: string;
  let caFile: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hello-api-ca-'));
    caFile = path.join(dir, 'rds-global-bundle.pem');
    await writeFile(caFile, '-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('no TLS for disable/allow/prefer or when unset', () => {
    for (const mode of [undefined, 'disable', 'allow', 'prefer'] as const) {
      expect(tlsOptionsFor(mode, caFile)).toBe(false);
    }
  });
  it('require encrypts without verifying; verify-* verify with the CA bundle', () => {
    expect(tlsOptionsFor('require', undefined)).toEqual({
      rejectUnauthorized: false,
      ca: undefined,
    });
    for (const mode of ['verify-ca', 'verify-full'] as const) {
      expect(tlsOptionsFor(mode, caFile)).toEqual({
        rejectUnauthorized: true,
        ca: expect.stringContaining('BEGIN CERTIFICATE') as string,
      });
    }
  });
});

describe('connectionSettings', () => {
  const tuning = { connectTimeoutMs: 1000, statementTimeoutMs: 5000 };
  it('puts secret credentials into a URL target (pg lets URL fields win)', async () => {
    const credentials = cachedCredentials(async () => ({ user: 'app', password: 'p@ss/word' }));
    const settings = await connectionSettings(
      { kind: 'url', connectionString: 'postgres://ignored:old@db.internal:5432/hello' },
      tuning,
      credentials,
    );
    const url = new URL(settings.connectionString ?? '');
    expect([url.hostname, url.pathname, decodeURIComponent(url.username)]).toEqual([
      'db.internal',
      '/hello',
      'app',
    ]);
    expect(decodeURIComponent(url.password)).toBe('p@ss/word');
    expect(settings).toMatchObject({ statement_timeout: 5000, connectionTimeoutMillis: 1000 });
  });
  it('gives up client-side one connect budget after the statement timeout (black holes)', async () => {
    const target = { kind: 'url', connectionString: 'postgres://db/hello' } as const;
    expect(await connectionSettings(target, tuning)).toMatchObject({
      statement_timeout: 5000,
      query_timeout: 6000,
    });
    // No statement timeout (the migrator): no client-side limit either.
    const none = await connectionSettings(target, { ...tuning, statementTimeoutMs: 0 });
    expect(none).not.toHaveProperty('statement_timeout');
    expect(none).not.toHaveProperty('query_timeout');
  });
  it('overrides PGUSER/PGPASSWORD for a libpq target', async () => {
    const credentials = cachedCredentials(async () => ({ user: 'app', password: 'pw' }));
    const settings = await connectionSettings(
      { kind: 'libpq', host: 'db', user: 'old', password: 'old', database: 'hello' },
      tuning,
      credentials,
    );
    expect(settings).toMatchObject({ host: 'db', user: 'app', password: 'pw', database: 'hello' });
  });
});

describe('isDatabaseUnavailable', () => {
  const withCode = (code: string) => Object.assign(new Error('x'), { code });
  it('recognises connection failures, not query bugs', () => {
    expect(isDatabaseUnavailable(withCode('ECONNREFUSED'))).toBe(true);
    expect(isDatabaseUnavailable(withCode('57P01'))).toBe(true);
    expect(isDatabaseUnavailable(withCode('08006'))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('t'), { name: 'KnexTimeoutError' }))).toBe(
      true,
    );
    // pg's own words when nothing answers: the connect timeout, and the query (read) timeout.
    expect(isDatabaseUnavailable(new Error('timeout expired'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Query read timeout'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('invalid input: timeout expired soon'))).toBe(false);
    expect(isDatabaseUnavailable(withCode('42P01'))).toBe(false);
    expect(isDatabaseUnavailable(withCode('23505'))).toBe(false);
  });
});

describe('connectionSettings with an RDS IAM token password', () => {
  const tuning = { connectTimeoutMs: 1000, statementTimeoutMs: 0 };
  const password = Object.assign(async () => 'token', { invalidate: () => undefined });

  it('passes the function itself to pg for a libpq target (called per new connection)', async () => {
    const settings = await connectionSettings(
      { kind: 'libpq', host: 'db', user: 'hello_api', password: 'ignored', database: 'app' },
      tuning,
      undefined,
      password,
    );
    expect(settings.password).toBe(password);
    expect(settings.user).toBe('hello_api');
  });

  it('refuses a URL target, whose (empty) password pg would prefer over the function', async () => {
    await expect(
      connectionSettings(
        { kind: 'url', connectionString: 'postgres://hello_api@db/app' },
        tuning,
        undefined,
        password,
      ),
    ).rejects.toThrow(/needs a libpq target/);
  });
});
