/**
 * Rollback tolerance: the migration hook of an older image runs against a database that a newer
 * release already migrated. The newer release is played by a migration directory holding this
 * repository's migrations plus a later one; the older image is the repository itself (the real
 * `api/migrate.ts` entry point) or a directory of synthetic migrations.
 */
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createMigrationSource, MIGRATIONS_DIRECTORY } from '../../api/migration-source';
import { migrateToLatest, planMigrations } from '../../api/migrator';
import {
  capturingLogger,
  createTestDatabase,
  putBirthday,
  silentLogger,
  startTestServer,
  testKnex,
  type TestDatabase,
} from './helpers';
import { spawnEntryPoint } from './process';

describe('planMigrations', () => {
  const [a, b, c, d] = [
    '20260101000000_a',
    '20260201000000_b',
    '20260301000000_c',
    '20260401000000_d',
  ];

  it('runs everything on a fresh database, and nothing when all is applied', () => {
    expect(planMigrations([a, b], [])).toEqual({ kind: 'run', pending: [a, b], unknown: [] });
    expect(planMigrations([a, b], [a, b])).toEqual({ kind: 'run', pending: [], unknown: [] });
  });

  it('rollback: migrations newer than the image are reported and nothing runs', () => {
    expect(planMigrations([a, b], [a, b, c, d])).toEqual({
      kind: 'run',
      pending: [],
      unknown: [c, d],
    });
  });

  it('a real gap: an unapplied migration older than an applied one the image knows', () => {
    expect(planMigrations([a, b, c], [a, c])).toEqual({
      kind: 'out-of-order',
      reason: 'gap',
      outOfOrder: [b],
      after: c,
    });
    // Still a gap when a newer release's migrations are there too.
    expect(planMigrations([a, b, c], [a, c, d])).toMatchObject({ reason: 'gap', outOfOrder: [b] });
  });

  it('diverged: the image needs a migration older than one only another release knows', () => {
    expect(planMigrations([a, b], [a, c])).toEqual({
      kind: 'out-of-order',
      reason: 'diverged',
      outOfOrder: [b],
      after: c,
    });
  });

  it("runs the image's migrations that are newer than everything applied, in order", () => {
    expect(planMigrations([a, d], [a, c])).toEqual({ kind: 'run', pending: [d], unknown: [c] });
  });
});

/** A directory of migrations: copies of files from `from`, plus synthetic ones by name. */
async function migrationDirectory(
  parent: string,
  name: string,
  options: { copyFrom?: string; synthetic?: Record<string, string> },
): Promise<string> {
  const directory = path.join(parent, name);
  await rm(directory, { recursive: true, force: true });
  await mkdir(directory);
  if (options.copyFrom) {
    for (const file of await readdir(options.copyFrom)) {
      if (/^\d{14}_.*\.ts$/.test(file)) {
        await copyFile(path.join(options.copyFrom, file), path.join(directory, file));
      }
    }
  }
  for (const [migration, sql] of Object.entries(options.synthetic ?? {})) {
    await writeFile(
      path.join(directory, `${migration}.ts`),
      `export async function up(knex: { raw(sql: string): Promise<unknown> }) {\n` +
        `  await knex.raw(${JSON.stringify(sql)});\n}\n` +
        `export async function down() {}\n`,
    );
  }
  return directory;
}

async function appliedMigrations(db: TestDatabase): Promise<string[]> {
  const knex = testKnex(db);
  try {
    const rows = (await knex('knex_migrations').orderBy('id').select('name')) as Array<{
      name: string;
    }>;
    return rows.map((row) => row.name);
  } finally {
    await knex.destroy();
  }
}

async function migrate(db: TestDatabase, directory: string, logger = silentLogger()) {
  const knex = testKnex(db);
  try {
    return await migrateToLatest(knex, logger, {
      migrationSource: createMigrationSource(directory, 'ts'),
    });
  } finally {
    await knex.destroy();
  }
}

