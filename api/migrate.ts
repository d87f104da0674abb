/**
 * One-shot migration command (`npm run migrate`, `node dist/api/migrate.js` in the image; the
 * Kubernetes migration Job runs it once per release). Uses the service's own configuration.
 *
 *   --unlock   release Knex's migration lock left behind by a crashed run, then exit
 */
import { ConfigError, describeDatabase, loadConfig } from './config';
import { createKnex } from './db';
import { createLogger } from './logger';
import { migrateToLatest, releaseStaleKnexLock } from './migrator';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const target = config.database.target;
  if (target.kind === 'embedded') {
    throw new Error(
      'No database configured: set DATABASE_URL or PGHOST/PGDATABASE/... (the embedded ' +
        'development database migrates itself when `npm start` runs).',
    );
  }
  // Migrations may legitimately run longer than the service's statement_timeout; their notices
  // (e.g. why a step was skipped) belong in the Job's log.
  const knex = createKnex(target, { ...config.database, poolMin: 0, poolMax: 2 }, logger, {
    statementTimeoutMs: 0,
    logNotices: true,
  });
  try {
    logger.info({ database: describeDatabase(target) }, 'migrating');
    if (process.argv.includes('--unlock')) {
      await releaseStaleKnexLock(knex);
      logger.warn('released the Knex migration lock');
    } else {
      await migrateToLatest(knex, logger);
    }
  } finally {
    await knex.destroy();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    const message = error instanceof ConfigError ? error.message : (error as Error).stack;
    process.stderr.write(`migration failed: ${message}\n`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  },
);
