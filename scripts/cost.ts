/**
 * `npm run cost`: the estimated monthly cost (730 h) of every synthesized stack, per environment
 * and stack, one row per priced quantity of each billable resource.
 *
 *   npm run cost [-- --json | --markdown] [--dir cdktf.out] [--synth] [--env prod,account]
 *                [--date YYYY-MM-DD] [--base DIR] [--write-docs | --check-docs]
 *
 * Reads `cdktf.out` (or `--dir`); without one, or when it is older than the code, synthesizes the
 * app in-process. Prices come from the checked-in tables (scripts/cost/prices/), usage
 * assumptions from the config (`costAssumptions`), the EKS support phase from
 * config/kubernetes-versions.ts for the month starting `--date` (default: today, UTC).
 * `--base DIR` prices another synth (the base branch's) the same way and reports the difference.
 * `--write-docs` regenerates the README totals and docs/cost.md; `--check-docs` exits 1 when they
 * are out of date. Exit status: 0, or 1 when a resource is unpriced; 2 when the command cannot run.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import {
  loadSynthOutput,
  readSynthOutput,
  staleOutputWarning,
  type SynthOutput,
} from './diagram/synth-output';
import { diffEstimates, formatDiffMarkdown, headline } from './cost/diff';
import {
  committedPricedDay,
  DOC_TARGETS,
  formattedSection,
  outdatedDocs,
  spliceSection,
} from './cost/docs';
import { assumptionsFromConfig, estimateCosts, todayIso } from './cost/estimate';
import { formatMarkdown, formatTable, toJson } from './cost/format';
import type { CostEstimate } from './cost/model';

export type OutputFormat = 'table' | 'json' | 'markdown';

export interface CostCliOptions {
  readonly format: OutputFormat;
  readonly dir?: string;
  readonly synth: boolean;
  readonly environments?: readonly string[];
  /** ISO day; undefined = today (or, for --check-docs, the day the docs were priced for). */
  readonly date?: string;
  readonly base?: string;
  readonly writeDocs: boolean;
  readonly checkDocs: boolean;
}

export const USAGE = `usage: npm run cost -- [--json | --markdown] [--dir DIR] [--synth] [--env prod,account]
                        [--date YYYY-MM-DD] [--base DIR] [--write-docs | --check-docs]`;

export function parseCostArgs(argv: readonly string[]): CostCliOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      json: { type: 'boolean', default: false },
      markdown: { type: 'boolean', default: false },
      dir: { type: 'string' },
      'out-dir': { type: 'string' },
      synth: { type: 'boolean', default: false },
      env: { type: 'string' },
      date: { type: 'string' },
      base: { type: 'string' },
      'write-docs': { type: 'boolean', default: false },
      'check-docs': { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.json && values.markdown) throw new Error('choose one of --json and --markdown');
  if (values['write-docs'] && values['check-docs']) {
    throw new Error('choose one of --write-docs and --check-docs');
  }
  if (values.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.date)) {
    throw new Error(`--date must be YYYY-MM-DD, got "${values.date}"`);
  }
  const dir = values.dir ?? values['out-dir'];
  return {
    format: values.json ? 'json' : values.markdown ? 'markdown' : 'table',
    ...(dir !== undefined ? { dir } : {}),
    synth: values.synth,
    ...(values.env !== undefined
      ? {
          environments: values.env
            .split(',')
            .map((name) => name.trim())
            .filter(Boolean),
        }
      : {}),
    ...(values.date !== undefined ? { date: values.date } : {}),
    ...(values.base !== undefined ? { base: values.base } : {}),
    writeDocs: values['write-docs'],
    checkDocs: values['check-docs'],
  };
}

/** The report text for an estimate (and the base's, for a difference). */
export function render(estimate: CostEstimate, format: OutputFormat, base?: CostEstimate): string {
  if (format === 'json') {
    return toJson(estimate, base ? { difference: diffEstimates(base, estimate) } : {});
  }
  if (format === 'markdown')
    return base ? formatDiffMarkdown(base, estimate) : formatMarkdown(estimate);
  const table = formatTable(estimate);
  if (!base) return table;
  const lines = diffEstimates(base, estimate).environments.map((environment) =>
    headline(environment),
  );
  return `${table}\nAgainst the base:\n${lines.map((line) => `  ${line}`).join('\n')}\n`;
}

/** Estimates a synth output with the repository's config (assumptions) for one day. */
export function estimateWithConfig(
  output: SynthOutput,
  asOf: string,
  environments?: readonly string[],
): CostEstimate {
  return estimateCosts(output, {
    asOf,
    assumptionsFor: assumptionsFromConfig(loadConfig()),
    ...(environments ? { environments } : {}),
  });
}

async function writeDocs(estimate: CostEstimate): Promise<void> {
  for (const target of DOC_TARGETS) {
    const relative = path.relative(process.cwd(), target.file);
    if (!existsSync(target.file)) {
      console.error(`${relative} does not exist; not written`);
      continue;
    }
    const text = readFileSync(target.file, 'utf8');
    const updated = spliceSection(text, target.markers, await formattedSection(target, estimate));
    if (updated === undefined) {
      console.error(`${relative} has no ${target.markers.start} … ${target.markers.end} markers`);
    } else if (updated !== text) {
      writeFileSync(target.file, updated);
      console.error(`updated ${relative}`);
    }
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  let options: CostCliOptions;
  try {
    options = parseCostArgs(argv);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (options.base !== undefined && !existsSync(path.join(options.base, 'manifest.json'))) {
    console.error(
      `--base ${options.base}: no manifest.json (synthesize the base branch there first)`,
    );
    return 2;
  }
  const output = await loadSynthOutput({
    ...(options.dir !== undefined ? { outDir: options.dir } : {}),
    synth: options.synth,
  });
  // On stderr, so --json and --markdown stay clean.
  console.error(staleOutputWarning(output) ?? `cost: stacks from ${output.source}`);
  const known = new Set(output.stacks.map((stack) => stack.environment));
  const unknown = (options.environments ?? []).filter((name) => !known.has(name));
  if (unknown.length > 0) {
    console.error(
      `no stacks for environment ${unknown.join(', ')} (synthesized: ${[...known].join(', ')})`,
    );
    return 2;
  }

  if (options.checkDocs) {
    // Re-price for the day the docs were generated for: the check must not fail just because
    // a support date passed since.
    const day = options.date ?? committedPricedDay() ?? todayIso();
    const outdated = await outdatedDocs(estimateWithConfig(output, day));
    if (outdated.length === 0) {
      console.log(`cost docs up to date (priced for ${day})`);
      return 0;
    }
    console.error(
      `out of date: ${outdated.map((file) => path.relative(process.cwd(), file)).join(', ')}; ` +
        'run `npm run cost -- --write-docs`',
    );
    return 1;
  }

  const asOf = options.date ?? todayIso();
  const estimate = estimateWithConfig(output, asOf, options.environments);
  if (options.writeDocs) {
    if (options.environments) {
      console.error('--write-docs prices every environment; drop --env');
      return 2;
    }
    await writeDocs(estimate);
  }
  const base =
    options.base !== undefined
      ? estimateWithConfig(readSynthOutput(options.base), asOf, options.environments)
      : undefined;
  process.stdout.write(render(estimate, options.format, base));
  return estimate.unpricedTypes.length > 0 ? 1 : 0;
}

if (require.main === module) {
  // `npm run cost | head` closes the pipe early; that is not an error worth a stack trace.
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
