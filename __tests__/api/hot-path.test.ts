/**
 * What the hot path does to be cheap must not change what it answers: the two users queries are
 * named prepared statements (checked on the connection itself), and they keep working when a
 * migration changes or replaces the users table under a running server.
 */
import type { Knex } from 'knex';
import { createKnex } from '../../api/db';
import { startEmbeddedDatabase } from '../../api/embedded';
import { migrateToLatest } from '../../api/migrator';
import { createUsersRepository } from '../../api/users-repository';
import {
  type TestDatabase,
  blankPgliteTemplate,
  capturingLogger,
  createTestDatabase,
  migrateTestDatabase,
  putBirthday,
  startTestServer,
  silentLogger,
  testKnex,
  fixedClock,
  type TestServer,
} from './helpers';

let db: TestDatabase;
let knex: Knex;
beforeAll(async () => {
  db = await createTestDatabase();
  await migrateTestDatabase(db);
  knex = testKnex(db);
});
afterAll(async () => {
  await knex?.destroy();
  await db?.drop();
});

describe('users repository', () => {
  it('runs the two hot queries as named prepared statements on the pooled connection', async () => {
    // One connection, so the catalogue query below runs in the session that prepared them.
    const single = createKnex(
      db.target,
      { poolMin: 0, poolMax: 1, connectTimeoutMs: 5000, statementTimeoutMs: 0 },
      silentLogger(),
    );
    try {
      const users = createUsersRepository(single);
      await users.saveDateOfBirth('prepared', '1990-07-14');
      expect(await users.findDateOfBirth('prepared')).toBe('1990-07-14');
      expect(await users.findDateOfBirth('nobody')).toBeUndefined();
      const result = await single.raw<{ rows: Array<{ name: string }> }>(
        'SELECT name FROM pg_prepared_statements ORDER BY name',
      );
      expect(result.rows.map((r) => r.name)).toEqual([
        'hello_find_date_of_birth',
        'hello_save_date_of_birth',
      ]);
    } finally {
      await single.destroy();
    }
  });
});

describe('connections that share one session (PGlite behind pglite-socket)', () => {
  it('falls back to unnamed statements when a second connection cannot prepare them', async () => {
    const embedded = await startEmbeddedDatabase({
      dataDir: 'memory',
      maxConnections: 4,
      template: await blankPgliteTemplate(),
    });
    const shared = createKnex(
      embedded.target,
      { poolMin: 2, poolMax: 2, connectTimeoutMs: 5000, statementTimeoutMs: 0 },
      silentLogger(),
    );
    try {
      await migrateToLatest(shared, silentLogger());
      const users = createUsersRepository(shared);
      await users.saveDateOfBirth('shared', '1990-07-14');
      // Both pooled connections busy at once: the second one's Parse meets the first one's name.
      const found = await Promise.all(
        Array.from({ length: 8 }, () => users.findDateOfBirth('shared')),
      );
      expect(found).toEqual(Array.from({ length: 8 }, () => '1990-07-14'));
      await Promise.all([
        users.saveDateOfBirth('sharedb', '1991-01-02'),
        users.saveDateOfBirth('sharedc', '1992-03-04'),
      ]);
      expect(await users.findDateOfBirth('sharedc')).toBe('1992-03-04');
    } finally {
      await shared.destroy();
      await embedded.stop();
    }
  });
});

