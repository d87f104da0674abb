/**
 * `npm run bench:api`: loads each server, one after another, against a real PostgreSQL database
 * created (and dropped) for the run and seeded with 10,000 users; GET /hello/<random user> and
 * PUT /hello/<random user> with autocannon; prints req/s, p50/p99 and the ratio to the raw
 * node:http + pg baseline. Not part of `npm test`; never asserts anything.
 *
 *   BENCH_DATABASE_URL   server to use (default TEST_DATABASE_URL or the local PostgreSQL)
 *   BENCH_DURATION_S     seconds per load run (default 10)
 *   BENCH_CONNECTIONS    concurrent connections (default 50)
 *   BENCH_SERVERS        comma list (default: baseline, the BENCH_REF revisions, api; also
 *                        api-info, api-silent, api-raw, api-builder, api-pg-pool,
 *                        api-no-timeouts, api-ref)
 *   BENCH_REF            git revisions, comma-separated (e.g. main or main,HEAD~2,HEAD~1): the
 *                        api/ of each is extracted with `git archive` under
 *                        .data/bench-ref/<sha>/ and loaded as server `ref:<revision>`, so one run
 *                        measures this checkout A/B against them (and a chain of changes in order)
 *   BENCH_REF_DIR        folder holding another revision's api/ (for api-ref; BENCH_REF is simpler)
 *   BENCH_CPU_PROF       a folder: servers run with `node --cpu-prof` and write their profiles there
 *                        when they stop (open them in Chrome DevTools or bench/api/profile-summary.ts)
 *   BENCH_ROUNDS         rounds (default 3): servers are loaded in turn, round after round (the
 *                        order reversed every other round), and medians are reported, so a burst
 *                        of load from other work on the machine skews one sample, not one server
 *
 * Every API server is started the README way for production: `api/main.ts` under tsx (what
 * `npm start` runs) with NODE_ENV=production and LOG_LEVEL=warn, except `api-info`, which writes
 * the access log at info (to /dev/null).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
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
  // The production entry point, as shipped and started the README way (LOG_LEVEL=warn).
  api: { name: 'API (api/main.ts)', script: 'api/main.ts', env: {} },
  // The same with the access log on (one JSON line per request, to /dev/null here).
  'api-info': { name: 'API, LOG_LEVEL=info', script: 'api/main.ts', env: { LOG_LEVEL: 'info' } },
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
  // A/B against another revision of the service: BENCH_REF=main (see refServer), or by hand:
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
  'api-pg-pool': {
    name: 'API with a pg.Pool (no Knex pool)',
    script: 'bench/api/servers/api-variant.ts',
    env: { BENCH_DATA_ACCESS: 'pg-pool' },
  },
  // What the client-side query timeout (a timer per query) and statement_timeout cost.
  'api-no-timeouts': {
    name: 'API, DB_STATEMENT_TIMEOUT_MS=0',
    script: 'api/main.ts',
    env: { DB_STATEMENT_TIMEOUT_MS: '0' },
  },
};

/**
 * Extracts `api/` of a git revision under .data/bench-ref/<sha>/ (inside the repository, so its
 * imports resolve to this checkout's node_modules) and describes it as server `ref`.
 */
function refServer(ref: string): ServerSpec {
  const sha = execFileSync('git', ['rev-parse', '--verify', `${ref}^{commit}`], {
    cwd: ROOT,
    encoding: 'utf8',
  }).trim();
  const dir = path.join(ROOT, '.data', 'bench-ref', sha);
  if (!existsSync(path.join(dir, 'api', 'main.ts'))) {
    mkdirSync(dir, { recursive: true });
    const archive = execFileSync('git', ['archive', sha, 'api'], { cwd: ROOT });
    execFileSync('tar', ['-x', '-C', dir], { input: archive });
  }
  return {
    name: `API at ${ref} (${sha.slice(0, 8)})`,
    script: path.join(dir, 'api', 'main.ts'),
    env: {},
  };
}

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

/**
 * On-CPU time of a process in seconds, all its threads: the first field of each thread's
 * /proc/<pid>/task/<tid>/schedstat (nanoseconds, Linux), else utime+stime from /proc/<pid>/stat
 * (10 ms ticks), else NaN. Threads that ended in between are lost, which only matters for the
 * short-lived ones V8 does not use on this path.
 */
