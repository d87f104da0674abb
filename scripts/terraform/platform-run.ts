/**
 * Which stacks the emulator run covers, and in which order: `bootstrap` and every stack whose
 * providers the mirror holds (the `<env>-infra` stacks); the workloads and `tfc` stacks need the
 * kubernetes, helm and tfe providers and stay out. One stack with an S3 backend keeps it and
 * stores its state in the bucket that `bootstrap` created, so it runs inside bootstrap's pass;
 * the other stacks run in parallel, with local state.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENVIRONMENT_NAMES, environmentsOf, loadConfig } from '../../config';
import { buildPlatformApp } from '../../stacks/app';
import { runStack, type HarnessContext, type StackOutcome, type StackSpec } from './stack-run';
import { seedStack } from './seed';
import { s3Backend, waitForBackend } from './s3-state';
import type { TerraformJson } from './terraform-json';
import { platformChecks, type NestedRun, type PlatformCheckContext } from './platform-checks';

/** Providers the emulator run can install (the mirror holds hashicorp/aws only). */
export const RUNNABLE_PROVIDERS = new Set(['aws']);

export interface SynthesizedStack {
  readonly name: string;
  readonly dir: string;
  readonly json: TerraformJson;
  readonly dependencies: string[];
}

export interface StackSelection {
  readonly outdir: string;
  /** Every synthesized stack (the checks read the workloads stacks too). */
  readonly synthesized: SynthesizedStack[];
  /** Stacks to run, in dependency order. */
  readonly specs: StackSpec[];
  /** The stack that keeps its S3 backend (state in the bootstrap bucket), if any. */
  readonly s3RoundTrip?: string;
  readonly notes: string[];
}

interface Manifest {
  stacks: Record<string, { synthesizedStackPath: string; dependencies?: string[] }>;
}

/** Provider names a stack requires (`aws`, `kubernetes`, ...). */
export function requiredProviders(json: TerraformJson): string[] {
  const required = (json.terraform?.required_providers ?? {}) as Record<string, unknown>;
  return Object.keys(required).sort();
}

/** Backend type of a synthesized stack (`local`, `s3`, `cloud`...). */
export function backendType(json: TerraformJson): string {
  const backend = (json.terraform?.backend ?? {}) as Record<string, unknown>;
  if (json.terraform?.cloud) return 'cloud';
  return Object.keys(backend)[0] ?? 'local';
}

function defaultRegion(json: TerraformJson): string {
  const providers = (json.provider?.aws ?? []) as Array<{ alias?: string; region?: string }>;
  const region = providers.find((p) => !p.alias)?.region;
  if (!region) throw new Error('stack has no default AWS provider region');
  return region;
}

/** Synthesizes the whole app (every environment) into `outdir`, as `cdktf synth` does. */
export function synthesize(outdir: string): SynthesizedStack[] {
  const config = loadConfig();
  buildPlatformApp({ config, environments: environmentsOf(config), outdir }).app.synth();
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as Manifest;
  return Object.entries(manifest.stacks).map(([name, entry]) => {
    const file = join(outdir, entry.synthesizedStackPath);
    return {
      name,
      dir: join(file, '..'),
      json: JSON.parse(readFileSync(file, 'utf8')) as TerraformJson,
      dependencies: entry.dependencies ?? [],
    };
  });
}

/**
 * Picks the stacks to run. `wanted` names stacks (empty: all runnable ones); a stack that needs
 * the bootstrap bucket for its S3 backend brings `bootstrap` along.
 */
export function selectStacks(synthesized: SynthesizedStack[], wanted: string[]): StackSelection {
  const notes: string[] = [];
  const runnable = synthesized.filter((s) =>
    requiredProviders(s.json).every((p) => RUNNABLE_PROVIDERS.has(p)),
  );
  const notRunnable = synthesized.filter((s) => !runnable.includes(s));
  if (notRunnable.length > 0) {
    notes.push(
      `not run (their providers are not in the mirror): ${notRunnable
        .map((s) => `${s.name} [${requiredProviders(s.json).join(', ')}]`)
        .join(', ')}`,
    );
  }
  const unknown = wanted.filter((name) => !synthesized.some((s) => s.name === name));
  if (unknown.length > 0) {
    throw new Error(
      `unknown stack(s) ${unknown.join(', ')} (runnable: ${runnable.map((s) => s.name).join(', ')})`,
    );
  }
  const unrunnable = wanted.filter((name) => !runnable.some((s) => s.name === name));
  if (unrunnable.length > 0) {
    throw new Error(
      `${unrunnable.join(', ')} cannot run here: their providers are not in the mirror`,
    );
  }

  let chosen = (wanted.length > 0 ? runnable.filter((s) => wanted.includes(s.name)) : runnable)
    .slice()
    .sort((a, b) => rank(a.name) - rank(b.name));
  const bootstrap = runnable.find((s) => s.name === 'bootstrap');
  const s3Stack = chosen.find((s) => s.name !== 'bootstrap' && backendType(s.json) === 's3');
  if (s3Stack && bootstrap && !chosen.includes(bootstrap)) {
    notes.push(`${s3Stack.name} keeps its state in the bootstrap bucket: running bootstrap too`);
    chosen = [bootstrap, ...chosen];
  }
  const s3RoundTrip = s3Stack && bootstrap ? s3Stack.name : undefined;
  for (const stack of chosen) {
    if (stack.name !== s3RoundTrip && backendType(stack.json) === 's3') {
      notes.push(
        `${stack.name}: local state here (the S3 backend round trip runs once, with ${s3RoundTrip})`,
      );
    }
  }
  const specs: StackSpec[] = chosen.map((s) => ({
    name: s.name,
    synthDir: s.dir,
    json: s.json,
    region: defaultRegion(s.json),
    backend: s.name === s3RoundTrip ? 'keep' : 'local',
  }));
  return { outdir: '', synthesized, specs, s3RoundTrip, notes };
}

