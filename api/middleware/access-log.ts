import type { AppMiddleware } from '../context';
import { routeTemplate } from '../context';
import type { Logger } from '../logger';

/** One JSON line per request, written when the response is decided. */
export function accessLog(logger: Logger): AppMiddleware {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const status = ctx.status;
      const entry = {
        requestId: ctx.state.requestId,
        method: ctx.method,
        route: routeTemplate(ctx),
        status,
        durationMs: Math.round((performance.now() - started) * 1000) / 1000,
      };
      if (status >= 500) logger.error(entry, 'request failed');
      else logger.info(entry, 'request');
    }
  };
}
