import pg from 'pg';
import {
  capturingLogger,
  createTestDatabase,
  migrateTestDatabase,
  realPostgresFor,
  realPostgresInCi,
  silentLogger,
  testKnex,
  usingRealPostgres,
  type TestDatabase,
} from './helpers';
import { spawnEntryPoint } from './process';
import { MIGRATION_ADVISORY_LOCK_KEY, migrateToLatest, rollbackAll } from '../../api/migrator';
import { createMigrationSource } from '../../api/migration-source';

async function tableExists(db: TestDatabase, table: string): Promise<boolean> {
  const knex = testKnex(db);
  try {
    return await knex.schema.hasTable(table);
  } finally {
    await knex.destroy();
  }
}

describe('migrations', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await db.drop();
  });

  it('round-trips: up, down to nothing, up again', async () => {
    await migrateTestDatabase(db);
    expect(await tableExists(db, 'users')).toBe(true);

    const knex = testKnex(db);
    try {
      // The CHECK mirrors the API's username rule.
      await expect(
        knex.raw("INSERT INTO users (username, date_of_birth) VALUES ('no-dash', '2000-01-01')"),
      ).rejects.toMatchObject({ code: '23514' });
      await knex.raw("INSERT INTO users (username, date_of_birth) VALUES ('ok', '2000-01-01')");

      const reverted = await rollbackAll(knex);
      expect(reverted.length).toBeGreaterThan(0);
      expect(await knex.schema.hasTable('users')).toBe(false);
    } finally {
      await knex.destroy();
    }

    await migrateTestDatabase(db);
    expect(await tableExists(db, 'users')).toBe(true);
  });

  it('records migration names without extension (dev .ts and image .js agree)', async () => {
    await migrateTestDatabase(db);
    const knex = testKnex(db);
    try {
      const rows = await knex('knex_migrations').select('name');
      const names = rows.map((row: { name: string }) => row.name);
      const sources = await createMigrationSource().getMigrations([]);
      expect(names).toEqual(sources.map((m) => m.name));
      expect(names.length).toBeGreaterThan(0);
      names.forEach((name) => expect(name).toMatch(/^\d{14}_[a-z0-9_]+$/));
    } finally {
      await knex.destroy();
    }
  });

  const concurrentTitle = usingRealPostgres
    ? 'three concurrent `npm run migrate` processes: exactly one applies, all exit 0'
    : 'three concurrent `npm run migrate` processes against PGlite (one shared session, so ' +
      'only Knex’s lock table serialises them): exactly one applies, all exit 0';
  it(concurrentTitle, async () => {
    const runs = [1, 2, 3].map(
      () => spawnEntryPoint('api/migrate.ts', { DATABASE_URL: db.url, LOG_LEVEL: 'info' }).finished,
    );
    const results = await Promise.all(runs);
    for (const result of results) {
      expect(result.code, result.stderr).toBe(0);
    }
    const messages = results.map((r) => r.logs.map((line) => line.msg));
    expect(messages.filter((m) => m.includes('applied migrations'))).toHaveLength(1);
    expect(messages.filter((m) => m.includes('database schema is up to date'))).toHaveLength(2);
    expect(await tableExists(db, 'users')).toBe(true);
  });

  it('a second run is a no-op', async () => {
    await migrateTestDatabase(db);
    await expect(migrateTestDatabase(db, silentLogger())).resolves.toBeUndefined();
  });
});

const advisoryLockRuns = realPostgresFor(
  'the migration advisory lock (migrations.test.ts)',
  'PGlite serves every connection from one session, where advisory locks are re-entrant',
);

realPostgresInCi();

describe.skipIf(!advisoryLockRuns)('the migration advisory lock (real PostgreSQL)', () => {
  let db: TestDatabase;
  let holder: pg.Client;
  const key = MIGRATION_ADVISORY_LOCK_KEY.toString();
  beforeEach(async () => {
    db = await createTestDatabase();
    holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    // Another migrator's session holds the lock.
    await holder.query('SELECT pg_advisory_lock($1::bigint)', [key]);
  });
  afterEach(async () => {
    await holder.end();
    await db.drop();
  });

  it('makes a migrator wait while another session holds it, and give up at its timeout', async () => {
    const logs = capturingLogger();
    const knex = testKnex(db, logs.logger);
    try {
      await expect(
        migrateToLatest(knex, logs.logger, { lockTimeoutMs: 300, pollIntervalMs: 50 }),
      ).rejects.toThrow('Timed out after 300 ms waiting for the migration lock');
      expect(logs.lines().map((line) => line.msg)).toContain(
        'another migrator holds the migration lock; waiting',
      );
      expect(await knex.schema.hasTable('users')).toBe(false);
    } finally {
      await knex.destroy();
    }
  });

  it('lets the waiting migrator in as soon as the lock is released', async () => {
    const logs = capturingLogger();
    const knex = testKnex(db, logs.logger);
    try {
      const migrating = migrateToLatest(knex, logs.logger, {
        lockTimeoutMs: 20_000,
        pollIntervalMs: 50,
      });
      const deadline = Date.now() + 10_000;
      while (!logs.text().includes('another migrator holds the migration lock')) {
        if (Date.now() > deadline) throw new Error('the migrator never waited for the lock');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(await knex.schema.hasTable('users')).toBe(false);
      await holder.query('SELECT pg_advisory_unlock($1::bigint)', [key]);
      const result = await migrating;
      expect(result.applied.length).toBeGreaterThan(0);
      expect(await knex.schema.hasTable('users')).toBe(true);
    } finally {
      await knex.destroy();
    }
  });
});
