/**
 * One stack's pass through real Terraform against the emulator: emulator copy → seed → init →
 * validate → plan → apply → re-plan (must be empty) → checks → [lift deletion protection] →
 * destroy → nothing left. Each step's time is recorded; the first failing step ends the pass,
 * after which the harness still tries to destroy what was applied.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EmulatorClients } from './aws-clients';
import {
  emulatorCopy,
  liftDeletionProtection,
  protectedResources,
  type EmulatorCopy,
} from './emulator-copy';
import { regionOf, SDK_DELETERS, type Deleter } from './leftovers';
import { seedStack } from './seed';
import { terraform, tail, type TerraformResult, type TerraformRunner } from './terraform-cli';
import { resourceBlocks, type TerraformJson } from './terraform-json';

export interface StackSpec {
  readonly name: string;
  /** The synthesized stack directory (`cdktf.out/stacks/<name>`). */
  readonly synthDir: string;
  readonly json: TerraformJson;
  /** Region of the stack's default provider. */
  readonly region: string;
  /** `keep`: plan with the stack's own (S3) backend, state in the bootstrap bucket. */
  readonly backend: 'local' | 'keep';
}

export interface HarnessContext {
  readonly runner: TerraformRunner;
  readonly endpoint: string;
  readonly accountId: string;
  readonly endpointKeys: readonly string[];
  readonly clients: EmulatorClients;
  /** Root of the working directories (one per stack). */
  readonly workRoot: string;
  /** `-parallelism` of plan, apply and destroy. */
  readonly parallelism: number;
  readonly print: (line: string) => void;
}

export interface StepTiming {
  readonly step: string;
  readonly seconds: number;
}

/** Hooks the harness runs at fixed points of a stack's pass. */
export interface StackHooks {
  /** Extra `-backend-config` files for `init` (S3 round trip). */
  backendConfig?: (dir: string) => string[];
  /**
   * Set when the backend does not exist yet (the bootstrap bucket): the pass installs the
   * providers and validates without the backend, waits for this, then initializes the backend.
   */
  backendReady?: Promise<void>;
  /** Right after the apply succeeded and its state was read, before the re-plan. */
  applied?: (pass: StackPass) => void;
  /** After apply and the empty re-plan, before teardown. Throw to fail the stack. */
  afterApply?: (pass: StackPass) => Promise<void>;
  /** Right before destroy, also after a failure (e.g. wait for a stack that uses this one). */
  beforeDestroy?: (pass: StackPass) => Promise<void>;
  /** After destroy. Throw to fail the stack. */
  afterDestroy?: (pass: StackPass) => Promise<void>;
}

export interface StackOutcome {
  readonly name: string;
  readonly total: number;
  readonly applied: number;
  readonly copy?: EmulatorCopy;
  readonly steps: StepTiming[];
  readonly failures: string[];
  readonly notes: string[];
  readonly seconds: number;
  readonly dir: string;
}

export class StepFailure extends Error {}

/** State of a stack's pass, shared with the hooks. */
export class StackPass {
  readonly steps: StepTiming[] = [];
  readonly failures: string[] = [];
  readonly notes: string[] = [];
  copy?: EmulatorCopy;
  applied = 0;
  /** `terraform show -json` of the applied state. */
  state?: TerraformState;
  /** True once anything may exist in the emulator (apply started). */
  mayHaveResources = false;

  constructor(
    readonly spec: StackSpec,
    readonly ctx: HarnessContext,
    readonly dir: string,
  ) {}

  print(message: string): void {
    this.ctx.print(`[${this.spec.name}] ${message}`);
  }

  /** Runs a terraform command as a named step; throws StepFailure unless `ok` accepts it. */
  async tf(
    step: string,
    args: readonly string[],
    ok: (result: TerraformResult) => boolean = (r) => r.code === 0,
  ): Promise<TerraformResult> {
    const result = await terraform(this.ctx.runner, this.dir, args);
    this.steps.push({ step, seconds: result.seconds });
    if (!ok(result)) {
      this.print(`${step} ✗ (exit ${result.code}, ${result.seconds.toFixed(1)} s)`);
      throw new StepFailure(`${step} failed (exit ${result.code}):\n${tail(result)}`);
    }
    this.print(`${step} ✓ (${result.seconds.toFixed(1)} s)`);
    return result;
  }

