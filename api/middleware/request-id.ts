import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** Bounded and log-safe: no spaces, quotes or control characters can reach the logs. */
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/**
 * The caller's X-Request-Id (e.g. from the load balancer) when it is well-formed, else a new
 * UUID; the request middleware (observe.ts) echoes it on the response so clients can quote it.
 */
export function requestIdFor(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && ACCEPTABLE_REQUEST_ID.test(incoming)
    ? incoming
    : randomUUID();
}
