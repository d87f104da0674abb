/**
 * RFC 9457 problem details. Handlers throw `ProblemError`; the problem-handler middleware turns
 * it (and anything unexpected) into an `application/problem+json` response.
 */

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface FieldError {
  /** Where the bad value is, e.g. `params.username` or `body.dateOfBirth`. */
  path: string;
  message: string;
}

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldError[];
}

/** Relative type URIs: stable identifiers documented in docs/api.md and the OpenAPI document. */
const TYPE_BASE = '/problems/';

const TITLES: Record<number, [slug: string, title: string]> = {
  400: ['malformed-request', 'Malformed request'],
  404: ['not-found', 'Not found'],
  405: ['method-not-allowed', 'Method not allowed'],
  413: ['payload-too-large', 'Payload too large'],
  415: ['unsupported-media-type', 'Unsupported media type'],
  422: ['validation-failed', 'Validation failed'],
  500: ['internal-error', 'Internal server error'],
  501: ['not-implemented', 'Not implemented'],
  503: ['service-unavailable', 'Service unavailable'],
};

export class ProblemError extends Error {
  readonly type: string;
  readonly title: string;

  constructor(
    readonly status: number,
    readonly detail: string,
    options: {
      errors?: FieldError[];
      headers?: Record<string, string>;
      cause?: unknown;
      slug?: string;
    } = {},
  ) {
    super(detail, { cause: options.cause });
    this.name = 'ProblemError';
    const [slug, title] = TITLES[status] ?? ['error', 'Error'];
    this.type = `${TYPE_BASE}${options.slug ?? slug}`;
    this.title = title;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }

  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;

  toJSON(instance: string): ProblemDetails {
    const body: ProblemDetails = {
      type: this.type,
      title: this.title,
      status: this.status,
      detail: this.detail,
      instance,
    };
    if (this.errors) body.errors = this.errors;
    return body;
  }
}

export const validationProblem = (detail: string, errors: FieldError[]): ProblemError =>
  new ProblemError(422, detail, { errors });
