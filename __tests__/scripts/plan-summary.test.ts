import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GITHUB_COMMENT_LIMIT,
  countChanges,
  countsFromText,
  loadResults,
  readSections,
  renderSummary,
  shareBudget,
  type PlanJson,
  type StackResult,
} from '../../scripts/plan-summary';
import { driftExitCode, driftMarker, renderDriftReport } from '../../scripts/drift-report';

/** Shaped like `terraform show -json plan.out` (format 1.2): only the fields that matter here. */
const planJson: PlanJson = {
  resource_drift: [{ address: 'aws_s3_bucket.state', change: { actions: ['update'] } }],
  resource_changes: [
    { address: 'aws_vpc.main', change: { actions: ['create'] } },
    { address: 'aws_subnet.a', change: { actions: ['create'] } },
    { address: 'aws_s3_bucket.state', change: { actions: ['update'] } },
    { address: 'aws_eks_cluster.main', change: { actions: ['delete', 'create'] } },
    { address: 'aws_iam_role.old', change: { actions: ['delete'] } },
    { address: 'aws_kms_key.logs', change: { actions: ['no-op'] } },
    { address: 'data.aws_caller_identity.me', change: { actions: ['read'] } },
    { address: 'aws_ecr_repository.app', change: { actions: ['no-op'], importing: { id: 'app' } } },
  ],
};

function writeStack(
  dir: string,
  stack: string,
  files: { exitcode: string; text?: string; json?: PlanJson; backend?: string; note?: string },
): void {
  mkdirSync(join(dir, stack), { recursive: true });
  writeFileSync(join(dir, stack, 'exitcode'), `${files.exitcode}\n`);
  if (files.text !== undefined) writeFileSync(join(dir, stack, 'plan.txt'), files.text);
  if (files.json) writeFileSync(join(dir, stack, 'plan.json'), JSON.stringify(files.json));
  if (files.backend) writeFileSync(join(dir, stack, 'backend'), `${files.backend}\n`);
  if (files.note) writeFileSync(join(dir, stack, 'note'), `${files.note}\n`);
}

function result(
  stack: string,
  planText: string,
  status: StackResult['status'] = 'changes',
): StackResult {
  return {
    stack,
    status,
    planText,
    counts: countsFromText(planText),
    changedResources: [],
    driftedResources: [],
  };
}

describe('counting changes', () => {
  it('counts a replacement as one add and one destroy, ignores reads and no-ops', () => {
    expect(countChanges(planJson)).toEqual({ add: 3, change: 1, destroy: 2, import: 1 });
    expect(countChanges({})).toEqual({ add: 0, change: 0, destroy: 0, import: 0 });
  });

  it('reads the counts from plan text, as Terraform Cloud prints them', () => {
    expect(countsFromText('...\nPlan: 2 to add, 1 to change, 0 to destroy.\n')).toEqual({
      add: 2,
      change: 1,
      destroy: 0,
      import: 0,
    });
    expect(countsFromText('Plan: 1 to import, 0 to add, 3 to change, 4 to destroy.')).toEqual({
      add: 0,
      change: 3,
      destroy: 4,
      import: 1,
    });
    expect(countsFromText('No changes. Your infrastructure matches the configuration.')).toEqual({
      add: 0,
      change: 0,
      destroy: 0,
      import: 0,
    });
    expect(countsFromText('Error: Failed to query available provider packages')).toBeUndefined();
  });
});

describe('loadResults + renderSummary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plan-summary-'));
  writeStack(dir, 'bootstrap', { exitcode: '0', text: 'No changes.', json: {}, backend: 's3' });
  writeStack(dir, 'dev-infra', {
    exitcode: '2',
    text: 'Plan: 3 to add...',
    json: planJson,
    backend: 's3',
  });
  writeStack(dir, 'dev-workloads', {
    exitcode: '1',
    text: 'Error: Unsupported argument\n```\nfence breaker\n```',
    backend: 'cloud',
  });
  writeStack(dir, 'prod-infra', {
    exitcode: '2',
    text: 'Running plan in HCP Terraform...\nPlan: 1 to add, 0 to change, 0 to destroy.',
    backend: 'cloud',
  });
  const order = ['bootstrap', 'dev-infra', 'dev-workloads', 'prod-infra'];

  it('keeps the given dependency order and derives the status from the exit code', () => {
    const results = loadResults(dir, order);
    expect(results.map((r) => [r.stack, r.status])).toEqual([
      ['bootstrap', 'no-changes'],
      ['dev-infra', 'changes'],
      ['dev-workloads', 'failed'],
      ['prod-infra', 'changes'],
    ]);
    expect(results[1]?.counts).toEqual({ add: 3, change: 1, destroy: 2, import: 1 });
    expect(results[2]?.counts).toBeUndefined();
    expect(results[3]?.counts).toEqual({ add: 1, change: 0, destroy: 0, import: 0 });
    expect(results[1]?.driftedResources).toEqual(['aws_s3_bucket.state: update']);
    expect(results[1]?.changedResources).toContain('aws_eks_cluster.main: delete+create');
    expect(results[1]?.changedResources).not.toContain('aws_kms_key.logs: no-op');
  });

  it('renders a marker, a count table and every plan folded in <details>', () => {
    const md = renderSummary(loadResults(dir, order), { marker: '<!-- tf-plan -->' });
    expect(md.startsWith('<!-- tf-plan -->\n## Terraform plan')).toBe(true);
    expect(md).toContain('4 stack(s) in dependency order · 2 with changes · 1 failed');
    expect(md).toContain('| 2 | `dev-infra` | s3 | 📝 changes | 3 | 1 | 2 | 1 |');
    expect(md).toContain('| 3 | `dev-workloads` | cloud | ❌ failed | – | – | – | – |');
    expect(md.match(/<details>/g)).toHaveLength(4);
    // The plan contains a ``` fence; the summary's own fence must be longer so it stays closed.
    expect(md).toContain('````text\nError: Unsupported argument');
    expect(md.indexOf('`bootstrap`')).toBeLessThan(md.indexOf('`prod-infra`'));
  });

  it('alphabetical order without an order file', () => {
    expect(loadResults(dir).map((r) => r.stack)).toEqual(order);
  });
});

