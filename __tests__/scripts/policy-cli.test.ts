import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parsePolicyArgs, reportFor } from '../../scripts/policy';
import type { JsonReport } from '../../scripts/policy/format';
import { MARKDOWN_MARKER, MARKDOWN_ROW_LIMIT } from '../../scripts/policy/format';
import {
  REPO_ROOT,
  synthesizeInProcess,
  type SynthOutput,
} from '../../scripts/diagram/synth-output';
import { allRules } from '../../policy/registry';
import type { PolicyWaiver, TerraformJson } from '../../policy/types';

const run = promisify(execFile);

/** A stack with an S3 bucket that has none of its companion resources: several rules fail. */
const badJson: TerraformJson = {
  resource: {
    aws_s3_bucket: {
      bad: {
        '//': { metadata: { path: 'prod-bad/logs/bucket' } },
        bucket: 'wide-open',
      },
    },
  },
};

function badOutput(environment = 'prod'): SynthOutput {
  return {
    source: 'fixture',
    stacks: [{ name: `${environment}-bad`, environment, dependencies: [], json: badJson }],
  };
}

/** Writes a cdktf-like output directory (manifest + one stack) for the CLI to read. */
function writeOutDir(stacks: Record<string, TerraformJson>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'policy-cli-'));
  const manifest: { stacks: Record<string, object> } = { stacks: {} };
  for (const [name, json] of Object.entries(stacks)) {
    mkdirSync(path.join(dir, 'stacks', name), { recursive: true });
    writeFileSync(path.join(dir, 'stacks', name, 'cdk.tf.json'), JSON.stringify(json));
    manifest.stacks[name] = {
      name,
      synthesizedStackPath: `stacks/${name}/cdk.tf.json`,
      dependencies: [],
    };
  }
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [
        path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
        'scripts/policy.ts',
        ...args,
      ],
      { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

const table = { format: 'table', onlyFailures: false, colour: false } as const;

describe('npm run policy on a deliberately bad stack', () => {
  it('exits 1 and lists the failing rules with the resource and the reason (subprocess)', async () => {
    const dir = writeOutDir({ 'prod-bad': badJson });
    const { code, stdout } = await cli(['--out-dir', dir]);
    expect(code).toBe(1);
    const failing = stdout.split('\n').filter((line) => /\bFAIL\b/.test(line));
    expect(
      failing.some((line) => line.startsWith('CKV2_AWS_6 ') && line.includes('aws_s3_bucket.bad')),
    ).toBe(true);
    expect(
      failing.some((line) => line.startsWith('CKV_AWS_21 ') && line.includes('prod-bad')),
    ).toBe(true);
    expect(stdout).toMatch(/\d+ checks, \d+ passed, 0 waived, [1-9]\d* failed/);
    expect(stdout).toContain('Failed:\n');
  }, 60_000);

  it('prints JSON for machines with the same verdict (subprocess)', async () => {
    const dir = writeOutDir({ 'prod-bad': badJson });
    const { code, stdout } = await cli(['--out-dir', dir, '--json']);
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as JsonReport;
    expect(report.summary.stacks).toEqual(['prod-bad']);
    expect(report.summary.rules).toBe(allRules.length);
    expect(report.summary.failed).toBeGreaterThan(0);
    expect(report.summary.checks).toBe(report.results.length);
    const publicAccess = report.results.find((result) => result.ruleId === 'CKV2_AWS_6');
    expect(publicAccess).toMatchObject({
      status: 'fail',
      environment: 'prod',
      stackName: 'prod-bad',
      address: 'aws_s3_bucket.bad',
      constructPath: 'prod-bad/logs/bucket',
    });
    expect(publicAccess?.message).toBeTruthy();
  }, 60_000);

  it('exits 2 on an unknown environment or contradictory flags', async () => {
    const dir = writeOutDir({ 'prod-bad': badJson });
    const { code, stderr } = await cli(['--out-dir', dir, '--env', 'qa']);
    expect(code).toBe(2);
    expect(stderr).toContain('no stacks for environment qa');
    expect(() => parsePolicyArgs(['--json', '--markdown'])).toThrow(/one of --json and --markdown/);
  }, 60_000);

  it('shows only failures with --only-failures, still counting everything', () => {
    const all = reportFor(badOutput(), table);
    const failuresOnly = reportFor(badOutput(), { ...table, onlyFailures: true });
    expect(all.report.counts.failed).toBeGreaterThan(0);
    const rows = (text: string) => text.split('\n').filter((line) => /^(CKV2?|HP)_/.test(line));
    expect(rows(failuresOnly.output).every((line) => /\bFAIL\b/.test(line))).toBe(true);
    expect(rows(failuresOnly.output)).toHaveLength(all.report.counts.failed);
    expect(failuresOnly.output).toContain(`${all.report.counts.checks} checks`);
  });

  it('writes a compact Markdown comment: counts, failures table, passes folded', () => {
    const { output, exitCode } = reportFor(badOutput(), { ...table, format: 'markdown' });
    expect(exitCode).toBe(1);
    const lines = output.split('\n');
    expect(lines[0]).toBe(MARKDOWN_MARKER);
    expect(lines[1]).toMatch(/^### Policy report: ❌ \d+ failed$/);
    expect(output).toContain('| Environment | Passed | Waived | Failed |');
    expect(output).toMatch(/\| prod \| \d+ \| 0 \| [1-9]\d* \|/);
    expect(output).toContain('#### Failures');
    expect(output).toMatch(
      /\| `CKV2_AWS_6` \| .+ \| prod \| `prod-bad` `aws_s3_bucket.bad` \| .+ \|/,
    );
    expect(output).toContain('<details>');
    expect(output).not.toContain('#### Waivers');
  });

  it("keeps the comment under GitHub's 65,536 characters however much fails", () => {
    const buckets: Record<string, Record<string, unknown>> = {};
    for (let index = 0; index < 300; index += 1) buckets[`bad_${index}`] = { bucket: `b-${index}` };
    const many: SynthOutput = {
      source: 'fixture',
      stacks: [
        {
          name: 'prod-bad',
          environment: 'prod',
          dependencies: [],
          json: { resource: { aws_s3_bucket: buckets } },
        },
      ],
    };
    const { output, report } = reportFor(many, { ...table, format: 'markdown' });
    expect(report.counts.failed).toBeGreaterThan(MARKDOWN_ROW_LIMIT);
    expect(output.length).toBeLessThan(65_536);
    expect(output).toContain(`…and ${report.counts.failed - MARKDOWN_ROW_LIMIT} more`);
  });

  it('applies waivers (non-prod, with reason), exits 0 when all failures are waived, flags stale ones', () => {
    const failing = reportFor(badOutput('dev'), table).report.results.filter(
      (result) => result.status === 'fail',
    );
    const waivers: PolicyWaiver[] = [...new Set(failing.map((result) => result.ruleId))].map(
      (ruleId) => ({
        ruleId,
        environment: 'dev',
        address: /^aws_s3_bucket\.bad$/,
        reason: `accepted in dev: ${ruleId}`,
      }),
    );
    const stale: PolicyWaiver = {
      ruleId: 'CKV_AWS_7',
      environment: 'dev',
      address: /nothing/,
      reason: 'left over',
    };
    const result = reportFor(badOutput('dev'), table, allRules, [...waivers, stale]);
    expect(result.exitCode).toBe(0);
    expect(result.report.counts).toMatchObject({ failed: 0, waived: failing.length });
    expect(result.output).toMatch(/\bwaived\b.*accepted in dev: CKV2_AWS_6/);
    expect(result.output).toContain(
      'warning: waiver matches no failing resource, remove it: CKV_AWS_7 dev',
    );
    const markdown = reportFor(
      badOutput('dev'),
      { ...table, format: 'markdown' },
      allRules,
      waivers,
    );
    expect(markdown.output).toContain('### Policy report: ✅ all checks pass');
    expect(markdown.output).toContain('#### Waivers');
    expect(markdown.output).toContain('accepted in dev: CKV2_AWS_6');
  });
});

describe('npm run policy shows checks that are not applicable or not evaluated, never as passes', () => {
  /**
   * An RDS MySQL instance without Performance Insights (three RDS rules do not apply) and a chart
   * without a pod model (eight Kubernetes container rules cannot look inside; the two release
   * rules do not apply to a chart that uses no Pod Identity and serves no application of ours).
   */
  const mixedJson: TerraformJson = {
    resource: {
      aws_db_instance: {
        mysql: {
          engine: 'mysql',
          storage_encrypted: true,
          iam_database_authentication_enabled: true,
          backup_retention_period: 3,
          skip_final_snapshot: true,
        },
      },
      helm_release: {
        redis: {
          chart: 'redis',
          repository: 'oci://registry-1.docker.io/bitnamicharts',
          version: '20.0.0',
          values: ['{}'],
        },
      },
    },
  };
  const mixed: SynthOutput = {
    source: 'fixture',
    stacks: [{ name: 'dev-mixed', environment: 'dev', dependencies: [], json: mixedJson }],
  };

  it('counts them apart in the table, lists what nobody inspected, and exits 0', () => {
    const { output, report, exitCode } = reportFor(mixed, table);
    expect(exitCode).toBe(0);
    expect(report.counts).toMatchObject({ failed: 0, notApplicable: 5, notEvaluated: 8 });
    expect(report.counts.passed + report.counts.notApplicable + report.counts.notEvaluated).toBe(
      report.counts.checks,
    );
    const row = (id: string) => output.split('\n').find((line) => line.startsWith(`${id} `)) ?? '';
    expect(row('CKV2_AWS_69')).toMatch(/ n\/a +dev .+engine mysql is not PostgreSQL$/);
    expect(row('CKV_K8S_6')).toMatch(/ not-evaluated +dev .+redis has no pod model/);
    expect(output).toMatch(
      /\d+ checks, \d+ passed, 0 waived, 0 failed, 5 not applicable, 8 not evaluated/,
    );
    const unevaluated = output.split(
      'Not evaluated (nobody inspected these; they are not passes):\n',
    )[1];
    expect(unevaluated?.split('\n').filter((line) => line.startsWith('  CKV_K8S_'))).toHaveLength(
      8,
    );
  });

  it('gives the counts and statuses in JSON and Markdown', () => {
    const json = JSON.parse(reportFor(mixed, { ...table, format: 'json' }).output) as JsonReport;
    expect(json.summary).toMatchObject({ notApplicable: 5, notEvaluated: 8, failed: 0 });
    expect(json.results.filter((r) => r.status === 'not-evaluated')).toHaveLength(8);
    const markdown = reportFor(mixed, { ...table, format: 'markdown' }).output;
    expect(markdown).toContain(
      '| Environment | Passed | Waived | Failed | Not applicable | Not evaluated |',
    );
    expect(markdown).toMatch(/\| dev \| \d+ \| 0 \| 0 \| 5 \| 8 \|/);
    expect(markdown).toContain('#### Not evaluated');
    expect(markdown).toMatch(
      /\| `CKV_K8S_6` \| .+ \| dev \| `dev-mixed` `helm_release.redis` \| .+no pod model.+ \|/,
    );
    expect(markdown).toContain('5 not-applicable checks by rule');
  });
});

describe('npm run policy on the synthesized platform', () => {
  let output: SynthOutput;
  beforeAll(async () => {
    output = await synthesizeInProcess();
  }, 120_000);

  it('checks every stack and passes (waived checks are not failures)', () => {
    expect(output.stacks).toHaveLength(7);
    const result = reportFor(output, table);
    expect(result.report.stacks).toEqual(output.stacks.map((stack) => stack.name));
    for (const stack of output.stacks) {
      expect(result.report.results.some((row) => row.stackName === stack.name)).toBe(true);
    }
    const failures = result.report.results
      .filter((row) => row.status === 'fail')
      .map((row) => `${row.ruleId} ${row.stackName} ${row.address}: ${row.message}`);
    expect(failures).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.output.split('\n')[0]).toMatch(
      /^RULE +STATUS +ENV +STACK +RESOURCE +TITLE +REASON$/,
    );
    expect(result.report.unusedWaivers).toEqual([]);
  });

  it('gives JSON whose summary adds up', () => {
    const { output: text } = reportFor(output, { ...table, format: 'json' });
    const report = JSON.parse(text) as JsonReport;
    const { checks, passed, waived, failed, notApplicable, notEvaluated } = report.summary;
    expect(checks).toBeGreaterThan(0);
    expect(passed + waived + failed + notApplicable + notEvaluated).toBe(checks);
    expect(report.results).toHaveLength(checks);
    // Rules that do not concern a resource say so rather than passing it.
    expect(notApplicable).toBeGreaterThan(0);
    expect(notEvaluated).toBe(0);
    expect(report.results.every((row) => row.constructPath?.startsWith(`${row.stackName}/`))).toBe(
      true,
    );
  });
});

/**
 * The policy set's floor: at least 40 rules across these areas, each with a test that shows it failing. An area
 * counts as covered by a rule that inspects one of its resource types (`*` rules count for none).
 */
const AREAS: Record<string, RegExp> = {
  S3: /^aws_s3_/,
  KMS: /^aws_kms_/,
  CloudWatch: /^aws_cloudwatch_/,
  VPC: /^aws_(vpc|subnet|flow_log|default_security_group|network_acl|route_table|vpc_endpoint)$/,
  'security groups':
    /^aws_(security_group|security_group_rule|vpc_security_group_(ingress|egress)_rule)$/,
  IAM: /^aws_iam_/,
  EKS: /^aws_eks_/,
  'launch templates': /^aws_launch_template$/,
  RDS: /^aws_(db_instance|rds_cluster|db_)/,
  'ALB/WAF': /^aws_(lb|alb|lb_listener|alb_listener|wafv2_.+)$/,
  ECR: /^aws_ecr_/,
  SNS: /^aws_sns_/,
  Kubernetes: /^(kubernetes_|helm_release$)/,
};

describe('the policy registry', () => {
  it('has at least 40 rules with unique ids', () => {
    const ids = allRules.map((rule) => rule.id);
    expect(ids.length).toBeGreaterThanOrEqual(40);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^(CKV2?_(AWS|K8S)_\d+|HP_[A-Z0-9]+_\d+)$/);
  });

  it('covers every area the issue lists', () => {
    const uncovered = Object.entries(AREAS)
      .filter(
        ([, pattern]) =>
          !allRules.some((rule) => rule.resourceTypes.some((type) => pattern.test(type))),
      )
      .map(([area]) => area);
    expect(uncovered).toEqual([]);
  });

  it('has every rule named in a rule test file', () => {
    const dir = path.join(REPO_ROOT, '__tests__', 'policy', 'rules');
    const tests = readdirSync(dir)
      .filter((file) => file.endsWith('.test.ts'))
      .map((file) => readFileSync(path.join(dir, file), 'utf8'))
      .join('\n');
    const untested = allRules
      .map((rule) => rule.id)
      .filter((id) => !new RegExp(`\\b${id}\\b`).test(tests));
    expect(untested).toEqual([]);
  });
});