  /** Times a non-terraform step. */
  async step<T>(step: string, run: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      const value = await run();
      const seconds = (Date.now() - started) / 1000;
      this.steps.push({ step, seconds });
      this.print(`${step} ✓ (${seconds.toFixed(1)} s)`);
      return value;
    } catch (error) {
      const seconds = (Date.now() - started) / 1000;
      this.steps.push({ step, seconds });
      this.print(`${step} ✗ (${seconds.toFixed(1)} s)`);
      throw error instanceof StepFailure
        ? error
        : new StepFailure(`${step}: ${(error as Error).message}`);
    }
  }

  writeJson(file: string, value: unknown): string {
    const path = join(this.dir, file);
    writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
    return path;
  }

  readJson<T>(file: string): T {
    return JSON.parse(readFileSync(join(this.dir, file), 'utf8')) as T;
  }
}

/** The parts of a raw state (`terraform state pull`, format 4) the harness reads. */
export interface TerraformState {
  outputs?: Record<string, { value: unknown; type?: unknown; sensitive?: boolean }>;
  resources?: Array<{
    mode: 'managed' | 'data';
    type: string;
    name: string;
    provider?: string;
    instances?: Array<{ index_key?: string | number; attributes?: Record<string, unknown> }>;
  }>;
}

/** One resource instance of a state. */
export interface StateResource {
  /** `type.name` or `type.name["key"]`. */
  readonly address: string;
  readonly type: string;
  readonly name: string;
  /** `provider["registry.terraform.io/hashicorp/aws"].us_east_1` style provider address. */
  readonly provider: string;
  readonly values: Record<string, unknown>;
}

/** Managed resource instances of a state. */
export function managedInstances(state: TerraformState | undefined): StateResource[] {
  return (state?.resources ?? [])
    .filter((r) => r.mode === 'managed')
    .flatMap((r) =>
      (r.instances ?? []).map((instance) => ({
        address: `${r.type}.${r.name}${
          instance.index_key === undefined ? '' : `[${JSON.stringify(instance.index_key)}]`
        }`,
        type: r.type,
        name: r.name,
        provider: r.provider ?? '',
        values: instance.attributes ?? {},
      })),
    );
}

/** Validate diagnostics that are noise: the provider warns when two endpoint aliases are set. */
function interestingDiagnostics(stdout: string): { errors: string[]; warnings: string[] } {
  const parsed = JSON.parse(stdout) as {
    diagnostics?: Array<{ severity: string; summary: string; detail?: string }>;
  };
  const describe = (d: { summary: string; detail?: string }) =>
    `${d.summary}${d.detail ? `: ${d.detail.split('\n')[0]}` : ''}`;
  const diagnostics = parsed.diagnostics ?? [];
  return {
    errors: diagnostics.filter((d) => d.severity === 'error').map(describe),
    warnings: diagnostics
      .filter((d) => d.severity === 'warning' && !/endpoints\[0\]\./.test(d.detail ?? ''))
      .map(describe),
  };
}

/** Writes the emulator copy of a stack into `dir` (the synthesized directory, file by file). */
export function writeEmulatorCopy(spec: StackSpec, ctx: HarnessContext, dir: string): EmulatorCopy {
  mkdirSync(dir, { recursive: true });
  for (const entry of readdirSync(spec.synthDir, { withFileTypes: true })) {
    if (entry.isFile() && entry.name !== 'cdk.tf.json') {
      copyFileSync(join(spec.synthDir, entry.name), join(dir, entry.name));
    }
  }
  const copy = emulatorCopy(spec.json, {
    endpoint: ctx.endpoint,
    endpointKeys: ctx.endpointKeys,
    backend: spec.backend,
    accountId: ctx.accountId,
  });
  writeFileSync(join(dir, 'cdk.tf.json'), `${JSON.stringify(copy.json, null, 2)}\n`);
  return copy;
}

