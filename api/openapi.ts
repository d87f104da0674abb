/** OpenAPI 3.1 document generated from the zod schemas in schemas.ts. */
import {
  OpenAPIRegistry,
  OpenApiGeneratorV31,
  type ResponseConfig,
} from '@asteasolutions/zod-to-openapi';
import { Greeting, HealthStatus, HelloParams, Problem, SaveBirthdayBody } from './schemas';

const problem = (description: string): ResponseConfig => ({
  description,
  content: { 'application/problem+json': { schema: Problem } },
});

let cached: ReturnType<OpenApiGeneratorV31['generateDocument']> | undefined;

export function openApiDocument(): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  if (cached) return cached;
  const registry = new OpenAPIRegistry();

  registry.registerPath({
    method: 'put',
    path: '/hello/{username}',
    operationId: 'saveDateOfBirth',
    summary: "Save or update a user's date of birth",
    request: {
      params: HelloParams,
      body: { required: true, content: { 'application/json': { schema: SaveBirthdayBody } } },
    },
    responses: {
      204: { description: 'Saved.' },
      400: problem('Malformed JSON.'),
      413: problem('Body larger than 1 KiB.'),
      415: problem('Content type is not JSON.'),
      422: problem('Invalid username or date of birth (see `errors`).'),
      503: problem('Database unavailable.'),
    },
  });

  registry.registerPath({
    method: 'get',
    path: '/hello/{username}',
    operationId: 'getBirthdayGreeting',
    summary: 'Birthday greeting for a user',
    request: { params: HelloParams },
    responses: {
      200: {
        description: 'Days until the next birthday, or a happy-birthday message on the day.',
        content: { 'application/json': { schema: Greeting } },
      },
      404: problem('Unknown user.'),
      422: problem('Invalid username.'),
      503: problem('Database unavailable.'),
    },
  });

  const health = (path: string, summary: string, unavailable: boolean) =>
    registry.registerPath({
      method: 'get',
      path,
      summary,
      responses: {
        200: { description: 'OK.', content: { 'application/json': { schema: HealthStatus } } },
        ...(unavailable
          ? {
              503: {
                description: 'Database unreachable or shutting down.',
                content: { 'application/json': { schema: HealthStatus } },
              },
            }
          : {}),
      },
    });
  health('/health/live', 'Liveness: the process is up', false);
  health('/health/ready', 'Readiness: database reachable and not shutting down', true);

  registry.registerPath({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    responses: {
      200: {
        description: 'Prometheus text exposition format.',
        content: { 'text/plain': { schema: { type: 'string' } } },
      },
    },
  });

  cached = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Hello birthday API',
      version: '1.0.0',
      description: 'Stores dates of birth and greets users with the days left to their birthday.',
    },
    servers: [{ url: '/' }],
  });
  return cached;
}
