/**
 * Runs the policy rules (the Checkov-equivalent registry under `policy/`) over every
 * synthesized stack, with the documented waivers, and sums the results up.
 */
import { evaluate, stackContext } from '../../policy/engine';
import type { PolicyResult, PolicyRule, PolicyWaiver } from '../../policy/types';
import type { SynthOutput } from '../diagram/synth-output';

export interface PolicyRow extends PolicyResult {
  /** Construct path cdktf recorded for the resource (`prod-infra/alb/access-logs`), if any. */
  readonly constructPath?: string;
}

export interface PolicyCounts {
  /** Every row, whatever its status. */
  readonly checks: number;
  readonly passed: number;
  readonly waived: number;
  readonly failed: number;
  /** Rows where the rule does not concern the resource (not passes). */
  readonly notApplicable: number;
  /** Rows where the rule concerns the resource but could not inspect it (not passes). */
  readonly notEvaluated: number;
}

export interface PolicyReport {
  /** Number of rules run. */
  readonly rules: number;
  /** Stacks evaluated, in dependency order. */
  readonly stacks: readonly string[];
  /** One row per rule and inspected resource: stack order, then rule order, then address. */
  readonly results: readonly PolicyRow[];
  readonly counts: PolicyCounts;
  /** Waivers that matched no failing resource: stale exceptions to delete. */
  readonly unusedWaivers: readonly PolicyWaiver[];
  /**
   * Rules that found nothing to inspect in any stack: no resource of their types exists, or the
   * rule applies to none of them.
   */
  readonly idleRules: readonly string[];
}

export function countResults(results: readonly PolicyResult[]): PolicyCounts {
  const count = (status: PolicyResult['status']) =>
    results.filter((result) => result.status === status).length;
  return {
    checks: results.length,
    passed: count('pass'),
    waived: count('waived'),
    failed: count('fail'),
    notApplicable: count('not-applicable'),
    notEvaluated: count('not-evaluated'),
  };
}

function constructPathOf(
  json: SynthOutput['stacks'][number]['json'],
  address: string,
): string | undefined {
  const [type = '', name = ''] = address.split('.');
  const meta = json.resource?.[type]?.[name]?.['//'] as
    { metadata?: { path?: string } } | undefined;
  return meta?.metadata?.path;
}

export interface RunOptions {
  /** Only these environments (`account` is the bootstrap stack). Default: every stack. */
  readonly environments?: readonly string[];
}

export function runPolicies(
  output: SynthOutput,
  rules: readonly PolicyRule[],
  waivers: readonly PolicyWaiver[],
  options: RunOptions = {},
): PolicyReport {
  const stacks = output.stacks.filter(
    (stack) => !options.environments || options.environments.includes(stack.environment),
  );
  const ruleOrder = new Map(rules.map((rule, position) => [rule.id, position]));
  const results: PolicyRow[] = stacks.flatMap((stack) =>
    evaluate(rules, stackContext(stack.name, stack.environment, stack.json), waivers)
      .map((result) => ({ ...result, constructPath: constructPathOf(stack.json, result.address) }))
      .sort(
        (a, b) =>
          (ruleOrder.get(a.ruleId) ?? 0) - (ruleOrder.get(b.ruleId) ?? 0) ||
          a.address.localeCompare(b.address),
      ),
  );
  const environments = new Set(stacks.map((stack) => stack.environment));
  const unusedWaivers = waivers.filter(
    (waiver) =>
      environments.has(waiver.environment) &&
      !results.some(
        (result) =>
          result.status === 'waived' &&
          result.ruleId === waiver.ruleId &&
          result.environment === waiver.environment &&
          waiver.address.test(result.address),
      ),
  );
  return {
    rules: rules.length,
    stacks: stacks.map((stack) => stack.name),
    results,
    counts: countResults(results),
    unusedWaivers,
    idleRules: rules
      .map((rule) => rule.id)
      .filter(
        (id) =>
          !results.some((result) => result.ruleId === id && result.status !== 'not-applicable'),
      ),
  };
}
