/**
 * Property-based fuzzing of the write path: whatever the username, date or body, the service
 * never answers 5xx, and a rejected request never writes a row.
 */
import fc from 'fast-check';
import { parseIsoDate } from '../../api/dates';
import { countUsers, fixedClock, useTestApi } from './helpers';

const api = useTestApi({ clock: fixedClock('2026-05-10T12:00:00Z') });
const RUNS = 60;

const username = fc.oneof(
  fc.stringMatching(/^[A-Za-z]{1,64}$/),
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', '..', '%00', 'a/b', 'a%2Fb', '%E2%82%AC', 'x'.repeat(65), 'ab\\'),
);

const dateText = fc.oneof(
  fc
    .tuple(
      fc.integer({ min: 0, max: 9999 }),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
    )
    .map(
      ([y, m, d]) =>
        `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
    ),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('2026-05-09', '2026-05-10', '2026-05-11', '0001-01-01', '9999-12-31'),
);

const body = fc.oneof(
  dateText.map((dateOfBirth) => JSON.stringify({ dateOfBirth })),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.record({ dateOfBirth: fc.jsonValue() }).map((value) => JSON.stringify(value)),
  fc.string({ maxLength: 40 }),
  fc.string({ minLength: 1000, maxLength: 1500 }).map((s) => JSON.stringify({ dateOfBirth: s })),
);

const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  '',
);

/** What the service should do with a well-formed, JSON-typed request. */
function isValidWrite(name: string, text: string): boolean {
  if (!/^[A-Za-z]{1,64}$/.test(name) || Buffer.byteLength(text) > 1024) return false;
  try {
    const parsed = JSON.parse(text) as { dateOfBirth?: unknown } | null;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return false;
    const date = typeof parsed.dateOfBirth === 'string' && parseIsoDate(parsed.dateOfBirth);
    return !!date && parsed.dateOfBirth! < '2026-05-10';
  } catch {
    return false;
  }
}

it('PUT never answers 5xx and rejected requests write nothing', async () => {
  await fc.assert(
    fc.asyncProperty(username, body, contentType, async (name, text, type) => {
      const path = `/hello/${encodeURIComponent(name)}`;
      const before = await countUsers(api.knex);
      const response = await fetch(`${api.url}${path}`, {
        method: 'PUT',
        headers: type ? { 'content-type': type } : {},
        body: text,
      });
      await response.arrayBuffer();
      expect(response.status).toBeLessThan(500);
      const expectWrite = type.startsWith('application/json') && isValidWrite(name, text);
      if (response.status !== 204) {
        expect(response.headers.get('content-type')).toBe('application/problem+json');
        expect(await countUsers(api.knex)).toBe(before);
      }
      expect(response.status === 204).toBe(expectWrite);
    }),
    { numRuns: RUNS },
  );
});

it('GET never answers 5xx for any username', async () => {
  await fc.assert(
    fc.asyncProperty(username, async (name) => {
      const response = await fetch(`${api.url}/hello/${encodeURIComponent(name)}`);
      await response.arrayBuffer();
      expect([200, 404, 422]).toContain(response.status);
    }),
    { numRuns: RUNS },
  );
});

it('raw, unencoded request paths never yield 5xx', async () => {
  const { request } = await import('node:http');
  const target = new URL(api.url);
  await fc.assert(
    fc.asyncProperty(
      fc.stringMatching(/^[\x21-\x7e]{0,70}$/),
      async (raw) =>
        new Promise<void>((resolve, reject) => {
          const req = request(
            { host: target.hostname, port: target.port, path: `/hello/${raw}`, method: 'GET' },
            (res) => {
              res.resume();
              res.on('end', () => {
                try {
                  expect(res.statusCode ?? 0).toBeLessThan(500);
                  resolve();
                } catch (error) {
                  reject(error as Error);
                }
              });
            },
          );
          // Node itself refuses some request targets before sending; that is not a 5xx.
          req.on('error', () => resolve());
          req.end();
        }),
    ),
    { numRuns: RUNS },
  );
});
