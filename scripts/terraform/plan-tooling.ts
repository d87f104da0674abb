/**
 * Feeds the real plans of the emulator run into the project's plan summary and drift report
 * (scripts/plan-summary.ts and scripts/drift-report.ts, what plan.yml and drift.yml run), in the
 * result-directory layout the terraform-stacks action writes, and checks what they report against
 * what Terraform did. Also makes one real drift: an SDK change behind Terraform's back, then a
 * `plan -detailed-exitcode` that must see it.
 */
import { PutRetentionPolicyCommand } from '@aws-sdk/client-cloudwatch-logs';
import { PutImageTagMutabilityCommand } from '@aws-sdk/client-ecr';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { driftExitCode, renderDriftReport } from '../drift-report';
import { GITHUB_COMMENT_LIMIT, loadResults, renderSummary } from '../plan-summary';
import type { RegionClients } from './aws-clients';
import type { StateResource } from './stack-run';

/** One stack's result directory, as .github/actions/terraform-stacks writes it. */
export function writeResult(
  resultsDir: string,
  stack: string,
  files: { exitcode: number; planText: string; planJson?: string; backend: string },
): void {
  const dir = join(resultsDir, stack);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'exitcode'), `${files.exitcode}\n`);
  writeFileSync(join(dir, 'plan.txt'), files.planText);
  if (files.planJson !== undefined) writeFileSync(join(dir, 'plan.json'), files.planJson);
  writeFileSync(join(dir, 'backend'), `${files.backend}\n`);
}

/** Copies a stack's first plan (text + JSON) into the results layout; false when it has none. */
export function collectPlan(
  resultsDir: string,
  stack: string,
  stackDir: string,
  backend: string,
): boolean {
  const text = join(stackDir, 'plan.txt');
  const json = join(stackDir, 'plan.json');
  if (!existsSync(text) || !existsSync(json)) return false;
  writeResult(resultsDir, stack, {
    exitcode: 2,
    planText: readFileSync(text, 'utf8'),
    planJson: readFileSync(json, 'utf8'),
    backend,
  });
  return true;
}

/**
 * Checks the plan summary over the first plans: every stack shows changes, its add count equals
 * the resources Terraform planned to create, and the Markdown fits GitHub's comment limit.
 */
export function checkPlanSummary(
  resultsDir: string,
  expected: ReadonlyArray<{ stack: string; creates: number }>,
): { problems: string[]; line: string } {
  const order = expected.map((e) => e.stack);
  const results = loadResults(resultsDir, order);
  const markdown = renderSummary(results, { title: 'Terraform plan (emulator)' });
  const problems: string[] = [];
  for (const { stack, creates } of expected) {
    const result = results.find((r) => r.stack === stack);
    if (!result) problems.push(`plan summary: ${stack} missing`);
    else {
      if (result.status !== 'changes')
        problems.push(`plan summary: ${stack} is "${result.status}"`);
      if (result.counts?.add !== creates) {
        problems.push(
          `plan summary: ${stack} shows ${result.counts?.add ?? '–'} to add, Terraform planned ${creates}`,
        );
      }
      if (result.changedResources.length !== creates) {
        problems.push(
          `plan summary: ${stack} lists ${result.changedResources.length} changed resources, expected ${creates}`,
        );
      }
      if (!markdown.includes(`\`${stack}\``)) problems.push(`plan summary: no row for ${stack}`);
    }
  }
  if (markdown.length > GITHUB_COMMENT_LIMIT) {
    problems.push(`plan summary is ${markdown.length} characters, over GitHub's limit`);
  }
  const total = expected.reduce((sum, e) => sum + e.creates, 0);
  return {
    problems,
    line: `plan summary (scripts/plan-summary.ts) over ${expected.length} real plan(s): ${total} to add, ${markdown.length} characters`,
  };
}

/** A change made behind Terraform's back, per resource type, and the attribute it touches. */
interface Perturbation {
  readonly type: string;
  readonly describe: string;
  apply(clients: RegionClients, values: Record<string, unknown>): Promise<void>;
}

export const PERTURBATIONS: readonly Perturbation[] = [
  {
    type: 'aws_ecr_repository',
    describe: 'image tag mutability flipped with ecr:PutImageTagMutability',
    async apply(c, v) {
      await c.ecr.send(
        new PutImageTagMutabilityCommand({
          repositoryName: String(v.name),
          imageTagMutability: v.image_tag_mutability === 'MUTABLE' ? 'IMMUTABLE' : 'MUTABLE',
        }),
      );
    },
  },
  {
    type: 'aws_cloudwatch_log_group',
    describe: 'retention changed with logs:PutRetentionPolicy',
    async apply(c, v) {
      await c.logs.send(
        new PutRetentionPolicyCommand({
          logGroupName: String(v.name),
          retentionInDays: v.retention_in_days === 1 ? 3 : 1,
        }),
      );
    },
  },
];

/** The first resource of a state that a perturbation exists for. */
export function driftTarget(
  resources: readonly StateResource[],
): { resource: StateResource; perturbation: Perturbation } | undefined {
  for (const perturbation of PERTURBATIONS) {
    const resource = resources.find((r) => r.type === perturbation.type);
    if (resource) return { resource, perturbation };
  }
  return undefined;
}

/**
 * Checks the drift report over a real drifted plan (exit 2) and the real clean re-plans (exit 0):
 * it must exit 2, name the drifted resource as changed outside Terraform, and be clean for the
 * clean stacks.
 */
export function checkDriftReport(
  driftDir: string,
  stack: string,
  address: string,
  cleanDir: string,
  cleanStacks: readonly string[],
): { problems: string[]; line: string } {
  const problems: string[] = [];
  const drifted = loadResults(driftDir, [stack]);
  const code = driftExitCode(drifted);
  const report = renderDriftReport(stack, drifted);
  if (code !== 2) problems.push(`drift report exits ${code} for a drifted stack, expected 2`);
  if (!drifted[0]?.driftedResources.some((r) => r.startsWith(`${address}:`))) {
    problems.push(`drift report does not list ${address} as changed outside Terraform`);
  }
  if (!report.includes(`\`${address}: update\``)) {
    problems.push(`drift report body does not name ${address}`);
  }
  const clean = loadResults(cleanDir, [...cleanStacks]);
  const cleanCode = driftExitCode(clean);
  if (cleanStacks.length > 0 && cleanCode !== 0) {
    problems.push(`drift report exits ${cleanCode} over the empty re-plans, expected 0`);
  }
  return {
    problems,
    line:
      `drift report (scripts/drift-report.ts): ${address} changed behind Terraform's back → exit ${code}; ` +
      `${cleanStacks.length} clean re-plan(s) → exit ${cleanCode}`,
  };
}