describe('fitting the GitHub comment limit', () => {
  it('shares the budget: short plans stay whole, long ones split the rest', () => {
    expect(shareBudget([100, 5000, 20000], 10100)).toEqual([100, 5000, 5000]);
    expect(shareBudget([10, 20], 1000)).toEqual([10, 20]);
    expect(shareBudget([500, 500], 0)).toEqual([0, 0]);
  });

  it('truncates huge plans so the body stays under the limit, and says so', () => {
    const huge = `${'  + resource "aws_thing" "x" {}\n'.repeat(10_000)}Plan: 10000 to add, 0 to change, 0 to destroy.`;
    const results = [
      result('dev-infra', huge),
      result('dev-workloads', 'Plan: 1 to add, 0 to change, 0 to destroy.'),
      result('prod-infra', huge),
    ];
    const md = renderSummary(results, { marker: '<!-- m -->' });
    expect(huge.length).toBeGreaterThan(GITHUB_COMMENT_LIMIT);
    expect(md.length).toBeLessThanOrEqual(65_000);
    expect(md.length).toBeGreaterThan(60_000);
    expect(md).toMatch(/more characters truncated; the full plan is in the job log/);
    // The small plan is untouched and counts come from the full text, not the truncated one.
    expect(md).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');
    expect(md).toContain('| 1 | `dev-infra` |  | 📝 changes | 10000 | 0 | 0 | 0 |');
    expect(md.match(/<\/details>/g)).toHaveLength(3);
  });

  it('never exceeds a small explicit limit either', () => {
    const results = Array.from({ length: 30 }, (_, i) => result(`s${i}`, 'x'.repeat(5000)));
    for (const maxChars of [500, 5_000, 20_000]) {
      expect(renderSummary(results, { maxChars }).length).toBeLessThanOrEqual(maxChars);
    }
  });
});

describe('a stack whose dependency was never applied', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plan-blocked-'));
  writeStack(dir, 'dev-infra', {
    exitcode: '2',
    text: 'Plan: 90 to add, 0 to change, 0 to destroy.',
  });
  writeStack(dir, 'dev-workloads', {
    exitcode: 'blocked',
    text: 'Not planned: dev-infra has never been applied (no state), so there are no outputs to read.',
    note: 'planned without refresh',
  });
  writeStack(dir, 'prod-infra', { exitcode: '1', text: 'Error: boom' });
  const results = loadResults(dir, ['dev-infra', 'dev-workloads', 'prod-infra']);

  it('is reported as blocked, not failed, and says why', () => {
    expect(results.map((r) => r.status)).toEqual(['changes', 'blocked', 'failed']);
    const md = renderSummary(results);
    expect(md).toContain('3 stack(s) in dependency order · 1 with changes · 1 failed · 1 blocked');
    expect(md).toContain(
      '| 2 | `dev-workloads` |  | ⏸️ blocked (dependency not applied) | – | – | – | – |',
    );
    expect(md).toContain('Only failed stacks fail the check.');
    expect(md).toContain('- `dev-workloads`: planned without refresh');
    expect(md).toContain('dev-infra has never been applied');
  });

  it('is not drift either: a stack that was never deployed cannot drift', () => {
    expect(driftExitCode([results[1]!])).toBe(0);
    expect(driftExitCode(results)).toBe(1);
    const body = renderDriftReport('dev', results.slice(0, 2));
    expect(body).toContain(
      'Not deployed yet (a dependency has no state), so not checked: `dev-workloads`.',
    );
    expect(body).not.toContain('### `dev-workloads`');
  });
});

