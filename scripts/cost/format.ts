/**
 * The cost estimate as a terminal table, as JSON for machines, and as the Markdown section the
 * plan workflow adds to its pull-request comment.
 */
import type { CostEstimate, EnvironmentEstimate, PricedResource } from './model';

/** Marker of the estimate's section in the pull-request comment. */
export const MARKDOWN_MARKER = '<!-- cost-estimate -->';

/** Resources listed per environment in the Markdown before the rest is summed up. */
export const MARKDOWN_RESOURCE_LIMIT = 15;

const usd = (minimumFractionDigits: number, maximumFractionDigits: number) =>
  new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency: 'USD',
    minimumFractionDigits,
    maximumFractionDigits,
  });
const CENTS = usd(2, 2);
const DOLLARS = usd(0, 0);
const UNIT_PRICE = usd(2, 4);
const QUANTITY = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const SMALL_QUANTITY = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 });

/** `$1,234.56`. */
export const money = (amount: number): string => CENTS.format(amount);
/** `$1,235`: for headlines and the README. */
export const wholeDollars = (amount: number): string => DOLLARS.format(amount);
/** `$0.1124`, `$3.00`. */
export const unitPrice = (amount: number): string => UNIT_PRICE.format(amount);
/** `2,190`, `1.97`, `0.001`: small quantities keep three significant digits. */
export const quantity = (amount: number): string =>
  amount !== 0 && Math.abs(amount) < 1 ? SMALL_QUANTITY.format(amount) : QUANTITY.format(amount);

/** The header every format shares: what month, which prices, which assumptions. */
export function basisLine(estimate: CostEstimate): string {
  return (
    `Monthly estimate: ${estimate.hoursPerMonth} h from ${estimate.asOf}, on-demand list prices in USD ` +
    'before tax (scripts/cost/prices/), usage assumptions from config (costAssumptions)'
  );
}

