/**
 * Turns the per-stack results of a CI plan loop into one Markdown summary: a table with the
 * add/change/destroy counts of every stack, any extra sections (policy report, cost estimate),
 * then each stack's plan text folded in `<details>`. ONE budget covers all of it: the whole body,
 * extra sections included, never exceeds `--max-chars` (default 65,000, under GitHub's 65,536
 * comment limit); what does not fit is truncated with a note, and the full text goes to the job
 * log and the job summary (run again with a larger `--max-chars`).
 *
 *   npx tsx scripts/plan-summary.ts --results plan-results [--order plan-results/order.txt]
 *       [--title "Terraform plan"] [--marker "<!-- terraform-plan -->"] [--max-chars 65000]
 *       [--sections policy-report.md,cost-estimate.md]
 *
 * `--results` holds one directory per stack, written by the workflow:
 *   <stack>/exitcode   `terraform plan -detailed-exitcode` status: 0 no changes, 2 changes,
 *                      `blocked` (a dependency was never applied, so there is nothing to plan
 *                      against), else failed
 *   <stack>/plan.txt   plan text (or the output of the step that failed, or why it is blocked)
 *   <stack>/plan.json  `terraform show -json` of the saved plan (absent for Terraform Cloud runs)
 *   <stack>/backend    backend name (optional)
 *   <stack>/note       one line shown under the table, e.g. why the plan skipped the refresh
 * `--order` lists the stacks in dependency order (`scripts/stack-order.ts` output); without it
 * the directories are listed alphabetically. `--sections` lists Markdown files appended after the
 * table in that order; a missing file is named as missing rather than failing the summary.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFlags } from './flags';

/** GitHub rejects issue and pull-request comment bodies longer than this. */
export const GITHUB_COMMENT_LIMIT = 65_536;

export interface ChangeCounts {
  add: number;
  change: number;
  destroy: number;
  import: number;
}

/**
 * `blocked`: a stack this one reads through remote state has never been applied, so there is no
 * state to plan against. It is not a failure: it is planned once the dependency is deployed.
 */
export type StackStatus = 'no-changes' | 'changes' | 'blocked' | 'failed';

export interface StackResult {
  readonly stack: string;
  readonly status: StackStatus;
  /** Undefined when neither the JSON plan nor the plan text states the counts (e.g. init failed). */
  readonly counts?: ChangeCounts;
  readonly planText: string;
  readonly backend?: string;
  /** Addresses with their planned actions, e.g. `aws_s3_bucket.state: update`. */
  readonly changedResources: string[];
  /** Addresses Terraform found changed outside of Terraform (`resource_drift`). */
  readonly driftedResources: string[];
  /** A remark shown under the table (e.g. the plan skipped the refresh). */
  readonly note?: string;
}

/** The part of `terraform show -json <planfile>` read here. */
export interface PlanJson {
  resource_changes?: Array<{
    address: string;
    change: { actions: string[]; importing?: unknown };
  }>;
  resource_drift?: Array<{ address: string; change: { actions: string[] } }>;
}

/**
 * Counts as Terraform's own "Plan: X to add, Y to change, Z to destroy" line does: a replacement
 * (`delete`+`create` in either order) is one add and one destroy; `read` and `no-op` count nothing.
 */
export function countChanges(plan: PlanJson): ChangeCounts {
  const counts: ChangeCounts = { add: 0, change: 0, destroy: 0, import: 0 };
  for (const { change } of plan.resource_changes ?? []) {
    const actions = change.actions;
    if (actions.includes('create')) counts.add += 1;
    if (actions.includes('delete')) counts.destroy += 1;
    if (actions.includes('update')) counts.change += 1;
    if (change.importing) counts.import += 1;
  }
  return counts;
}

/** Reads the counts from plan text (what Terraform Cloud speculative plans give us). */
export function countsFromText(text: string): ChangeCounts | undefined {
  const plan = /Plan: (?:(\d+) to import, )?(\d+) to add, (\d+) to change, (\d+) to destroy/.exec(
    text,
  );
  if (plan) {
    return {
      import: Number(plan[1] ?? 0),
      add: Number(plan[2]),
      change: Number(plan[3]),
      destroy: Number(plan[4]),
    };
  }
  if (/No changes\.|Your infrastructure matches the configuration/.test(text)) {
    return { add: 0, change: 0, destroy: 0, import: 0 };
  }
  return undefined;
}

/** `address: action[+action]` for every resource that is not a no-op or a read. */
export function changedResources(plan: PlanJson): string[] {
  return (plan.resource_changes ?? [])
    .filter(({ change }) => change.actions.some((a) => a !== 'no-op' && a !== 'read'))
    .map(({ address, change }) => `${address}: ${change.actions.join('+')}`);
}