export async function runStack(
  spec: StackSpec,
  ctx: HarnessContext,
  hooks: StackHooks = {},
): Promise<StackOutcome> {
  const started = Date.now();
  const dir = join(ctx.workRoot, spec.name);
  const pass = new StackPass(spec, ctx, dir);
  const parallelism = `-parallelism=${ctx.parallelism}`;
  try {
    const copy = await pass.step('emulator copy', async () => writeEmulatorCopy(spec, ctx, dir));
    pass.copy = copy;
    const seeded = await pass.step('seed', () => seedStack(copy.json, ctx.clients, spec.region));
    if (seeded.length > 0) pass.notes.push(`seeded: ${seeded.join(', ')}`);

    const backendArgs = (hooks.backendConfig?.(dir) ?? []).map((f) => `-backend-config=${f}`);
    const init = ['init', '-input=false', '-no-color'];
    // Without its backend yet, validate while the backend is being created, then init it.
    if (hooks.backendReady) await pass.tf('init (providers only)', [...init, '-backend=false']);
    else await pass.tf('init', [...init, ...backendArgs]);
    const validate = await pass.tf('validate', ['validate', '-no-color', '-json'], () => true);
    const diagnostics = interestingDiagnostics(validate.stdout);
    if (validate.code !== 0 || diagnostics.errors.length > 0) {
      throw new StepFailure(`validate failed:\n  ${diagnostics.errors.join('\n  ')}`);
    }
    for (const warning of new Set(diagnostics.warnings)) pass.notes.push(`validate: ${warning}`);
    if (hooks.backendReady) {
      await pass.step('wait for the backend', () => hooks.backendReady as Promise<void>);
      await pass.tf('init', [...init, ...backendArgs]);
    }

    const expected = copy.total - copy.excluded.length;
    const plan = await pass.tf('plan', [
      'plan',
      '-input=false',
      '-no-color',
      parallelism,
      '-out=tfplan',
    ]);
    writeFileSync(join(dir, 'plan.txt'), plan.stdout);
    // `show -json` loads the provider again: let it run while apply waits on the emulator.
    const planJson = pass.tf('show plan', ['show', '-json', 'tfplan']).then((shown) => {
      writeFileSync(join(dir, 'plan.json'), shown.stdout);
      return plannedCreates(JSON.parse(shown.stdout) as PlanDocument);
    });
    planJson.catch(() => undefined);

    pass.mayHaveResources = true;
    await pass.tf('apply', ['apply', '-input=false', '-no-color', parallelism, 'tfplan']);
    const planned = await planJson;
    if (planned !== expected) {
      throw new StepFailure(`the plan created ${planned} resources, expected ${expected}`);
    }
    // The raw state needs no provider (show -json would load the 700 MB provider once more).
    const pulled = await pass.tf('state pull', ['state', 'pull']);
    pass.state = JSON.parse(pulled.stdout) as TerraformState;
    writeFileSync(join(dir, 'applied.tfstate'), pulled.stdout);
    pass.applied = appliedBlocks(spec.json, pass.state);
    if (pass.applied !== expected) {
      throw new StepFailure(`${pass.applied} resources applied, expected ${expected}`);
    }
    hooks.applied?.(pass);

    await pass
      .tf(
        're-plan (must be empty)',
        ['plan', '-input=false', '-no-color', parallelism, '-detailed-exitcode', '-out=replan'],
        (r) => r.code === 0 || r.code === 2,
      )
      .then(async (replan) => {
        writeFileSync(join(dir, 'replan.txt'), replan.stdout);
        writeFileSync(join(dir, 'replan.exitcode'), `${replan.code}\n`);
        if (replan.code === 2) {
          const shown = await terraform(ctx.runner, dir, ['show', '-json', 'replan']);
          const changes = changedAddresses(JSON.parse(shown.stdout) as PlanDocument);
          throw new StepFailure(`the plan after apply is not empty: ${changes.join(', ')}`);
        }
      });

    await hooks.afterApply?.(pass);
  } catch (error) {
    pass.failures.push((error as Error).message);
  }

  if (pass.mayHaveResources) {
    try {
      // After a failed apply, the state still says what exists (for the leftover check).
      if (!pass.state) {
        const pulled = await terraform(ctx.runner, dir, ['state', 'pull']);
        if (pulled.code === 0 && pulled.stdout.trim()) {
          pass.state = JSON.parse(pulled.stdout) as TerraformState;
        }
      }
      await hooks.beforeDestroy?.(pass);
    } catch (error) {
      pass.failures.push((error as Error).message);
    }
    try {
      const protectedAddresses = pass.copy ? protectedResources(pass.copy.json) : [];
      if (protectedAddresses.length > 0) {
        // As the README's teardown says: turn deletion protection off, deploy that, then destroy.
        writeFileSync(
          join(dir, 'cdk.tf.json'),
          `${JSON.stringify(liftDeletionProtection(pass.copy!.json), null, 2)}\n`,
        );
        pass.notes.push(
          `deletion protection lifted before destroy: ${protectedAddresses.join(', ')}`,
        );
        // The re-plan just refreshed these (after a failure, refresh them again).
        await pass.tf('lift deletion protection', [
          'apply',
          '-input=false',
          '-no-color',
          '-auto-approve',
          parallelism,
          ...(pass.failures.length === 0 ? ['-refresh=false'] : []),
          ...protectedAddresses.map((address) => `-target=${address}`),
        ]);
      }
    } catch (error) {
      pass.failures.push((error as Error).message);
    }
    try {
      await deleteOutsideTerraform(pass);
    } catch (error) {
      pass.failures.push((error as Error).message);
    }
    try {
      // The re-plan just refreshed everything; refreshing again would only cost time.
      const refresh = pass.failures.length === 0 ? ['-refresh=false'] : [];
      await pass.tf('destroy', [
        'destroy',
        '-input=false',
        '-no-color',
        '-auto-approve',
        parallelism,
        ...refresh,
      ]);
      await hooks.afterDestroy?.(pass);
    } catch (error) {
      pass.failures.push((error as Error).message);
    }
  }

  return {
    name: spec.name,
    total: pass.copy?.total ?? resourceBlocks(spec.json).length,
    applied: pass.applied,
    copy: pass.copy,
    steps: pass.steps,
    failures: pass.failures,
    notes: pass.notes,
    seconds: (Date.now() - started) / 1000,
    dir,
  };
}

