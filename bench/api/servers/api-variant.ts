/**
 * The real API with a swappable data-access layer, to measure what the hot path costs with
 * Knex's query builder, `knex.raw`, or the pg connection borrowed from Knex's pool (what api/
 * ships). Everything else (middleware, logging at info, metrics) is the production app.
 *
 *   BENCH_DATA_ACCESS=builder|raw|pool|pg-pool (pg-pool: a pg.Pool instead of Knex's pool, with
 *   the same named statements; what Knex's pool (tarn) costs per request)
 */
import http from 'node:http';
import type { Knex } from 'knex';
import pg from 'pg';
import { connectionSettings } from '../../../api/db';
import { createApp } from '../../../api/app';
import { loadConfig } from '../../../api/config';
import { createTodayProvider, systemClock } from '../../../api/dates';
import { createKnex, type ExternalTarget } from '../../../api/db';
import { Lifecycle } from '../../../api/lifecycle';
import { createLogger } from '../../../api/logger';
import {
  FIND_DATE_OF_BIRTH_SQL,
  SAVE_DATE_OF_BIRTH_SQL,
  type UsersRepository,
  createUsersRepository,
} from '../../../api/users-repository';

function builderRepository(knex: Knex): UsersRepository {
  return {
    async findDateOfBirth(username) {
      const row = (await knex('users')
        .select(knex.raw("to_char(date_of_birth, 'YYYY-MM-DD') AS date_of_birth"))
        .where({ username })
        .first()) as { date_of_birth: string } | undefined;
      return row?.date_of_birth;
    },
    async saveDateOfBirth(username, dateOfBirth) {
      await knex('users')
        .insert({ username, date_of_birth: dateOfBirth })
        .onConflict('username')
        .merge({ date_of_birth: dateOfBirth, updated_at: knex.fn.now() });
    },
    async ping() {
      await knex.raw('SELECT 1');
    },
  };
}

/** knex.raw wants `?` placeholders where pg takes `$n`. */
const toKnex = (sql: string) => sql.replace(/\$\d+/g, '?');

function rawRepository(knex: Knex): UsersRepository {
  const find = toKnex(FIND_DATE_OF_BIRTH_SQL);
  const save = toKnex(SAVE_DATE_OF_BIRTH_SQL);
  return {
    async findDateOfBirth(username) {
      const result = await knex.raw<{ rows: Array<{ date_of_birth: string }> }>(find, [username]);
      return result.rows[0]?.date_of_birth;
    },
    async saveDateOfBirth(username, dateOfBirth) {
      await knex.raw(save, [username, dateOfBirth]);
    },
    async ping() {
      await knex.raw('SELECT 1');
    },
  };
}

/** The same statements on a pg.Pool: the pool's connect/release instead of Knex's tarn pool. */
async function pgPoolRepository(
  target: ExternalTarget,
  settings: { poolMax: number; connectTimeoutMs: number; statementTimeoutMs: number },
): Promise<{ users: UsersRepository; pool: pg.Pool }> {
  const pool = new pg.Pool({
    ...(await connectionSettings(target, settings)),
    max: settings.poolMax,
  });
  const run = async (name: string, text: string, values: unknown[]) => {
    const client = await pool.connect();
    try {
      return await new Promise<pg.QueryResultRow[]>((resolve, reject) => {
        const query = new pg.Query(text, values, (error, result) =>
          error ? reject(error) : resolve(result.rows),
        );
        (query as pg.Query & { name?: string }).name = name;
        client.query(query);
      });
    } finally {
      client.release();
    }
  };
  return {
    pool,
    users: {
      async findDateOfBirth(username) {
        const rows = await run('find', FIND_DATE_OF_BIRTH_SQL, [username]);
        return (rows[0] as { date_of_birth?: string } | undefined)?.date_of_birth;
      },
      async saveDateOfBirth(username, dateOfBirth) {
        await run('save', SAVE_DATE_OF_BIRTH_SQL, [username, dateOfBirth]);
      },
      async ping() {
        await pool.query('SELECT 1');
      },
    },
  };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const knex = createKnex(config.database.target as ExternalTarget, config.database, logger);
  const mode = process.env.BENCH_DATA_ACCESS ?? 'pool';
  const users =
    mode === 'builder'
      ? builderRepository(knex)
      : mode === 'raw'
        ? rawRepository(knex)
        : mode === 'pg-pool'
          ? (await pgPoolRepository(config.database.target as ExternalTarget, config.database))
              .users
          : createUsersRepository(knex);
  const app = createApp({
    logger,
    users,
    today: createTodayProvider(config.timeZone, systemClock),
    lifecycle: new Lifecycle(),
    readinessTimeoutMs: config.readinessTimeoutMs,
  });
  const server = http.createServer(app.callback()).listen(config.port, config.host);
  process.on('SIGTERM', () => {
    server.close();
    void knex.destroy().then(() => process.exit(0));
  });
}

void main();
