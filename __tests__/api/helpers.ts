/**
 * Shared fixtures for API tests: a fresh database (real PostgreSQL when TEST_DATABASE_URL is set,
 * otherwise embedded PGlite over its wire-protocol socket), real migrations, the real server on
 * an ephemeral port, and teardown. Later tests (secret re-read, OpenTelemetry) build on these.
 *
 *   const db = await createTestDatabase();        // unique database, dropped by db.drop()
 *   await migrateTestDatabase(db);                 // the production migrator
 *   const api = await startTestServer({ db });     // api.url = http://127.0.0.1:<port>
 *   ...
 *   await api.stop(); await db.drop();
 *
 * `useTestApi()` wires the three into beforeAll/afterAll for a test file.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Knex } from 'knex';
import pg from 'pg';
import pino from 'pino';
import { type AppConfig, loadConfig } from '../../api/config';
import type { Clock } from '../../api/dates';
import { createKnex, type ExternalTarget } from '../../api/db';
import { startEmbeddedDatabase } from '../../api/embedded';
import { createLogger, type Logger } from '../../api/logger';
import { migrateToLatest } from '../../api/migrator';
import { type RunningService, startService } from '../../api/server';

/** Set by .ci/run to the machine's PostgreSQL; unset on a laptop → PGlite. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
export const usingRealPostgres = TEST_DATABASE_URL !== undefined;

/**
 * For suites that only mean something on a real PostgreSQL: true when one is configured;
 * otherwise prints, once per suite, what is skipped and why (vitest shows it with the file), so a
 * local run says what it did not test. In CI (`.ci/run`, the workflows) TEST_DATABASE_URL is set
 * and the suites run; `realPostgresInCi` makes a CI run without it fail instead of skipping.
 */
export function realPostgresFor(suite: string, why: string): boolean {
  if (!usingRealPostgres) {
    console.warn(
      `SKIPPED: ${suite}: ${why}. Set TEST_DATABASE_URL to a PostgreSQL server to run it ` +
        '(.ci/run and CI do).',
    );
  }
  return usingRealPostgres;
}

