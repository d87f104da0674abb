/**
 * `npm run policy`: runs every policy rule over every synthesized stack and prints the results.
 *
 *   npm run policy [-- --json | --markdown] [--only-failures] [--env prod,account]
 *                  [--out-dir cdktf.out] [--synth]
 *
 * Reads `cdktf.out` (or `--out-dir`); without one, or when it is older than the code, synthesizes
 * the app in-process. Prints a table
 * (rule, status, environment, stack, resource, title, reason), or JSON for machines, or the
 * Markdown comment the plan workflow posts on pull requests. Exit status: 0 when nothing fails
 * (waived checks are not failures), 1 on any failure, 2 when the command itself cannot run.
 */
import { parseArgs } from 'node:util';
import { allRules } from '../policy/registry';
import type { PolicyRule, PolicyWaiver } from '../policy/types';
import { waivers } from '../policy/waivers';
import { loadSynthOutput, staleOutputWarning, type SynthOutput } from './diagram/synth-output';
import { formatMarkdown, formatTable, toJsonReport } from './policy/format';
import { runPolicies, type PolicyReport } from './policy/report';

export type OutputFormat = 'table' | 'json' | 'markdown';

export interface PolicyCliOptions {
  readonly format: OutputFormat;
  readonly onlyFailures: boolean;
  /** Environments to check (`account` is the bootstrap stack). Default: all. */
  readonly environments?: readonly string[];
  readonly outDir?: string;
  readonly synth: boolean;
  readonly colour: boolean;
}

export interface PolicyCliResult {
  readonly exitCode: number;
  readonly output: string;
  readonly report: PolicyReport;
}

/** Renders the report of already loaded stacks; the exit code says whether anything failed. */
export function reportFor(
  synthOutput: SynthOutput,
  options: Pick<PolicyCliOptions, 'format' | 'onlyFailures' | 'environments' | 'colour'>,
  rules: readonly PolicyRule[] = allRules,
  waiverList: readonly PolicyWaiver[] = waivers,
): PolicyCliResult {
  const report = runPolicies(synthOutput, rules, waiverList, {
    environments: options.environments,
  });
  const output =
    options.format === 'json'
      ? `${JSON.stringify(toJsonReport(report, options), null, 2)}\n`
      : options.format === 'markdown'
        ? formatMarkdown(report)
        : formatTable(report, options);
  return { exitCode: report.counts.failed > 0 ? 1 : 0, output, report };
}

export function parsePolicyArgs(argv: readonly string[]): PolicyCliOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      json: { type: 'boolean', default: false },
      markdown: { type: 'boolean', default: false },
      'only-failures': { type: 'boolean', default: false },
      env: { type: 'string' },
      'out-dir': { type: 'string' },
      synth: { type: 'boolean', default: false },
      'no-color': { type: 'boolean', default: false },
    },
  });
  if (values.json && values.markdown) throw new Error('choose one of --json and --markdown');
  return {
    format: values.json ? 'json' : values.markdown ? 'markdown' : 'table',
    onlyFailures: values['only-failures'],
    environments: values.env
      ?.split(',')
      .map((name) => name.trim())
      .filter(Boolean),
    outDir: values['out-dir'],
    synth: values.synth,
    colour:
      !values['no-color'] &&
      !values.json &&
      !values.markdown &&
      process.stdout.isTTY === true &&
      process.env.NO_COLOR === undefined,
  };
}

const USAGE = `usage: npm run policy -- [--json | --markdown] [--only-failures] [--env prod,account]
                          [--out-dir DIR] [--synth] [--no-color]`;

export async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  let options: PolicyCliOptions;
  try {
    options = parsePolicyArgs(argv);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const synthOutput = await loadSynthOutput({ outDir: options.outDir, synth: options.synth });
  // On stderr, so --json and --markdown stay clean.
  console.error(staleOutputWarning(synthOutput) ?? `policy: stacks from ${synthOutput.source}`);
  const known = new Set(synthOutput.stacks.map((stack) => stack.environment));
  const unknown = (options.environments ?? []).filter((name) => !known.has(name));
  if (unknown.length > 0) {
    console.error(
      `no stacks for environment ${unknown.join(', ')} (synthesized: ${[...known].join(', ')})`,
    );
    return 2;
  }
  const result = reportFor(synthOutput, options);
  process.stdout.write(result.output);
  return result.exitCode;
}

if (require.main === module) {
  // `npm run policy | head` closes the pipe early; that is not an error worth a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 2;
    },
  );
}