/** Free resources summed up by type: `aws_iam_role ×6, aws_subnet ×9`. */
function freeByType(environment: EnvironmentEstimate): string {
  const counts = new Map<string, number>();
  for (const stack of environment.stacks) {
    for (const resource of stack.free)
      counts.set(resource.type, (counts.get(resource.type) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([type, count]) => `${type} ×${count}`)
    .join(', ');
}

function padTable(rows: string[][], rightAligned: ReadonlySet<number>): string[] {
  const widths = rows[0]!.map((_, column) =>
    Math.max(...rows.map((row) => (row[column] ?? '').length)),
  );
  return rows.map((row) =>
    row
      .map((cell, column) =>
        column === row.length - 1 && !rightAligned.has(column)
          ? cell
          : rightAligned.has(column)
            ? cell.padStart(widths[column] ?? 0)
            : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd(),
  );
}

/**
 * Per environment and stack: one row per priced quantity of each billable resource (address,
 * type, component, quantity, unit price, monthly), the subtotals, the free resources by type,
 * and anything unpriced; then the totals.
 */
export function formatTable(estimate: CostEstimate): string {
  const lines: string[] = [basisLine(estimate), ''];
  for (const environment of estimate.environments) {
    lines.push(
      `== ${environment.name}: ${money(environment.monthly)} per month` +
        (environment.unconfirmedMonthly > 0
          ? ` (${money(environment.unconfirmedMonthly)} of it from unconfirmed prices)`
          : ''),
    );
    for (const stack of environment.stacks) {
      lines.push(
        `-- ${stack.name}: ${money(stack.monthly)} (${stack.resources.length} priced, ` +
          `${stack.free.length} free, ${stack.unpriced.length} unpriced)`,
      );
      if (stack.resources.length > 0) {
        const rows: string[][] = [
          ['ADDRESS', 'TYPE', 'COMPONENT', 'QUANTITY', 'UNIT PRICE', 'MONTHLY'],
        ];
        for (const resource of stack.resources) {
          for (const line of resource.lines) {
            rows.push([
              resource.address,
              resource.type,
              line.component,
              quantity(line.quantity),
              `${unitPrice(line.unitPrice)}/${line.unit}`,
              money(line.monthly),
            ]);
          }
        }
        lines.push(...padTable(rows, new Set([3, 5])));
      }
      for (const resource of stack.unpriced) {
        lines.push(`UNPRICED  ${resource.address}: ${resource.reason}`);
      }
    }
    const free = freeByType(environment);
    if (free) lines.push(`free: ${free}`);
    lines.push('');
  }
  const totals: string[][] = [['ENVIRONMENT', 'MONTHLY', 'UNCONFIRMED PRICES']];
  for (const environment of estimate.environments) {
    totals.push([
      environment.name,
      money(environment.monthly),
      money(environment.unconfirmedMonthly),
    ]);
  }
  lines.push(...padTable(totals, new Set([1, 2])));
  lines.push(
    estimate.unpricedTypes.length === 0
      ? 'Every resource is priced or known to be free.'
      : `UNPRICED resource types (add a rule or a free entry in scripts/cost/catalogue.ts, or a price): ${estimate.unpricedTypes.join(', ')}`,
  );
  return `${lines.join('\n')}\n`;
}

/** Machine-readable: the whole estimate, amounts unrounded. */
export function toJson(estimate: CostEstimate, extra: Record<string, unknown> = {}): string {
  return `${JSON.stringify({ ...estimate, ...extra }, null, 2)}\n`;
}

/** Text for a Markdown table cell: no pipes or line breaks. */
export function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Priced resources of an environment, most expensive first. */
export function resourcesByCost(
  environment: EnvironmentEstimate,
): (PricedResource & { stack: string })[] {
  return environment.stacks
    .flatMap((stack) => stack.resources.map((resource) => ({ ...resource, stack: stack.name })))
    .sort((a, b) => b.monthly - a.monthly || a.address.localeCompare(b.address));
}

/** A folded table of an environment's most expensive resources. */
export function environmentDetails(environment: EnvironmentEstimate): string[] {
  const resources = resourcesByCost(environment);
  const shown = resources.slice(0, MARKDOWN_RESOURCE_LIMIT);
  const rest = resources.slice(MARKDOWN_RESOURCE_LIMIT);
  const lines = [
    '<details>',
    `<summary>${environment.name}: ${resources.length} priced resource${resources.length === 1 ? '' : 's'}, ${money(environment.monthly)}</summary>`,
    '',
    '| Resource | What | Monthly |',
    '| --- | --- | ---: |',
    ...shown.map(
      (resource) =>
        `| \`${cell(resource.address)}\` | ${cell(resource.spec)} | ${money(resource.monthly)} |`,
    ),
  ];
  if (rest.length > 0) {
    lines.push(
      `| ${rest.length} more | | ${money(rest.reduce((sum, resource) => sum + resource.monthly, 0))} |`,
    );
  }
  lines.push('', '</details>');
  return lines;
}

/** Unpriced resources, when there are any: a warning the comment must not hide. */
export function unpricedMarkdown(estimate: CostEstimate): string[] {
  const unpriced = estimate.environments.flatMap((environment) =>
    environment.stacks.flatMap((stack) => stack.unpriced),
  );
  if (unpriced.length === 0) return [];
  return [
    '',
    `⚠️ **${unpriced.length} unpriced resources** (not in the totals):`,
    ...unpriced
      .slice(0, 20)
      .map((resource) => `- \`${cell(resource.address)}\`: ${cell(resource.reason)}`),
  ];
}

/** The pull-request section: totals per environment, then each environment's main resources. */
export function formatMarkdown(estimate: CostEstimate): string {
  const lines = [
    MARKDOWN_MARKER,
    '### Cost estimate',
    '',
    `${basisLine(estimate)}. What it leaves out: [docs/cost.md](docs/cost.md).`,
    '',
    '| Environment | Monthly | of which unconfirmed prices |',
    '| --- | ---: | ---: |',
    ...estimate.environments.map(
      (environment) =>
        `| ${environment.name} | ${money(environment.monthly)} | ${money(environment.unconfirmedMonthly)} |`,
    ),
    ...unpricedMarkdown(estimate),
    '',
    ...estimate.environments.flatMap((environment) => [...environmentDetails(environment), '']),
  ];
  return `${lines.join('\n')}\n`;
}
