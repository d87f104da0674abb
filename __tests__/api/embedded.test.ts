/**
 * `npm start` with no database configured: PGlite behind pglite-socket, migrated at start-up,
 * data kept in a folder across restarts, and a full pool of concurrent connections working
 * (pglite-socket accepts only one connection unless told otherwise).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnEntryPoint } from './process';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'hello-api-embedded-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function startEmbedded() {
  const service = spawnEntryPoint('api/main.ts', {
    EMBEDDED_DB_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    SHUTDOWN_DRAIN_DELAY_MS: '0',
  });
  const listening = await service.waitForLog((line) => line.msg === 'listening', 60_000);
  return { service, url: String(listening.url) };
}

it('runs on PGlite, serves concurrent requests and keeps data across restarts', async () => {
  const first = await startEmbedded();
  const logs = first.service.waitForLog((line) => String(line.msg).includes('EMBEDDED DATABASE'));
  await expect(logs).resolves.toMatchObject({ storage: dataDir });

  const put = await fetch(`${first.url}/hello/embedded`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ dateOfBirth: '1990-01-01' }),
  });
  expect(put.status).toBe(204);
  const statuses = await Promise.all(
    Array.from({ length: 40 }, () => fetch(`${first.url}/hello/embedded`).then((r) => r.status)),
  );
  expect(new Set(statuses)).toEqual(new Set([200]));
  first.service.child.kill('SIGTERM');
  expect((await first.service.finished).code).toBe(0);

  const second = await startEmbedded();
  expect((await fetch(`${second.url}/hello/embedded`)).status).toBe(200);
  second.service.child.kill('SIGINT');
  const stopped = await second.service.finished;
  expect(stopped.code, stopped.stderr).toBe(0);
  expect(stopped.logs.map((l) => l.msg)).toContain('database schema is up to date');
}, 120_000);