describe('one budget for the whole pull-request comment', () => {
  const huge = `${'  + resource "aws_thing" "x" {}\n'.repeat(10_000)}Plan: 10000 to add, 0 to change, 0 to destroy.`;
  const results = [result('dev-infra', huge), result('prod-infra', huge)];
  // As large as a first full plan's policy report and cost estimate.
  const policy = `## Policy\n\n${'| CKV_AWS_1 | pass | aws_s3_bucket.x |\n'.repeat(220)}`;
  const cost = `## Cost estimate\n\n${'| aws_codebuild_project | 0.01/min |\n'.repeat(150)}`;

  it("keeps plans, policy report and cost estimate together under GitHub's limit", () => {
    expect(policy.length).toBeGreaterThan(8_000);
    // The old way: a 65,000-character summary with the reports appended after it.
    const appended = `${renderSummary(results)}\n${policy}\n${cost}`;
    expect(appended.length).toBeGreaterThan(GITHUB_COMMENT_LIMIT);

    const md = renderSummary(results, { marker: '<!-- m -->', sections: [policy, cost] });
    expect(md.length).toBeLessThanOrEqual(65_000);
    expect(md.length).toBeGreaterThan(60_000);
    expect(md).toContain(policy);
    expect(md).toContain(cost);
    // Sections come after the table and before the folded plans.
    expect(md.indexOf('## Cost estimate')).toBeLessThan(md.indexOf('<details>'));
    expect(md.indexOf('| 2 | `prod-infra`')).toBeLessThan(md.indexOf('## Policy'));
  });

  it('cuts an oversized section with a note instead of the comment', () => {
    const hugeSection = `## Cost estimate\n${'x'.repeat(200_000)}`;
    const md = renderSummary(results, { sections: [policy, hugeSection] });
    expect(md.length).toBeLessThanOrEqual(65_000);
    expect(md).toContain(policy);
    expect(md).toContain('## Cost estimate');
    expect(md).toMatch(/more characters truncated/);
    for (const maxChars of [2_000, 10_000]) {
      expect(
        renderSummary(results, { maxChars, sections: [policy, cost] }).length,
      ).toBeLessThanOrEqual(maxChars);
    }
  });

  it('the CLI reads the sections from files, and a larger budget keeps everything for the job summary', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plan-cli-'));
    writeStack(join(dir, 'results'), 'dev-infra', { exitcode: '2', text: huge });
    writeFileSync(join(dir, 'policy-report.md'), policy);
    writeFileSync(join(dir, 'cost-estimate.md'), cost);
    const run = (...extra: string[]) =>
      execFileSync(
        process.execPath,
        [
          '--import',
          'tsx',
          join(__dirname, '../../scripts/plan-summary.ts'),
          '--results',
          join(dir, 'results'),
          '--sections',
          [
            join(dir, 'policy-report.md'),
            join(dir, 'cost-estimate.md'),
            join(dir, 'missing.md'),
          ].join(','),
          ...extra,
        ],
        { encoding: 'utf8' },
      );
    const comment = run('--marker', '<!-- terraform-plan-summary -->');
    expect(comment.length).toBeLessThanOrEqual(65_001);
    expect(comment).toContain('## Cost estimate');
    expect(comment).toContain('missing.md was not produced by this run');
    // The job summary's budget (--max-chars 900000) keeps the whole plan.
    const full = renderSummary(loadResults(join(dir, 'results')), {
      maxChars: 900_000,
      sections: readSections([join(dir, 'policy-report.md')]),
    });
    expect(full).toContain(huge);
    expect(full).toContain(policy);
  });
});

describe('drift report', () => {
  const clean = { ...result('prod-infra', 'No changes.', 'no-changes') };
  const drifted: StackResult = {
    ...result('prod-workloads', 'Plan: 0 to add, 1 to change, 0 to destroy.'),
    changedResources: ['aws_security_group.alb: update'],
    driftedResources: ['aws_security_group.alb: update'],
  };

  it('exits 0 clean, 2 on drift, 1 on a failed plan', () => {
    expect(driftExitCode([clean])).toBe(0);
    expect(driftExitCode([clean, drifted])).toBe(2);
    expect(driftExitCode([drifted, result('x', 'Error', 'failed')])).toBe(1);
  });

  it('lists the drifted resources under the environment marker', () => {
    const body = renderDriftReport('prod', [clean, drifted], { runUrl: 'https://run/1' });
    expect(body.startsWith(driftMarker('prod'))).toBe(true);
    expect(body).toContain('### `prod-workloads`');
    expect(body).not.toContain('### `prod-infra`');
    expect(body).toContain('- `aws_security_group.alb: update`');
    expect(body).toContain('Detected by https://run/1.');
    expect(body.length).toBeLessThanOrEqual(65_000);
  });
});
