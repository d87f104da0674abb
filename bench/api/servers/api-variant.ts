/**
 * The real API with a swappable data-access layer, to measure what the hot path costs with
 * Knex's query builder, `knex.raw`, or the pg connection borrowed from Knex's pool (what api/
 * ships). Everything else (middleware, logging at info, metrics) is the production app.
 *
 *   BENCH_DATA_ACCESS=builder|raw|pool
 */
import http from 'node:http';
import type { Knex } from 'knex';
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

const config = loadConfig();
const logger = createLogger(config.logLevel);
const knex = createKnex(config.database.target as ExternalTarget, config.database, logger);
const mode = process.env.BENCH_DATA_ACCESS ?? 'pool';
const users =
  mode === 'builder'
    ? builderRepository(knex)
    : mode === 'raw'
      ? rawRepository(knex)
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