/**
 * The `delete-outside-terraform` gaps: the resource leaves the state and is deleted through the
 * SDK, so `destroy` does not sit in a provider wait that does not fit the run.
 */
async function deleteOutsideTerraform(pass: StackPass): Promise<void> {
  const gaps = pass.copy?.deletedOutside ?? [];
  const instances = managedInstances(pass.state).filter((r) =>
    gaps.some((g) => g.address === `${r.type}.${r.name}`),
  );
  if (instances.length === 0) return;
  await pass.tf('state rm (deleted through the SDK)', [
    'state',
    'rm',
    ...instances.map((r) => r.address),
  ]);
  const aliases = Object.fromEntries(
    ((pass.spec.json.provider?.aws ?? []) as Array<{ alias?: string; region?: string }>)
      .filter((p) => p.alias && p.region)
      .map((p) => [p.alias as string, p.region as string]),
  );
  await pass.step('delete through the SDK', async () => {
    for (const resource of instances) {
      const region = regionOf(resource, aliases, pass.spec.region);
      await (SDK_DELETERS[resource.type] as Deleter)(
        pass.ctx.clients.region(region),
        resource.values,
      );
    }
  });
  const gapIds = [...new Set(gaps.map((g) => g.gap))].join(', ');
  pass.notes.push(
    `deleted through the SDK, not destroy (${gapIds}): ${instances.map((r) => r.address).join(', ')}`,
  );
}

/** The parts of `terraform show -json <plan>` read here. */
export interface PlanDocument {
  resource_changes?: Array<{ address: string; mode?: string; change: { actions: string[] } }>;
}

/** Resource blocks (not instances) the plan creates. */
function plannedCreates(plan: PlanDocument): number {
  const blocks = (plan.resource_changes ?? [])
    .filter((c) => c.mode !== 'data' && c.change.actions.includes('create'))
    .map((c) => c.address.replace(/\[[^\]]*\]$/, ''));
  return new Set(blocks).size;
}

function changedAddresses(plan: PlanDocument): string[] {
  return (plan.resource_changes ?? [])
    .filter((c) => c.change.actions.some((a) => a !== 'no-op' && a !== 'read'))
    .map((c) => `${c.address} (${c.change.actions.join('+')})`);
}

/** Resource blocks of the synthesized stack that have at least one instance in the state. */
function appliedBlocks(json: TerraformJson, state: TerraformState): number {
  const inState = new Set(managedInstances(state).map((r) => `${r.type}.${r.name}`));
  return resourceBlocks(json).filter((block) => inState.has(block.address)).length;
}
