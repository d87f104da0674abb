/**
 * Applies pending migrations safely when several migrators start at once (e.g. a rollout that
 * races a manual run). Two layers:
 * 1. a PostgreSQL session advisory lock held on a dedicated connection serialises migrators
 *    across processes, and is released by the server if the holder dies (Knex's lock row is not);
 * 2. Knex's own lock table still guards each batch; when it reports "already locked" we wait and
 *    retry, so latecomers find nothing left to do and finish cleanly.
 *
 * Rollbacks: the migration hook of an older image meets a database that newer releases already
 * migrated. Migrations are expand/contract (each release's schema works with the previous
 * release's code), so migrations newer than the image are logged and left alone, where Knex alone
 * would refuse ("migration directory is corrupt"). What is never done is running one of the
 * image's migrations out of order, before a migration the database already has (see
 * planMigrations).
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
  /** Where migrations come from. Default: the service's `migrations/` (tests pass others). */
  migrationSource?: Knex.MigrationSource<unknown>;
}

export interface MigrateResult {
  /** The batch number Knex recorded (0 when nothing ran). */
  batch: number;
  applied: string[];
  /** Migrations the database has that this image does not know (a newer release applied them). */
  unknown: string[];
}

/** What to do, decided from the names the image knows and the names the database recorded. */
export type MigrationPlan =
  | { kind: 'run'; pending: string[]; unknown: string[] }
  | {
      kind: 'out-of-order';
      /** `gap`: older than an applied migration the image knows; `diverged`: only older than
       * migrations of another release. */
      reason: 'gap' | 'diverged';
      outOfOrder: string[];
      /** The newest applied migration they would come after. */
      after: string;
    };

const newest = (names: string[]): string | undefined => [...names].sort().at(-1);

/**
 * Names sort in time order (`YYYYMMDDhhmmss_...`). Pending migrations are run only when each is
 * newer than everything the database has applied; otherwise running them would put an older
 * schema change after a newer one:
 * - older than the newest applied migration the image knows: a real gap (a migration merged
 *   late, or a deleted row in knex_migrations);
 * - older only than migrations this image does not know: the histories diverged (e.g. a hotfix
 *   image with a migration main never ran), and the image's code needs a schema change the
 *   database lacks.
 * Both are reported, never repaired automatically.
 */
export function planMigrations(known: string[], applied: string[]): MigrationPlan {
  const appliedSet = new Set(applied);
  const knownSet = new Set(known);
  const pending = known.filter((name) => !appliedSet.has(name)).sort();
  const unknown = applied.filter((name) => !knownSet.has(name)).sort();
  const newestApplied = newest(applied);
  const newestKnownApplied = newest(applied.filter((name) => knownSet.has(name)));
  if (newestApplied !== undefined) {
    const outOfOrder = pending.filter((name) => name < newestApplied);
    if (outOfOrder.length > 0) {
      const gap =
        newestKnownApplied !== undefined && outOfOrder.some((name) => name < newestKnownApplied);
      return gap
        ? {
            kind: 'out-of-order',
            reason: 'gap',
            outOfOrder: outOfOrder.filter((name) => name < newestKnownApplied),
            after: newestKnownApplied,
          }
        : { kind: 'out-of-order', reason: 'diverged', outOfOrder, after: newestApplied };
    }
  }
  return { kind: 'run', pending, unknown };
}

function outOfOrderError(plan: Extract<MigrationPlan, { kind: 'out-of-order' }>): Error {
  const names = plan.outOfOrder.join(', ');
  const verb = plan.outOfOrder.length === 1 ? 'is' : 'are';
  const message =
    plan.reason === 'gap'
      ? `Migration gap: ${names} ${verb} not applied, but the newer ${plan.after} is. Running ` +
        'out of order would apply an older schema change after a newer one: give the ' +
        'migration a name that sorts after every applied one.'
      : `Diverged migrations: this image needs ${names}, which the database never ran, but the ` +
        `database already has ${plan.after} from a release this image does not know. Deploy ` +
        "an image whose migrations include the database's.";
  return new Error(message);
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

/** The plan for the migrations the source has and the database recorded. */
async function planFor(knex: Knex, config: Knex.MigratorConfig): Promise<MigrationPlan> {
  const source = config.migrationSource as Knex.MigrationSource<unknown>;
  // list() also creates Knex's tables on a fresh database, as latest() would.
  const [completed] = (await knex.migrate.list(config)) as [Array<{ name: string }>, unknown];
  const known = (await source.getMigrations([])).map((m) => source.getMigrationName(m));
  return planMigrations(
    known,
    completed.map((row) => row.name),
  );
}

async function withAdvisoryLock<T>(
  knex: Knex,
  options: { lockTimeoutMs: number; pollIntervalMs: number },
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
  const settings = {
    lockTimeoutMs: options.lockTimeoutMs ?? 300_000,
    pollIntervalMs: options.pollIntervalMs ?? 200,
  };
  // The validation is ours (planMigrations), run under the advisory lock.
  const config: Knex.MigratorConfig = {
    ...migratorConfig(),
    ...(options.migrationSource ? { migrationSource: options.migrationSource } : {}),
    disableMigrationsListValidation: true,
  };
  return withAdvisoryLock(knex, settings, logger, async () => {
    const deadline = Date.now() + settings.lockTimeoutMs;
    for (;;) {
      try {
        const plan = await planFor(knex, config);
        if (plan.kind === 'out-of-order') throw outOfOrderError(plan);
        if (plan.unknown.length > 0) {
          logger.warn(
            { unknown: plan.unknown },
            'the database has migrations this image does not know (applied by a newer ' +
              'release); expand/contract keeps them compatible, so they are left as they are',
          );
        }
        if (plan.pending.length === 0) {
          logger.info('database schema is up to date');
          return { batch: 0, applied: [], unknown: plan.unknown };
        }
        // Knex re-reads what is pending once it holds its own lock: a migrator that got there
        // first (only possible without the advisory lock, e.g. PGlite) leaves nothing to do.
        const [batch, applied] = (await knex.migrate.latest(config)) as [number, string[]];
        if (applied.length === 0) logger.info('database schema is up to date');
        else logger.info({ batch, applied }, 'applied migrations');
        return { batch, applied, unknown: plan.unknown };
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
