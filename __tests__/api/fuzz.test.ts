/**
 * Property-based fuzzing of the write path: whatever the username, date or body, the service
 * never answers 5xx, a rejected request never writes a row, and an accepted one writes exactly
 * what was sent. Raw request targets go over a plain TCP socket: every complete request must get
 * an HTTP answer; only a request cut short may be refused by closing the connection.
 */
import net from 'node:net';
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
      expect(response.status === 204).toBe(expectWrite);
      if (response.status !== 204) {
        expect(response.headers.get('content-type')).toBe('application/problem+json');
        expect(await countUsers(api.knex)).toBe(before);
        return;
      }
      // Accepted: the row holds exactly the date sent (a new user, or an update of one).
      const { dateOfBirth } = JSON.parse(text) as { dateOfBirth: string };
      const rows = await api.knex.raw<{ rows: { date_of_birth: string }[] }>(
        "SELECT to_char(date_of_birth, 'YYYY-MM-DD') AS date_of_birth FROM users WHERE username = ?",
        [name],
      );
      expect(rows.rows).toEqual([{ date_of_birth: dateOfBirth }]);
      expect(await countUsers(api.knex)).toBeGreaterThanOrEqual(before);
      expect(await countUsers(api.knex)).toBeLessThanOrEqual(before + 1);
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

/** What came back on a raw connection: the status line's code, or how the connection ended. */
interface RawOutcome {
  status?: number;
  /** Closed by the server without a byte of answer. */
  closedSilently: boolean;
  reset: boolean;
}

/**
 * Sends bytes on a fresh TCP connection and reads until the server closes it. A complete request
 * is written and the connection left open (the request says `Connection: close`); a truncated one
 * is followed by our FIN, since the server can only refuse it by closing.
 */
function exchange(port: number, bytes: Buffer, complete: boolean): Promise<RawOutcome> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let reset = false;
    const socket = net.connect(port, '127.0.0.1', () => {
      if (complete) socket.write(bytes);
      else socket.end(bytes);
    });
    socket.setTimeout(10_000, () => {
      socket.destroy();
      reject(
        new Error(
          `no answer and no close within 10 s for ${JSON.stringify(bytes.toString('latin1'))}`,
        ),
      );
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET') reset = true;
      else reject(error);
    });
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3}) /.exec(text)?.[1];
      resolve({
        status: status === undefined ? undefined : Number(status),
        closedSilently: text.length === 0 && !reset,
        reset,
      });
    });
  });
}

const requestBytes = (target: Buffer) =>
  Buffer.concat([
    Buffer.from('GET /hello/'),
    target,
    Buffer.from(' HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'),
  ]);

it('raw request targets over a socket: every complete request is answered, never with 5xx', async () => {
  const port = Number(new URL(api.url).port);
  const target = fc.oneof(
    // What well-behaved clients send: printable ASCII.
    fc.stringMatching(/^[\x21-\x7e]{0,70}$/).map((text) => Buffer.from(text, 'latin1')),
    // Anything at all: spaces, control bytes, CR/LF, non-ASCII, invalid UTF-8.
    fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)),
  );
  let answered = 0;
  await fc.assert(
    fc.asyncProperty(target, async (bytes) => {
      const outcome = await exchange(port, requestBytes(bytes), true);
      // A reset or a silent close would hide a crashed handler: both fail here.
      expect(outcome, JSON.stringify(bytes.toString('latin1'))).toMatchObject({
        reset: false,
        closedSilently: false,
      });
      expect(outcome.status).toBeGreaterThanOrEqual(200);
      expect(outcome.status).toBeLessThan(500);
      answered += 1;
    }),
    { numRuns: RUNS },
  );
  expect(answered).toBe(RUNS);
});

it('a request cut short may be refused by closing, never answered with 5xx', async () => {
  const port = Number(new URL(api.url).port);
  const whole = requestBytes(Buffer.from('alice'));
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: whole.length - 1 }), async (cut) => {
      const outcome = await exchange(port, whole.subarray(0, cut), false);
      // The only acceptable answers to an incomplete request: a 4xx, or closing the connection.
      if (outcome.status !== undefined) {
        expect(outcome.status).toBeGreaterThanOrEqual(400);
        expect(outcome.status).toBeLessThan(500);
      } else {
        expect(outcome.closedSilently || outcome.reset).toBe(true);
      }
    }),
    { numRuns: 30 },
  );
  // The same request, complete, is answered: the refusals above are about the truncation.
  expect((await exchange(port, whole, true)).status).toBe(404);
});