function statusFrom(exitCode: string): StackStatus {
  switch (exitCode.trim()) {
    case '0':
      return 'no-changes';
    case '2':
      return 'changes';
    case 'blocked':
      return 'blocked';
    default:
      return 'failed';
  }
}

function readIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/** Loads one stack's result directory. */
export function loadStackResult(resultsDir: string, stack: string): StackResult {
  const dir = join(resultsDir, stack);
  const planText = readIfExists(join(dir, 'plan.txt')) ?? '';
  const exitCode = readIfExists(join(dir, 'exitcode')) ?? '1';
  const jsonText = readIfExists(join(dir, 'plan.json'));
  const plan = jsonText?.trim() ? (JSON.parse(jsonText) as PlanJson) : undefined;
  const status = statusFrom(exitCode);
  return {
    stack,
    status,
    counts: plan ? countChanges(plan) : countsFromText(planText),
    planText,
    backend: readIfExists(join(dir, 'backend'))?.trim() || undefined,
    changedResources: plan ? changedResources(plan) : [],
    driftedResources: (plan?.resource_drift ?? []).map(
      ({ address, change }) => `${address}: ${change.actions.join('+')}`,
    ),
    note: readIfExists(join(dir, 'note'))?.trim() || undefined,
  };
}

/** Loads every stack of a results directory, in the given order (or alphabetically). */
export function loadResults(resultsDir: string, order?: string[]): StackResult[] {
  const stacks =
    order ??
    readdirSync(resultsDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
  return stacks.map((stack) => loadStackResult(resultsDir, stack));
}

const STATUS_LABEL: Record<StackStatus, string> = {
  'no-changes': '✅ no changes',
  changes: '📝 changes',
  blocked: '⏸️ blocked (dependency not applied)',
  failed: '❌ failed',
};

/** A code fence longer than any backtick run inside the text, so plan text cannot close it. */
function fenceFor(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return '`'.repeat(longest + 1);
}

function truncate(text: string, budget: number): string {
  if (text.length <= budget) return text;
  const note = `\n… ${text.length - budget} more characters truncated; the full plan is in the job log.`;
  const keep = Math.max(0, budget - note.length);
  return `${text.slice(0, keep)}${note}`;
}

/**
 * Splits `budget` characters between texts: short texts keep everything, the rest share equally
 * what is left, so one huge plan cannot hide all the others.
 */
export function shareBudget(lengths: number[], budget: number): number[] {
  const shares = new Array<number>(lengths.length).fill(0);
  let remaining = Math.max(0, budget);
  let open = lengths.map((length, index) => ({ length, index }));
  while (open.length > 0) {
    const fair = Math.floor(remaining / open.length);
    const fits = open.filter((item) => item.length <= fair);
    if (fits.length === 0) {
      for (const item of open) shares[item.index] = fair;
      break;
    }
    for (const item of fits) {
      shares[item.index] = item.length;
      remaining -= item.length;
    }
    open = open.filter((item) => item.length > fair);
  }
  return shares;
}

export interface SummaryOptions {
  /** Heading of the summary. Default: `Terraform plan`. */
  readonly title?: string;
  /** Hidden HTML comment the workflow searches for to update its own comment. Default: none. */
  readonly marker?: string;
  /**
   * Upper bound of the whole body, extra sections included. Default: 65,000 (under GitHub's
   * 65,536-character comment limit). The job summary may pass more (its limit is 1 MiB).
   */
  readonly maxChars?: number;
  /** Extra line under the heading, e.g. the commit and run link. Default: none. */
  readonly subtitle?: string;
  /** Markdown sections after the table (policy report, cost estimate), in order. Default: none. */
  readonly sections?: string[];
}

/** Default budget of a rendered summary: GitHub's comment limit with room to spare. */
export const DEFAULT_MAX_CHARS = 65_000;

function countCell(counts: ChangeCounts | undefined, key: keyof ChangeCounts): string {
  return counts ? String(counts[key]) : '–';
}

/** Renders the Markdown summary; the result never exceeds `maxChars`. */
export function renderSummary(results: StackResult[], options: SummaryOptions = {}): string {
  const maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
  const count = (status: StackStatus) => results.filter((r) => r.status === status).length;
  const blocked = count('blocked');
  const notes = results.filter((r) => r.note).map((r) => `- \`${r.stack}\`: ${r.note}`);
  const head = [
    ...(options.marker ? [options.marker] : []),
    `## ${options.title ?? 'Terraform plan'}`,
    '',
    ...(options.subtitle ? [options.subtitle, ''] : []),
    `${results.length} stack(s) in dependency order · ${count('changes')} with changes · ${count('failed')} failed${blocked > 0 ? ` · ${blocked} blocked` : ''}`,
    '',
    '| # | Stack | Backend | Result | Add | Change | Destroy | Import |',
    '|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r, i) =>
        `| ${i + 1} | \`${r.stack}\` | ${r.backend ?? ''} | ${STATUS_LABEL[r.status]} | ${countCell(r.counts, 'add')} | ${countCell(r.counts, 'change')} | ${countCell(r.counts, 'destroy')} | ${countCell(r.counts, 'import')} |`,
    ),
    '',
    ...(blocked > 0
      ? [
          'A blocked stack reads the outputs of a stack that has never been applied, so there is no',
          'state to plan it against; it is planned once that stack is deployed. Only failed stacks fail the check.',
          '',
        ]
      : []),
    ...(notes.length > 0 ? [...notes, ''] : []),
  ].join('\n');
  if (head.length >= maxChars) return truncate(head, maxChars);

  // The extra sections are short and read first, so they may take up to half of what is left;
  // the plans share the rest. Each piece is cut with a note, never the whole body.
  const sections = (options.sections ?? []).map((section) => section.trim()).filter(Boolean);
  const afterHead = maxChars - head.length;
  const sectionSeparators = sections.length * 2;
  const sectionRoom = Math.max(
    0,
    Math.floor(afterHead / 2) - sectionSeparators - sections.length * 81,
  );
  const sectionShares = shareBudget(
    sections.map((section) => section.length),
    sectionRoom,
  );
  const renderedSections = sections.map((section, i) => {
    const share = sectionShares[i] ?? 0;
    return section.length <= share ? section : truncate(section, share + 80);
  });
  const sectionsText = renderedSections.map((section) => `\n${section}\n`).join('');
  const planBudget = maxChars - head.length - sectionsText.length;

  const wrappers = results.map((r) => {
    const fence = fenceFor(r.planText);
    const open = `<details><summary><code>${r.stack}</code>: ${STATUS_LABEL[r.status]}</summary>\n\n${fence}text\n`;
    const close = `\n${fence}\n\n</details>\n`;
    return { open, close };
  });
  const wrapperChars = wrappers.reduce((sum, w) => sum + w.open.length + w.close.length, 0);
  // Truncation notes and the newlines between stacks take room too; reserve it up front so the
  // total stays under the limit.
  const textBudget = planBudget - wrapperChars - (results.length * 81 + 1);
  if (textBudget < 0) {
    // Too many stacks to fold every plan: the table and the sections must do.
    return truncate(`${head}${sectionsText}`, maxChars);
  }
  const shares = shareBudget(
    results.map((r) => r.planText.length),
    textBudget,
  );
  const body = results
    .map((r, i) => {
      const w = wrappers[i] as { open: string; close: string };
      const share = shares[i] ?? 0;
      const text = r.planText.length <= share ? r.planText : truncate(r.planText, share + 80);
      return `${w.open}${text}${w.close}`;
    })
    .join('\n');
  return `${head}${sectionsText}\n${body}`;
}

