/** Losing the database: readiness 503, requests fail fast with 503 problems, then recovery. */
import {
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
});

afterAll(async () => {
  await server?.stop();
  await proxy?.close();
  await db?.drop();
});

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
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toMatchObject({
      status: 503,
      type: '/problems/service-unavailable',
    });
  }

  proxy.restore();

  await eventually(async () => (await fetch(`${server.url}/health/ready`)).status === 200);
  const greeting = await fetch(`${server.url}/hello/alice`);
  expect(greeting.status).toBe(200);
  expect((await putBirthday(server.url, 'bob', { dateOfBirth: '1990-01-01' })).status).toBe(204);
});
