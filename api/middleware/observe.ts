/**
 * Everything the service does around each request, in one Koa middleware: the request id, the
 * `Connection: close` after the drain delay, problem+json for failures, the duration histogram
 * and the access log, in that order, with one clock read at each end.
 *
 * One middleware rather than five: each Koa middleware is another dispatch step of koa-compose,
 * and each one that awaits `next()` another async function and promise per request.
 */
import type { Registry } from 'prom-client';
import type { AppMiddleware } from '../context';
import type { Lifecycle } from '../lifecycle';
import type { Logger } from '../logger';
import type { ProblemError } from '../problem';
import { accessLogWriter } from './access-log';
import { requestDurationRecorder } from './http-metrics';
import { problemFromError, problemFromResponse, renderProblem } from './problem-handler';
import { REQUEST_ID_HEADER, requestIdFor } from './request-id';

export interface ObserveOptions {
  logger: Logger;
  registry: Registry;
  lifecycle: Lifecycle;
  /** Add trace and span ids to the access log (tracing on). */
  traceIds?: boolean;
}

export function observeRequests(options: ObserveOptions): AppMiddleware {
  const { logger, lifecycle } = options;
  const writeAccessLog = accessLogWriter(logger, { traceIds: options.traceIds });
  const recordDuration = requestDurationRecorder(options.registry);
  return async (ctx, next) => {
    const started = performance.now();
    const id = requestIdFor(ctx.req.headers['x-request-id']);
    ctx.state.requestId = id;
    ctx.set(REQUEST_ID_HEADER, id);
    // After the drain delay, ask keep-alive clients to reconnect (to another pod).
    if (lifecycle.closing) ctx.set('Connection', 'close');
    let problem: ProblemError | undefined;
    try {
      await next();
      problem = problemFromResponse(ctx);
    } catch (error) {
      problem = problemFromError(error, logger, id);
    }
    if (problem) renderProblem(ctx, problem);
    const elapsedMs = performance.now() - started;
    recordDuration(ctx, elapsedMs / 1000);
    writeAccessLog(ctx, elapsedMs);
  };
}