/** Reads the `--sections` files; a missing one becomes a line saying so (the summary still renders). */
export function readSections(files: string[]): string[] {
  return files.map((file) =>
    existsSync(file)
      ? readFileSync(file, 'utf8')
      : `_${file} was not produced by this run; see the job log._`,
  );
}

/** Stack names, one per line, as `stack-order.ts` writes them (undefined without a file). */
export function readOrderFile(file: string | undefined): string[] | undefined {
  return file
    ? readFileSync(file, 'utf8')
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean)
    : undefined;
}

function main(argv: string[]): void {
  const args = parseFlags(
    argv,
    ['results', 'order', 'title', 'marker', 'subtitle', 'max-chars', 'sections'],
    'usage: plan-summary.ts --results dir [--order file] [--title t] [--marker m] [--subtitle s] [--max-chars n] [--sections a.md,b.md]',
  );
  const resultsDir = args.get('results');
  if (!resultsDir) throw new Error('--results is required');
  const order = readOrderFile(args.get('order'));
  const maxChars = args.get('max-chars');
  if (maxChars !== undefined && !/^\d+$/.test(maxChars))
    throw new Error('--max-chars must be a number');
  const sectionFiles = (args.get('sections') ?? '').split(',').filter(Boolean);
  const markdown = renderSummary(loadResults(resultsDir, order), {
    title: args.get('title'),
    marker: args.get('marker'),
    subtitle: args.get('subtitle'),
    maxChars: maxChars ? Number(maxChars) : undefined,
    sections: readSections(sectionFiles),
  });
  process.stdout.write(`${markdown}\n`);
}

// Run only as a CLI, not when a test imports the functions.
if (process.argv[1]?.endsWith('plan-summary.ts')) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`plan-summary: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
