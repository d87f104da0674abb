/**
 * Service entry point (`npm start`, `node dist/api/main.js`). Never migrates an external
 * database: migrations are a separate one-shot command (api/migrate.ts). Only the embedded
 * development database migrates itself here.
 */
import { ConfigError, type AppConfig, describeDatabase, loadConfig } from './config';
import { createKnex, type ExternalTarget } from './db';
import {
  type EmbeddedDatabase,
  EmbeddedDatabaseUnavailableError,
  startEmbeddedDatabase,
} from './embedded';
import { createLogger, type Logger } from './logger';
import { migrateToLatest } from './migrator';
import { startService } from './server';

async function prepareEmbedded(
  config: AppConfig,
  dataDir: string,
  logger: Logger,
): Promise<EmbeddedDatabase> {
  const embedded = await startEmbeddedDatabase({
    dataDir,
    // The pool, plus the migrator's two connections (lock + work) at start-up.
    maxConnections: config.database.poolMax + 2,
  });
  logger.warn(
    { storage: embedded.storage },
    'EMBEDDED DATABASE: no DATABASE_URL or PG* variables set, using PGlite for local ' +
      'development (set EMBEDDED_DB_DIR=memory for a throw-away database)',
  );
  const migrationKnex = createKnex(
    embedded.target,
    { ...config.database, poolMin: 0, poolMax: 2 },
    logger,
    { statementTimeoutMs: 0 },
  );
  try {
    await migrateToLatest(migrationKnex, logger);
  } finally {
    await migrationKnex.destroy();
  }
  return embedded;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);

  let embedded: EmbeddedDatabase | undefined;
  let target: ExternalTarget;
  if (config.database.target.kind === 'embedded') {
    embedded = await prepareEmbedded(config, config.database.target.dataDir, logger);
    target = embedded.target;
  } else {
    target = config.database.target;
  }

  const service = await startService({ config, target, logger });
  logger.info(
    {
      url: service.url,
      database: describeDatabase(config.database.target),
      timeZone: config.timeZone,
    },
    'listening',
  );

  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      logger.warn({ signal }, 'already shutting down');
      return;
    }
    signalled = true;
    logger.info({ signal, gracePeriodMs: config.shutdownGracePeriodMs }, 'signal received');
    const deadline = setTimeout(() => {
      logger.error('grace period exceeded; forcing exit');
      service.server.closeAllConnections();
      process.exit(1);
    }, config.shutdownGracePeriodMs);
    deadline.unref();
    service
      .shutdown()
      .then(() => embedded?.stop())
      .then(() => {
        logger.info('stopped cleanly');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: (error as Error).message }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

main().catch((error: unknown) => {
  // Config and missing-embedded errors explain themselves; anything else needs its stack.
  const explained =
    error instanceof ConfigError || error instanceof EmbeddedDatabaseUnavailableError;
  const message = explained ? (error as Error).message : (error as Error).stack;
  process.stderr.write(`hello-api failed to start: ${message}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
