import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { orderedStacks, stackOrder, type CdktfManifest } from '../../scripts/stack-order';
import { root, stepsOfAction, type Step } from './workflow-files';

/*
 * The terraform-stacks action's script, run as CI runs it, against a fake `terraform` that logs
 * every call and answers from a small per-stack script: which stacks have state, which plans have
 * changes or fail, which applies fail.
 */

const manifest: CdktfManifest = {
  stacks: Object.fromEntries(
    Object.entries({
      'prod-workloads': ['prod-infra'],
      'dev-workloads': ['dev-infra'],
      'prod-infra': [],
      'dev-infra': [],
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

interface Scenario {
  /** Stacks whose state has no outputs (never applied). Default: none. */
  noState?: string[];
  /** Stacks whose plan exits 2. Default: dev-infra. */
  changes?: string[];
  /** Stacks whose plan fails. Default: prod-workloads. */
  failPlan?: string[];
  /** Stacks whose apply fails and leaves errored.tfstate. Default: none. */
  failApply?: string[];
}

const FAKE_TERRAFORM = `#!/bin/bash
dir="\${1#-chdir=}"; shift; stack="$(basename "$dir")"
echo "$stack $*" >> "$TF_LOG_FILE"
has() { [[ " $1 " == *" $stack "* ]]; }
case "$1" in
  plan)
    for arg in "$@"; do [ "$arg" = -out=tfplan ] && echo "plan of $stack" > "$dir/tfplan"; done
    has "$TF_FAIL_PLAN" && { echo "Error: boom"; exit 1; }
    has "$TF_CHANGES" && { echo "Plan: 1 to add, 0 to change, 0 to destroy."; [[ " $* " == *" -detailed-exitcode "* ]] && exit 2; exit 0; }
    echo "No changes."; exit 0 ;;
  apply)
    has "$TF_FAIL_APPLY" && { echo '{"version":4}' > "$dir/errored.tfstate"; echo "Error: saving state"; exit 1; }
    echo "Apply complete!"; exit 0 ;;
  show) echo '{"resource_changes":[]}' ;;
  output)
    [ "$2" = -json ] && { has "$TF_NO_STATE" && echo '{}' || echo '{"x":{"value":1}}'; exit 0; }
    [ "$2" = -raw ] && [ "$3" = app_host ] && { printf 'hello.example.com'; exit 0; }
    exit 1 ;;
esac
exit 0
`;

/**
 * `npx --no-install tsx scripts/stack-order.ts ...` answered from the same function the real
 * script runs (scripts/stack-order.ts), without starting tsx for every case; one test below runs
 * the real script.
 */
function fakeStackOrder(dir: string): string {
  const outDir = join(dir, 'cdktf.out');
  const environments = new Set(Object.keys(manifest.stacks).map((name) => name.split('-')[0]));
  for (const environment of ['', ...environments]) {
    const stacks = orderedStacks(manifest, { environment: environment || undefined, outDir });
    writeFileSync(join(dir, `order-${environment || 'all'}.json`), JSON.stringify(stacks));
  }
  return `#!/bin/bash
env=all; while [ $# -gt 0 ]; do [ "$1" = --env ] && env="$2"; shift; done
cat "${dir}/order-$env.json"
`;
}

function runAction(
  env: Record<string, string>,
  scenario: Scenario = {},
  setup?: (dir: string) => void,
  realStackOrder = false,
) {
  const dir = mkdtempSync(join(tmpdir(), 'tf-stacks-'));
  symlinkSync(join(root, 'scripts'), join(dir, 'scripts'));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  for (const name of Object.keys(manifest.stacks)) {
    mkdirSync(join(dir, 'cdktf.out/stacks', name), { recursive: true });
    const terraform = name.startsWith('scratch') ? {} : { backend: { s3: { bucket: 'state' } } };
    const stack = name.endsWith('workloads')
      ? {
          terraform,
          provider: { aws: [{}], kubernetes: [{}], helm: [{}] },
          variable: { image_tag: { type: 'string' } },
          output: { app_host: { value: 'x' } },
        }
      : { terraform, provider: { aws: [{}] } };
    writeFileSync(join(dir, 'cdktf.out/stacks', name, 'cdk.tf.json'), JSON.stringify(stack));
  }
  writeFileSync(join(dir, 'cdktf.out/manifest.json'), JSON.stringify(manifest));
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'bin/terraform'), FAKE_TERRAFORM);
  chmodSync(join(dir, 'bin/terraform'), 0o755);
  if (!realStackOrder) {
    writeFileSync(join(dir, 'bin/npx'), fakeStackOrder(dir));
    chmodSync(join(dir, 'bin/npx'), 0o755);
  }
  writeFileSync(join(dir, 'out'), '');
  writeFileSync(join(dir, 'log'), '');
  setup?.(dir);
  const output = execFileSync('bash', ['-c', script], {
    cwd: dir,
    env: {
      ...process.env,
      PATH: `${join(dir, 'bin')}:${process.env.PATH}`,
      TF_LOG_FILE: join(dir, 'log'),
      TF_NO_STATE: (scenario.noState ?? []).join(' '),
      TF_CHANGES: (scenario.changes ?? ['dev-infra']).join(' '),
      TF_FAIL_PLAN: (scenario.failPlan ?? ['prod-workloads']).join(' '),
      TF_FAIL_APPLY: (scenario.failApply ?? []).join(' '),
      GITHUB_OUTPUT: join(dir, 'out'),
      RESULTS_DIR: 'results',
      STACK_ENV: '',
      IMAGE_TAG: '',
      FALLBACK_IMAGE_TAG: 'abc',
      INCLUDE_LOCAL: 'true',
      IMAGE_STACKS_ONLY: 'false',
      CLUSTER_REFRESH: 'true',
      SAVE_PLANS: 'false',
      PLANS_DIR: '',
      ...env,
    },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const text = (path: string) => readFileSync(join(dir, path), 'utf8').trim();
  return {
    log: text('log').split('\n').filter(Boolean),
    outputs: readFileSync(join(dir, 'out'), 'utf8'),
    output,
    dir,
    text,
  };
}
const calls = (log: string[], command: string) =>
  log.filter((l) => l.split(' ')[1] === command).map((l) => l.split(' ')[0]);

describe('terraform-stacks: plan', () => {
  it('plans every stack of the manifest once, in its dependency order, read-only', () => {
    // The real scripts/stack-order.ts, as CI runs it.
    const { log, outputs, text } = runAction({ COMMAND: 'plan' }, {}, undefined, true);
    expect(calls(log, 'plan')).toEqual(stackOrder(manifest));
    for (const line of log.filter((l) => / plan /.test(l))) {
      expect(line).toContain('-lock=false');
      expect(line).toContain('-detailed-exitcode');
      expect(line).not.toContain('-refresh=false');
    }
    const devInfra = log.filter((l) => l.startsWith('dev-infra ')).map((l) => l.split(' ')[1]);
    expect(devInfra.slice(0, 3)).toEqual(['init', 'validate', 'output']);
    expect(log.find((l) => l.startsWith('dev-workloads plan'))).toContain('-var image_tag=abc');
    expect(log.find((l) => l.startsWith('dev-infra plan'))).not.toContain('image_tag');
    expect(outputs).toContain('failed=1\n');
    expect(outputs).toContain('changed=1\n');
    expect(outputs).toContain('blocked=0\n');
    expect(text('results/order.txt').split('\n')).toEqual(stackOrder(manifest));
    expect(text('results/dev-infra/exitcode')).toBe('2');
    expect(text('results/prod-workloads/exitcode')).toBe('1');
  });

  it('reports a stack whose dependency was never applied as blocked, not failed, and still fails real failures', () => {
    // The first PR: nothing is applied; prod-workloads would fail with "Unable to find remote state".
    const { log, outputs, text } = runAction(
      { COMMAND: 'plan' },
      {
        noState: ['dev-infra', 'prod-infra', 'bootstrap'],
        failPlan: ['prod-workloads', 'scratch-infra'],
      },
    );
    expect(calls(log, 'plan')).not.toContain('prod-workloads');
    expect(calls(log, 'plan')).not.toContain('dev-workloads');
    expect(text('results/prod-workloads/exitcode')).toBe('blocked');
    expect(text('results/prod-workloads/plan.txt')).toMatch(
      /reads the outputs of prod-infra, which has never been applied/,
    );
    expect(outputs).toContain('blocked=2\n');
    // scratch-infra really failed: the check still fails for it.
    expect(outputs).toContain('failed=1\n');
  });

  it('plans cluster stacks without refresh for pull requests, and says so', () => {
    const { log, text } = runAction(
      { COMMAND: 'plan', CLUSTER_REFRESH: 'false' },
      { failPlan: [] },
    );
    expect(log.find((l) => l.startsWith('dev-workloads plan'))).toContain('-refresh=false');
    expect(log.find((l) => l.startsWith('dev-infra plan'))).not.toContain('-refresh=false');
    expect(text('results/dev-workloads/note')).toMatch(
      /planned without refresh: pull requests have no cluster access/,
    );
  });

  it('keeps saved plans for the apply job, except where a dependency has changes', () => {
    const { text, dir } = runAction(
      { COMMAND: 'plan', SAVE_PLANS: 'true', STACK_ENV: 'dev' },
      { changes: ['dev-infra', 'dev-workloads'], failPlan: [] },
    );
    expect(text('results/dev-infra/tfplan')).toBe('plan of dev-infra');
    // dev-infra's outputs change, so dev-workloads is planned again after dev-infra is applied.
    expect(existsSync(join(dir, 'results/dev-workloads/tfplan'))).toBe(false);
    expect(text('results/dev-workloads/replan')).toBe('dev-infra');
    expect(text('results/dev-workloads/note')).toMatch(/planned again after dev-infra is applied/);
    expect(existsSync(join(dir, 'cdktf.out/stacks/dev-infra/tfplan'))).toBe(false);
  });

  it('plans only the stacks that take the image tag for a rollback', () => {
    const { log } = runAction(
      { COMMAND: 'plan', STACK_ENV: 'prod', IMAGE_STACKS_ONLY: 'true', IMAGE_TAG: '1.2.3' },
      { failPlan: [] },
    );
    expect(calls(log, 'plan')).toEqual(['prod-workloads']);
    expect(log.find((l) => l.startsWith('prod-workloads plan'))).toContain('-var image_tag=1.2.3');
  });
});

describe('terraform-stacks: apply', () => {
  /** A plans directory as the plan job leaves it: dev-infra saved; dev-workloads to re-plan. */
  const reviewed = (dir: string) => {
    mkdirSync(join(dir, 'reviewed/dev-infra'), { recursive: true });
    writeFileSync(join(dir, 'reviewed/dev-infra/tfplan'), 'reviewed plan of dev-infra');
    writeFileSync(join(dir, 'reviewed/dev-infra/exitcode'), '2\n');
    mkdirSync(join(dir, 'reviewed/dev-workloads'), { recursive: true });
    writeFileSync(join(dir, 'reviewed/dev-workloads/exitcode'), '0\n');
    writeFileSync(join(dir, 'reviewed/dev-workloads/replan'), 'dev-infra\n');
  };

  it('applies the reviewed plan file, never -auto-approve, then plans and applies what had to wait', () => {
    const { log, outputs, dir } = runAction(
      { COMMAND: 'apply', STACK_ENV: 'dev', IMAGE_TAG: 'f'.repeat(40), PLANS_DIR: 'reviewed' },
      { failPlan: [] },
      reviewed,
    );
    const applied = log.filter((l) => / apply /.test(l));
    expect(applied).toEqual([
      'dev-infra apply -input=false -no-color -lock-timeout=10m reviewed.tfplan',
      'dev-workloads apply -input=false -no-color -lock-timeout=10m tfplan',
    ]);
    expect(readFileSync(join(dir, 'cdktf.out/stacks/dev-infra/reviewed.tfplan'), 'utf8')).toBe(
      'reviewed plan of dev-infra',
    );
    // dev-workloads: planned here (after dev-infra), with the image tag, into a file applied as is.
    expect(log.find((l) => l.startsWith('dev-workloads plan'))).toMatch(
      new RegExp(`-var image_tag=${'f'.repeat(40)} -out=tfplan$`),
    );
    expect(log.join('\n')).not.toContain('-auto-approve');
    expect(outputs).toContain('failed=0\n');
    expect(outputs).toContain('app-host=hello.example.com\n');
  });

  it('applies nothing for a stack whose reviewed plan had no changes', () => {
    const { log, text } = runAction(
      { COMMAND: 'apply', STACK_ENV: 'dev', PLANS_DIR: 'reviewed' },
      { failPlan: [] },
      (dir) => {
        reviewed(dir);
        writeFileSync(join(dir, 'reviewed/dev-infra/exitcode'), '0\n');
        rmSync(join(dir, 'reviewed/dev-infra/tfplan'));
      },
    );
    expect(calls(log, 'apply')).toEqual(['dev-workloads']);
    expect(text('results/dev-infra/plan.txt')).toMatch(/No changes in the reviewed plan/);
  });

  it('keeps errored.tfstate and says how to push it and release the lock when saving state fails', () => {
    const { outputs, output, text, log } = runAction(
      { COMMAND: 'apply', STACK_ENV: 'dev', PLANS_DIR: 'reviewed' },
      { failPlan: [], failApply: ['dev-infra'] },
      reviewed,
    );
    expect(outputs).toContain('failed=1\n');
    expect(text('results/dev-infra/errored.tfstate')).toBe('{"version":4}');
    expect(output).toMatch(
      /::error title=dev-infra::state could not be saved; errored\.tfstate is uploaded/,
    );
    expect(output).toContain('state push errored.tfstate');
    expect(output).toContain('force-unlock');
    // Nothing is planned or applied after a failed stack.
    expect(calls(log, 'apply')).toEqual(['dev-infra']);
    expect(log.some((l) => l.startsWith('dev-workloads'))).toBe(false);
  });

  it('refuses to apply a stack on the local backend, and leaves it out of drift checks', () => {
    const apply = runAction({ COMMAND: 'apply', STACK_ENV: 'scratch' });
    expect(calls(apply.log, 'apply')).toEqual([]);
    expect(apply.outputs).toContain('failed=1\n');
    const drift = runAction({ COMMAND: 'plan', INCLUDE_LOCAL: 'false' });
    expect(drift.log.some((l) => l.startsWith('scratch-infra'))).toBe(false);
  });

  it('redeploys only the app release on a rollback', () => {
    const { log } = runAction(
      { COMMAND: 'apply', STACK_ENV: 'prod', IMAGE_STACKS_ONLY: 'true', IMAGE_TAG: '1.2.3' },
      { failPlan: [] },
    );
    expect(calls(log, 'apply')).toEqual(['prod-workloads']);
    expect(log.some((l) => l.startsWith('prod-infra'))).toBe(false);
  });
});
