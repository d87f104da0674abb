/**
 * SIGTERM against the real process (`node --import tsx api/main.ts`): readiness turns 503 at
 * once, requests keep being served during the drain delay, in-flight requests complete after
 * it, new connections are then refused, and the process exits 0.
 */
import http from 'node:http';
import {
  createTestDatabase,
  migrateTestDatabase,
  testEnvironment,
  type TestDatabase,
} from './helpers';
import { spawnEntryPoint } from './process';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await migrateTestDatabase(db);
});
afterAll(async () => {
  await db?.drop();
});

/** Starts a PUT whose body is sent in two parts; `finish()` sends the rest. */
function slowPut(baseUrl: string, username: string) {
  const target = new URL(baseUrl);
  let finish!: () => void;
  const response = new Promise<number>((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: `/hello/${username}`,
        method: 'PUT',
        agent: false,
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.write('{"dateOfBirth":');
    finish = () => req.end('"1990-01-01"}');
  });
  return { response, finish: () => finish() };
}

function connectionRefused(baseUrl: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(`${baseUrl}/health/live`, { agent: false }, (res) => {
      res.resume();
      resolve(false);
    });
    // A closed listener answers RST; depending on timing the client reports either code.
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET'),
    );
  });
}

it('drains and exits 0 on SIGTERM; in-flight requests succeed', async () => {
  const service = spawnEntryPoint(
    'api/main.ts',
    testEnvironment(db, {
      LOG_LEVEL: 'info',
      SHUTDOWN_DRAIN_DELAY_MS: '1500',
      SHUTDOWN_GRACE_PERIOD_MS: '20000',
    }),
  );
  const listening = await service.waitForLog((line) => line.msg === 'listening');
  const url = String(listening.url);
  expect((await fetch(`${url}/health/ready`)).status).toBe(200);

  const inFlight = slowPut(url, 'inflight');
  // Make sure the request has reached the server before the signal.
  await service.waitForLog(() => false, 300).catch(() => undefined);
  service.child.kill('SIGTERM');
  await service.waitForLog((line) => line.msg === 'shutting down: draining');

  // Draining: not ready any more, but still serving new requests (load balancer deregistration).
  const ready = await fetch(`${url}/health/ready`, { headers: { connection: 'close' } });
  expect(ready.status).toBe(503);
  const during = await fetch(`${url}/hello/inflight`, { headers: { connection: 'close' } });
  expect([200, 404]).toContain(during.status);

  // After the drain delay: no new connections, but the in-flight request still completes.
  await service.waitForLog((line) => String(line.msg).startsWith('drain delay over'));
  expect(await connectionRefused(url)).toBe(true);
  inFlight.finish();
  expect(await inFlight.response).toBe(204);

  const result = await service.finished;
  expect(result.code, result.stderr).toBe(0);
  expect(result.logs.map((line) => line.msg)).toContain('stopped cleanly');
});
