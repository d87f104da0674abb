import { isDatabaseUnavailable } from '../db';
import type { AppContext } from '../context';
import type { Logger } from '../logger';
import { PROBLEM_CONTENT_TYPE, ProblemError } from '../problem';

/**
 * Knex prefixes driver errors with the SQL text and bindings; logs keep only the driver's part.
 */
function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const separator = error.message.lastIndexOf(' - ');
  return {
    name: error.name,
    code: (error as { code?: unknown }).code,
    message: separator >= 0 ? error.message.slice(separator + 3) : error.message,
  };
}

export function problemFromError(error: unknown, logger: Logger, requestId: string): ProblemError {
  if (error instanceof ProblemError) return error;
  if (isDatabaseUnavailable(error)) {
    logger.warn({ requestId, err: describeError(error) }, 'database unavailable');
    return new ProblemError(503, 'The database is unavailable; retry shortly.', {
      headers: { 'Retry-After': '1' },
    });
  }
  // Errors from Koa itself (e.g. a client aborting) carry an HTTP status below 500.
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new ProblemError(status, (error as Error).message);
  }
  logger.error({ requestId, err: describeError(error) }, 'unhandled error');
  return new ProblemError(500, 'An unexpected error occurred; it has been logged.');
}

/**
 * The problem for a response that downstream middleware left without a body: unknown route 404,
 * the router's 405 (with its Allow header) and 501; undefined for anything else.
 */
export function problemFromResponse(ctx: AppContext): ProblemError | undefined {
  if (ctx.body != null) return undefined;
  switch (ctx.status) {
    case 404:
      return new ProblemError(404, `No resource at ${ctx.method} ${ctx.path}.`);
    case 405:
      return new ProblemError(
        405,
        `${ctx.method} is not allowed here; allowed: ${ctx.response.get('Allow')}.`,
      );
    case 501:
      return new ProblemError(501, `The method ${ctx.method} is not supported.`);
    default:
      return undefined;
  }
}

/** Renders a problem as RFC 9457 problem+json (observe.ts catches errors and calls this). */
export function renderProblem(ctx: AppContext, problem: ProblemError): void {
  ctx.status = problem.status;
  ctx.set(problem.headers);
  ctx.type = PROBLEM_CONTENT_TYPE;
  ctx.body = JSON.stringify(problem.toJSON(ctx.path));
}
