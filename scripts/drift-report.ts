/**
 * Renders the body of the one GitHub issue per environment that the drift workflow keeps up to
 * date, from the same per-stack result directories `scripts/plan-summary.ts` reads.
 *
 *   npx tsx scripts/drift-report.ts --env prod --results drift-results/prod [--order file]
 *
 * Prints the Markdown body and exits 0 when every stack is clean, 2 when any stack drifted
 * (`terraform plan -detailed-exitcode` returned 2), 1 when a plan failed.
 */
import { loadResults, readOrderFile, renderSummary, type StackResult } from './plan-summary';
import { parseFlags } from './flags';

/** Hidden marker that identifies the drift issue of an environment, next to its label. */
export function driftMarker(environment: string): string {
  return `<!-- drift-report:${environment} -->`;
}

/**
 * 0 clean, 2 drift, 1 failure: the same convention as `terraform plan -detailed-exitcode`. A
 * blocked stack (its dependency was never applied) is not deployed, so it cannot drift.
 */
export function driftExitCode(results: StackResult[]): 0 | 1 | 2 {
  if (results.some((r) => r.status === 'failed')) return 1;
  if (results.some((r) => r.status === 'changes')) return 2;
  return 0;
}

/** Issue body: which stacks drifted, which resources Terraform would change, then the plans. */
export function renderDriftReport(
  environment: string,
  results: StackResult[],
  options: { runUrl?: string; maxChars?: number } = {},
): string {
  const drifted = results.filter((r) => r.status === 'changes' || r.status === 'failed');
  const notDeployed = results.filter((r) => r.status === 'blocked').map((r) => `\`${r.stack}\``);
  const lines = [
    driftMarker(environment),
    `## Drift in \`${environment}\``,
    '',
    options.runUrl ? `Detected by ${options.runUrl}.` : '',
    '',
    'A read-only `terraform plan -detailed-exitcode` of the deployed stacks no longer matches the',
    'code on the default branch. Either apply the code again (deploy workflow) to undo manual',
    'changes, or bring the code in line with the change that was meant to stay.',
    '',
    ...(notDeployed.length > 0
      ? [
          `Not deployed yet (a dependency has no state), so not checked: ${notDeployed.join(', ')}.`,
          '',
        ]
      : []),
  ];
  for (const result of drifted) {
    lines.push(`### \`${result.stack}\`${result.status === 'failed' ? ' (plan failed)' : ''}`, '');
    if (result.driftedResources.length > 0) {
      lines.push('Changed outside Terraform:', '');
      lines.push(...result.driftedResources.map((r) => `- \`${r}\``), '');
    }
    if (result.changedResources.length > 0) {
      lines.push('Terraform would apply:', '');
      lines.push(...result.changedResources.map((r) => `- \`${r}\``), '');
    }
    if (result.status === 'failed') {
      lines.push('The plan failed; see its output below.', '');
    }
  }
  const header = lines.join('\n');
  const maxChars = options.maxChars ?? 65_000;
  const plans = renderSummary(results, {
    title: 'Plans',
    maxChars: Math.max(0, maxChars - header.length - 1),
  });
  return `${header}\n${plans}`.slice(0, maxChars);
}

function main(argv: string[]): number {
  const args = parseFlags(
    argv,
    ['env', 'results', 'order', 'run-url'],
    'usage: drift-report.ts --env name --results dir [--order file] [--run-url url]',
  );
  const environment = args.get('env');
  const resultsDir = args.get('results');
  if (!environment || !resultsDir) throw new Error('--env and --results are required');
  const order = readOrderFile(args.get('order'));
  const results = loadResults(resultsDir, order);
  process.stdout.write(
    `${renderDriftReport(environment, results, { runUrl: args.get('run-url') })}\n`,
  );
  return driftExitCode(results);
}

// Run only as a CLI, not when a test imports the functions.
if (process.argv[1]?.endsWith('drift-report.ts')) {
  try {
    process.exit(main(process.argv.slice(2)));
  } catch (error) {
    process.stderr.write(`drift-report: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
