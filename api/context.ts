import type { RouterContext } from '@koa/router';
import type Koa from 'koa';

/** Per-request state shared by the middleware. */
export interface AppState {
  requestId: string;
  /** The request's trace and span ids, set by the tracing middleware when tracing is on. */
  traceId?: string;
  spanId?: string;
  /** Parsed JSON body, set by the json-body middleware. */
  body?: unknown;
}

export type AppContext = Koa.ParameterizedContext<AppState>;
export type AppMiddleware = Koa.Middleware<AppState>;
export type AppRouterContext = RouterContext<AppState>;

/** Route label for logs and metrics: the matched template, never the raw path. */
export const UNMATCHED_ROUTE = 'unmatched';

export function routeTemplate(ctx: AppContext): string {
  const matched = (ctx as AppContext & { _matchedRoute?: string | RegExp })._matchedRoute;
  return typeof matched === 'string' ? matched : UNMATCHED_ROUTE;
}
