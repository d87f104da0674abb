/**
 * The application role against real PostgreSQL: what the API may and may not do when it logs in
 * as that role, that the migration is re-runnable and tolerates concurrent migrators of other
 * databases on the same server, and how it behaves for a database owner without CREATEROLE (the
 * CloudNativePG app user). This server trusts 127.0.0.1, so logging in as a role needs no password;
 * the token path itself is covered in rds-iam-auth.test.ts.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../../api/config';
import { connectionSettings, createKnex, type ExternalTarget } from '../../api/db';
import { migrateToLatest } from '../../api/migrator';
import { rdsIamTokenPassword } from '../../api/rds-iam-auth';
import { SAVE_DATE_OF_BIRTH_SQL, FIND_DATE_OF_BIRTH_SQL } from '../../api/users-repository';
import {
  APP_ROLE,
  createAppRoleSql,
  dropAppRoleGrantsSql,
} from '../../migrations/20261201000000_create_app_role';
import { APP_DATABASE_USER } from '../../stacks/names';
import {
  TEST_DATABASE_URL,
  capturingLogger,
  createTestDatabase,
  migrateTestDatabase,
  putBirthday,
  silentLogger,
  startTestServer,
  usingRealPostgres,
  type TestDatabase,
} from './helpers';

/** A client on `url` logged in as `user` (trust authentication: no password). */
async function connectAs(url: string, user?: string): Promise<pg.Client> {
  const parsed = new URL(url);
  if (user) parsed.username = user;
  const client = new pg.Client({ connectionString: parsed.toString() });
  await client.connect();
  return client;
}

