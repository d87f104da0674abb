import type Router from '@koa/router';
import type { Registry } from 'prom-client';
import type { AppState } from '../context';

export function registerMetricsRoute(router: Router<AppState>, registry: Registry): void {
  router.get('/metrics', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  });
}
