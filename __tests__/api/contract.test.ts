/** The HTTP contract against the real server, real migrations and a real database. */
import { capturingLogger, countUsers, fixedClock, putBirthday, useTestApi } from './helpers';

const clock = fixedClock('2026-05-10T12:00:00Z');
const logs = capturingLogger();
const api = useTestApi({ clock, logger: logs.logger });

async function problemOf(response: Response) {
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const body = (await response.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ status: response.status });
  expect(typeof body.type).toBe('string');
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  expect(typeof body.instance).toBe('string');
  return body;
}

const greeting = async (username: string) => {
  const response = await fetch(`${api.url}/hello/${username}`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return ((await response.json()) as { message: string }).message;
};

describe('PUT then GET /hello/:username', () => {
  it('saves with 204 and greets with the days left', async () => {
    const saved = await putBirthday(api.url, 'alice', { dateOfBirth: '1990-05-15' });
    expect(saved.status).toBe(204);
    expect(await saved.text()).toBe('');
    expect(await greeting('alice')).toBe('Hello, alice! Your birthday is in 5 day(s)');
  });

  it('wishes happy birthday on the day', async () => {
    await putBirthday(api.url, 'Carol', { dateOfBirth: '2000-05-10' });
    expect(await greeting('Carol')).toBe('Hello, Carol! Happy birthday!');
  });

  it('updates an existing user', async () => {
    await putBirthday(api.url, 'dave', { dateOfBirth: '1980-01-01' });
    expect((await putBirthday(api.url, 'dave', { dateOfBirth: '1980-05-11' })).status).toBe(204);
    expect(await greeting('dave')).toBe('Hello, dave! Your birthday is in 1 day(s)');
    const rows = await api.knex.raw<{ rows: unknown[] }>(
      "SELECT 1 FROM users WHERE username = 'dave'",
    );
    expect(rows.rows).toHaveLength(1);
  });

  it('treats usernames case-sensitively', async () => {
    await putBirthday(api.url, 'Erin', { dateOfBirth: '1990-05-12' });
    expect((await fetch(`${api.url}/hello/erin`)).status).toBe(404);
  });

  it('accepts the longest username (64 letters)', async () => {
    const name = 'x'.repeat(64);
    expect((await putBirthday(api.url, name, { dateOfBirth: '1990-05-12' })).status).toBe(204);
    expect(await greeting(name)).toContain('in 2 day(s)');
  });

  it('29 February birthdays are celebrated on 28 February in non-leap years (no 500)', async () => {
    await putBirthday(api.url, 'leap', { dateOfBirth: '2000-02-29' });
    clock.set('2027-02-28T10:00:00Z');
    try {
      expect(await greeting('leap')).toBe('Hello, leap! Happy birthday!');
      clock.set('2027-02-27T10:00:00Z');
      expect(await greeting('leap')).toBe('Hello, leap! Your birthday is in 1 day(s)');
      clock.set('2028-02-28T10:00:00Z');
      expect(await greeting('leap')).toBe('Hello, leap! Your birthday is in 1 day(s)');
    } finally {
      clock.set('2026-05-10T12:00:00Z');
    }
  });

  it('ignores unknown body properties', async () => {
    const response = await putBirthday(api.url, 'frank', {
      dateOfBirth: '1990-01-01',
      nickname: 'f',
    });
    expect(response.status).toBe(204);
  });

  it('accepts a charset parameter and +json media types', async () => {
    const a = await putBirthday(
      api.url,
      'grace',
      { dateOfBirth: '1990-01-01' },
      {
        'content-type': 'application/json; charset=utf-8',
      },
    );
    const b = await putBirthday(
      api.url,
      'heidi',
      { dateOfBirth: '1990-01-01' },
      {
        'content-type': 'application/merge-patch+json',
      },
    );
    expect([a.status, b.status]).toEqual([204, 204]);
  });
});

describe('errors are RFC 9457 problem+json', () => {
  it('404 for an unknown user', async () => {
    const response = await fetch(`${api.url}/hello/nobody`);
    expect(response.status).toBe(404);
    expect(await problemOf(response)).toMatchObject({
      type: '/problems/not-found',
      instance: '/hello/nobody',
    });
  });

  it('404 for an unknown route', async () => {
    const response = await fetch(`${api.url}/goodbye/alice`);
    expect(response.status).toBe(404);
    await problemOf(response);
  });

  it('405 with Allow for a wrong method', async () => {
    const response = await fetch(`${api.url}/hello/alice`, { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('HEAD, GET, PUT');
    await problemOf(response);
    const onHealth = await fetch(`${api.url}/health/live`, { method: 'POST' });
    expect(onHealth.status).toBe(405);
    expect(onHealth.headers.get('allow')).toBe('HEAD, GET');
  });

  it('400 for malformed JSON', async () => {
    const response = await putBirthday(api.url, 'ivan', '{"dateOfBirth": ');
    expect(response.status).toBe(400);
    expect((await problemOf(response)).detail).toMatch(/not valid JSON/);
  });

  it('400 for an empty body', async () => {
    const response = await putBirthday(api.url, 'ivan', '');
    expect(response.status).toBe(400);
    await problemOf(response);
  });

  it('415 for a non-JSON content type, or none', async () => {
    const text = await fetch(`${api.url}/hello/ivan`, {
      method: 'PUT',
      headers: { 'content-type': 'text/plain' },
      body: '{"dateOfBirth":"1990-01-01"}',
    });
    expect(text.status).toBe(415);
    await problemOf(text);
    const none = await fetch(`${api.url}/hello/ivan`, {
      method: 'PUT',
      body: new Uint8Array(Buffer.from('{"dateOfBirth":"1990-01-01"}')),
    });
    expect(none.status).toBe(415);
  });

  it('413 for a body over 1 KiB', async () => {
    const response = await putBirthday(api.url, 'ivan', {
      dateOfBirth: '1990-01-01',
      padding: 'x'.repeat(2000),
    });
    expect(response.status).toBe(413);
    await problemOf(response);
  });

  it('413 for a chunked body that grows over the limit', async () => {
    const { request } = await import('node:http');
    const target = new URL(api.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          path: '/hello/ivan',
          method: 'PUT',
          headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write('{"dateOfBirth":"1990-01-01","p":"');
      for (let i = 0; i < 8; i += 1) req.write('y'.repeat(512));
      req.end('"}');
    });
    expect(status).toBe(413);
  });

  it.each([
    ['b0b', { dateOfBirth: '1990-01-01' }, ['params.username']],
    ['a'.repeat(65), { dateOfBirth: '1990-01-01' }, ['params.username']],
    ['J%C3%BCrgen', { dateOfBirth: '1990-01-01' }, ['params.username']],
    ['ivan', { dateOfBirth: '2023-02-30' }, ['body.dateOfBirth']],
    ['ivan', { dateOfBirth: '1990/01/01' }, ['body.dateOfBirth']],
    ['ivan', { dateOfBirth: 19900101 }, ['body.dateOfBirth']],
    ['ivan', { dateOfBirth: '2026-05-10' }, ['body.dateOfBirth']],
    ['ivan', { dateOfBirth: '2030-01-01' }, ['body.dateOfBirth']],
    ['ivan', {}, ['body.dateOfBirth']],
    ['ivan', [], ['body']],
    ['ivan', 'null', ['body']],
    ['b0b', { dateOfBirth: 'soon' }, ['params.username', 'body.dateOfBirth']],
  ])('422 for PUT /hello/%s %j with field errors %j', async (name, body, paths) => {
    const before = await countUsers(api.knex);
    const response = await putBirthday(api.url, name, body);
    expect(response.status).toBe(422);
    const problem = await problemOf(response);
    expect(problem.type).toBe('/problems/validation-failed');
    const errors = problem.errors as Array<{ path: string; message: string }>;
    expect(errors.map((e) => e.path)).toEqual(paths);
    errors.forEach((e) => expect(e.message.length).toBeGreaterThan(0));
    expect(await countUsers(api.knex)).toBe(before);
  });

  it('422 for GET with an invalid username', async () => {
    const response = await fetch(`${api.url}/hello/not-valid`);
    expect(response.status).toBe(422);
    expect((await problemOf(response)).errors).toEqual([
      { path: 'params.username', message: expect.any(String) as string },
    ]);
  });
});

/** A request through node:http, for methods fetch refuses to send (TRACE) and raw bodies. */
async function rawRequest(
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: Buffer } = {},
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}> {
  const { request } = await import('node:http');
  const target = new URL(api.url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: target.hostname, port: target.port, path, method, headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** What must never reach a client or a log line: SQL text, table internals, stack frames. */
const LEAKS = /select|insert into|date_of_birth|to_char|\bat .+:\d+:\d+|node_modules|\.ts:\d+/i;

describe('the rarer error classes, requested for real', () => {
  it('400 for a body that is not UTF-8, and nothing is written', async () => {
    const before = await countUsers(api.knex);
    const bytes = Buffer.concat([
      Buffer.from('{"dateOfBirth":"1990-01-01","x":"'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('"}'),
    ]);
    const response = await fetch(`${api.url}/hello/utfless`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: new Uint8Array(bytes),
    });
    expect(response.status).toBe(400);
    expect(await problemOf(response)).toMatchObject({
      type: '/problems/malformed-request',
      title: 'Malformed request',
      detail: 'The request body is not valid UTF-8.',
      instance: '/hello/utfless',
    });
    expect(await countUsers(api.knex)).toBe(before);
  });

  it('501 for a method the router does not implement (TRACE, PROPFIND)', async () => {
    for (const method of ['TRACE', 'PROPFIND']) {
      const response = await rawRequest(method, '/hello/alice');
      expect(response.status, method).toBe(501);
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(JSON.parse(response.text)).toEqual({
        type: '/problems/not-implemented',
        title: 'Not implemented',
        status: 501,
        detail: `The method ${method} is not supported.`,
        instance: '/hello/alice',
      });
    }
  });

  it('500 for an unexpected error (the users table is gone): generic problem, no SQL or stack anywhere', async () => {
    const logStart = logs.text().length;
    await api.knex.raw('ALTER TABLE users RENAME TO users_moved_away');
    try {
      const requests = [
        {
          id: 'unexpected-get-1',
          response: await fetch(`${api.url}/hello/alice`, {
            headers: { 'X-Request-Id': 'unexpected-get-1' },
          }),
        },
        {
          id: 'unexpected-put-1',
          response: await putBirthday(
            api.url,
            'alice',
            { dateOfBirth: '1990-01-01' },
            { 'X-Request-Id': 'unexpected-put-1' },
          ),
        },
      ];
      for (const { id, response } of requests) {
        expect(response.status).toBe(500);
        const text = await response.clone().text();
        expect(text).not.toMatch(LEAKS);
        expect(text).not.toMatch(/users_moved_away|relation|does not exist/);
        expect(await problemOf(response)).toMatchObject({
          type: '/problems/internal-error',
          title: 'Internal server error',
          detail: 'An unexpected error occurred; it has been logged.',
        });
        // Logged once as an error with the request id and the driver's code, for whoever debugs.
        const entries = logs.lines().filter((line) => line.requestId === id);
        const unhandled = entries.filter((line) => line.msg === 'unhandled error');
        expect(unhandled).toHaveLength(1);
        expect(unhandled[0]).toMatchObject({ level: 50, err: { code: '42P01' } });
        expect((unhandled[0]?.err as { stack?: string }).stack).toBeFalsy();
        expect(entries.find((line) => line.msg === 'request failed')).toMatchObject({
          status: 500,
        });
      }
    } finally {
      await api.knex.raw('ALTER TABLE users_moved_away RENAME TO users');
    }
    const logged = logs.text().slice(logStart);
    expect(logged).toContain('unhandled error');
    expect(logged).not.toMatch(LEAKS);
    // pino's error serializer adds a `stack` key; it must stay empty.
    expect(logged).not.toMatch(/"stack":"[^"]/);
    // And the service is fine again once the table is back.
    expect((await putBirthday(api.url, 'alice', { dateOfBirth: '1990-05-15' })).status).toBe(204);
  });

  it('never logs SQL or a stack trace for any of the error classes above', () => {
    expect(logs.lines().length).toBeGreaterThan(0);
    expect(logs.text()).not.toMatch(LEAKS);
    expect(logs.text()).not.toMatch(/"stack":"[^"]/);
  });
});

describe('health', () => {
  it('live and ready answer 200', async () => {
    for (const path of ['/health/live', '/health/ready']) {
      const response = await fetch(`${api.url}${path}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ok' });
    }
  });
});

describe('request ids and logs', () => {
  it('echoes a well-formed X-Request-Id and logs it once with the route template', async () => {
    const response = await fetch(`${api.url}/hello/nobody`, {
      headers: { 'X-Request-Id': 'lb-1234-abcd' },
    });
    expect(response.headers.get('x-request-id')).toBe('lb-1234-abcd');
    await response.text();
    const entries = logs.lines().filter((line) => line.requestId === 'lb-1234-abcd');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      method: 'GET',
      route: '/hello/:username',
      status: 404,
      durationMs: expect.any(Number) as number,
    });
  });

  it('replaces a malformed or oversized X-Request-Id', async () => {
    for (const bad of ['has space', 'x'.repeat(200), 'quote"s', '']) {
      const response = await fetch(`${api.url}/health/live`, { headers: { 'X-Request-Id': bad } });
      const id = response.headers.get('x-request-id') ?? '';
      expect(id).not.toBe(bad);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('never logs SQL', () => {
    expect(logs.text()).not.toMatch(/select|insert into|date_of_birth/i);
  });
});

describe('GET /metrics', () => {
  it('exposes default metrics and the request histogram by route template only', async () => {
    await putBirthday(api.url, 'Zebediah', { dateOfBirth: '1990-01-01' });
    await fetch(`${api.url}/hello/Zebediah`);
    await fetch(`${api.url}/hello/Unknownperson`);
    await fetch(`${api.url}/no/such/Zebediahpath`);
    const response = await fetch(`${api.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/hello\/:username",status="200"\} \d+/,
    );
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="PUT",route="\/hello\/:username",status="204"\} \d+/,
    );
    expect(text).toContain('route="unmatched",status="404"');
    expect(text).not.toMatch(/Zebediah|Unknownperson/);
  });
});

describe('OpenAPI and docs', () => {
  it('serves an OpenAPI 3.1 document generated from the schemas', async () => {
    const response = await fetch(`${api.url}/openapi.json`);
    expect(response.status).toBe(200);
    const doc = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, Record<string, unknown>>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toMatch(/^3\.1\./);
    const hello = doc.paths['/hello/{username}'];
    expect(Object.keys(hello ?? {}).sort()).toEqual(['get', 'put']);
    expect(Object.keys(hello?.put?.responses as object)).toEqual(
      expect.arrayContaining(['204', '400', '413', '415', '422']),
    );
    expect(doc.components.schemas).toHaveProperty('SaveBirthdayRequest');
    expect(doc.components.schemas).toHaveProperty('Problem');
    expect(JSON.stringify(doc.components.schemas.SaveBirthdayRequest)).toContain(
      '^\\\\d{4}-\\\\d{2}-\\\\d{2}$',
    );
    expect(doc.paths).toHaveProperty(['/health/ready']);
  });

  it('renders /docs from the swagger-ui-dist package, without a CDN', async () => {
    const page = await (await fetch(`${api.url}/docs`)).text();
    expect(page).toContain('swagger-ui');
    expect(page).not.toMatch(/https?:\/\//);
    const assets = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    expect(assets.sort()).toEqual([
      '/docs/favicon-32x32.png',
      '/docs/swagger-initializer.js',
      '/docs/swagger-ui-bundle.js',
      '/docs/swagger-ui-standalone-preset.js',
      '/docs/swagger-ui.css',
    ]);
    for (const asset of assets) {
      const response = await fetch(`${api.url}${asset}`);
      expect(response.status, asset).toBe(200);
      expect((await response.arrayBuffer()).byteLength, asset).toBeGreaterThan(0);
    }
    expect((await fetch(`${api.url}/docs/..%2Fpackage.json`)).status).toBe(404);
  });
});