function processCpuSeconds(pid: number | undefined): number {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    }
    if (ns > 0) return ns / 1e9;
  } catch {
    // fall through to /proc/<pid>/stat
  }
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
  const profile = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF)}`]
    : [];
  const child: ChildProcess = spawn(
    process.execPath,
    [...profile, '--import', 'tsx', spec.script],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: databaseUrl,
        PORT: String(port),
        HOST: '127.0.0.1',
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        SHUTDOWN_DRAIN_DELAY_MS: '0',
        ...spec.env,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
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

const REFS = (process.env.BENCH_REF ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);

/** The servers to run, in order; by default the BENCH_REF revisions sit between baseline and api. */
function chosenServers(): Array<{ key: string; spec: ServerSpec }> {
  const names = (
    process.env.BENCH_SERVERS ?? ['baseline', ...REFS.map((r) => `ref:${r}`), 'api'].join(',')
  )
    .split(',')
    .map((s) => s.trim());
  return names.map((name) => {
    if (name.startsWith('ref:')) return { key: name, spec: refServer(name.slice(4)) };
    const spec = SERVERS[name];
    if (!spec) {
      throw new Error(
        `unknown server ${name}; known: ref:<revision>, ${Object.keys(SERVERS).join(', ')}`,
      );
    }
    if (name === 'api-ref' && !process.env.BENCH_REF_DIR) {
      throw new Error('api-ref needs BENCH_REF_DIR (a folder holding another revision of api/)');
    }
    return { key: name, spec };
  });
}

type Route = 'get' | 'put';
const ROUTES: Route[] = ['get', 'put'];

interface Samples {
  get: Figures[];
  put: Figures[];
}

/**
 * Median over rounds of `mine[i] / base[i]`: each round loads both servers back to back, so the
 * per-round ratio cancels most of a slow or fast round, which a ratio of medians would not.
 */
function pairedRatio(mine: Figures[], base: Figures[], pick: (f: Figures) => number): number {
  return median(mine.map((f, i) => pick(f) / pick(base[i] ?? f)));
}

function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'n/a';
  }
}

async function main(): Promise<void> {
  const specs = chosenServers();
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
        `per server and route (medians shown), database ${new URL(ADMIN_URL).host}, ` +
        `load average ${loadAverage()}`,
    );
    const servers: RunningServer[] = [];
    const samples: Samples[] = specs.map(() => ({ get: [], put: [] }));
    const loadAverages: string[] = [];
    try {
      for (const { spec } of specs) {
        process.stdout.write(`  starting ${spec.name}\n`);
        servers.push(await startServer(spec, databaseUrl));
      }
      for (let round = 1; round <= ROUNDS; round += 1) {
        loadAverages.push(loadAverage());
        process.stdout.write(`  round ${round}/${ROUNDS} (load average ${loadAverages.at(-1)})\n`);
        // Alternate the order so neither server always runs first after the other's load.
        const order = [...servers.keys()];
        if (round % 2 === 0) order.reverse();
        for (const route of ROUTES) {
          for (const index of order) {
            const server = servers[index] as RunningServer;
            const method = route === 'get' ? 'GET' : 'PUT';
            samples[index]?.[route].push(
              await load(server.url, method, DURATION_S, server.child.pid),
            );
          }
        }
      }
    } finally {
      await Promise.all(servers.map(stopServer));
    }
    loadAverages.push(loadAverage());
    const baselineIndex = specs.findIndex((s) => s.key === 'baseline');
    const baseline = baselineIndex >= 0 ? samples[baselineIndex] : undefined;
    const fmt = (value: number | undefined) =>
      value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(2);
    const rows = specs.flatMap(({ spec }, index) =>
      ROUTES.map((route) => {
        const mine = samples[index]?.[route] ?? [];
        const base = baseline?.[route];
        const m = medianFigures(mine);
        return {
          server: spec.name,
          route: route.toUpperCase(),
          'req/s': Math.round(m.rps),
          'p50 ms': m.p50,
          'p99 ms': m.p99,
          'CPU µs/req': Math.round(m.cpuUsPerRequest),
          'req/s ÷ base': base ? fmt(pairedRatio(mine, base, (f) => f.rps)) : '-',
          'p99 ÷ base': base ? fmt(pairedRatio(mine, base, (f) => f.p99)) : '-',
          errors: m.errors,
        };
      }),
    );
    console.table(rows);
    console.log(
      "Ratios: this server / the raw baseline, median of the rounds' ratios. CPU µs/req: the " +
        "server process's own user+system time per request (excludes PostgreSQL and the load " +
        `generator). Load average per round: ${loadAverages.join(' | ')}.`,
    );
    if (baseline) {
      console.log('Goals (issue: ≥ 0.90× req/s and p99 ≤ 1.50× the raw baseline on both routes):');
      for (const [index, { key, spec }] of specs.entries()) {
        if (key === 'baseline') continue;
        const parts = ROUTES.map((route) => {
          const mine = samples[index]?.[route] ?? [];
          const base = baseline[route];
          const rps = pairedRatio(mine, base, (f) => f.rps);
          const p99 = pairedRatio(mine, base, (f) => f.p99);
          const met = rps >= 0.9 && p99 <= 1.5 ? 'met' : 'NOT met';
          return `${route.toUpperCase()} ${fmt(rps)}× req/s, p99 ${fmt(p99)}× (${met})`;
        });
        console.log(`  ${spec.name}: ${parts.join('; ')}`);
      }
    }
    const apiSamples = samples[specs.findIndex((s) => s.key === 'api')];
    for (const [index, { key, spec }] of specs.entries()) {
      const ref = samples[index];
      if (!key.startsWith('ref:') || !ref || !apiSamples) continue;
      const parts = ROUTES.map((route) => {
        const rps = pairedRatio(apiSamples[route], ref[route], (f) => f.rps);
        const cpu =
          medianFigures(apiSamples[route]).cpuUsPerRequest -
          medianFigures(ref[route]).cpuUsPerRequest;
        return `${route.toUpperCase()} ${fmt(rps)}× req/s, CPU ${cpu >= 0 ? '+' : ''}${cpu.toFixed(0)} µs/req`;
      });
      console.log(`A/B, this checkout vs ${spec.name}: ${parts.join('; ')}`);
    }
  } finally {
    await adminQuery(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
