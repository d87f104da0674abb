import { execFile } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { ENVIRONMENT_NAMES } from '../../config/schema';
import type { TerraformJson } from '../../policy/types';
import { estimateWithConfig, main, parseCostArgs, render } from '../../scripts/cost';
import { knownTypes } from '../../scripts/cost/catalogue';
import {
  committedPricedDay,
  DOC_MARKERS,
  DOC_TARGETS,
  formattedSection,
  outdatedDocs,
  pricedDayOf,
  README_MARKERS,
  sectionOf,
  spliceSection,
  type DocTarget,
} from '../../scripts/cost/docs';
import type { CostEstimate } from '../../scripts/cost/model';
import {
  REPO_ROOT,
  synthesizeInProcess,
  type SynthOutput,
} from '../../scripts/diagram/synth-output';

const run = promisify(execFile);

let shipped: SynthOutput;
let estimate: CostEstimate;
/** The day the committed README section was priced for (the drift check prices that day too). */
let pricedDay: string;

beforeAll(async () => {
  shipped = await synthesizeInProcess();
  pricedDay = committedPricedDay() ?? '';
  estimate = estimateWithConfig(shipped, pricedDay);
});

describe('npm run cost over the shipped config', () => {
  it('prices every resource of every stack: nothing unpriced', () => {
    expect(pricedDay).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const unpriced = estimate.environments.flatMap((environment) =>
      environment.stacks.flatMap((stack) => stack.unpriced.map((r) => `${r.address}: ${r.reason}`)),
    );
    expect(unpriced).toEqual([]);
    expect(estimate.unpricedTypes).toEqual([]);
  });

  it('estimates dev, staging and prod (and the per-account stack), prod the most', () => {
    const names = estimate.environments.map((environment) => environment.name);
    expect(names).toEqual([...ENVIRONMENT_NAMES, 'account']);
    const monthly = Object.fromEntries(estimate.environments.map((e) => [e.name, e.monthly]));
    for (const name of names) expect(monthly[name], name).toBeGreaterThan(0);
    expect(monthly.prod).toBeGreaterThan(monthly.staging!);
    expect(monthly.staging).toBeGreaterThan(monthly.dev!);
    for (const environment of estimate.environments) {
      const sum = environment.stacks.reduce((total, stack) => total + stack.monthly, 0);
      expect(environment.monthly).toBeCloseTo(sum, 9);
      expect(environment.unconfirmedMonthly).toBeLessThanOrEqual(environment.monthly);
    }
  });

  it('prices what the issue lists where the stacks create it', () => {
    const prod = estimate.environments.find((environment) => environment.name === 'prod')!;
    const types = new Set(prod.stacks.flatMap((stack) => stack.resources.map((r) => r.type)));
    for (const type of [
      'aws_eks_cluster',
      'aws_eks_node_group',
      'aws_launch_template',
      'aws_nat_gateway',
      'aws_eip',
      'aws_lb',
      'aws_db_instance',
      'aws_kms_key',
      'aws_cloudwatch_metric_alarm',
      'aws_cloudwatch_dashboard',
      'aws_cloudwatch_log_group',
      'aws_route53_health_check',
      'aws_wafv2_web_acl',
      'aws_prometheus_workspace',
      'aws_sns_topic',
      'aws_s3_bucket',
    ]) {
      expect(types.has(type), type).toBe(true);
    }
    const db = prod.stacks
      .flatMap((stack) => stack.resources)
      .find((r) => r.type === 'aws_db_instance')!;
    expect(db.spec).toMatch(/Multi-AZ/);
    expect(db.lines[0]?.quantity).toBe(1460);
    // The health-check alarm, its topic and key live in us-east-1 and are priced there.
    const usEast = prod.stacks
      .flatMap((stack) => stack.resources)
      .filter((r) => r.region === 'us-east-1');
    expect(usEast.map((r) => r.type).sort()).toEqual(
      [
        'aws_cloudwatch_metric_alarm',
        'aws_kms_key',
        'aws_route53_health_check',
        'aws_sns_topic',
        'aws_sns_topic_subscription',
      ].sort(),
    );
    const account = estimate.environments.find((environment) => environment.name === 'account')!;
    expect(account.stacks.flatMap((s) => s.resources.map((r) => r.type))).toContain(
      'aws_ecr_repository',
    );
  });

  it('knows every provider resource class that stacks/ and modules/ import', () => {
    const sources: string[] = [];
    const walk = (entry: string): void => {
      if (statSync(entry).isDirectory())
        readdirSync(entry).forEach((child) => walk(path.join(entry, child)));
      else if (entry.endsWith('.ts')) sources.push(readFileSync(entry, 'utf8'));
    };
    ['stacks', 'modules', 'main.ts'].forEach((entry) => walk(path.join(REPO_ROOT, entry)));
    const modules = new Set(
      sources.flatMap((source) =>
        [...source.matchAll(/'(@cdktf\/provider-[a-z]+\/lib\/[a-z0-9-]+)'/g)].map((m) => m[1]!),
      ),
    );
    const resourceModules = [...modules].filter(
      (name) => !/\/lib\/(provider|data-[a-z0-9-]+)$/.test(name),
    );
    expect(resourceModules.length).toBeGreaterThanOrEqual(60);
    const load = createRequire(__filename);
    const types = resourceModules.flatMap((name) =>
      Object.values(load(name) as Record<string, unknown>)
        .map((exported) => (exported as { tfResourceType?: unknown }).tfResourceType)
        .filter((type): type is string => typeof type === 'string'),
    );
    expect(types.length).toBe(resourceModules.length);
    const known = new Set(knownTypes());
    expect(types.filter((type) => !known.has(type))).toEqual([]);
  });
});