/** A test that fails when CI runs without a real PostgreSQL (the suites above would skip). */
export function realPostgresInCi(): void {
  it.runIf(process.env.CI)(
    'runs against a real PostgreSQL in CI (TEST_DATABASE_URL is set)',
    () => {
      expect(TEST_DATABASE_URL).toMatch(/^postgres(ql)?:\/\//);
    },
  );
}

export interface TestDatabase {
  kind: 'postgres' | 'pglite';
  /** Connection string of the fresh database (reachable by child processes too). */
  url: string;
  target: ExternalTarget;
  /** Drops the database (PostgreSQL) or stops PGlite. Idempotent. */
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

let pgliteTemplate: Promise<Blob> | undefined;

/**
 * A blank PGlite data directory, made once per machine and cached in the OS temp folder:
 * starting from it skips initdb (~0.5 s instead of 2+ s per fresh database).
 */
export function blankPgliteTemplate(): Promise<Blob> {
  pgliteTemplate ??= (async () => {
    const { PGlite } = await import('@electric-sql/pglite');
    const manifest = path.resolve(
      __dirname,
      '../../node_modules/@electric-sql/pglite/package.json',
    );
    const { version } = JSON.parse(await readFile(manifest, 'utf8')) as { version: string };
    const file = path.join(tmpdir(), `hello-api-pglite-${version}-blank.tar`);
    try {
      return new Blob([await readFile(file)]);
    } catch {
      const db = await PGlite.create();
      const dump = await db.dumpDataDir('none');
      await db.close();
      // Write-then-rename: parallel test workers never read a half-written file.
      const partial = `${file}.${process.pid}.partial`;
      await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
      await rename(partial, file);
      return dump;
    }
  })();
  return pgliteTemplate;
}

/** A uniquely named database on TEST_DATABASE_URL's server, or a fresh in-memory PGlite. */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (!TEST_DATABASE_URL) {
    // Generous connection limit: the server's pool, migrators and assertion clients at once.
    const embedded = await startEmbeddedDatabase({
      dataDir: 'memory',
      maxConnections: 40,
      template: await blankPgliteTemplate(),
    });
    let stopped = false;
    return {
      kind: 'pglite',
      url: (embedded.target as { connectionString: string }).connectionString,
      target: embedded.target,
      async drop() {
        if (stopped) return;
        stopped = true;
        await embedded.stop();
      },
    };
  }
  const name = `hello_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(TEST_DATABASE_URL, name);
  let dropped = false;
  return {
    kind: 'postgres',
    url,
    target: { kind: 'url', connectionString: url },
    async drop() {
      if (dropped) return;
      dropped = true;
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Environment for the service under test; override any variable per test. */
export function testEnvironment(
  db: Pick<TestDatabase, 'url'>,
  overrides: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: db.url,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    SHUTDOWN_DRAIN_DELAY_MS: '0',
    DB_CONNECT_TIMEOUT_MS: '2000',
    ...overrides,
  };
}

export const silentLogger = (): Logger => createLogger('silent');

/** A logger whose JSON lines are kept in memory, for assertions on logs. */
export function capturingLogger(level: pino.Level = 'info'): {
  logger: Logger;
  lines: () => Array<Record<string, unknown>>;
  text: () => string;
} {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  const logger = pino({ level, base: { service: 'hello-api' } }, sink);
  const text = () => chunks.join('');
  const lines = () =>
    text()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, text };
}

/** A Knex instance on the test database, for assertions and setup. Destroy it when done. */
export function testKnex(db: Pick<TestDatabase, 'target'>, logger = silentLogger()): Knex {
  return createKnex(
    db.target,
    { poolMin: 0, poolMax: 3, connectTimeoutMs: 5000, statementTimeoutMs: 0 },
    logger,
  );
}

/** Applies all migrations with the production migrator. */
export async function migrateTestDatabase(
  db: TestDatabase,
  logger = silentLogger(),
): Promise<void> {
  const knex = testKnex(db, logger);
  try {
    await migrateToLatest(knex, logger);
  } finally {
    await knex.destroy();
  }
}

export interface TestServer {
  url: string;
  service: RunningService;
  config: AppConfig;
  /** Graceful shutdown (drain delay from the environment, 0 by default). Idempotent. */
  stop(): Promise<void>;
}

export interface TestServerOptions {
  db: Pick<TestDatabase, 'url' | 'target'>;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  logger?: Logger;
  /** Connect somewhere else than db (e.g. through a proxy); defaults to db.target. */
  target?: ExternalTarget;
}

/** The real service (same code as main.ts) on 127.0.0.1 and an ephemeral port. */
export async function startTestServer(options: TestServerOptions): Promise<TestServer> {
  const config = loadConfig(testEnvironment(options.db, options.env));
  const service = await startService({
    config,
    target: options.target ?? options.db.target,
    logger: options.logger ?? silentLogger(),
    clock: options.clock,
  });
  return { url: service.url, service, config, stop: () => service.shutdown() };
}

/** A clock stuck at one instant, movable by tests. */
export function fixedClock(iso: string): Clock & { set(iso: string): void } {
  let now = new Date(iso);
  const clock = (() => new Date(now.getTime())) as Clock & { set(iso: string): void };
  clock.set = (next: string) => {
    now = new Date(next);
  };
  return clock;
}

export interface TestApi {
  readonly db: TestDatabase;
  readonly server: TestServer;
  readonly url: string;
  /** Knex on the same database for assertions (pool of 3). */
  readonly knex: Knex;
}

/**
 * beforeAll/afterAll wiring for one test file: fresh database, migrations, server. Access the
 * returned object's properties inside tests (they are set once beforeAll has run).
 */
export function useTestApi(options: Omit<TestServerOptions, 'db'> = {}): TestApi {
  let db: TestDatabase | undefined;
  let server: TestServer | undefined;
  let knex: Knex | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
    await migrateTestDatabase(db);
    server = await startTestServer({ ...options, db });
    knex = testKnex(db);
  });
  afterAll(async () => {
    await server?.stop();
    await knex?.destroy();
    await db?.drop();
  });
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not ready: use it inside a test`);
    return value;
  };
  return {
    get db() {
      return ready(db, 'db');
    },
    get server() {
      return ready(server, 'server');
    },
    get url() {
      return ready(server, 'server').url;
    },
    get knex() {
      return ready(knex, 'knex');
    },
  };
}

/** fetch + JSON helpers that keep tests short. */
export async function putBirthday(
  baseUrl: string,
  username: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${baseUrl}/hello/${username}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export async function countUsers(knex: Knex): Promise<number> {
  const result = await knex.raw<{ rows: Array<{ n: number }> }>(
    'SELECT count(*)::int AS n FROM users',
  );
  return result.rows[0]?.n ?? 0;
}
