import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { birthDateInDays, randomUsername, smokeTest } from '../../scripts/smoke-test';

/** A stand-in for the deployed API with a switchable fault, to prove each check can fail. */
function fakeApi(fault?: 'not-ready' | 'put-400' | 'wrong-days' | 'wrong-name'): Promise<Server> {
  const users = new Map<string, string>();
  const server = createServer((req, res) => {
    const url = req.url ?? '';
    if (url === '/health/ready') {
      res.writeHead(fault === 'not-ready' ? 503 : 200).end();
      return;
    }
    const name = /^\/hello\/([A-Za-z]+)$/.exec(url)?.[1];
    if (!name) return void res.writeHead(404).end();
    if (req.method === 'PUT') {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        if (fault === 'put-400') return void res.writeHead(400).end('bad');
        users.set(name, (JSON.parse(body) as { dateOfBirth: string }).dateOfBirth);
        res.writeHead(204).end();
      });
      return;
    }
    const dob = users.get(name);
    if (!dob) return void res.writeHead(404).end();
    const [, m, d] = dob.split('-').map(Number) as [number, number, number];
    const now = new Date();
    let next = Date.UTC(now.getUTCFullYear(), m - 1, d);
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    if (next < today) next = Date.UTC(now.getUTCFullYear() + 1, m - 1, d);
    const days = Math.round((next - today) / 86_400_000) + (fault === 'wrong-days' ? 5 : 0);
    const who = fault === 'wrong-name' ? 'someone' : name;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: `Hello, ${who}! Your birthday is in ${days} day(s)` }));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function run(fault?: Parameters<typeof fakeApi>[0]): Promise<void> {
  const server = await fakeApi(fault);
  try {
    const { port } = server.address() as AddressInfo;
    await smokeTest({
      baseUrl: `http://127.0.0.1:${port}/`,
      attempts: 2,
      delayMs: 10,
      log: () => {},
    });
  } finally {
    server.close();
  }
}

describe('smoke test', () => {
  it('passes against an API that keeps the contract', async () => {
    await expect(run()).resolves.toBeUndefined();
  });

  it('fails when readiness never turns 200', async () => {
    await expect(run('not-ready')).rejects.toThrow(/did not return 200 after 2 attempts/);
  });

  it('fails when the PUT is refused', async () => {
    await expect(run('put-400')).rejects.toThrow(/returned 400, expected 204/);
  });

  it('fails when the round trip returns another user or another date', async () => {
    await expect(run('wrong-name')).rejects.toThrow(/unexpected greeting/);
    await expect(run('wrong-days')).rejects.toThrow(/greeting says 1[45] days, expected 10/);
  });

  it('refuses a base URL with a path', async () => {
    await expect(smokeTest({ baseUrl: 'https://example.com/api', log: () => {} })).rejects.toThrow(
      /must be an origin/,
    );
  });

  it('uses letters-only usernames and skips 29 February', () => {
    expect(randomUsername()).toMatch(/^smoke[a-z]{12}$/);
    expect(randomUsername()).not.toBe(randomUsername());
    expect(birthDateInDays(new Date('2026-03-01T12:00:00Z'), 10)).toEqual({
      dateOfBirth: '1996-03-11',
      days: 10,
    });
    expect(birthDateInDays(new Date('2028-02-19T00:00:00Z'), 10)).toEqual({
      dateOfBirth: '1998-03-01',
      days: 11,
    });
  });
});
