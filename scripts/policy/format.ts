/**
 * The policy report as a terminal table, as JSON for machines, and as a compact Markdown comment
 * for pull requests (counts, then failures, waivers and unevaluated checks, the rest folded away).
 */
import type { PolicyWaiver } from '../../policy/types';
import { countResults, type PolicyReport, type PolicyRow } from './report';

/** Marker the plan workflow can use to find and update its previous comment. */
export const MARKDOWN_MARKER = '<!-- policy-report -->';

/** Failure and waiver rows listed in the Markdown comment before the rest is cut. */
export const MARKDOWN_ROW_LIMIT = 100;

const STATUS_TEXT: Record<PolicyRow['status'], string> = {
  pass: 'pass',
  fail: 'FAIL',
  waived: 'waived',
  'not-applicable': 'n/a',
  'not-evaluated': 'not-evaluated',
};

export interface TableOptions {
  /** Only failing rows in the table (the summary still counts everything). Default: false. */
  readonly onlyFailures?: boolean;
  /** ANSI colours for the status column. Default: false. */
  readonly colour?: boolean;
}

const COLOURS: Record<PolicyRow['status'], string> = {
  pass: '\u001b[32m',
  fail: '\u001b[31;1m',
  waived: '\u001b[33m',
  'not-applicable': '\u001b[2m',
  'not-evaluated': '\u001b[35m',
};
const RESET = '\u001b[0m';

function summaryLine(report: PolicyReport): string {
  const { checks, passed, waived, failed, notApplicable, notEvaluated } = report.counts;
  return (
    `${report.rules} rules over ${report.stacks.length} stacks: ${checks} checks, ` +
    `${passed} passed, ${waived} waived, ${failed} failed, ` +
    `${notApplicable} not applicable, ${notEvaluated} not evaluated`
  );
}

function describeWaiver(waiver: PolicyWaiver): string {
  return `${waiver.ruleId} ${waiver.environment} ${String(waiver.address)}`;
}

/**
 * A padded text table (rule, status, environment, stack, resource, title, reason), the summary,
 * and the failures once more at the end so a long run does not bury them.
 */
export function formatTable(report: PolicyReport, options: TableOptions = {}): string {
  const rows = options.onlyFailures
    ? report.results.filter((result) => result.status === 'fail')
    : report.results;
  const header = ['RULE', 'STATUS', 'ENV', 'STACK', 'RESOURCE', 'TITLE', 'REASON'];
  const cells = rows.map((row) => [
    row.ruleId,
    STATUS_TEXT[row.status],
    row.environment,
    row.stackName,
    row.address,
    row.title,
    row.message ?? '',
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((cell) => (cell[column] ?? '').length)),
  );
  const render = (cell: string[], status?: PolicyRow['status']): string =>
    cell
      .map((value, column) => {
        // The last column is not padded: no trailing spaces.
        const padded = column === cell.length - 1 ? value : value.padEnd(widths[column] ?? 0);
        return column === 1 && status && options.colour
          ? `${COLOURS[status]}${padded}${RESET}`
          : padded;
      })
      .join('  ')
      .trimEnd();

  const lines: string[] = [];
  if (rows.length > 0) {
    lines.push(render(header));
    rows.forEach((row, position) => lines.push(render(cells[position] ?? [], row.status)));
    lines.push('');
  } else if (options.onlyFailures) {
    lines.push('No failing checks.', '');
  }
  lines.push(summaryLine(report));
  const failures = report.results.filter((result) => result.status === 'fail');
  if (failures.length > 0 && !options.onlyFailures) {
    lines.push('Failed:');
    for (const failure of failures) {
      lines.push(
        `  ${failure.ruleId}  ${failure.stackName}  ${failure.address}: ${failure.message ?? ''}`,
      );
    }
  }
  const unevaluated = report.results.filter((result) => result.status === 'not-evaluated');
  if (unevaluated.length > 0 && !options.onlyFailures) {
    lines.push('Not evaluated (nobody inspected these; they are not passes):');
    for (const row of unevaluated) {
      lines.push(`  ${row.ruleId}  ${row.stackName}  ${row.address}: ${row.message ?? ''}`);
    }
  }
  if (report.idleRules.length > 0) {
    lines.push(`Rules with nothing to inspect: ${report.idleRules.join(', ')}`);
  }
  for (const waiver of report.unusedWaivers) {
    lines.push(`warning: waiver matches no failing resource, remove it: ${describeWaiver(waiver)}`);
  }
  return `${lines.join('\n')}\n`;
}

