/**
 * `npm run bench:synth`: synthesizes every stack of every environment several times, each in a
 * fresh process as `npm run synth:fast` does, and prints the median wall time and peak memory.
 * Runs: BENCH_RUNS (default 5). Target once all issues land: <= 1.0 s and <= 200 MB.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '..');
const runs = Number(process.env.BENCH_RUNS ?? 5);
// Prints the child's own peak RSS when it exits, after main.ts has synthesized.
const reportPeak =
  "process.on('exit', () => process.stderr.write('maxrss=' + process.resourceUsage().maxRSS + '\\n'))";

const wallMs: number[] = [];
const peakMb: number[] = [];
let stackCount = 0;
for (let run = 0; run < runs; run++) {
  const outdir = mkdtempSync(path.join(tmpdir(), 'bench-synth-'));
  const started = process.hrtime.bigint();
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--eval', reportPeak, '--import', './main.ts'],
    {
      cwd: root,
      env: { ...process.env, CDKTF_OUTDIR: outdir, STACK_ENVS: '' },
      encoding: 'utf8',
    },
  );
  wallMs.push(Number(process.hrtime.bigint() - started) / 1e6);
  if (result.status !== 0) {
    console.error(result.stderr);
    throw new Error(`synth failed with exit code ${result.status}`);
  }
  const peak = /maxrss=(\d+)/.exec(result.stderr);
  if (peak) peakMb.push(Number(peak[1]) / 1024);
  stackCount = readdirSync(path.join(outdir, 'stacks')).length;
  rmSync(outdir, { recursive: true, force: true });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};
console.log(
  `synth of ${stackCount} stacks, ${runs} runs (fresh process each, tsx transpile included)`,
);
console.log(
  `  wall time  median ${median(wallMs).toFixed(0)} ms   min ${Math.min(...wallMs).toFixed(0)} ms   max ${Math.max(...wallMs).toFixed(0)} ms`,
);
console.log(
  `  peak RSS   median ${median(peakMb).toFixed(0)} MB   max ${Math.max(...peakMb).toFixed(0)} MB`,
);
