/**
 * `npm run bench:api`: loads each server, one after another, against a real PostgreSQL database
 * created (and dropped) for the run and seeded with 10,000 users; GET /hello/<random user> and
 * PUT /hello/<random user> with autocannon; prints req/s, p50/p99 and the ratio to the raw
 * node:http + pg baseline. Not part of `npm test`; never asserts anything.
 *
 *   BENCH_DATABASE_URL   server to use (default TEST_DATABASE_URL or the local PostgreSQL)
 *   BENCH_DURATION_S     seconds per load run (default 10)
 *   BENCH_CONNECTIONS    concurrent connections (default 50)
 *   BENCH_SERVERS        comma list (default: baseline,api; also api-silent, api-raw, api-builder,
 *                        api-ref: the service from another revision's api/ in BENCH_REF_DIR)
 *   BENCH_REF_DIR        folder holding another revision's api/ (for api-ref)
 *   BENCH_ROUNDS         rounds (default 3): servers are loaded in turn, round after round, and
 *                        the median of the rounds is reported, so a burst of load from other
 *                        work on the machine skews one sample, not one server
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import pg from 'pg';
import { createKnex } from '../../api/db';
import { createLogger } from '../../api/logger';
import { migrateToLatest } from '../../api/migrator';

const ROOT = path.resolve(__dirname, '..', '..');
const ADMIN_URL =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const USERS = 10_000;

interface ServerSpec {
  name: string;
  script: string;
  env: NodeJS.ProcessEnv;
}

const SERVERS: Record<string, ServerSpec> = {
  baseline: {
    name: 'raw node:http + pg (baseline)',
    script: 'bench/api/servers/raw-baseline.ts',
    env: {},
  },
  // The production entry point, as shipped: logging at info (to /dev/null here), metrics, etc.
  api: { name: 'API (api/main.ts)', script: 'api/main.ts', env: {} },
  'api-builder': {
    name: 'API with Knex query builder',
    script: 'bench/api/servers/api-variant.ts',
    env: { BENCH_DATA_ACCESS: 'builder' },
  },
  'api-silent': {
    name: 'API with LOG_LEVEL=silent',
    script: 'api/main.ts',
    env: { LOG_LEVEL: 'silent' },
  },
  // A/B against another revision of the service, e.g. before a hot-path change:
  //   mkdir -p .data/bench-ref && git archive HEAD~1 api | tar -x -C .data/bench-ref
  //   BENCH_REF_DIR=.data/bench-ref BENCH_SERVERS=api-ref,api npm run bench:api
  'api-ref': {
    name: `API at ${process.env.BENCH_REF_DIR ?? '(set BENCH_REF_DIR)'}`,
    script: path.join(process.env.BENCH_REF_DIR ?? '', 'api', 'main.ts'),
    env: {},
  },
  'api-raw': {
    name: 'API with knex.raw',
    script: 'bench/api/servers/api-variant.ts',
    env: { BENCH_DATA_ACCESS: 'raw' },
  },
};

/** Usernames must be letters only: base-26 digits spelled a-z. */
function username(index: number): string {
  let name = '';
  let n = index;
  do {
    name = String.fromCharCode(97 + (n % 26)) + name;
    n = Math.floor(n / 26);
  } while (n > 0);
  return `user${name}`;
}

function randomPastDate(): string {
  const year = 1950 + Math.floor(Math.random() * 60);
  const month = 1 + Math.floor(Math.random() * 12);
  const day = 1 + Math.floor(Math.random() * 28);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitUntilUp(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`server at ${url} did not start`);
      await sleep(100);
    }
  }
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** Server process CPU time (user+system) per request, in µs; NaN where /proc is missing. */
  cpuUsPerRequest: number;
}

/** utime+stime of a process in seconds, from /proc (Linux); NaN elsewhere. */
function processCpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat(5), counted after the command name; clock ticks are 100/s on Linux.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

async function load(
  baseUrl: string,
  method: 'GET' | 'PUT',
  seconds: number,
  serverPid: number | undefined,
): Promise<Figures> {
  const cpuBefore = processCpuSeconds(serverPid);
  const result = await autocannon({
    url: baseUrl,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method,
        setupRequest: (request) => {
          const user = username(Math.floor(Math.random() * USERS));
          const body =
            method === 'PUT' ? JSON.stringify({ dateOfBirth: randomPastDate() }) : undefined;
          return {
            ...request,
            method,
            path: `/hello/${user}`,
            headers: body ? { 'content-type': 'application/json' } : {},
            body,
          };
        },
      },
    ],
  });
  const cpu = processCpuSeconds(serverPid) - cpuBefore;
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    cpuUsPerRequest: (cpu * 1e6) / result.requests.total,
  };
}