describe('README and docs/cost.md', () => {
  it('hold the estimate of the code (run `npm run cost -- --write-docs` after changing stacks, config or prices)', async () => {
    const outdated = (await outdatedDocs(estimate)).map((file) => path.relative(REPO_ROOT, file));
    expect(outdated).toEqual([]);
    const readme = sectionOf(readFileSync(DOC_TARGETS[0]!.file, 'utf8'), README_MARKERS)!;
    for (const name of ENVIRONMENT_NAMES)
      expect(readme).toMatch(new RegExp(`\\| ${name} +\\| +\\$[\\d,]+ \\|`));
    expect(readme).toContain('[docs/cost.md](docs/cost.md)');
    for (const left of ['data transfer', 'taxes', 'support', 'Savings Plans'])
      expect(readme).toContain(left);
  });

  it('reports a stale or missing section, and splices a new one between the markers', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cost-docs-'));
    const target: DocTarget = { ...DOC_TARGETS[1]!, file: path.join(dir, 'cost.md') };
    const fresh = await formattedSection(target, estimate);
    writeFileSync(
      target.file,
      `# Cost\n\n${DOC_MARKERS.start}\n\n${fresh}\n\n${DOC_MARKERS.end}\n`,
    );
    expect(await outdatedDocs(estimate, [target])).toEqual([]);
    writeFileSync(target.file, `# Cost\n\n${DOC_MARKERS.start}\nold\n${DOC_MARKERS.end}\n`);
    expect(await outdatedDocs(estimate, [target])).toEqual([target.file]);
    writeFileSync(target.file, '# Cost\n');
    expect(await outdatedDocs(estimate, [target])).toEqual([target.file]);
    expect(spliceSection('a', DOC_MARKERS, 'x')).toBeUndefined();
    expect(
      spliceSection(`a\n${DOC_MARKERS.start}\nold\n${DOC_MARKERS.end}\nb`, DOC_MARKERS, 'new'),
    ).toBe(`a\n${DOC_MARKERS.start}\n\nnew\n\n${DOC_MARKERS.end}\nb`);
    expect(pricedDayOf('as of 2026-11-29 (on-demand')).toBe('2026-11-29');
  });
});

