/**
 * DB_SECRET_ARN: credentials read from AWS Secrets Manager at connect time, cached, and
 * re-read after the database rejects them. The AWS side is a local fake endpoint (endpoint
 * override); nothing talks to AWS.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../../api/config';
import { secretsManagerCredentials } from '../../api/secrets-manager';
import { startFakeSecretsManager, type FakeSecretsManager } from './fake-secrets-manager';
import {
  TEST_DATABASE_URL,
  createTestDatabase,
  migrateTestDatabase,
  putBirthday,
  realPostgresFor,
  realPostgresInCi,
  startTestServer,
  usingRealPostgres,
  type TestDatabase,
  type TestServer,
} from './helpers';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-test-AbCdEf';

// The SDK's default credential chain reads these; fake values, signed requests go to the fake.
process.env.AWS_ACCESS_KEY_ID = 'AKIAFAKEFAKEFAKEFAKE';
process.env.AWS_SECRET_ACCESS_KEY = 'fake-secret-key';

describe('Secrets Manager adapter (endpoint override)', () => {
  let fake: FakeSecretsManager;
  beforeAll(async () => {
    fake = await startFakeSecretsManager(JSON.stringify({ username: 'app', password: 'pw1' }));
  });
  afterAll(async () => {
    await fake.close();
  });

  it('reads username/password once, caches, and re-reads after invalidate()', async () => {
    const source = secretsManagerCredentials({
      secretId: SECRET_ARN,
      region: 'eu-west-1',
      endpoint: fake.url,
    });
    expect(await source.get()).toEqual({ user: 'app', password: 'pw1' });
    expect(await source.get()).toEqual({ user: 'app', password: 'pw1' });
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]).toMatchObject({
      target: 'secretsmanager.GetSecretValue',
      secretId: SECRET_ARN,
    });
    expect(fake.calls[0]?.authorization).toMatch(/^AWS4-HMAC-SHA256 /);

    fake.secretString = JSON.stringify({ username: 'app', password: 'pw2' });
    source.invalidate();
    expect(source.stale).toBe(true);
    expect(await source.get()).toEqual({ user: 'app', password: 'pw2' });
    expect(fake.calls).toHaveLength(2);
  });

  it('rejects a malformed secret without revealing its content', async () => {
    fake.secretString = '{"user":"x","pass":"do-not-print"}';
    const source = secretsManagerCredentials({
      secretId: SECRET_ARN,
      endpoint: fake.url,
      region: 'eu-west-1',
    });
    const error = await source.get().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/"username" and "password"/);
    expect(error?.message).not.toContain('do-not-print');
  });

  it('is configured from DB_SECRET_ARN, AWS_REGION and AWS_ENDPOINT_URL_SECRETS_MANAGER', () => {
    expect(
      loadConfig({
        DATABASE_URL: 'postgres://db.internal:5432/app',
        DB_SECRET_ARN: SECRET_ARN,
        AWS_REGION: 'eu-west-1',
        AWS_ENDPOINT_URL_SECRETS_MANAGER: 'https://vpce.example',
      }).database.secret,
    ).toEqual({ secretId: SECRET_ARN, region: 'eu-west-1', endpoint: 'https://vpce.example' });
    expect(() => loadConfig({ DB_SECRET_ARN: SECRET_ARN })).toThrow(
      /^Invalid configuration:\n\s+- DB_SECRET_ARN: needs/,
    );
  });
});

// This machine's PostgreSQL trusts 127.0.0.1 (no password check), so the rotation is modelled
// as the old login being refused (NOLOGIN, SQLSTATE 28000) and the secret naming a new role.
const rotationSuite = usingRealPostgres
  ? 'credential rotation against real PostgreSQL'
  : 'credential rotation (skipped: needs TEST_DATABASE_URL; PGlite has no roles or authentication)';
const rotationRuns = realPostgresFor(
  'credential rotation (secrets.test.ts)',
  'PGlite has no roles or authentication, so a rotated login cannot be refused',
);

realPostgresInCi();

describe.skipIf(!rotationRuns)(rotationSuite, () => {
  let db: TestDatabase;
  let fake: FakeSecretsManager;
  let server: TestServer;
  const suffix = randomBytes(4).toString('hex');
  const oldRole = `hello_rot_old_${suffix}`;
  const newRole = `hello_rot_new_${suffix}`;

  async function admin<T extends pg.QueryResultRow>(sql: string, database?: string) {
    const url = new URL(database ?? TEST_DATABASE_URL ?? '');
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      return (await client.query<T>(sql)).rows;
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    await migrateTestDatabase(db);
    for (const role of [oldRole, newRole]) {
      await admin(`CREATE ROLE "${role}" LOGIN PASSWORD 'unused-under-trust'`);
      await admin(`GRANT SELECT, INSERT, UPDATE ON users TO "${role}"`, db.url);
    }
    fake = await startFakeSecretsManager(JSON.stringify({ username: oldRole, password: 'p1' }));
    server = await startTestServer({
      db,
      env: {
        DB_SECRET_ARN: SECRET_ARN,
        AWS_REGION: 'eu-west-1',
        AWS_ENDPOINT_URL_SECRETS_MANAGER: fake.url,
      },
    });
  });

  afterAll(async () => {
    await server?.stop();
    await fake?.close();
    await db?.drop();
    for (const role of [oldRole, newRole]) await admin(`DROP ROLE IF EXISTS "${role}"`);
  });

  const sessionsOf = async () =>
    (
      await admin<{ usename: string }>(
        `SELECT usename FROM pg_stat_activity WHERE datname = '${new URL(db.url).pathname.slice(1)}' AND application_name = 'hello-api'`,
      )
    ).map((row) => row.usename);

  it('re-reads the secret after PostgreSQL rejects the cached credentials', async () => {
    expect((await putBirthday(server.url, 'rotated', { dateOfBirth: '1990-01-01' })).status).toBe(
      204,
    );
    expect(new Set(await sessionsOf())).toEqual(new Set([oldRole]));
    expect(fake.calls).toHaveLength(1);

    // Rotate: the old login stops working, the secret now names the new credentials, and the
    // pool's open sessions are cut (as a restart of the database or a pool recycle would).
    fake.secretString = JSON.stringify({ username: newRole, password: 'p2' });
    await admin(`ALTER ROLE "${oldRole}" NOLOGIN`);
    await admin(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '${oldRole}'`,
    );

    // The first request may still meet a connection that was cut under it (503); after that
    // the pool reconnects, is refused with the cached credentials, re-reads the secret and
    // succeeds, without a restart.
    let status = 0;
    for (let attempt = 0; attempt < 20 && status !== 200; attempt += 1) {
      status = (await fetch(`${server.url}/hello/rotated`)).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(200);
    expect(fake.calls.length).toBe(2);
    expect(new Set(await sessionsOf())).toEqual(new Set([newRole]));
  });
});