describe('migrator against a database migrated by a newer release', () => {
  let parent: string;
  let db: TestDatabase;
  beforeAll(async () => {
    parent = await mkdtemp(path.join(tmpdir(), 'hello-migrations-'));
  });
  afterAll(async () => {
    await rm(parent, { recursive: true, force: true });
  });
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await db.drop();
  });

  it("the older image's migration hook (npm run migrate) logs the newer migrations and exits 0", async () => {
    const newer = '29990101000000_add_users_nickname';
    const newerRelease = await migrationDirectory(parent, 'newer-release', {
      copyFrom: MIGRATIONS_DIRECTORY,
      // Expand: a nullable column the older code neither reads nor writes.
      synthetic: { [newer]: 'ALTER TABLE users ADD COLUMN nickname text' },
    });
    const first = await migrate(db, newerRelease);
    expect(first.applied.at(-1)).toBe(newer);
    const before = await appliedMigrations(db);
    expect(before).toContain(newer);

    const hook = await spawnEntryPoint('api/migrate.ts', {
      DATABASE_URL: db.url,
      LOG_LEVEL: 'info',
    }).finished;
    expect(hook.code, hook.stderr).toBe(0);
    const warning = hook.logs.find((line) => Array.isArray(line.unknown));
    expect(warning).toMatchObject({ level: 'warn', unknown: [newer] });
    expect(hook.logs.map((line) => line.msg)).toContain('database schema is up to date');
    expect(await appliedMigrations(db)).toEqual(before);

    // And the older code serves on the expanded schema.
    const api = await startTestServer({ db });
    try {
      expect((await putBirthday(api.url, 'carol', { dateOfBirth: '1970-01-31' })).status).toBe(204);
      expect((await fetch(`${api.url}/hello/carol`)).status).toBe(200);
    } finally {
      await api.stop();
    }
  });

  it('fails on a real gap and runs nothing', async () => {
    const a = '20260101000000_create_a';
    const b = '20260201000000_create_b';
    const c = '20260301000000_create_c';
    const tables = { [a]: 'CREATE TABLE t_a (id int)', [c]: 'CREATE TABLE t_c (id int)' };
    await migrate(db, await migrationDirectory(parent, 'without-b', { synthetic: tables }));

    const image = await migrationDirectory(parent, 'with-b', {
      synthetic: { ...tables, [b]: 'CREATE TABLE t_b (id int)' },
    });
    await expect(migrate(db, image)).rejects.toThrow(
      `Migration gap: ${b} is not applied, but the newer ${c} is`,
    );
    expect(await appliedMigrations(db)).toEqual([a, c]);
    const knex = testKnex(db);
    try {
      expect(await knex.schema.hasTable('t_b')).toBe(false);
    } finally {
      await knex.destroy();
    }
  });

  it('fails when the image needs a migration older than a newer release’s (diverged)', async () => {
    const a = '20260101000000_create_a';
    const hotfix = '20260201000000_hotfix';
    const mainline = '20260301000000_mainline';
    await migrate(
      db,
      await migrationDirectory(parent, 'mainline', {
        synthetic: { [a]: 'CREATE TABLE t_a (id int)', [mainline]: 'CREATE TABLE t_m (id int)' },
      }),
    );
    const image = await migrationDirectory(parent, 'hotfix', {
      synthetic: { [a]: 'CREATE TABLE t_a (id int)', [hotfix]: 'CREATE TABLE t_h (id int)' },
    });
    await expect(migrate(db, image)).rejects.toThrow(
      /^Diverged migrations: .*20260201000000_hotfix/,
    );
    expect(await appliedMigrations(db)).toEqual([a, mainline]);
  });

  it("still applies the image's own newer migrations, logging the unknown ones", async () => {
    const a = '20260101000000_create_a';
    const c = '20260301000000_create_c';
    const d = '20260401000000_create_d';
    await migrate(
      db,
      await migrationDirectory(parent, 'a-c', {
        synthetic: { [a]: 'CREATE TABLE t_a (id int)', [c]: 'CREATE TABLE t_c (id int)' },
      }),
    );
    const { logger, lines } = capturingLogger();
    const result = await migrate(
      db,
      await migrationDirectory(parent, 'a-d', {
        synthetic: { [a]: 'CREATE TABLE t_a (id int)', [d]: 'CREATE TABLE t_d (id int)' },
      }),
      logger,
    );
    expect(result).toMatchObject({ applied: [d], unknown: [c] });
    expect(lines().find((line) => Array.isArray(line.unknown))).toMatchObject({ unknown: [c] });
    expect(await appliedMigrations(db)).toEqual([a, c, d]);
  });
});
