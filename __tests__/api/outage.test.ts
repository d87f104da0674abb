/**
 * Losing the database: readiness 503, requests fail fast with 503 problems, then recovery. Two
 * ways to lose it: connections reset (the server is down), and a black hole (packets vanish, so
 * only the service's own connect and query timeouts can end a request).
 */
import {
  capturingLogger,
  createTestDatabase,
  migrateTestDatabase,
  putBirthday,
  startTestServer,
  type TestDatabase,
  type TestServer,
} from './helpers';
import { startTcpProxy, type TcpProxy, viaProxy } from './tcp-proxy';

let db: TestDatabase;
let proxy: TcpProxy;
let server: TestServer;
/** A second service with short timeouts, behind its own proxy, for the black hole. */
let holeProxy: TcpProxy;
let holeServer: TestServer;
const holeLogs = capturingLogger('warn');

/** The black-hole server's budgets: connect (and pool wait) and statement timeouts. */
const CONNECT_TIMEOUT_MS = 300;
const STATEMENT_TIMEOUT_MS = 300;
/** Far above any budget: a request still open by then hangs, and the test says so. */
const HANG_MS = 10_000;

beforeAll(async () => {
  db = await createTestDatabase();
  await migrateTestDatabase(db);
  const direct = new URL(db.url);
  proxy = await startTcpProxy(direct.hostname, Number(direct.port || 5432));
  const url = viaProxy(db.url, proxy);
  server = await startTestServer({
    db,
    target: { kind: 'url', connectionString: url },
    env: { DB_CONNECT_TIMEOUT_MS: '1000', READINESS_TIMEOUT_MS: '500' },
  });
  holeProxy = await startTcpProxy(direct.hostname, Number(direct.port || 5432));
  holeServer = await startTestServer({
    db,
    target: { kind: 'url', connectionString: viaProxy(db.url, holeProxy) },
    logger: holeLogs.logger,
    env: {
      DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
      READINESS_TIMEOUT_MS: '300',
    },
  });
});

afterAll(async () => {
  await server?.stop();
  await holeServer?.stop();
  await proxy?.close();
  await holeProxy?.close();
  await db?.drop();
});

/** fetch that fails the test, instead of waiting forever, when the service hangs. */
async function answered(request: Promise<Response>, what: string): Promise<Response> {
  try {
    return await request;
  } catch (error) {
    throw new Error(`${what}: no answer within ${HANG_MS} ms (${String(error)})`);
  }
}

/** The 503 problem a request gets while the database is away. */
async function expectUnavailable(response: Response): Promise<void> {
  expect(response.status).toBe(503);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(response.headers.get('retry-after')).toBe('1');
  expect(await response.json()).toMatchObject({
    status: 503,
    type: '/problems/service-unavailable',
  });
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

it('answers 503 while the database is unreachable and recovers when it returns', async () => {
  expect((await putBirthday(server.url, 'alice', { dateOfBirth: '1990-01-01' })).status).toBe(204);
  expect((await fetch(`${server.url}/health/ready`)).status).toBe(200);

  proxy.cut();

  const ready = await fetch(`${server.url}/health/ready`);
  expect(ready.status).toBe(503);
  expect(await ready.json()).toEqual({ status: 'unavailable' });
  // Liveness does not depend on the database: restarting the pod would not help.
  expect((await fetch(`${server.url}/health/live`)).status).toBe(200);

  for (const response of [
    await fetch(`${server.url}/hello/alice`),
    await putBirthday(server.url, 'bob', { dateOfBirth: '1990-01-01' }),
  ]) {
    await expectUnavailable(response);
  }

  proxy.restore();

  await eventually(async () => (await fetch(`${server.url}/health/ready`)).status === 200);
  const greeting = await fetch(`${server.url}/hello/alice`);
  expect(greeting.status).toBe(200);
  expect((await putBirthday(server.url, 'bob', { dateOfBirth: '1990-01-01' })).status).toBe(204);
});

it('answers 503 within its timeouts while packets to the database vanish, then recovers', async () => {
  const url = holeServer.url;
  // Warm the pool: the first black-holed request runs on an existing connection, so only a
  // client-side query timeout can end it; the concurrent ones need new connections, so the
  // connect timeout (or the pool wait) ends them.
  expect((await putBirthday(url, 'carol', { dateOfBirth: '1990-01-01' })).status).toBe(204);
  expect((await fetch(`${url}/hello/carol`)).status).toBe(200);

  holeProxy.blackhole();

  const signal = () => AbortSignal.timeout(HANG_MS);
  const responses = await Promise.all([
    answered(fetch(`${url}/hello/carol`, { signal: signal() }), 'GET on a pooled connection'),
    answered(fetch(`${url}/hello/carol`, { signal: signal() }), 'GET on a new connection'),
    answered(
      fetch(`${url}/hello/dave`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ dateOfBirth: '1990-01-01' }),
        signal: signal(),
      }),
      'PUT on a new connection',
    ),
  ]);
  for (const response of responses) {
    await expectUnavailable(response);
  }
  // Both budgets were needed: the query timeout for the pooled connection, the connect timeout
  // (or the pool wait, which uses the same budget) for the new ones. Nothing was a raw 500.
  const causes = holeLogs
    .lines()
    .filter((line) => line.msg === 'database unavailable')
    .map((line) => (line.err as { name: string; message: string }).message);
  expect(causes).toHaveLength(3);
  expect(causes).toContain('Query read timeout');
  expect(
    causes.filter((cause) => cause === 'timeout expired' || cause.startsWith('Knex: Timeout')),
  ).toHaveLength(2);
  expect(holeLogs.lines().filter((line) => line.msg === 'unhandled error')).toEqual([]);
  const ready = await answered(fetch(`${url}/health/ready`, { signal: signal() }), 'readiness');
  expect(ready.status).toBe(503);
  expect((await fetch(`${url}/health/live`)).status).toBe(200);
  // Still answering, not piling up: a second round behaves the same.
  const again = await answered(fetch(`${url}/hello/carol`, { signal: signal() }), 'GET, later');
  expect(again.status).toBe(503);
  await again.arrayBuffer();

  holeProxy.restore();

  await eventually(async () => (await fetch(`${url}/health/ready`)).status === 200);
  await eventually(async () => (await fetch(`${url}/hello/carol`)).status === 200);
  expect((await putBirthday(url, 'dave', { dateOfBirth: '1990-01-01' })).status).toBe(204);
});