/** bootstrap first, then the environments in config order (dev, staging, prod). */
function rank(stackName: string): number {
  if (stackName === 'bootstrap') return -1;
  const index = ENVIRONMENT_NAMES.findIndex((env) => stackName.startsWith(`${env}-`));
  return index === -1 ? ENVIRONMENT_NAMES.length : index;
}

export function planStacks(outdir: string, wanted: string[]): StackSelection {
  const selection = selectStacks(synthesize(outdir), wanted);
  return { ...selection, outdir };
}

/** One emulator ("one AWS account") for a group of stacks. */
export interface GroupEmulator {
  readonly endpoint: string;
  readonly clients: HarnessContext['clients'];
  stop(): Promise<void>;
}

export interface RunOptions extends Omit<HarnessContext, 'endpoint' | 'clients'> {
  /** How many stack groups run at once. */
  readonly jobs: number;
  /**
   * Starts an emulator for one group of stacks. Each group gets its own: moto gives every EKS
   * cluster of a region the same OIDC issuer, so two clusters in one emulator would collide.
   */
  readonly startEmulator: (group: string) => Promise<GroupEmulator>;
  /** Per-stack plan results in the layout scripts/plan-summary.ts reads. */
  readonly resultsDir: string;
}

export interface RunReport {
  readonly outcomes: StackOutcome[];
  /** Lines about the cross-stack checks (contract, S3 state, plan and drift tooling). */
  readonly checks: string[];
  readonly failures: string[];
}

/** Runs `tasks` with at most `limit` at a time, in order of start. */
async function limited<T>(limit: number, tasks: Array<() => Promise<T>>): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next;
      next += 1;
      results[index] = await (tasks[index] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

export async function runPlatform(
  selection: StackSelection,
  options: RunOptions,
): Promise<RunReport> {
  const checks: PlatformCheckContext = platformChecks(selection, options);
  const roundTrip = selection.specs.find((s) => s.name === selection.s3RoundTrip);
  const independent = selection.specs.filter((s) => s !== roundTrip);
  // Largest first, so the longest passes start early; bootstrap carries the round trip.
  independent.sort(
    (a, b) => weight(b, roundTrip) - weight(a, roundTrip) || a.name.localeCompare(b.name),
  );

  const outcomes: StackOutcome[] = [];
  await limited(
    options.jobs,
    independent.map((spec) => async () => {
      const emulator = await options.startEmulator(spec.name);
      try {
        const ctx: HarnessContext = {
          ...options,
          endpoint: emulator.endpoint,
          clients: emulator.clients,
        };
        const group = roundTrip && spec.name === 'bootstrap' ? [spec, roundTrip] : [spec];
        for (const member of group) {
          const seeded = await seedStack(member.json, ctx.clients, member.region);
          if (seeded.length > 0) ctx.print(`[${member.name}] seeded ${seeded.join(', ')}`);
        }
        ctx.print(
          `[${spec.name}] emulator ${emulator.endpoint}${group.length > 1 ? ` (shared with ${roundTrip?.name})` : ''}`,
        );
        // The round-trip stack starts now (validate needs no bucket) and waits for the bucket.
        const nestedOutcomes: StackOutcome[] = [];
        let nested: NestedRun | undefined;
        if (group.length > 1 && roundTrip) {
          let opened = false;
          let closed = false;
          let open = () => {};
          let close = () => {};
          const backendReady = new Promise<void>((resolve, reject) => {
            open = () => {
              if (closed || opened) return;
              opened = true;
              resolve();
            };
            close = () => {
              closed = true;
              if (!opened) reject(new Error('bootstrap failed before its bucket was ready'));
            };
          });
          // Awaited by the nested pass once it has validated; may be settled before that.
          backendReady.catch(() => undefined);
          const finished = runStack(roundTrip, ctx, {
            ...checks.hooksFor(roundTrip, ctx),
            backendReady,
          }).then((outcome) => {
            nestedOutcomes.push(outcome);
          });
          // Let it through as soon as the bucket is usable, or at the latest when the apply ends.
          void waitForBackend(ctx.clients, s3Backend(roundTrip.json), () => closed || opened).then(
            (ready) => {
              if (ready) open();
            },
          );
          nested = { open, close, opened: () => opened, finished };
        }
        const outcome = await runStack(spec, ctx, checks.hooksFor(spec, ctx, nested));
        nested?.close();
        await nested?.finished;
        outcomes.push(outcome, ...nestedOutcomes);
      } finally {
        await emulator.stop();
      }
    }),
  );
  const missed = selection.specs.filter((s) => !outcomes.some((o) => o.name === s.name));
  for (const spec of missed) {
    outcomes.push({
      name: spec.name,
      total: size(spec),
      applied: 0,
      steps: [],
      failures: ['did not run: bootstrap failed before its bucket was ready'],
      notes: [],
      seconds: 0,
      dir: '',
    });
  }
  const order = selection.specs.map((s) => s.name);
  outcomes.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  const final = await checks.finish(outcomes);
  return { outcomes, checks: final.lines, failures: final.failures };
}

/** Rough length of a group's pass: its resources (bootstrap's group includes the round trip). */
function weight(spec: StackSpec, roundTrip: StackSpec | undefined): number {
  return size(spec) + (roundTrip && spec.name === 'bootstrap' ? size(roundTrip) : 0);
}

function size(spec: StackSpec): number {
  return Object.values(spec.json.resource ?? {}).reduce(
    (n, byName) => n + Object.keys(byName).length,
    0,
  );
}
