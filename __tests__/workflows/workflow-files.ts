import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

/** The repository's workflow and action files, parsed, for the workflow tests. */

export const root = join(__dirname, '../..');
export const workflowDir = join(root, '.github/workflows');
export const workflowFiles = readdirSync(workflowDir).filter((f) => /\.ya?ml$/.test(f));
export const actionFiles = readdirSync(join(root, '.github/actions')).map((dir) =>
  join('.github/actions', dir, 'action.yml'),
);

export interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
export interface Job {
  name?: string;
  if?: string;
  needs?: string | string[];
  'runs-on'?: string;
  'timeout-minutes'?: number;
  permissions?: Record<string, string> | string;
  environment?: { name: string; url?: string } | string;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean | string; queue?: string };
  services?: Record<string, { image: string }>;
  env?: Record<string, string>;
  outputs?: Record<string, string>;
  strategy?: unknown;
  /** A job that calls a reusable workflow has `uses` and `with` instead of steps. */
  uses?: string;
  with?: Record<string, unknown>;
  secrets?: Record<string, string> | string;
  steps?: Step[];
}
export interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string> | string;
  env?: Record<string, string>;
  concurrency?: unknown;
  jobs: Record<string, Job>;
}

export const read = (path: string): string => readFileSync(join(root, path), 'utf8');
export const workflows = Object.fromEntries(
  workflowFiles.map((f) => [f, read(`.github/workflows/${f}`)]),
);
export const parsed = (file: string): Workflow => parse(workflows[file] as string) as Workflow;
export const stepsOf = (job: Job | undefined): Step[] => job?.steps ?? [];
export const stepsOfAction = (path: string): Step[] =>
  (parse(read(path)) as { runs: { steps: Step[] } }).runs.steps;
export const allSteps = (workflow: Workflow): Step[] =>
  Object.values(workflow.jobs).flatMap((job) => stepsOf(job));

/** The one step of `job` matching `pred`; throws when there is none. */
export function stepOf(job: Job | undefined, pred: (s: Step) => boolean): Step {
  const found = stepsOf(job).find(pred);
  if (!found) throw new Error('step not found');
  return found;
}

export const TERRAFORM_STACKS = './.github/actions/terraform-stacks';
export const isCredentials = (s: Step): boolean =>
  !!s.uses?.startsWith('aws-actions/configure-aws-credentials@');

/**
 * Runs a bash script taken from a workflow step in a temp directory, with fake commands (written
 * as shell scripts into its `bin/`) ahead of the real ones on PATH. Returns the exit status, the
 * output and the directory.
 */
export function runStepScript(
  script: string,
  options: {
    fakes: Record<string, string>;
    env?: Record<string, string>;
    files?: Record<string, string>;
    setup?: (dir: string) => void;
  },
): { status: number; output: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'step-'));
  mkdirSync(join(dir, 'bin'));
  for (const [name, body] of Object.entries(options.fakes)) {
    writeFileSync(join(dir, 'bin', name), `#!/bin/bash\n${body}`);
    chmodSync(join(dir, 'bin', name), 0o755);
  }
  for (const [name, body] of Object.entries(options.files ?? {})) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), body);
  }
  options.setup?.(dir);
  writeFileSync(join(dir, 'GITHUB_OUTPUT'), '');
  writeFileSync(join(dir, 'GITHUB_STEP_SUMMARY'), '');
  try {
    const output = execFileSync('bash', ['-c', script], {
      cwd: dir,
      env: {
        ...process.env,
        PATH: `${join(dir, 'bin')}:${process.env.PATH}`,
        GITHUB_OUTPUT: join(dir, 'GITHUB_OUTPUT'),
        GITHUB_STEP_SUMMARY: join(dir, 'GITHUB_STEP_SUMMARY'),
        ...options.env,
      },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { status: 0, output, dir };
  } catch (error) {
    const failure = error as { status: number; stdout: string; stderr: string };
    return { status: failure.status, output: `${failure.stdout}${failure.stderr}`, dir };
  }
}
