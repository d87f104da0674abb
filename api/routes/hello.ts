import type Router from '@koa/router';
import type { AppState } from '../context';
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

export function registerHelloRoutes(router: Router<AppState>, deps: HelloDependencies): void {
  router.get('/hello/:username', async (ctx) => {
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
    ctx.body = { message: birthdayMessage(username.data, birth, deps.today()) };
  });

  router.put('/hello/:username', jsonBody({ limitBytes: BODY_LIMIT_BYTES }), async (ctx) => {
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
  });
}