async function sql<T extends pg.QueryResultRow>(url: string, text: string, user?: string) {
  const client = await connectAs(url, user);
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

/** The SQLSTATE a statement fails with, or 'ok'. */
async function outcome(client: pg.Client, text: string, values: unknown[] = []): Promise<string> {
  try {
    await client.query(text, values);
    return 'ok';
  } catch (error) {
    return String((error as { code?: unknown }).code);
  }
}

const libpqTarget = (url: string, user: string): ExternalTarget => {
  const parsed = new URL(url);
  return {
    kind: 'libpq',
    host: parsed.hostname,
    port: Number(parsed.port || 5432),
    user,
    database: parsed.pathname.slice(1),
  };
};

it('the migration creates the database user the infrastructure grants rds-db:connect for', () => {
  expect(APP_ROLE).toBe(APP_DATABASE_USER);
});

const suite = usingRealPostgres
  ? 'application role (real PostgreSQL)'
  : 'application role (skipped: needs TEST_DATABASE_URL; PGlite has one session user)';

describe.skipIf(!usingRealPostgres)(suite, () => {
  const suffix = randomBytes(4).toString('hex');
  const server = TEST_DATABASE_URL ?? '';
  const throwawayRoles: string[] = [];
  const databases: TestDatabase[] = [];

  async function database(): Promise<TestDatabase> {
    const db = await createTestDatabase();
    databases.push(db);
    return db;
  }

  afterAll(async () => {
    for (const db of databases) await db.drop();
    for (const role of throwawayRoles.reverse()) {
      await sql(server, `DROP ROLE IF EXISTS "${role}"`);
    }
  });

  describe('after the migrations', () => {
    let db: TestDatabase;
    let app: pg.Client;
    beforeAll(async () => {
      db = await database();
      await migrateTestDatabase(db);
      app = await connectAs(db.url, APP_ROLE);
    });
    afterAll(async () => {
      await app?.end();
    });

    it('is a plain login role: no superuser, CREATEROLE, CREATEDB, replication or RLS bypass', async () => {
      const [role] = await sql<Record<string, boolean>>(
        db.url,
        `SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls
           FROM pg_roles WHERE rolname = '${APP_ROLE}'`,
      );
      expect(role).toEqual({
        rolcanlogin: true,
        rolsuper: false,
        rolcreaterole: false,
        rolcreatedb: false,
        rolreplication: false,
        rolbypassrls: false,
      });
    });

    it("reads and writes users with the API's own statements", async () => {
      await app.query(SAVE_DATE_OF_BIRTH_SQL, ['alice', '1990-04-01']);
      await app.query(SAVE_DATE_OF_BIRTH_SQL, ['alice', '1990-04-02']);
      const { rows } = await app.query(FIND_DATE_OF_BIRTH_SQL, ['alice']);
      expect(rows).toEqual([{ date_of_birth: '1990-04-02' }]);
    });

    it('cannot delete rows, alter, drop or truncate users, or create tables', async () => {
      const statements = [
        "DELETE FROM users WHERE username = 'alice'",
        'TRUNCATE users',
        'ALTER TABLE users ADD COLUMN nickname text',
        'ALTER TABLE users DROP CONSTRAINT users_username_letters',
        'DROP TABLE users',
        'CREATE TABLE scratch (id int)',
        'CREATE INDEX users_dob ON users (date_of_birth)',
        'SELECT * FROM knex_migrations',
      ];
      const outcomes = [];
      for (const statement of statements) outcomes.push(await outcome(app, statement));
      // 42501: insufficient_privilege (not the owner / no privilege).
      expect(outcomes).toEqual(statements.map(() => '42501'));
      const rows = await sql<{ n: number }>(db.url, 'SELECT count(*)::int AS n FROM users');
      expect(rows).toEqual([{ n: 1 }]);
    });

    it('owns nothing in the database', async () => {
      const owned = await sql<{ relname: string }>(
        db.url,
        `SELECT relname FROM pg_class WHERE relowner = '${APP_ROLE}'::regrole`,
      );
      expect(owned).toEqual([]);
    });

    it('serves the API when it logs in as the role (DB_IAM_AUTH=true, PGUSER=hello_api)', async () => {
      const parsed = new URL(db.url);
      const env = {
        DATABASE_URL: '',
        PGHOST: parsed.hostname,
        PGPORT: parsed.port || '5432',
        PGDATABASE: parsed.pathname.slice(1),
        PGUSER: APP_ROLE,
        DB_IAM_AUTH: 'true',
        AWS_REGION: 'eu-west-1',
      };
      const config = loadConfig({ ...env, LOG_LEVEL: 'silent' });
      expect(config.database.iamAuth).toEqual({ region: 'eu-west-1' });
      expect(config.database.target).toMatchObject({ kind: 'libpq', user: APP_ROLE });

      const api = await startTestServer({
        db,
        env,
        target: config.database.target as ExternalTarget,
      });
      try {
        expect((await putBirthday(api.url, 'bob', { dateOfBirth: '1985-06-15' })).status).toBe(204);
        expect((await fetch(`${api.url}/hello/bob`)).status).toBe(200);
        expect((await fetch(`${api.url}/health/ready`)).status).toBe(200);
        const sessions = await sql<{ usename: string }>(
          db.url,
          `SELECT DISTINCT usename FROM pg_stat_activity
            WHERE datname = '${parsed.pathname.slice(1)}' AND application_name = 'hello-api'`,
        );
        expect(sessions).toEqual([{ usename: APP_ROLE }]);
      } finally {
        await api.stop();
      }
    });

    it('hands pg the token as a password function, and signs a new token after a refused login', async () => {
      const signer = { count: 0, getAuthToken: async () => `token-${++signer.count}` };
      const password = rdsIamTokenPassword({ signer });
      const settings = await connectionSettings(
        libpqTarget(db.url, APP_ROLE),
        { connectTimeoutMs: 2000, statementTimeoutMs: 0 },
        undefined,
        password,
      );
      expect(settings.password).toBe(password);
      expect(settings.user).toBe(APP_ROLE);

      // A role that may not log in is refused (28000) like a rejected token: the pool forgets
      // the token once and retries before the caller sees the failure.
      const refused = `hello_nologin_${suffix}`;
      throwawayRoles.push(refused);
      await sql(server, `CREATE ROLE "${refused}" NOLOGIN`);
      let invalidations = 0;
      const counted = Object.assign(() => password(), {
        invalidate: () => {
          invalidations += 1;
          password.invalidate();
        },
      });
      const knex = createKnex(
        libpqTarget(db.url, refused),
        { poolMin: 0, poolMax: 1, connectTimeoutMs: 2000, statementTimeoutMs: 0 },
        silentLogger(),
        { iamPassword: counted },
      );
      try {
        await expect(knex.raw('SELECT 1')).rejects.toMatchObject({ code: '28000' });
        expect(invalidations).toBe(1);
      } finally {
        await knex.destroy();
      }
    });

    it('is re-runnable: applying the statements again changes no privilege', async () => {
      const grants = () =>
        sql<Record<string, string>>(
          db.url,
          `SELECT table_name, privilege_type FROM information_schema.role_table_grants
            WHERE grantee = '${APP_ROLE}' ORDER BY 1, 2`,
        );
      const before = await grants();
      expect(before.map((row) => row.privilege_type)).toEqual(['INSERT', 'SELECT', 'UPDATE']);
      await sql(db.url, createAppRoleSql(APP_ROLE));
      await sql(db.url, createAppRoleSql(APP_ROLE));
      expect(await grants()).toEqual(before);

      // down() takes this database's grants away (the server-wide role stays), up() restores them.
      await sql(db.url, dropAppRoleGrantsSql(APP_ROLE));
      expect(await grants()).toEqual([]);
      await sql(db.url, createAppRoleSql(APP_ROLE));
      expect(await grants()).toEqual(before);
    });

    it('grants rds_iam when the server has it (RDS), so the role logs in with IAM tokens', async () => {
      const role = `hello_api_iam_${suffix}`;
      const iamMarker = `hello_rds_iam_${suffix}`;
      throwawayRoles.push(iamMarker, role);
      await sql(server, `CREATE ROLE "${iamMarker}" NOLOGIN`);
      const statements = createAppRoleSql(role, iamMarker);
      await sql(db.url, statements);
      await sql(db.url, statements);
      const members = await sql<{ member: string }>(
        server,
        `SELECT member::regrole::text AS member FROM pg_auth_members
          WHERE roleid = '${iamMarker}'::regrole`,
      );
      expect(members).toEqual([{ member: role }]);
      await sql(db.url, dropAppRoleGrantsSql(role));
    });
  });

  it('tolerates a migrator of another database creating the same role at the same moment', async () => {
    const role = `hello_api_race_${suffix}`;
    throwawayRoles.push(role);
    const [first, second] = [await database(), await database()];
    for (const db of [first, second]) {
      await sql(db.url, 'CREATE TABLE users (username text PRIMARY KEY)');
    }
    const a = await connectAs(first.url);
    const b = await connectAs(second.url);
    const { rows } = await b.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const bPid = rows[0]?.pid;
    expect(bPid).toBeGreaterThan(0);
    try {
      await a.query('BEGIN');
      await b.query('BEGIN');
      await a.query(createAppRoleSql(role)); // creates the role, not yet committed
      const bRuns = b.query(createAppRoleSql(role)); // waits for a's row in pg_authid
      // Ask the server, from a third session, until b is seen waiting for a's lock.
      let waiting = false;
      for (let i = 0; i < 100 && !waiting; i += 1) {
        const rows = await sql<{ n: number }>(
          server,
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE pid = ${bPid} AND wait_event_type = 'Lock'`,
        );
        waiting = rows[0]?.n === 1;
        if (!waiting) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(waiting).toBe(true);
      await a.query('COMMIT');
      await bRuns;
      await b.query('COMMIT');
    } finally {
      await a.end();
      await b.end();
    }
    for (const db of [first, second]) {
      const rows = await sql<{ ok: boolean }>(
        db.url,
        `SELECT has_table_privilege('${role}', 'users', 'SELECT, INSERT, UPDATE') AS ok`,
      );
      expect(rows).toEqual([{ ok: true }]);
    }
    for (const db of [first, second]) await sql(db.url, dropAppRoleGrantsSql(role));
  });

  describe('as a database owner without CREATEROLE (the CloudNativePG app user)', () => {
    const owner = `hello_cnpg_app_${suffix}`;
    const absentRole = `hello_api_absent_${suffix}`;
    let url: string;

    beforeAll(async () => {
      throwawayRoles.push(owner);
      // What CloudNativePG's initdb does: CREATE ROLE app LOGIN; CREATE DATABASE app OWNER app.
      await sql(server, `CREATE ROLE "${owner}" LOGIN`);
      const db = await database();
      await sql(
        server,
        `ALTER DATABASE "${new URL(db.url).pathname.slice(1)}" OWNER TO "${owner}"`,
      );
      const parsed = new URL(db.url);
      parsed.username = owner;
      url = parsed.toString();
    });

    it('skips creating the role with a notice instead of failing', async () => {
      await sql(url, 'CREATE TABLE users (username text PRIMARY KEY)', owner);
      const client = await connectAs(url);
      const notices: string[] = [];
      client.on('notice', (notice) => notices.push(notice.message ?? ''));
      try {
        await client.query(createAppRoleSql(absentRole));
      } finally {
        await client.end();
      }
      expect(notices).toEqual([
        `role ${absentRole} not created: ${owner} may not create roles (expected in ` +
          'in-cluster mode, where the API logs in as the database owner)',
      ]);
      const roles = await sql(server, `SELECT 1 FROM pg_roles WHERE rolname = '${absentRole}'`);
      expect(roles).toEqual([]);

      // The migrator (logNotices, as api/migrate.ts sets it) puts the notice in the Job's log.
      const { logger, lines } = capturingLogger();
      const knex = createKnex(
        { kind: 'url', connectionString: url },
        { poolMin: 0, poolMax: 1, connectTimeoutMs: 5000, statementTimeoutMs: 0 },
        logger,
        { logNotices: true },
      );
      try {
        await knex.raw(createAppRoleSql(absentRole));
      } finally {
        await knex.destroy();
      }
      expect(lines().filter((line) => line.msg === 'database notice')).toEqual([
        expect.objectContaining({ level: 30, notice: notices[0] }),
      ]);
      await sql(url, 'DROP TABLE users', owner);
    });

    it('runs every migration; the owner (the in-cluster API user) keeps DDL on its own tables', async () => {
      const knex = createKnex(
        { kind: 'url', connectionString: url },
        { poolMin: 0, poolMax: 2, connectTimeoutMs: 5000, statementTimeoutMs: 0 },
        silentLogger(),
      );
      try {
        const result = await migrateToLatest(knex, silentLogger());
        expect(result.applied.length).toBeGreaterThanOrEqual(2);
      } finally {
        await knex.destroy();
      }
      const [attributes] = await sql<Record<string, boolean>>(
        server,
        `SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = '${owner}'`,
      );
      expect(attributes).toEqual({ rolsuper: false, rolcreaterole: false, rolcreatedb: false });
      const client = await connectAs(url);
      try {
        expect(await outcome(client, 'ALTER TABLE users ADD COLUMN nickname text')).toBe('ok');
        expect(await outcome(client, 'CREATE DATABASE elsewhere')).toBe('42501');
        expect(await outcome(client, 'CREATE ROLE someone')).toBe('42501');
      } finally {
        await client.end();
      }
    });
  });
});
