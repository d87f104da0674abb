import type Router from '@koa/router';
import type { AppMiddleware, AppRouterContext, AppState } from '../context';
import {
  type CalendarDate,
  birthdayMessage,
  compareDates,
  formatIsoDate,
  parseIsoDate,
} from '../dates';
import { jsonBody } from '../middleware/json-body';
import { ProblemError, validationProblem, type FieldError } from '../problem';
import { SaveBirthdayBody, Username, fieldErrors } from '../schemas';
import type { UsersRepository } from '../users-repository';

/** Bodies are tiny ({"dateOfBirth":"YYYY-MM-DD"}); anything bigger is refused unread. */
export const BODY_LIMIT_BYTES = 1024;

export interface HelloDependencies {
  users: UsersRepository;
  /** "Today" in the service time zone. */
  today: () => CalendarDate;
}

export const HELLO_ROUTE = '/hello/:username';
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
const HELLO_PREFIX = '/hello/';

/**
 * Registers GET and PUT /hello/:username on the router (which also answers HEAD, 405 with Allow,
 * and every unusual spelling of the path) and returns the same two handlers as a middleware to
 * mount in front of the router. That middleware takes only the plain form of the hot path,
 * exactly `/hello/<segment>` with no `/` or `%` in the segment, where the router would produce
 * the same params and route, and leaves everything else to the router. It skips the router's
 * per-request work (testing every route's pattern, building and composing a middleware chain,
 * then allowedMethods), which bench:api measured; see docs/api.md, "Benchmark".
 */
export function registerHelloRoutes(
  router: Router<AppState>,
  deps: HelloDependencies,
): AppMiddleware {
  const greet = async (ctx: AppRouterContext) => {
    const username = Username.safeParse(ctx.params.username);
    if (!username.success) {
      throw validationProblem(
        'The username is invalid.',
        fieldErrors('params.username', username.error),
      );
    }
    const stored = await deps.users.findDateOfBirth(username.data);
    const birth = stored === undefined ? undefined : parseIsoDate(stored);
    if (!birth) {
      throw new ProblemError(404, `No date of birth is saved for "${username.data}".`);
    }
    // The header Koa would set for an object body, set directly: a string body with its type
    // already known skips Koa's MIME lookup and the later JSON check.
    ctx.set('Content-Type', JSON_CONTENT_TYPE);
    ctx.body = JSON.stringify({ message: birthdayMessage(username.data, birth, deps.today()) });
  };

  const readBody = jsonBody({ limitBytes: BODY_LIMIT_BYTES });
  const save = async (ctx: AppRouterContext) => {
    const errors: FieldError[] = [];
    const username = Username.safeParse(ctx.params.username);
    if (!username.success) errors.push(...fieldErrors('params.username', username.error));
    const body = SaveBirthdayBody.safeParse(ctx.state.body);
    if (!body.success) {
      errors.push(...fieldErrors('body', body.error));
    } else {
      const today = deps.today();
      const birth = parseIsoDate(body.data.dateOfBirth);
      if (birth && compareDates(birth, today) >= 0) {
        errors.push({
          path: 'body.dateOfBirth',
          message: `must be before today (${formatIsoDate(today)})`,
        });
      }
    }
    if (errors.length > 0 || !username.success || !body.success) {
      throw validationProblem('The request has invalid fields; see errors.', errors);
    }
    await deps.users.saveDateOfBirth(username.data, body.data.dateOfBirth);
    ctx.status = 204;
  };

  router.get(HELLO_ROUTE, greet);
  router.put(HELLO_ROUTE, readBody, save);

  return (ctx, next) => {
    const method = ctx.method;
    if (method !== 'GET' && method !== 'PUT') return next();
    const path = ctx.path;
    if (!path.startsWith(HELLO_PREFIX)) return next();
    const username = path.slice(HELLO_PREFIX.length);
    if (username === '' || username.includes('/') || username.includes('%')) return next();
    const routed = ctx as AppRouterContext;
    routed.params = { username };
    routed._matchedRoute = HELLO_ROUTE;
    return method === 'GET' ? greet(routed) : readBody(routed, () => save(routed));
  };
}