export interface JsonReport {
  readonly summary: {
    readonly rules: number;
    readonly stacks: readonly string[];
    readonly checks: number;
    readonly passed: number;
    readonly waived: number;
    readonly failed: number;
    readonly notApplicable: number;
    readonly notEvaluated: number;
  };
  /** Rules that found nothing to inspect (no resource of their types, or none they apply to). */
  readonly idleRules: readonly string[];
  readonly results: readonly PolicyRow[];
  readonly unusedWaivers: ReadonlyArray<{
    readonly ruleId: string;
    readonly environment: string;
    readonly address: string;
    readonly reason: string;
  }>;
}

/** Machine-readable report; `results` honours `onlyFailures`, the summary counts everything. */
export function toJsonReport(report: PolicyReport, options: TableOptions = {}): JsonReport {
  return {
    summary: { rules: report.rules, stacks: report.stacks, ...report.counts },
    idleRules: report.idleRules,
    results: options.onlyFailures
      ? report.results.filter((result) => result.status === 'fail')
      : report.results,
    unusedWaivers: report.unusedWaivers.map((waiver) => ({
      ruleId: waiver.ruleId,
      environment: waiver.environment,
      address: waiver.address.source,
      reason: waiver.reason,
    })),
  };
}

/** Text for a Markdown table cell: no pipes or line breaks. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function limitedRows(rows: readonly PolicyRow[], render: (row: PolicyRow) => string): string[] {
  const lines = rows.slice(0, MARKDOWN_ROW_LIMIT).map(render);
  if (rows.length > MARKDOWN_ROW_LIMIT) {
    lines.push('', `…and ${rows.length - MARKDOWN_ROW_LIMIT} more (run \`npm run policy\`).`);
  }
  return lines;
}

/** A folded `<details>` table: rows of one status counted per rule. */
function foldedByRule(
  report: PolicyReport,
  status: PolicyRow['status'],
  summary: string,
  countTitle: string,
): string[] {
  const byRule = new Map<string, { title: string; count: number; environments: Set<string> }>();
  for (const result of report.results) {
    if (result.status !== status) continue;
    const entry = byRule.get(result.ruleId) ?? {
      title: result.title,
      count: 0,
      environments: new Set<string>(),
    };
    entry.count += 1;
    entry.environments.add(result.environment);
    byRule.set(result.ruleId, entry);
  }
  return [
    '',
    '<details>',
    `<summary>${summary}</summary>`,
    '',
    `| Rule | Title | ${countTitle} | Environments |`,
    '| --- | --- | ---: | --- |',
    ...[...byRule].map(
      ([ruleId, entry]) =>
        `| \`${ruleId}\` | ${cell(entry.title)} | ${entry.count} | ${[...entry.environments].join(', ')} |`,
    ),
    '',
    '</details>',
  ];
}

/**
 * The pull-request comment: a headline, counts per environment, failures, waivers and unevaluated
 * checks with their reasons, and the passing and not-applicable checks per rule folded in
 * `<details>`.
 */
