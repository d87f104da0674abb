/**
 * The difference between two estimates (the base branch's synth and the pull request's), per
 * environment and resource, and its Markdown for the pull-request comment:
 *
 *   prod: $1,234 → $1,310 (+$76): 1 × db.m7g.large → db.m7g.xlarge
 */
import {
  basisLine,
  cell,
  environmentDetails,
  MARKDOWN_MARKER,
  money,
  unpricedMarkdown,
  wholeDollars,
} from './format';
import type { CostEstimate, EnvironmentEstimate, PricedResource } from './model';

/** Differences below half a cent are rounding, not changes. */
const EPSILON = 0.005;

export interface ResourceChange {
  readonly stack: string;
  readonly address: string;
  readonly type: string;
  readonly kind: 'added' | 'removed' | 'changed';
  readonly baseSpec?: string;
  readonly headSpec?: string;
  readonly baseMonthly: number;
  readonly headMonthly: number;
  readonly delta: number;
}

export interface EnvironmentDiff {
  readonly name: string;
  readonly baseMonthly: number;
  readonly headMonthly: number;
  readonly delta: number;
  /** Changed resources, largest absolute difference first. */
  readonly changes: readonly ResourceChange[];
}

export interface CostDiff {
  readonly environments: readonly EnvironmentDiff[];
}

function resourcesOf(
  environment: EnvironmentEstimate | undefined,
): Map<string, PricedResource & { stack: string }> {
  const map = new Map<string, PricedResource & { stack: string }>();
  for (const stack of environment?.stacks ?? []) {
    for (const resource of stack.resources) {
      map.set(`${stack.name} ${resource.address}`, { ...resource, stack: stack.name });
    }
  }
  return map;
}

/** Resource-level differences of every environment in either estimate (head's order first). */
export function diffEstimates(base: CostEstimate, head: CostEstimate): CostDiff {
  const names = [
    ...head.environments.map((environment) => environment.name),
    ...base.environments
      .map((environment) => environment.name)
      .filter((name) => !head.environments.some((environment) => environment.name === name)),
  ];
  return {
    environments: names.map((name) => {
      const baseEnv = base.environments.find((environment) => environment.name === name);
      const headEnv = head.environments.find((environment) => environment.name === name);
      const before = resourcesOf(baseEnv);
      const after = resourcesOf(headEnv);
      const changes: ResourceChange[] = [];
      for (const key of new Set([...before.keys(), ...after.keys()])) {
        const old = before.get(key);
        const now = after.get(key);
        const resource = (now ?? old)!;
        const baseMonthly = old?.monthly ?? 0;
        const headMonthly = now?.monthly ?? 0;
        const delta = headMonthly - baseMonthly;
        const kind = !old ? 'added' : !now ? 'removed' : 'changed';
        if (kind === 'changed' && Math.abs(delta) < EPSILON && old!.spec === now!.spec) continue;
        changes.push({
          stack: resource.stack,
          address: resource.address,
          type: resource.type,
          kind,
          ...(old ? { baseSpec: old.spec } : {}),
          ...(now ? { headSpec: now.spec } : {}),
          baseMonthly,
          headMonthly,
          delta,
        });
      }
      changes.sort(
        (a, b) => Math.abs(b.delta) - Math.abs(a.delta) || a.address.localeCompare(b.address),
      );
      const baseMonthly = baseEnv?.monthly ?? 0;
      const headMonthly = headEnv?.monthly ?? 0;
      return { name, baseMonthly, headMonthly, delta: headMonthly - baseMonthly, changes };
    }),
  };
}

const hasLetter = (tokens: readonly string[]): boolean =>
  tokens.some((token) => /[a-z]/i.test(token));

/**
 * The part of two specs that differs, widened until both sides say what it is:
 * `db.m7g.large Multi-AZ, 50 GB gp3` vs `db.m7g.xlarge Multi-AZ, 50 GB gp3` → `db.m7g.large →
 * db.m7g.xlarge`; `3 × m7i.large (max 6)` vs `4 × m7i.large (max 6)` → `3 × m7i.large → 4 ×
 * m7i.large`.
 */
export function specChange(before: string, after: string): string {
  const a = before.split(/\s+/);
  const b = after.split(/\s+/);
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < a.length - prefix &&
    suffix < b.length - prefix &&
    a[a.length - 1 - suffix] === b[b.length - 1 - suffix]
  ) {
    suffix++;
  }
  let start = prefix;
  let endA = a.length - suffix;
  let endB = b.length - suffix;
  // Widen to the right, then to the left, until both sides contain a word.
  while (!(hasLetter(a.slice(start, endA)) && hasLetter(b.slice(start, endB)))) {
    if (endA < a.length && endB < b.length) {
      endA++;
      endB++;
    } else if (start > 0) {
      start--;
    } else {
      break;
    }
  }
  const strip = (tokens: string[]): string => tokens.join(' ').replace(/[,;]$/, '');
  return `${strip(a.slice(start, endA))} → ${strip(b.slice(start, endB))}`;
}

