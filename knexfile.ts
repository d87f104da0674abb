/**
 * For the Knex CLI (`npx knex migrate:latest`, `migrate:status`, ...): the same configuration
 * and migration source as `npm run migrate`. Prefer `npm run migrate`, which also serialises
 * concurrent runs with an advisory lock.
 */
import type { Knex } from 'knex';
import { loadConfig } from './api/config';
import { connectionSettings } from './api/db';
import { migratorConfig } from './api/migration-source';
import { secretsManagerCredentials } from './api/secrets-manager';

function knexConfig(): Knex.Config {
  const config = loadConfig();
  const target = config.database.target;
  if (target.kind === 'embedded') {
    throw new Error('knexfile: set DATABASE_URL or PGHOST/PGDATABASE/... first.');
  }
  const secret = config.database.secret;
  const credentials = secret ? secretsManagerCredentials(secret) : undefined;
  return {
    client: 'pg',
    connection: async () =>
      (await connectionSettings(
        target,
        { connectTimeoutMs: config.database.connectTimeoutMs, statementTimeoutMs: 0 },
        credentials,
      )) as Knex.PgConnectionConfig,
    pool: { min: 0, max: 2 },
    migrations: migratorConfig(),
  };
}

export default knexConfig();