export function formatMarkdown(report: PolicyReport): string {
  const { passed, waived, failed, notApplicable, notEvaluated } = report.counts;
  const verdict = failed > 0 ? `❌ ${failed} failed` : '✅ all checks pass';
  const lines: string[] = [
    MARKDOWN_MARKER,
    `### Policy report: ${verdict}`,
    '',
    `${summaryLine(report)}.`,
    '',
    '| Environment | Passed | Waived | Failed | Not applicable | Not evaluated |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  const environments = [...new Set(report.results.map((result) => result.environment))];
  for (const environment of environments) {
    const counts = countResults(report.results.filter((r) => r.environment === environment));
    lines.push(
      `| ${environment} | ${counts.passed} | ${counts.waived} | ${counts.failed} | ${counts.notApplicable} | ${counts.notEvaluated} |`,
    );
  }
  lines.push(
    `| **total** | **${passed}** | **${waived}** | **${failed}** | **${notApplicable}** | **${notEvaluated}** |`,
  );

  const failures = report.results.filter((result) => result.status === 'fail');
  if (failures.length > 0) {
    lines.push(
      '',
      '#### Failures',
      '',
      '| Rule | Title | Environment | Resource | Reason |',
      '| --- | --- | --- | --- | --- |',
      ...limitedRows(
        failures,
        (row) =>
          `| \`${row.ruleId}\` | ${cell(row.title)} | ${row.environment} | \`${row.stackName}\` \`${cell(row.address)}\` | ${cell(row.message ?? '')} |`,
      ),
    );
  }
  // One waiver usually covers many resources: one row per rule, environment and reason.
  const waiverGroups = new Map<string, PolicyRow[]>();
  for (const row of report.results.filter((result) => result.status === 'waived')) {
    const key = JSON.stringify([row.ruleId, row.environment, row.message]);
    waiverGroups.set(key, [...(waiverGroups.get(key) ?? []), row]);
  }
  if (waiverGroups.size > 0) {
    lines.push(
      '',
      '#### Waivers',
      '',
      '| Rule | Title | Environment | Resources | Reason for the waiver |',
      '| --- | --- | --- | --- | --- |',
      ...[...waiverGroups.values()].map((rows) => {
        const first = rows[0] as PolicyRow;
        const resources = rows
          .slice(0, 10)
          .map((row) => `\`${cell(row.address)}\``)
          .join('<br>');
        const more = rows.length > 10 ? `<br>…and ${rows.length - 10} more` : '';
        return `| \`${first.ruleId}\` | ${cell(first.title)} | ${first.environment} | ${rows.length}: ${resources}${more} | ${cell(first.message ?? '')} |`;
      }),
    );
  }
  const unevaluated = report.results.filter((result) => result.status === 'not-evaluated');
  if (unevaluated.length > 0) {
    lines.push(
      '',
      '#### Not evaluated',
      '',
      'Nobody inspected these (they are not passes):',
      '',
      '| Rule | Title | Environment | Resource | Why |',
      '| --- | --- | --- | --- | --- |',
      ...limitedRows(
        unevaluated,
        (row) =>
          `| \`${row.ruleId}\` | ${cell(row.title)} | ${row.environment} | \`${row.stackName}\` \`${cell(row.address)}\` | ${cell(row.message ?? '')} |`,
      ),
    );
  }
  if (report.unusedWaivers.length > 0) {
    lines.push(
      '',
      '**Stale waivers** (they match no failing resource; remove them):',
      ...report.unusedWaivers.map((waiver) => `- \`${cell(describeWaiver(waiver))}\``),
    );
  }

  if (report.idleRules.length > 0) {
    lines.push(
      '',
      `Rules with nothing to inspect here: ${report.idleRules.map((id) => `\`${id}\``).join(', ')}.`,
    );
  }

  // Passing and not-applicable checks per rule: one line each keeps the comment short.
  lines.push(
    ...foldedByRule(report, 'pass', `${passed} passing checks by rule`, 'Resources passed'),
    ...(notApplicable > 0
      ? foldedByRule(
          report,
          'not-applicable',
          `${notApplicable} not-applicable checks by rule`,
          'Resources not concerned',
        )
      : []),
    '',
  );
  return lines.join('\n');
}
