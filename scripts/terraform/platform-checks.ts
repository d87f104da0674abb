/**
 * The checks that span the steps of a stack or several stacks: the S3 backend round trip, the
 * cross-stack contract, a real drift, nothing left after destroy, and the plan summary and drift
 * report over the real plans. `hooksFor` plugs them into each stack's pass; `finish` runs the ones
 * that need every stack's results.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contractProbe, runContractProbe } from './contract';
import { findLeftovers } from './leftovers';
import {
  checkDriftReport,
  checkPlanSummary,
  collectPlan,
  driftTarget,
  PERTURBATIONS,
  writeResult,
} from './plan-tooling';
import type { RunOptions, StackSelection } from './platform-run';
import { backendType } from './platform-run';
import {
  checkStateObject,
  emptyPrefix,
  holdForeignLock,
  s3Backend,
  writeBackendOverrides,
} from './s3-state';
import {
  managedInstances,
  StepFailure,
  type StackHooks,
  type StackOutcome,
  type StackPass,
  type HarnessContext,
  type StackSpec,
} from './stack-run';
import { terraform, tail } from './terraform-cli';
import { forEachString, resourceBlocks, type Block, type TerraformJson } from './terraform-json';

/** The S3 round-trip stack, running alongside bootstrap and waiting for its bucket. */
export interface NestedRun {
  /** The bucket exists: the nested stack may initialize its backend. */
  open(): void;
  /** Bootstrap will not get there: the nested stack fails instead of waiting. */
  close(): void;
  /** Whether the nested stack was let through (it may have written state to the bucket). */
  opened(): boolean;
  readonly finished: Promise<void>;
}

export interface PlatformCheckContext {
  hooksFor(spec: StackSpec, ctx: HarnessContext, nested?: NestedRun): StackHooks;
  finish(outcomes: StackOutcome[]): Promise<{ lines: string[]; failures: string[] }>;
}

/** The consumer stacks that read `producer` through remote state (`<env>-workloads`). */
function consumersOf(selection: StackSelection, producer: string) {
  return selection.synthesized.filter((s) => s.dependencies.includes(producer));
}

/** Region and default tags of a stack's AWS providers. */
function providerFacts(json: TerraformJson) {
  const providers = (json.provider?.aws ?? []) as Array<{
    alias?: string;
    region?: string;
    default_tags?: Array<{ tags?: Record<string, string> }>;
  }>;
  const main = providers.find((p) => !p.alias);
  const aliases = Object.fromEntries(
    providers
      .filter((p) => p.alias && p.region)
      .map((p) => [p.alias as string, p.region as string]),
  );
  return { region: main?.region ?? '', aliases, tags: main?.default_tags?.[0]?.tags ?? {} };
}

/**
 * The JSON exit path: a stack directory must be usable on its own by plain `terraform`: only
 * files, no reference into node_modules, cdktf.out or the synthesizing machine's paths.
 */
export function selfContainmentProblems(
  synthDir: string,
  json: TerraformJson,
  repoRoot: string,
): string[] {
  const problems: string[] = [];
  for (const entry of readdirSync(synthDir, { withFileTypes: true })) {
    if (!entry.isFile()) problems.push(`${entry.name} is not a plain file`);
  }
  forEachString(json, (text, path) => {
    if (text.includes('node_modules') || text.includes(repoRoot) || text.includes('cdktf.out')) {
      problems.push(`${path.join('.')}: "${text.slice(0, 80)}" points outside the stack directory`);
    }
  });
  return problems;
}