/** A cdktf-like output directory (manifest + stacks) for the CLI to read. */
function writeOutDir(stacks: Record<string, TerraformJson['resource']>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cost-cli-'));
  const manifest: { stacks: Record<string, object> } = { stacks: {} };
  for (const [name, resource] of Object.entries(stacks)) {
    mkdirSync(path.join(dir, 'stacks', name), { recursive: true });
    const json: TerraformJson = { provider: { aws: [{ region: 'eu-west-1' }] }, resource };
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

/** Runs the CLI's main() in this process, capturing what it prints. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const log = vi.spyOn(console, 'log').mockImplementation((...parts) => {
    stdout += `${parts.join(' ')}\n`;
  });
  const error = vi.spyOn(console, 'error').mockImplementation((...parts) => {
    stderr += `${parts.join(' ')}\n`;
  });
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    write.mockRestore();
    log.mockRestore();
    error.mockRestore();
  }
}

describe('the cost CLI', () => {
  const base = writeOutDir({ 'prod-infra': { aws_eip: { a: {} } } });
  const head = writeOutDir({
    'prod-infra': { aws_eip: { a: {}, b: {} }, aws_iam_role: { r: {} } },
  });

  it('parses its flags', () => {
    expect(
      parseCostArgs(['--json', '--dir', 'x', '--env', 'dev, prod', '--date', '2026-12-02']),
    ).toEqual({
      format: 'json',
      dir: 'x',
      synth: false,
      environments: ['dev', 'prod'],
      date: '2026-12-02',
      writeDocs: false,
      checkDocs: false,
    });
    expect(parseCostArgs(['--out-dir', 'y']).dir).toBe('y');
    expect(() => parseCostArgs(['--json', '--markdown'])).toThrow('choose one');
    expect(() => parseCostArgs(['--date', 'tomorrow'])).toThrow('YYYY-MM-DD');
    expect(() => parseCostArgs(['--bogus'])).toThrow();
  });

  it('prints the table and the JSON of a synth directory, exit 0 when everything is priced', async () => {
    const table = await cli(['--dir', head, '--date', '2026-11-29']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('== prod: $7.30 per month');
    expect(table.stdout).toContain('free: aws_iam_role ×1');
    expect(table.stderr).toContain(`cost: stacks from ${head}`);
    const json = await cli(['--dir', head, '--json', '--date', '2026-11-29']);
    const parsed = JSON.parse(json.stdout) as CostEstimate;
    expect(parsed.asOf).toBe('2026-11-29');
    expect(parsed.environments[0]?.stacks[0]?.resources).toHaveLength(2);
  });

  it('renders the difference against a base synth', async () => {
    const markdown = await cli([
      '--dir',
      head,
      '--base',
      base,
      '--markdown',
      '--date',
      '2026-11-29',
    ]);
    expect(markdown.code).toBe(0);
    expect(markdown.stdout).toContain('- **prod: $4 → $7 (+$4): +1 aws_eip**');
    const json = JSON.parse((await cli(['--dir', head, '--base', base, '--json'])).stdout) as {
      difference: { environments: { delta: number }[] };
    };
    expect(json.difference.environments[0]?.delta).toBeCloseTo(3.65, 9);
    expect(render(estimate, 'table', estimate)).toContain('Against the base:\n  dev: $');
  });

  it('fails on unpriced resources and on bad input', async () => {
    const unknown = writeOutDir({ 'prod-infra': { aws_magic_box: { m: {} } } });
    const unpriced = await cli(['--dir', unknown]);
    expect(unpriced.code).toBe(1);
    expect(unpriced.stdout).toContain('UNPRICED  aws_magic_box.m');
    expect((await cli(['--dir', head, '--base', path.join(head, 'nope')])).code).toBe(2);
    expect((await cli(['--dir', head, '--env', 'qa'])).stderr).toContain(
      'no stacks for environment qa',
    );
    expect((await cli(['--json', '--markdown'])).code).toBe(2);
  });

  it('runs as `npm run cost` (the real entry point, exit status included)', async () => {
    const unknown = writeOutDir({ 'dev-infra': { aws_magic_box: { m: {} }, aws_eip: { a: {} } } });
    const tsx = path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    // One process for both: it prints the section and still exits 1 on the unpriced resource.
    const failed = await run(
      process.execPath,
      [tsx, 'scripts/cost.ts', '--dir', unknown, '--markdown'],
      {
        cwd: REPO_ROOT,
      },
    ).then(
      () => undefined,
      (error: { code?: number; stdout?: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stdout).toContain('<!-- cost-estimate -->');
    expect(failed?.stdout).toContain('**1 unpriced resources**');
    const scripts = (
      JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    expect(scripts.cost).toBe('tsx scripts/cost.ts');
  });
});

describe('plan.yml cost steps', () => {
  interface Step {
    name?: string;
    uses?: string;
    run?: string;
    id?: string;
    with?: Record<string, unknown>;
    'working-directory'?: string;
    'continue-on-error'?: boolean;
  }
  const workflow = parse(
    readFileSync(path.join(REPO_ROOT, '.github/workflows/plan.yml'), 'utf8'),
  ) as {
    jobs: { plan: { steps: Step[] } };
  };
  const steps = workflow.jobs.plan.steps;
  const index = (predicate: (step: Step) => boolean): number => {
    const found = steps.findIndex(predicate);
    expect(found).toBeGreaterThanOrEqual(0);
    return found;
  };

  it('synthesizes the base branch into its own directory, without failing the job', () => {
    const checkout = steps[index((s) => s.with?.path === '.base')]!;
    expect(checkout.uses).toMatch(/^actions\/checkout@[0-9a-f]{40}$/);
    expect(checkout.with?.ref).toBe('${{ github.event.pull_request.base.sha }}');
    expect(checkout.with?.['persist-credentials']).toBe(false);
    const synth = steps[index((s) => s['working-directory'] === '.base')]!;
    expect(synth['continue-on-error']).toBe(true);
    expect(synth.run).toContain('npm ci');
    expect(synth.run).toContain('cdktf synth --output "$GITHUB_WORKSPACE/base-cdktf.out"');
  });

  it('writes the estimate and the difference to their own file, which the comment includes', () => {
    const synthHead = index((s) => s.run === 'npm run synth');
    const cost = index((s) => !!s.run?.includes('scripts/cost.ts'));
    const summary = index((s) => s.id === 'summary');
    expect(synthHead).toBeLessThan(cost);
    expect(cost).toBeLessThan(summary);
    const costRun = steps[cost]!.run!;
    expect(costRun).toContain('--markdown --dir cdktf.out "${base[@]}" > cost-estimate.md');
    expect(costRun).toContain('base=(--base base-cdktf.out)');
    // The comment's one budget covers the cost section too (scripts/plan-summary.ts --sections).
    expect(steps[summary]!.run).toMatch(/--sections [\w.,-]*cost-estimate\.md/);
  });
});
