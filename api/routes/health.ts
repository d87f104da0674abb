import type Router from '@koa/router';
import type { AppState } from '../context';
import type { Lifecycle } from '../lifecycle';
import type { Logger } from '../logger';

export interface HealthDependencies {
  lifecycle: Lifecycle;
  ping: () => Promise<void>;
  readinessTimeoutMs: number;
  logger: Logger;
}

function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export function registerHealthRoutes(router: Router<AppState>, deps: HealthDependencies): void {
  router.get('/health/live', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'ok' };
  });

  router.get('/health/ready', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    let ready = !deps.lifecycle.shuttingDown;
    if (ready) {
      try {
        await withTimeout(deps.ping(), deps.readinessTimeoutMs);
      } catch (error) {
        deps.logger.warn(
          { requestId: ctx.state.requestId, reason: (error as Error).message },
          'readiness check failed',
        );
        ready = false;
      }
    }
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ok' : 'unavailable' };
  });
}