export function platformChecks(
  selection: StackSelection,
  options: RunOptions,
): PlatformCheckContext {
  const lines: string[] = [];
  const failures: string[] = [];
  const driftStack = selection.specs.find((spec) =>
    resourceBlocks(spec.json).some((r) => PERTURBATIONS.some((p) => p.type === r.type)),
  )?.name;
  let drift: { stack: string; address: string } | undefined;
  const resultsDir = join(options.resultsDir, 'plan');
  const cleanDir = join(options.resultsDir, 'replan');
  const driftDir = join(options.resultsDir, 'drift');

  const repoRoot = process.cwd();
  for (const spec of selection.specs) {
    const problems = selfContainmentProblems(spec.synthDir, spec.json, repoRoot);
    if (problems.length > 0) failures.push(`${spec.name}: JSON exit path: ${problems.join('; ')}`);
  }

  async function s3RoundTripChecks(pass: StackPass): Promise<void> {
    const backend = s3Backend(pass.spec.json);
    await pass.step('S3 state: encryption and lock file', async () => {
      const { problems, facts } = await checkStateObject(pass.ctx.clients, backend);
      if (problems.length > 0) throw new StepFailure(problems.join('; '));
      lines.push(`${pass.spec.name}: ${facts.join('; ')}`);
    });
    const release = await holdForeignLock(pass.ctx.clients, backend);
    try {
      const blocked = await terraform(options.runner, pass.dir, [
        'plan',
        '-input=false',
        '-no-color',
        '-refresh=false',
        '-lock-timeout=2s',
      ]);
      pass.steps.push({ step: 'S3 state: foreign lock blocks a plan', seconds: blocked.seconds });
      const text = `${blocked.stdout}${blocked.stderr}`;
      if (blocked.code === 0 || !/Error acquiring the state lock/.test(text)) {
        throw new StepFailure(
          `a plan ran although another user held the lock (exit ${blocked.code}):\n${tail(blocked, 10)}`,
        );
      }
      pass.print('S3 state: a lock held by someone else stops terraform ✓');
      lines.push(
        `${pass.spec.name}: a lock file held by someone else stops terraform (use_lockfile)`,
      );
    } finally {
      await release();
    }
  }

  async function contractChecks(pass: StackPass): Promise<void> {
    for (const consumer of consumersOf(selection, pass.spec.name)) {
      await pass.step(`contract with ${consumer.name}`, async () => {
        const probe = contractProbe(
          join(pass.dir, `contract-${consumer.name}`),
          consumer.name,
          consumer.json,
          pass.spec.name,
          (backend, config) => adjustRemoteState(backend, config, pass),
          new Map((pass.copy?.fillerOutputs ?? []).map((f) => [f.output, f.gap])),
        );
        if (probe.reads.length === 0) throw new StepFailure(`${consumer.name} reads nothing`);
        const problems = await runContractProbe(options.runner, probe);
        if (problems.length > 0) throw new StepFailure(problems.join('\n'));
        const outputs = new Set(probe.reads.flatMap((r) => r.outputs));
        const filler = probe.reads.filter((r) => r.filler);
        lines.push(
          `${pass.spec.name} → ${consumer.name}: ${probe.reads.length} remote-state expressions over ` +
            `${outputs.size} outputs evaluate with the right types` +
            (filler.length > 0
              ? ` (${filler.length} read as plain strings: ${[...new Set(filler.map((r) => r.filler))].join(', ')})`
              : ''),
        );
      });
    }
  }

  function adjustRemoteState(
    backend: string,
    config: Block,
    pass: StackPass,
  ): { backend: string; config: Block } {
    if (pass.spec.backend === 'keep' && backend === 's3') {
      // The consumer's own bucket/key/region must find the state the producer wrote.
      return {
        backend,
        config: {
          ...config,
          endpoints: { s3: pass.ctx.endpoint, sts: pass.ctx.endpoint, iam: pass.ctx.endpoint },
          use_path_style: true,
          skip_credentials_validation: true,
          skip_requesting_account_id: true,
          skip_metadata_api_check: true,
          skip_region_validation: true,
        },
      };
    }
    // The producer ran on local state in its work directory.
    return { backend: 'local', config: { path: join(pass.dir, 'terraform.tfstate') } };
  }

  async function driftCheck(pass: StackPass): Promise<void> {
    const target = driftTarget(managedInstances(pass.state));
    if (!target) throw new StepFailure('no resource to drift');
    const { resource, perturbation } = target;
    await pass.step(`drift: ${resource.type} ${perturbation.describe}`, () =>
      perturbation.apply(pass.ctx.clients.region(pass.spec.region), resource.values),
    );
    const plan = await pass.tf(
      'drift plan (must see it)',
      ['plan', '-input=false', '-no-color', '-detailed-exitcode', '-out=drift'],
      (r) => r.code === 2,
    );
    const shown = await pass.tf('show drift plan', ['show', '-json', 'drift']);
    writeResult(driftDir, pass.spec.name, {
      exitcode: plan.code,
      planText: plan.stdout,
      planJson: shown.stdout,
      backend: backendType(pass.spec.json),
    });
    drift = { stack: pass.spec.name, address: resource.address };
  }

  return {
    hooksFor(spec, ctx, nested) {
      return {
        backendConfig:
          spec.backend === 'keep' ? (dir) => [writeBackendOverrides(dir, ctx.endpoint)] : undefined,
        // The round-trip stack needs the bucket only: it goes on alongside the rest of this pass.
        applied: () => nested?.open(),
        afterApply: async (pass) => {
          writeResult(cleanDir, spec.name, {
            exitcode: Number(readFileSync(join(pass.dir, 'replan.exitcode'), 'utf8')),
            planText: readFileSync(join(pass.dir, 'replan.txt'), 'utf8'),
            backend: backendType(spec.json),
          });
          if (spec.backend === 'keep') await s3RoundTripChecks(pass);
          await contractChecks(pass);
          if (spec.name === driftStack) await driftCheck(pass);
        },
        beforeDestroy: async (pass) => {
          if (!nested) return;
          nested.close();
          await nested.finished;
          if (!nested.opened()) return;
          const roundTrip = selection.specs.find((s) => s.name === selection.s3RoundTrip);
          if (roundTrip) {
            const backend = s3Backend(roundTrip.json);
            const prefix = `${backend.key.split('/')[0]}/`;
            const deleted = await emptyPrefix(
              pass.ctx.clients,
              backend.region,
              backend.bucket,
              prefix,
            );
            pass.notes.push(
              `emptied ${deleted} object version(s) under s3://${backend.bucket}/${prefix} before destroy`,
            );
          }
        },
        afterDestroy: async (pass) => {
          await pass.step('nothing left (SDK)', async () => {
            const facts = providerFacts(spec.json);
            const report = await findLeftovers(
              managedInstances(pass.state),
              pass.ctx.clients,
              { default: facts.region, aliases: facts.aliases },
              facts.tags,
            );
            const left = [...report.left, ...report.tagged.map((arn) => `${arn} (tagged)`)];
            lines.push(
              `${spec.name}: after destroy, ${report.probed} resources probed through the SDK, ` +
                `tag sweep in ${1 + Object.keys(facts.aliases).length} region(s): ${left.length} left` +
                (report.unprobed.length > 0 ? `; no probe for ${report.unprobed.join(', ')}` : '') +
                (report.kept.length > 0 ? `; kept on purpose: ${report.kept.join(', ')}` : ''),
            );
            if (left.length > 0) throw new StepFailure(`left after destroy: ${left.join(', ')}`);
          });
        },
      };
    },

    async finish(outcomes) {
      const planned = outcomes.filter((o) =>
        collectPlan(
          resultsDir,
          o.name,
          o.dir,
          backendType(selection.specs.find((s) => s.name === o.name)!.json),
        ),
      );
      if (planned.length > 0) {
        const summary = checkPlanSummary(
          resultsDir,
          planned.map((o) => ({
            stack: o.name,
            creates: (o.copy?.total ?? 0) - (o.copy?.excluded.length ?? 0),
          })),
        );
        lines.push(summary.line);
        failures.push(...summary.problems);
      }
      if (drift) {
        const clean = outcomes.filter((o) => o.failures.length === 0).map((o) => o.name);
        const report = checkDriftReport(driftDir, drift.stack, drift.address, cleanDir, clean);
        lines.push(report.line);
        failures.push(...report.problems);
      } else if (driftStack) {
        failures.push(`the drift check on ${driftStack} did not run`);
      }
      return { lines, failures };
    },
  };
}
