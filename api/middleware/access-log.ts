import type { AppMiddleware } from '../context';
import { routeTemplate } from '../context';
import type { Logger } from '../logger';

export interface AccessLogOptions {
  /** Add the request's `traceId` and `spanId` (tracing on). Default: false. */
  traceIds?: boolean;
}

/** One JSON line per request, written when the response is decided. */
export function accessLog(logger: Logger, options: AccessLogOptions = {}): AppMiddleware {
  // Two shapes chosen once, so the untraced line stays exactly as cheap as before.
  const withTraceIds = options.traceIds === true;
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const status = ctx.status;
      const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
      const entry = withTraceIds
        ? {
            requestId: ctx.state.requestId,
            traceId: ctx.state.traceId,
            spanId: ctx.state.spanId,
            method: ctx.method,
            route: routeTemplate(ctx),
            status,
            durationMs,
          }
        : {
            requestId: ctx.state.requestId,
            method: ctx.method,
            route: routeTemplate(ctx),
            status,
            durationMs,
          };
      if (status >= 500) logger.error(entry, 'request failed');
      else logger.info(entry, 'request');
    }
  };
}