/** Short phrases for an environment's changes, grouped: `1 × db.m7g.large → db.m7g.xlarge`. */
export function changePhrases(changes: readonly ResourceChange[]): string[] {
  const groups = new Map<string, { count: number; weight: number }>();
  const add = (phrase: string, delta: number): void => {
    const group = groups.get(phrase) ?? { count: 0, weight: 0 };
    groups.set(phrase, { count: group.count + 1, weight: group.weight + Math.abs(delta) });
  };
  for (const change of changes) {
    if (change.kind === 'added') add(`+ ${change.type}`, change.delta);
    else if (change.kind === 'removed') add(`− ${change.type}`, change.delta);
    else if (change.baseSpec !== change.headSpec) {
      add(specChange(change.baseSpec ?? '', change.headSpec ?? ''), change.delta);
    } else add(`${change.type} repriced`, change.delta);
  }
  return [...groups]
    .sort((a, b) => b[1].weight - a[1].weight || a[0].localeCompare(b[0]))
    .map(([phrase, { count }]) => {
      if (phrase.startsWith('+ ') || phrase.startsWith('− ')) {
        return `${phrase[0]}${count} ${phrase.slice(2)}`;
      }
      // `3 × m7i.large → 4 × m7i.large` counts already; `1 × 3 × …` would read badly.
      if (/^\d/.test(phrase)) return count === 1 ? phrase : `${count} × (${phrase})`;
      return `${count} × ${phrase}`;
    });
}

/** `+$76`, `−$12`, `±$0`. */
export function signedDollars(delta: number): string {
  const rounded = Math.round(delta);
  if (rounded === 0) return delta === 0 ? '±$0' : delta > 0 ? '+<$1' : '−<$1';
  return `${rounded > 0 ? '+' : '−'}${wholeDollars(Math.abs(rounded))}`;
}

/** `prod: $1,234 → $1,310 (+$76): 1 × db.m7g.large → db.m7g.xlarge`. */
export function headline(environment: EnvironmentDiff, maxPhrases = 3): string {
  const totals = `${environment.name}: ${wholeDollars(environment.baseMonthly)} → ${wholeDollars(environment.headMonthly)}`;
  if (environment.changes.length === 0)
    return `${environment.name}: ${wholeDollars(environment.headMonthly)}, no change`;
  const phrases = changePhrases(environment.changes);
  const shown = phrases.slice(0, maxPhrases).join('; ');
  const more = phrases.length > maxPhrases ? `; and ${phrases.length - maxPhrases} more` : '';
  return `${totals} (${signedDollars(environment.delta)}): ${shown}${more}`;
}

/** Signed money with cents, for the change table. */
const signedMoney = (delta: number): string =>
  `${delta > 0 ? '+' : delta < 0 ? '−' : '±'}${money(Math.abs(delta))}`;

/**
 * The pull-request section with a base: the headline per environment, the totals before and
 * after, the changed resources, then each environment's main resources folded away.
 */
export function formatDiffMarkdown(base: CostEstimate, head: CostEstimate): string {
  const diff = diffEstimates(base, head);
  const lines = [
    MARKDOWN_MARKER,
    '### Cost estimate',
    '',
    ...diff.environments.map((environment) => `- **${cell(headline(environment))}**`),
    '',
    '| Environment | Base branch | This pull request | Difference |',
    '| --- | ---: | ---: | ---: |',
    ...diff.environments.map(
      (environment) =>
        `| ${environment.name} | ${money(environment.baseMonthly)} | ${money(environment.headMonthly)} | ${signedMoney(environment.delta)} |`,
    ),
  ];
  const changes = diff.environments.flatMap((environment) =>
    environment.changes.map((change) => ({ ...change, environment: environment.name })),
  );
  if (changes.length > 0) {
    lines.push(
      '',
      '<details>',
      `<summary>${changes.length} changed resources</summary>`,
      '',
      '| Environment | Resource | Before | After | Difference |',
      '| --- | --- | --- | --- | ---: |',
      ...changes
        .slice(0, 50)
        .map(
          (change) =>
            `| ${change.environment} | \`${cell(change.address)}\` | ${change.baseSpec ? `${cell(change.baseSpec)} (${money(change.baseMonthly)})` : '—'} | ${change.headSpec ? `${cell(change.headSpec)} (${money(change.headMonthly)})` : '—'} | ${signedMoney(change.delta)} |`,
        ),
      ...(changes.length > 50 ? [`| …and ${changes.length - 50} more | | | | |`] : []),
      '',
      '</details>',
    );
  }
  lines.push(
    ...unpricedMarkdown(head),
    '',
    `${basisLine(head)}. Both sides are priced with this pull request's prices and assumptions, so the difference shows resource changes. What it leaves out: [docs/cost.md](docs/cost.md).`,
    '',
    ...head.environments.flatMap((environment) => [...environmentDetails(environment), '']),
  );
  return `${lines.join('\n')}\n`;
}
