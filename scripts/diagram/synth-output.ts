/**
 * Reads what `cdktf synth` wrote (`manifest.json` + one `cdk.tf.json` per stack), or synthesizes the
 * app in-process into a temporary directory when no output exists yet. Shared by `npm run diagram`
 * and `npm run policy`, which both work on the synthesized JSON rather than on the constructs.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TerraformJson } from '../../policy/types';

/** Default output directory of `cdktf synth` (see cdktf.json). */
export const DEFAULT_OUT_DIR = 'cdktf.out';

/** Repository root (this file lives in `scripts/diagram/`). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface SynthesizedStack {
  /** Stack name, e.g. `prod-infra`. */
  readonly name: string;
  /** `account` for stacks not bound to an environment (bootstrap), else `dev`, `prod`, ... */
  readonly environment: string;
  /** Stacks this one reads through cross-stack references (cdktf's manifest). */
  readonly dependencies: readonly string[];
  readonly json: TerraformJson;
}

export interface SynthOutput {
  /** Where the stacks came from: a directory, or `in-process synth`. */
  readonly source: string;
  /** Stacks in dependency order (a stack after every stack it depends on), then by name. */
  readonly stacks: readonly SynthesizedStack[];
}

interface Manifest {
  stacks: Record<string, { synthesizedStackPath: string; dependencies?: string[] }>;
}

/**
 * Environment of a stack from its name: `<env>-<kind>` (e.g. `prod-workloads` → `prod`); a name
 * without a dash (`bootstrap`) is per account. Same convention as the stack names in `stacks/`.
 */
export function environmentOfStack(name: string): string {
  const dash = name.indexOf('-');
  return dash < 0 ? 'account' : name.slice(0, dash);
}

/** Sorts stacks so that each comes after the stacks it depends on; ties by name. */
export function dependencyOrder<T extends { name: string; dependencies: readonly string[] }>(
  stacks: readonly T[],
): T[] {
  const byName = new Map(stacks.map((stack) => [stack.name, stack]));
  const ordered: T[] = [];
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (stack: T): void => {
    if (done.has(stack.name) || visiting.has(stack.name)) return;
    visiting.add(stack.name);
    for (const dependency of [...stack.dependencies].sort()) {
      const found = byName.get(dependency);
      if (found) visit(found);
    }
    visiting.delete(stack.name);
    done.add(stack.name);
    ordered.push(stack);
  };
  [...stacks].sort((a, b) => a.name.localeCompare(b.name)).forEach(visit);
  return ordered;
}

/** Reads a cdktf output directory. Throws when it holds no `manifest.json`. */
export function readSynthOutput(outDir: string): SynthOutput {
  const manifestPath = path.join(outDir, 'manifest.json');
  if (!existsSync(manifestPath)) {
    throw new Error(`no ${manifestPath}: run \`npm run synth\` first`);
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  const stacks = Object.entries(manifest.stacks).map(([name, entry]) => ({
    name,
    environment: environmentOfStack(name),
    dependencies: entry.dependencies ?? [],
    json: JSON.parse(
      readFileSync(path.join(outDir, entry.synthesizedStackPath), 'utf8'),
    ) as TerraformJson,
  }));
  return { source: outDir, stacks: dependencyOrder(stacks) };
}

/**
 * Synthesizes the repository's app (its validated config) into a temporary directory and reads
 * it back, the directory removed afterwards. `environments` is a `STACK_ENVS`-style selector
 * (`prod`, `dev,staging`); default all. The app is imported lazily: reading `cdktf.out` must not
 * pay for loading the providers.
 */
export async function synthesizeInProcess(environments?: string): Promise<SynthOutput> {
  const { loadConfig, selectEnvironments } = await import('../../config/index.js');
  const { buildPlatformApp } = await import('../../stacks/app.js');
  const config = loadConfig();
  const outdir = mkdtempSync(path.join(tmpdir(), 'platform-synth-'));
  try {
    buildPlatformApp({
      config,
      environments: selectEnvironments(config, environments),
      outdir,
    }).app.synth();
    return { ...readSynthOutput(outdir), source: 'in-process synth' };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export interface LoadOptions {
  /** Directory to read. Default: `cdktf.out` when it exists, else an in-process synth. */
  readonly outDir?: string;
  /** Synthesize in-process even when an output directory exists. Default: false. */
  readonly synth?: boolean;
  /** Environments to synthesize in-process (selector); reading a directory ignores it. */
  readonly environments?: string;
}

/**
 * The stacks to work on: an explicit `outDir` must exist and is read as it is; the default
 * `cdktf.out` is used when present and newer than the code, otherwise (or with `synth`) the app is
 * synthesized in-process, so a stale synth never ends up in a committed diagram or a report.
 */
export async function loadSynthOutput(options: LoadOptions = {}): Promise<SynthOutput> {
  if (options.synth) return synthesizeInProcess(options.environments);
  if (options.outDir !== undefined) return readSynthOutput(options.outDir);
  const defaultDir = path.join(REPO_ROOT, DEFAULT_OUT_DIR);
  if (existsSync(path.join(defaultDir, 'manifest.json')) && !isOlderThanCode(defaultDir)) {
    return readSynthOutput(defaultDir);
  }
  return synthesizeInProcess(options.environments);
}

/** Newest modification time (ms) of the `.ts` files under the given paths. */
function newestSourceTime(paths: readonly string[]): number {
  let newest = 0;
  const walk = (entry: string): void => {
    if (!existsSync(entry)) return;
    const stat = statSync(entry);
    if (stat.isDirectory()) {
      for (const child of readdirSync(entry)) walk(path.join(entry, child));
    } else if (entry.endsWith('.ts')) {
      newest = Math.max(newest, stat.mtimeMs);
    }
  };
  paths.forEach(walk);
  return newest;
}

/** True when an output directory is older than the code that produces it. */
export function isOlderThanCode(outDir: string): boolean {
  const manifestPath = path.join(outDir, 'manifest.json');
  if (!existsSync(manifestPath)) return false;
  const sources = ['stacks', 'modules', 'config', 'main.ts'].map((entry) =>
    path.join(REPO_ROOT, entry),
  );
  return newestSourceTime(sources) > statSync(manifestPath).mtimeMs;
}

/**
 * A warning when the output read is older than the code (`stacks/`, `modules/`, `config/`,
 * `main.ts`): only an explicit `--out-dir` can be, the default directory is then re-synthesized.
 */
export function staleOutputWarning(output: SynthOutput): string | undefined {
  if (!isOlderThanCode(output.source)) return undefined;
  return (
    `warning: ${output.source} is older than the code in stacks/, modules/ or config/; ` +
    'run `npm run synth` again or pass --synth'
  );
}
