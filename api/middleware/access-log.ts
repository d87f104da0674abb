import type { AppContext } from '../context';
import { routeTemplate } from '../context';
import type { Logger } from '../logger';

export interface AccessLogOptions {
  /** Add the request's `traceId` and `spanId` (tracing on). Default: false. */
  traceIds?: boolean;
}

/** Writes one JSON line per request (info; error for 5xx) once its response is decided. */
export function accessLogWriter(
  logger: Logger,
  options: AccessLogOptions = {},
): (ctx: AppContext, durationMs: number) => void {
  // Two shapes chosen once, so the untraced line stays exactly as cheap as before.
  const withTraceIds = options.traceIds === true;
  return (ctx, elapsedMs) => {
    const status = ctx.status;
    // Below info (e.g. LOG_LEVEL=warn) nothing is written: skip building the line too.
    if (status < 500 && !logger.isLevelEnabled('info')) return;
    const durationMs = Math.round(elapsedMs * 1000) / 1000;
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
  };
}
