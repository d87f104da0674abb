/** Composes the Koa application from its middleware and routes; no I/O happens here. */
import Router from '@koa/router';
import Koa from 'koa';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { AppState } from './context';
import type { CalendarDate } from './dates';
import type { Lifecycle } from './lifecycle';
import type { Logger } from './logger';
import type { Tracing } from './tracing';
import { observeRequests } from './middleware/observe';
import { registerDocsRoutes } from './routes/docs';
import { registerHealthRoutes } from './routes/health';
import { registerHelloRoutes } from './routes/hello';
import { registerMetricsRoute } from './routes/metrics';
import type { UsersRepository } from './users-repository';

export interface AppDependencies {
  logger: Logger;
  users: UsersRepository;
  today: () => CalendarDate;
  lifecycle: Lifecycle;
  readinessTimeoutMs: number;
  /** A registry per app, so several apps (tests) can live in one process. */
  registry?: Registry;
  /** OpenTelemetry tracing; undefined (the default) adds no middleware at all. */
  tracing?: Tracing;
}

export function createApp(deps: AppDependencies): Koa<AppState> {
  const registry = deps.registry ?? new Registry();
  collectDefaultMetrics({ register: registry });

  const router = new Router<AppState>();
  const hello = registerHelloRoutes(router, { users: deps.users, today: deps.today });
  registerHealthRoutes(router, {
    lifecycle: deps.lifecycle,
    ping: () => deps.users.ping(),
    readinessTimeoutMs: deps.readinessTimeoutMs,
    logger: deps.logger,
  });
  registerMetricsRoute(router, registry);
  registerDocsRoutes(router);

  const app = new Koa<AppState>();
  // Not behind a trusted proxy list: client IPs are not used, so X-Forwarded-* stays ignored.
  app.proxy = false;
  // Errors are logged once by the problem handler; Koa's default handler would print stacks.
  app.silent = true;

  // First, so the server span covers every other middleware and sees the final status.
  if (deps.tracing) app.use(deps.tracing.middleware);
  // Request id, Connection: close when draining, problem+json, metrics and access log.
  app.use(
    observeRequests({
      logger: deps.logger,
      registry,
      lifecycle: deps.lifecycle,
      traceIds: deps.tracing !== undefined,
    }),
  );
  app.use(hello);
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
