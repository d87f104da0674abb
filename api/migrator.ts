/**
 * Applies pending migrations safely when several migrators start at once (e.g. a rollout that
 * races a manual run). Two layers:
 * 1. a PostgreSQL session advisory lock held on a dedicated connection serialises migrators
 *    across processes, and is released by the server if the holder dies (Knex's lock row is not);
 * 2. Knex's own lock table still guards each batch; when it reports "already locked" we wait and
 *    retry, so latecomers find nothing left to do and finish cleanly.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import type { Logger } from './logger';
import { migratorConfig } from './migration-source';

/** Arbitrary constant shared by every migrator of this service ("hello" + "mig" in ASCII). */
export const MIGRATION_ADVISORY_LOCK_KEY = 0x68656c6c6f6d6967n;

export interface MigrateOptions {
  /** How long to wait for another migrator before giving up. */
  lockTimeoutMs?: number;
  pollIntervalMs?: number;
}

export interface MigrateResult {
  batch: number;
  applied: string[];
}

interface PgConnection {
  query(sql: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
}

function isKnexLockError(error: unknown): boolean {
  return error instanceof Error && error.name === 'MigrationLocked';
}

/**
 * Concurrent first runs can race on creating Knex's bookkeeping tables; the loser sees a
 * duplicate-object error and simply retries.
 */
function isCreateRace(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === '23505' || code === '42P07' || code === '42710';
}

async function withAdvisoryLock<T>(
  knex: Knex,
  options: Required<MigrateOptions>,
  logger: Logger,
  work: () => Promise<T>,
): Promise<T> {
  const connection = (await knex.client.acquireConnection()) as PgConnection;
  const key = MIGRATION_ADVISORY_LOCK_KEY.toString();
  try {
    const deadline = Date.now() + options.lockTimeoutMs;
    let waitingLogged = false;
    for (;;) {
      const { rows } = await connection.query('SELECT pg_try_advisory_lock($1::bigint) AS ok', [
        key,
      ]);
      if (rows[0]?.ok === true) break;
      if (!waitingLogged) {
        logger.info('another migrator holds the migration lock; waiting');
        waitingLogged = true;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `Timed out after ${options.lockTimeoutMs} ms waiting for the migration lock`,
        );
      }
      await sleep(options.pollIntervalMs);
    }
    try {
      return await work();
    } finally {
      // If unlocking fails the connection is broken, and the server drops the lock with it.
      await connection.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch(() => undefined);
    }
  } finally {
    await knex.client.releaseConnection(connection);
  }
}

export async function migrateToLatest(
  knex: Knex,
  logger: Logger,
  options: MigrateOptions = {},
): Promise<MigrateResult> {
  const settings: Required<MigrateOptions> = {
    lockTimeoutMs: options.lockTimeoutMs ?? 300_000,
    pollIntervalMs: options.pollIntervalMs ?? 200,
  };
  return withAdvisoryLock(knex, settings, logger, async () => {
    const deadline = Date.now() + settings.lockTimeoutMs;
    for (;;) {
      try {
        const [batch, applied] = (await knex.migrate.latest(migratorConfig())) as [
          number,
          string[],
        ];
        if (applied.length === 0) logger.info('database schema is up to date');
        else logger.info({ batch, applied }, 'applied migrations');
        return { batch, applied };
      } catch (error) {
        if (!(isKnexLockError(error) || isCreateRace(error)) || Date.now() > deadline) {
          if (isKnexLockError(error)) {
            throw new Error(
              "Knex's migration lock stayed taken; if no migrator is running, a previous run " +
                'crashed: release it with `npm run migrate -- --unlock`.',
              { cause: error },
            );
          }
          throw error;
        }
        logger.info('migration tables busy; retrying');
        await sleep(settings.pollIntervalMs);
      }
    }
  });
}

/** Rolls back every batch (used by tests and for local resets; never by the service). */
export async function rollbackAll(knex: Knex): Promise<string[]> {
  const [, reverted] = (await knex.migrate.rollback(migratorConfig(), true)) as [number, string[]];
  return reverted;
}

export async function releaseStaleKnexLock(knex: Knex): Promise<void> {
  await knex.migrate.forceFreeMigrationsLock(migratorConfig());
}