describe('prepared statements across schema migrations', () => {
  let server: TestServer;
  beforeAll(async () => {
    // One pooled connection: every request reuses the statements prepared by the first ones.
    server = await startTestServer({
      db,
      env: { DB_POOL_MIN: '1', DB_POOL_MAX: '1' },
      clock: fixedClock('2026-07-10T12:00:00Z'),
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const greet = async (name: string) => {
    const response = await fetch(`${server.url}/hello/${name}`);
    return { status: response.status, body: (await response.json()) as unknown };
  };

  it('keeps answering after a column is added and the date column changes type', async () => {
    expect((await putBirthday(server.url, 'alice', { dateOfBirth: '1990-07-14' })).status).toBe(
      204,
    );
    expect(await greet('alice')).toEqual({
      status: 200,
      body: { message: 'Hello, alice! Your birthday is in 4 day(s)' },
    });

    await knex.raw('ALTER TABLE users ADD COLUMN nickname text');
    await knex.raw('ALTER TABLE users ALTER COLUMN date_of_birth TYPE timestamp');

    expect(await greet('alice')).toEqual({
      status: 200,
      body: { message: 'Hello, alice! Your birthday is in 4 day(s)' },
    });
    expect((await putBirthday(server.url, 'alice', { dateOfBirth: '1990-07-12' })).status).toBe(
      204,
    );
    expect(await greet('alice')).toEqual({
      status: 200,
      body: { message: 'Hello, alice! Your birthday is in 2 day(s)' },
    });

    await knex.raw('ALTER TABLE users ALTER COLUMN date_of_birth TYPE date');
    await knex.raw('ALTER TABLE users DROP COLUMN nickname');
  });

  it('reads and writes the new table when a migration replaces it', async () => {
    await knex.raw('ALTER TABLE users RENAME TO users_old');
    await knex.raw('CREATE TABLE users (LIKE users_old INCLUDING ALL)');
    await knex.raw("INSERT INTO users SELECT * FROM users_old WHERE username <> 'alice'");
    await knex.raw("INSERT INTO users (username, date_of_birth) VALUES ('alice', '1990-07-11')");

    expect(await greet('alice')).toEqual({
      status: 200,
      body: { message: 'Hello, alice! Your birthday is in 1 day(s)' },
    });
    expect((await putBirthday(server.url, 'bob', { dateOfBirth: '1980-07-20' })).status).toBe(204);
    const rows = await knex('users').where({ username: 'bob' }).count({ n: '*' });
    expect(Number(rows[0]?.n)).toBe(1);
    const old = await knex('users_old').where({ username: 'bob' }).count({ n: '*' });
    expect(Number(old[0]?.n)).toBe(0);
  });
});

describe('at LOG_LEVEL=warn (how production runs)', () => {
  let server: TestServer;
  const logs = capturingLogger('warn');
  beforeAll(async () => {
    server = await startTestServer({ db, logger: logs.logger, env: { DB_POOL_MAX: '1' } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const requestCount = async (status: number) => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const pattern = new RegExp(
      `http_request_duration_seconds_count\\{method="GET",route="/hello/:username",status="${status}"\\} (\\d+)`,
    );
    return Number(pattern.exec(text)?.[1] ?? 0);
  };

  it('writes no access log line for successes, still counts them, and logs failures', async () => {
    expect((await putBirthday(server.url, 'carol', { dateOfBirth: '1985-03-01' })).status).toBe(
      204,
    );
    const before = await requestCount(200);
    for (let i = 0; i < 3; i += 1) {
      const response = await fetch(`${server.url}/hello/carol`, {
        headers: { 'X-Request-Id': `warn-${i}` },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-request-id')).toBe(`warn-${i}`);
    }
    expect(await requestCount(200)).toBe(before + 3);

    // A missing table: the prepared statement cannot be re-planned → 500, logged at error.
    await knex.raw('ALTER TABLE users RENAME TO users_elsewhere');
    try {
      const failed = await fetch(`${server.url}/hello/carol`, {
        headers: { 'X-Request-Id': 'warn-failed' },
      });
      expect(failed.status).toBe(500);
      expect(failed.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    } finally {
      await knex.raw('ALTER TABLE users_elsewhere RENAME TO users');
    }
    expect(await requestCount(500)).toBe(1);
    // The statement works again once the table is back.
    expect((await fetch(`${server.url}/hello/carol`)).status).toBe(200);

    const lines = logs.lines();
    expect(lines.filter((l) => l.msg === 'request')).toEqual([]);
    expect(lines.filter((l) => l.msg === 'request failed')).toEqual([
      expect.objectContaining({
        requestId: 'warn-failed',
        method: 'GET',
        route: '/hello/:username',
        status: 500,
      }),
    ]);
  });
});

describe('the hot routes in front of the router answer as the router does', () => {
  let server: TestServer;
  const logs = capturingLogger('info');
  beforeAll(async () => {
    server = await startTestServer({
      db,
      logger: logs.logger,
      clock: fixedClock('2026-07-10T12:00:00Z'),
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      allow: response.headers.get('allow'),
      body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
    };
  };

  it('plain paths (hot path) and spellings only the router takes give the same answers', async () => {
    // Plain: `/hello/<letters>`. Router only: percent-encoded, upper-case prefix, trailing slash.
    expect((await call('PUT', '/hello/Dora', { dateOfBirth: '1990-07-14' })).status).toBe(204);
    expect((await call('PUT', '/HELLO/%45mil/', { dateOfBirth: '1990-07-14' })).status).toBe(204);
    const plain = await call('GET', '/hello/Dora');
    expect(plain).toMatchObject({
      status: 200,
      type: 'application/json; charset=utf-8',
      body: { message: 'Hello, Dora! Your birthday is in 4 day(s)' },
    });
    for (const path of ['/hello/%44ora', '/HELLO/Dora', '/hello/Dora/', '/hello/Dora?x=1']) {
      expect(await call('GET', path)).toEqual(plain);
    }
    expect(await call('GET', '/hello/Emil')).toMatchObject({
      status: 200,
      body: { message: 'Hello, Emil! Your birthday is in 4 day(s)' },
    });

    // Errors: the same problem documents either way (instance is the path asked for).
    const invalid = await call('GET', '/hello/d0ra');
    expect(invalid).toMatchObject({ status: 422, type: 'application/problem+json' });
    const { instance: _i, ...invalidRest } = invalid.body ?? {};
    const routed = await call('GET', '/hello/d%30ra');
    const { instance: _j, ...routedRest } = routed.body ?? {};
    expect(routedRest).toEqual(invalidRest);
    expect((await call('GET', '/hello/Nobody')).status).toBe(404);
    expect((await call('PUT', '/hello/Dora', { dateOfBirth: '2030-01-01' })).status).toBe(422);
    expect((await call('GET', '/hello/')).status).toBe(404);
    expect((await call('GET', '/hello/a/b')).status).toBe(404);
    // Methods the hot path leaves to the router.
    expect((await call('HEAD', '/hello/Dora')).status).toBe(200);
    expect(await call('DELETE', '/hello/Dora')).toMatchObject({
      status: 405,
      allow: 'HEAD, GET, PUT',
    });

    // Logs and metrics see the route template either way.
    const routes = new Set(
      logs
        .lines()
        .filter((l) => l.msg === 'request')
        .map((l) => `${String(l.method)} ${String(l.route)}`),
    );
    expect(routes).toEqual(
      new Set([
        'PUT /hello/:username',
        'GET /hello/:username',
        'HEAD /hello/:username',
        'DELETE unmatched',
        // /hello/ and /hello/a/b
        'GET unmatched',
      ]),
    );
  });
});
