import { randomUUID } from 'node:crypto';
import type { AppMiddleware } from '../context';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** Bounded and log-safe: no spaces, quotes or control characters can reach the logs. */
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/**
 * Adopts the caller's X-Request-Id (e.g. from the load balancer) when it is well-formed, else
 * generates one; echoes it on the response so clients can quote it.
 */
export function requestId(): AppMiddleware {
  // Synchronous on purpose: no work after next(), so no extra promise per request.
  return (ctx, next) => {
    const incoming = ctx.get(REQUEST_ID_HEADER);
    const id = ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = id;
    ctx.set(REQUEST_ID_HEADER, id);
    return next();
  };
}
