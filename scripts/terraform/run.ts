/**
 * `npm run test:terraform [-- --stack dev-infra] [--jobs 3] [--parallelism 20] [--keep]`
 *
 * Runs the synthesized Terraform of `bootstrap` and every `<env>-infra` stack for real against the
 * moto AWS emulator, offline, with the AWS provider from the machine's filesystem mirror:
 * init, validate, plan, apply, an empty re-plan, checks, destroy, and an SDK check that nothing is
 * left; prints progress per stack and step and a coverage line per stack; exits 1 on any failure.
 * See docs/real-terraform.md.
 *
 * Without terraform, the mirror or moto it prints one line and exits 0, unless CI=true, where
 * that is a failure.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EmulatorClients } from './aws-clients';
import { startMoto, MOTO_ACCOUNT_ID } from './moto';
import { findPrerequisites } from './prerequisites';
import { awsEndpointKeys } from './provider-schema';
import { planStacks, runPlatform, type GroupEmulator, type RunReport } from './platform-run';
import { terraformEnv, writeCliConfig } from './terraform-cli';
import { coverageLine } from './report';

const USAGE =
  'usage: npm run test:terraform -- [--stack NAME]... [--jobs N] [--parallelism N] [--keep]';

interface Options {
  readonly stacks: string[];
  readonly jobs: number;
  readonly parallelism: number;
  readonly keep: boolean;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      stack: { type: 'string', multiple: true, default: [] },
      jobs: { type: 'string', default: '3' },
      parallelism: { type: 'string', default: '30' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const number = (name: string, text: string) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`--${name} must be a positive integer`);
    return value;
  };
  return {
    stacks: values.stack
      .flatMap((s) => s.split(','))
      .map((s) => s.trim())
      .filter(Boolean),
    jobs: number('jobs', values.jobs),
    parallelism: number('parallelism', values.parallelism),
    keep: values.keep,
  };
}

async function main(argv: string[]): Promise<number> {
  let options: Options;
  try {
    options = parseOptions(argv);
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 1;
  }
  const ci = process.env.CI === 'true';
  const prerequisites = findPrerequisites();
  if (prerequisites.missing.length > 0) {
    const what = prerequisites.missing.join('; ');
    if (ci) {
      console.error(`test:terraform: FAILED, CI=true and ${what}`);
      return 1;
    }
    console.log(`test:terraform: skipped (${what})`);
    return 0;
  }

  const started = Date.now();
  const workRoot = mkdtempSync(join(tmpdir(), 'terraform-emulator-'));
  const cliConfig = writeCliConfig(workRoot, prerequisites.mirror as string);
  const runner = {
    binary: prerequisites.terraform as string,
    env: terraformEnv(cliConfig),
    logFile: join(workRoot, 'terraform.log'),
  };
  console.log(
    `test:terraform: terraform ${prerequisites.terraform}, provider mirror ${prerequisites.mirror}, ` +
      `work dir ${workRoot}`,
  );

  let report: RunReport | undefined;
  // One emulator per group of stacks, each stopped by its own pid (also on Ctrl-C).
  const running = new Set<{ stop(): Promise<void> }>();
  const stopAll = () => {
    void Promise.all([...running].map((emulator) => emulator.stop())).finally(() =>
      process.exit(130),
    );
  };
  process.once('SIGINT', stopAll);
  process.once('SIGTERM', stopAll);
  const startEmulator = async (group: string): Promise<GroupEmulator> => {
    const moto = await startMoto(prerequisites.moto as string, join(workRoot, `moto-${group}.log`));
    const clients = new EmulatorClients(moto.endpoint);
    const emulator = {
      endpoint: moto.endpoint,
      clients,
      stop: async () => {
        running.delete(emulator);
        clients.destroy();
        await moto.stop();
      },
    };
    running.add(emulator);
    return emulator;
  };
  try {
    const [plan, endpointKeys] = await Promise.all([
      Promise.resolve().then(() => planStacks(join(workRoot, 'cdktf.out'), options.stacks)),
      awsEndpointKeys(runner, prerequisites.mirror as string, join(workRoot, 'provider-schema')),
    ]);
    for (const line of plan.notes) console.log(`test:terraform: ${line}`);
    console.log(
      `test:terraform: ${plan.specs.map((s) => s.name).join(', ')}; ${endpointKeys.length} provider endpoints at the emulator`,
    );
    mkdirSync(join(workRoot, 'stacks'), { recursive: true });
    report = await runPlatform(plan, {
      runner,
      accountId: MOTO_ACCOUNT_ID,
      endpointKeys,
      workRoot: join(workRoot, 'stacks'),
      parallelism: options.parallelism,
      print: (line) => console.log(line),
      jobs: options.jobs,
      resultsDir: join(workRoot, 'results'),
      startEmulator,
    });
  } catch (error) {
    console.error(`test:terraform: ${(error as Error).stack ?? String(error)}`);
  } finally {
    await Promise.all([...running].map((emulator) => emulator.stop()));
    process.off('SIGINT', stopAll);
    process.off('SIGTERM', stopAll);
  }

  const seconds = (Date.now() - started) / 1000;
  if (!report) {
    console.error(`test:terraform: FAILED before any stack ran (logs in ${workRoot})`);
    return 1;
  }
  console.log('');
  for (const outcome of report.outcomes) {
    console.log(coverageLine(outcome));
    for (const note of outcome.notes) console.log(`  ${note}`);
  }
  for (const line of report.checks) console.log(line);
  const failures = [
    ...report.outcomes.flatMap((o) => o.failures.map((f) => `${o.name}: ${f}`)),
    ...report.failures,
  ];
  if (failures.length > 0) {
    console.log(`\ntest:terraform: FAILED (${failures.length}) in ${seconds.toFixed(0)} s:`);
    for (const failure of failures) console.log(`  - ${failure.split('\n').join('\n    ')}`);
    console.log(`logs: ${workRoot}/terraform.log, ${workRoot}/moto.log`);
    return 1;
  }
  console.log(`\ntest:terraform: passed in ${seconds.toFixed(0)} s`);
  if (options.keep) console.log(`kept: ${workRoot}`);
  else rmSync(workRoot, { recursive: true, force: true });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
