import { Histogram, type Registry } from 'prom-client';
import type { AppContext } from '../context';
import { routeTemplate } from '../context';

/**
 * Request duration histogram. Labels are bounded: the route TEMPLATE (or "unmatched"), never the
 * raw path, so usernames cannot explode cardinality or leak into metrics.
 */
export function requestDurationRecorder(
  registry: Registry,
): (ctx: AppContext, seconds: number) => void {
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration in seconds, by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return (ctx, seconds) => {
    duration.observe(
      { method: ctx.method, route: routeTemplate(ctx), status: String(ctx.status) },
      seconds,
    );
  };
}
