/**
 * Runs the terraform binary for the harness: a CLI configuration that installs providers only
 * from the filesystem mirror, an environment with fake credentials and nothing of the caller's
 * AWS setup, and every command's output kept in a log file next to the working directory.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes a CLI config whose only installation method is the mirror; returns its path. */
export function writeCliConfig(dir: string, mirror: string): string {
  const file = join(dir, 'terraform.rc');
  writeFileSync(
    file,
    [
      '# Written by scripts/terraform: providers come from the filesystem mirror only.',
      'provider_installation {',
      '  filesystem_mirror {',
      `    path    = ${JSON.stringify(mirror)}`,
      '    include = ["registry.terraform.io/*/*"]',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  return file;
}

/** Credentials the emulator accepts; they are not secrets. */
export const FAKE_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };

/**
 * The environment terraform runs in: the caller's, minus every AWS_ and TF_ variable (a profile,
 * real keys or a plugin cache must never leak in), plus the mirror-only CLI config.
 */
export function terraformEnv(
  cliConfig: string,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const kept = Object.fromEntries(
    Object.entries(base).filter(([key]) => !key.startsWith('AWS_') && !key.startsWith('TF_')),
  );
  return {
    ...kept,
    ...FAKE_CREDENTIALS,
    AWS_EC2_METADATA_DISABLED: 'true',
    TF_CLI_CONFIG_FILE: cliConfig,
    CHECKPOINT_DISABLE: '1',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    // Each command starts the 700 MB provider, which builds its whole schema (and terraform
    // decodes it) before doing anything: a less eager garbage collector cuts that CPU by about
    // a fifth (inherited by the provider processes) for a few hundred MB more per process.
    GOGC: base.GOGC ?? '400',
  };
}

export interface TerraformResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

export interface TerraformRunner {
  readonly binary: string;
  readonly env: NodeJS.ProcessEnv;
  /** Appends every command and its output here. */
  readonly logFile: string;
}

/** Runs `terraform <args>` in `cwd`; never throws on a non-zero exit (callers decide). */
export function terraform(
  runner: TerraformRunner,
  cwd: string,
  args: readonly string[],
): Promise<TerraformResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(runner.binary, ['-chdir=' + cwd, ...args], {
      env: runner.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      const seconds = (Date.now() - started) / 1000;
      appendFileSync(
        runner.logFile,
        `\n$ terraform ${args.join(' ')}   (exit ${code}, ${seconds.toFixed(1)} s)\n` +
          // JSON output (show -json) is large and lands in its own file; log only text.
          (args.includes('-json') ? '' : stdout) +
          stderr,
      );
      resolve({ code: code ?? 1, stdout, stderr, seconds });
    });
  });
}

/** The last `lines` lines of a command's output, for failure messages. */
export function tail(result: TerraformResult, lines = 25): string {
  return `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-lines).join('\n');
}
