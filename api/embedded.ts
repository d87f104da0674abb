/**
 * Zero-setup database for `npm start`: PGlite (PostgreSQL compiled to WebAssembly) exposed on a
 * loopback port with pglite-socket, so the service runs its normal pg/Knex code path against it.
 *
 * Both packages are devDependencies on purpose (they must never reach the production image), so
 * they are loaded with a dynamic import only when this mode is chosen.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ExternalTarget } from './db';

export interface EmbeddedDatabase {
  /** Connection target for pg/Knex; user and database are PGlite's fixed `postgres`. */
  target: ExternalTarget;
  /** Human-readable storage location, for the start-up log. */
  storage: string;
  stop(): Promise<void>;
}

export class EmbeddedDatabaseUnavailableError extends Error {
  constructor(cause: unknown) {
    super(
      'No database is configured (set DATABASE_URL or PGHOST/PGDATABASE/...), and the embedded ' +
        'database cannot start because @electric-sql/pglite and @electric-sql/pglite-socket are ' +
        'not installed. They are development dependencies: run `npm install` (not ' +
        '`--omit=dev`), or point the service at a PostgreSQL server.',
      { cause },
    );
    this.name = 'EmbeddedDatabaseUnavailableError';
  }
}

export interface EmbeddedOptions {
  /** A folder for the data files, or 'memory' for a throw-away database. */
  dataDir: string | 'memory';
  /**
   * Concurrent wire connections to accept. pglite-socket accepts one by default, which would
   * make most requests of a pool bigger than 1 fail; size it to the pool plus the migrator.
   */
  maxConnections: number;
  /** 0 picks a free port. */
  port?: number;
  /**
   * In-memory mode only: start from a dump made with PGlite's dumpDataDir() instead of running
   * initdb (about 0.5 s instead of 2+ s; the tests use it).
   */
  template?: Blob;
}

export async function startEmbeddedDatabase(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const modules = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite-socket'),
  ]).catch((error: unknown) => {
    throw new EmbeddedDatabaseUnavailableError(error);
  });
  const [{ PGlite }, { PGLiteSocketServer }] = modules;

  let storage = 'memory';
  let dataDir: string | undefined;
  if (options.dataDir !== 'memory') {
    dataDir = path.resolve(options.dataDir);
    mkdirSync(dataDir, { recursive: true });
    storage = dataDir;
  }
  const db = await PGlite.create(
    dataDir !== undefined ? { dataDir } : options.template ? { loadDataDir: options.template } : {},
  );
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: options.port ?? 0,
    maxConnections: options.maxConnections,
  });
  await server.start();
  // getServerConn() reports the real port once listening, also when 0 was asked for.
  const address = server.getServerConn();
  return {
    target: { kind: 'url', connectionString: `postgres://postgres@${address}/postgres` },
    storage,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
