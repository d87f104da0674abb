/**
 * Runs the service: one Knex pool, the Koa app on an HTTP server, and the graceful shutdown
 * sequence. Used by main.ts and, unchanged, by the tests (on port 0).
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import { createApp } from './app';
import { type AppConfig, describeDatabase } from './config';
import { type Clock, createTodayProvider, systemClock } from './dates';
import { createKnex, type ExternalTarget } from './db';
import { Lifecycle } from './lifecycle';
import type { Logger } from './logger';
import { type DatabaseEndpoint, type Tracing, startTracing } from './tracing';
import { createUsersRepository } from './users-repository';

export interface RunningService {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  server: http.Server;
  knex: Knex;
  lifecycle: Lifecycle;
  /** Present when OTEL_* turned tracing on. */
  tracing?: Tracing;
  /**
   * Graceful stop: readiness 503 now, keep serving for the drain delay, stop accepting, let
   * in-flight requests finish, close the pool. Idempotent.
   */
  shutdown(): Promise<void>;
}

export interface ServiceOptions {
  config: AppConfig;
  /** The database to use (embedded mode resolves to a local URL before this point). */
  target: ExternalTarget;
  logger: Logger;
  clock?: Clock;
}

/** Log-safe facts about the database for database spans (no user, no password). */
function databaseEndpoint(target: ExternalTarget): DatabaseEndpoint {
  const described = describeDatabase(target);
  const port = Number(described.port);
  return {
    database: typeof described.database === 'string' ? described.database : undefined,
    host: typeof described.host === 'string' ? described.host : undefined,
    port: Number.isInteger(port) && port > 0 ? port : undefined,
  };
}

export async function startService(options: ServiceOptions): Promise<RunningService> {
  const { config, logger } = options;
  const tracing = await startTracing(config.tracing, databaseEndpoint(options.target));
  const knex = createKnex(options.target, config.database, logger);
  const lifecycle = new Lifecycle();
  const app = createApp({
    logger,
    tracing,
    users: createUsersRepository(knex, tracing),
    today: createTodayProvider(config.timeZone, options.clock ?? systemClock),
    lifecycle,
    readinessTimeoutMs: config.readinessTimeoutMs,
  });

  const server = http.createServer(app.callback());
  // Outlive the load balancer's idle timeout (ALB: 60 s) so it never reuses a socket we closed.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.listen(config.port, config.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;

  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= (async () => {
      const started = performance.now();
      lifecycle.shuttingDown = true;
      logger.info({ drainDelayMs: config.shutdownDrainDelayMs }, 'shutting down: draining');
      await sleep(config.shutdownDrainDelayMs);
      lifecycle.closing = true;
      logger.info('drain delay over: refusing new connections, finishing in-flight requests');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive sockets become idle as their last response ends; close them as they do.
      const sweeper = setInterval(() => server.closeIdleConnections(), 50);
      server.closeIdleConnections();
      await closed;
      clearInterval(sweeper);
      logger.info('HTTP server closed; closing the database pool');
      await knex.destroy();
      if (tracing) {
        // Export the last spans, but within what is left of the grace period (less a margin
        // for the process to exit), so a slow collector cannot turn a clean stop into a kill.
        const left = config.shutdownGracePeriodMs - (performance.now() - started) - 500;
        logger.info('flushing traces');
        await tracing.shutdown(Math.max(left, 100));
      }
    })();
    return stopping;
  };

  return { url: `http://${host}:${port}`, port, server, knex, lifecycle, tracing, shutdown };
}