interface RunningServer {
  child: ChildProcess;
  url: string;
}

/** Starts one server and warms it up (JIT, pool connections). */
async function startServer(spec: ServerSpec, databaseUrl: string): Promise<RunningServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', spec.script], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      SHUTDOWN_DRAIN_DELAY_MS: '0',
      ...spec.env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntilUp(`${url}/hello/${username(1)}`);
  await load(url, 'GET', 2, child.pid);
  await load(url, 'PUT', 2, child.pid);
  return { child, url };
}

async function stopServer(server: RunningServer): Promise<void> {
  if (server.child.exitCode !== null) return;
  server.child.kill('SIGTERM');
  await new Promise((resolve) => server.child.once('exit', resolve));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function medianFigures(samples: Figures[]): Figures {
  return {
    rps: median(samples.map((f) => f.rps)),
    p50: median(samples.map((f) => f.p50)),
    p99: median(samples.map((f) => f.p99)),
    errors: samples.reduce((sum, f) => sum + f.errors, 0),
    cpuUsPerRequest: median(samples.map((f) => f.cpuUsPerRequest)),
  };
}

async function main(): Promise<void> {
  const names = (process.env.BENCH_SERVERS ?? 'baseline,api').split(',').map((s) => s.trim());
  const specs = names.map((name) => {
    const spec = SERVERS[name];
    if (!spec) throw new Error(`unknown server ${name}; known: ${Object.keys(SERVERS).join(', ')}`);
    if (name === 'api-ref' && !process.env.BENCH_REF_DIR) {
      throw new Error('api-ref needs BENCH_REF_DIR (a folder holding another revision of api/)');
    }
    return { key: name, spec };
  });

  const database = `hello_bench_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE "${database}"`);
  const databaseUrl = withDatabase(ADMIN_URL, database);
  try {
    const logger = createLogger('warn');
    const knex = createKnex(
      { kind: 'url', connectionString: databaseUrl },
      { poolMin: 0, poolMax: 2, connectTimeoutMs: 5000, statementTimeoutMs: 0 },
      logger,
    );
    try {
      await migrateToLatest(knex, logger);
      const rows = Array.from({ length: USERS }, (_, i) => ({
        username: username(i),
        date_of_birth: randomPastDate(),
      }));
      await knex.batchInsert('users', rows, 1000);
    } finally {
      await knex.destroy();
    }
    console.log(
      `bench:api — ${USERS} users, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION_S} s ` +
        `per server and route (medians shown), database ${new URL(ADMIN_URL).host}`,
    );
    const servers: RunningServer[] = [];
    const samples = specs.map(() => ({ get: [] as Figures[], put: [] as Figures[] }));
    try {
      for (const { spec } of specs) {
        process.stdout.write(`  starting ${spec.name}\n`);
        servers.push(await startServer(spec, databaseUrl));
      }
      for (let round = 1; round <= ROUNDS; round += 1) {
        process.stdout.write(`  round ${round}/${ROUNDS}\n`);
        for (const [index, server] of servers.entries()) {
          samples[index]?.get.push(await load(server.url, 'GET', DURATION_S, server.child.pid));
          samples[index]?.put.push(await load(server.url, 'PUT', DURATION_S, server.child.pid));
        }
      }
    } finally {
      await Promise.all(servers.map(stopServer));
    }
    const results = specs.map(({ key, spec }, index) => ({
      key,
      name: spec.name,
      get: medianFigures(samples[index]?.get ?? []),
      put: medianFigures(samples[index]?.put ?? []),
    }));
    const baseline = results.find((r) => r.key === 'baseline');
    const ratio = (a: number, b: number | undefined) => (b ? (a / b).toFixed(2) : '-');
    const rows = results.flatMap((r) =>
      (['get', 'put'] as const).map((kind) => {
        const mine = r[kind];
        const base = baseline?.[kind];
        return {
          server: r.name,
          route: kind.toUpperCase(),
          'req/s': Math.round(mine.rps),
          'p50 ms': mine.p50,
          'p99 ms': mine.p99,
          'CPU µs/req': Math.round(mine.cpuUsPerRequest),
          'req/s ÷ baseline': ratio(mine.rps, base?.rps),
          'p99 ÷ baseline': ratio(mine.p99, base?.p99),
          errors: mine.errors,
        };
      }),
    );
    console.table(rows);
    console.log(
      'Ratios are this server / the raw baseline (target: req/s ≥ 0.9, p99 ≤ 1.5). CPU µs/req is ' +
        "the server process's own user+system time per request (excludes PostgreSQL).",
    );
  } finally {
    await adminQuery(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
