/**
 * Data access for users: parameterised SQL, as named prepared statements, on a pg connection
 * borrowed from the Knex instance's pool (same pool, same connection settings, same error handling
 * for broken connections).
 *
 * Why not Knex's builder or knex.raw on this path: `npm run bench:api` measured the service's own
 * CPU per request at ~217 µs (GET) / ~300 µs (PUT) with either of them against ~166 / ~231 µs
 * with the pooled connection; see docs/api.md, "Benchmark". Migrations and tools keep using Knex.
 */
import type { Knex } from 'knex';
import pg from 'pg';
import type { DatabaseQuery, Tracing } from './tracing';

export interface UsersRepository {
  /** The stored date of birth as `YYYY-MM-DD`, or undefined for an unknown user. */
  findDateOfBirth(username: string): Promise<string | undefined>;
  /** Inserts or updates; an unchanged date does not rewrite the row. */
  saveDateOfBirth(username: string, dateOfBirth: string): Promise<void>;
  /** `SELECT 1` for the readiness probe. */
  ping(): Promise<void>;
}

// to_char: a string in a fixed format, independent of the session's DateStyle and of pg's
// default date parser (which would build a JS Date in the process's local zone).
export const FIND_DATE_OF_BIRTH_SQL =
  "SELECT to_char(date_of_birth, 'YYYY-MM-DD') AS date_of_birth FROM users WHERE username = $1";

export const SAVE_DATE_OF_BIRTH_SQL = `
  INSERT INTO users (username, date_of_birth) VALUES ($1, $2)
  ON CONFLICT (username) DO UPDATE
    SET date_of_birth = EXCLUDED.date_of_birth, updated_at = now()
    WHERE users.date_of_birth IS DISTINCT FROM EXCLUDED.date_of_birth`;

/** The slice of pg.Client that Knex's pool hands out. */
interface PooledPgConnection {
  query(query: pg.Query): void;
}

/**
 * Runs one statement as a pg.Query built from the text, named afterwards. pg copies a query
 * *config object* ({ name, text, values }) property by property through getOwnPropertyDescriptors
 * on every call, which cost more CPU per request in bench:api than the prepared statement saved;
 * a query built from a string skips that copy.
 */
function submit<Row extends pg.QueryResultRow>(
  connection: PooledPgConnection,
  name: string | undefined,
  text: string,
  values: unknown[],
): Promise<Row[]> {
  return new Promise((resolve, reject) => {
    const query = new pg.Query<Row>(text, values, (error, result) =>
      error ? reject(error) : resolve(result.rows),
    );
    if (name) (query as pg.Query<Row> & { name?: string }).name = name;
    connection.query(query);
  });
}

/**
 * Named prepared statements for the two hot queries: each pooled connection parses and plans
 * them once, then only binds and executes. PostgreSQL shares the service's CPUs, and skipping its
 * parse/plan work per request showed in bench:api. PostgreSQL re-plans a prepared statement by
 * itself when a migration changes the table (the result stays one text column either way).
 *
 * They need one server session per pooled connection. Where several connections share a session
 * (the embedded PGlite behind pglite-socket, or a PgBouncer in transaction mode), a second
 * connection's Parse fails with 42P05 (already exists) or a Bind with 26000 (does not exist);
 * neither ran the statement, so the repository then switches to unnamed statements for good and
 * runs the query again.
 */
const FIND_STATEMENT = 'hello_find_date_of_birth';
const SAVE_STATEMENT = 'hello_save_date_of_birth';
const SHARED_SESSION_CODES = new Set(['42P05', '26000']);

function sharedSessionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && SHARED_SESSION_CODES.has(code);
}

export const PING_SQL = 'SELECT 1';

/** What tracing records about each statement (names and parameterised text, no values). */
const FIND_QUERY: DatabaseQuery = {
  statement: FIND_STATEMENT,
  operation: 'SELECT',
  collection: 'users',
  text: FIND_DATE_OF_BIRTH_SQL,
};
const SAVE_QUERY: DatabaseQuery = {
  statement: SAVE_STATEMENT,
  operation: 'INSERT',
  collection: 'users',
  text: SAVE_DATE_OF_BIRTH_SQL,
};
const PING_QUERY: DatabaseQuery = { operation: 'SELECT', text: PING_SQL };

export function createUsersRepository(knex: Knex, tracing?: Tracing): UsersRepository {
  let named = true;
  async function run<Row extends pg.QueryResultRow>(
    described: DatabaseQuery,
    values: unknown[],
  ): Promise<Row[]> {
    const connection = (await knex.client.acquireConnection()) as PooledPgConnection;
    try {
      const { statement, text } = described;
      if (named && statement) {
        try {
          return await submit<Row>(connection, statement, text, values);
        } catch (error) {
          if (!sharedSessionError(error)) throw error;
          named = false;
        }
      }
      return await submit<Row>(connection, undefined, text, values);
    } finally {
      // Knex's pool discards connections that emitted an error when they are next acquired.
      void knex.client.releaseConnection(connection);
    }
  }

  // Chosen once: without tracing, queries run with no wrapper at all. With it, the span covers
  // the wait for a pooled connection too, so pool exhaustion shows in traces.
  const query: <Row extends pg.QueryResultRow>(
    described: DatabaseQuery,
    values: unknown[],
  ) => Promise<Row[]> = tracing
    ? (described, values) => tracing.databaseSpan(described, () => run(described, values))
    : run;

  return {
    async findDateOfBirth(username) {
      const rows = await query<{ date_of_birth: string }>(FIND_QUERY, [username]);
      return rows[0]?.date_of_birth;
    },
    async saveDateOfBirth(username, dateOfBirth) {
      await query(SAVE_QUERY, [username, dateOfBirth]);
    },
    async ping() {
      await query(PING_QUERY, []);
    },
  };
}
