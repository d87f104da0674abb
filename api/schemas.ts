/**
 * The request/response schemas. The same zod objects validate requests at run time and generate
 * the OpenAPI document (openapi.ts), so the two cannot drift apart.
 */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { parseIsoDate } from './dates';
import type { FieldError } from './problem';

extendZodWithOpenApi(z);

export const USERNAME_PATTERN = /^[A-Za-z]{1,64}$/;

export const Username = z
  .string()
  .regex(USERNAME_PATTERN, 'must be 1 to 64 ASCII letters (A-Z, a-z)')
  .openapi({ description: 'ASCII letters only, case-sensitive.', example: 'alice' });

export const HelloParams = z.object({ username: Username });

export const DateOfBirth = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date in YYYY-MM-DD format', abort: true })
  .refine((value) => parseIsoDate(value) !== undefined, 'must be a real calendar date')
  .openapi({
    format: 'date',
    description: 'A real calendar date strictly before today (in the service time zone).',
    example: '1990-07-14',
  });

/** Unknown properties are ignored so clients can send extra fields during API evolution. */
export const SaveBirthdayBody = z
  .object({ dateOfBirth: DateOfBirth })
  .openapi('SaveBirthdayRequest');

export const Greeting = z
  .object({
    message: z.string().openapi({ example: 'Hello, alice! Your birthday is in 5 day(s)' }),
  })
  .openapi('Greeting');

export const Problem = z
  .object({
    type: z.string().openapi({ example: '/problems/validation-failed' }),
    title: z.string().openapi({ example: 'Validation failed' }),
    status: z.number().int().openapi({ example: 422 }),
    detail: z.string(),
    instance: z.string().openapi({ example: '/hello/alice' }),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .openapi({ description: 'Present on validation failures: one entry per bad field.' }),
  })
  .openapi('Problem', { description: 'RFC 9457 problem details.' });

export const HealthStatus = z
  .object({ status: z.enum(['ok', 'unavailable']) })
  .openapi('HealthStatus');

/** zod issues → the problem document's `errors` list, paths prefixed with where they came from. */
export function fieldErrors(prefix: string, error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}
