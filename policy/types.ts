/** The parts of a synthesized Terraform JSON document that the policy rules read. */
export interface TerraformJson {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  provider?: Record<string, unknown[]>;
  terraform?: Record<string, unknown>;
  output?: Record<string, Record<string, unknown>>;
  variable?: Record<string, Record<string, unknown>>;
  locals?: Record<string, unknown>;
}

/** One resource of a stack: `type.name` is its Terraform address. */
export interface ResourceRef {
  readonly type: string;
  readonly name: string;
  readonly address: string;
  readonly config: Record<string, unknown>;
}

/**
 * What a rule may look at besides the resource itself: the other resources of the same stack, and
 * which environment the stack belongs to (`account` for the per-account bootstrap stack).
 */
export interface StackContext {
  readonly stackName: string;
  readonly environment: string;
  readonly json: TerraformJson;
  /** All resources of a type (empty array when none); `*` gives every resource. */
  resources(type: string): ResourceRef[];
  /** Resources of `type` whose configuration mentions `${<address>.` anywhere (i.e. reference it). */
  referencing(type: string, address: string): ResourceRef[];
}

/**
 * What a check says about one resource besides a plain pass (`undefined`) or a failure (the
 * reason, a string):
 * - `pass` with evidence: it passes, and `reason` says what was inspected (e.g. the containers);
 * - `not-applicable`: the rule does not concern this resource (an RDS MySQL instance for a
 *   PostgreSQL rule, an internal load balancer for an internet-facing one);
 * - `not-evaluated`: the rule concerns it, but what it must inspect cannot be read from the
 *   synthesized JSON (a Helm chart whose pods are not modelled, an unset engine).
 * Neither of the last two is a pass: the report counts them apart.
 */
export interface CheckVerdict {
  readonly status: 'pass' | 'not-applicable' | 'not-evaluated';
  readonly reason: string;
}

export type CheckOutcome = string | undefined | CheckVerdict;

/**
 * A policy rule mirrors one Checkov check (or a project rule, id `HP_*`) over the synthesized JSON.
 * `check` returns `undefined` when the resource passes, the reason when it fails, or a
 * `CheckVerdict` (see there) when it passes with evidence, does not apply or cannot be evaluated.
 */
export interface PolicyRule {
  /** Checkov id this rule mirrors (e.g. `CKV_AWS_21`) or a project id (`HP_<AREA>_<n>`). */
  readonly id: string;
  readonly title: string;
  /** Resource types the rule inspects (`*` for all); each such resource gets one result row. */
  readonly resourceTypes: readonly string[];
  /** Only run for some stacks (e.g. prod-only requirements). Default: every stack. */
  readonly appliesTo?: (stack: StackContext) => boolean;
  check(resource: ResourceRef, stack: StackContext): CheckOutcome;
}

export type PolicyStatus = 'pass' | 'fail' | 'waived' | 'not-applicable' | 'not-evaluated';

/** Every status, in the order reports list their counts. */
export const POLICY_STATUSES: readonly PolicyStatus[] = [
  'pass',
  'fail',
  'waived',
  'not-applicable',
  'not-evaluated',
];

export interface PolicyResult {
  readonly ruleId: string;
  readonly title: string;
  readonly stackName: string;
  readonly environment: string;
  readonly address: string;
  readonly status: PolicyStatus;
  /**
   * Failure reason, the waiver's reason, why the rule does not apply or could not be evaluated,
   * or (for some passes) what was inspected.
   */
  readonly message?: string;
}

/** An accepted, documented exception. Never allowed for prod (a test enforces it). */
export interface PolicyWaiver {
  readonly ruleId: string;
  readonly environment: string;
  /** Regular expression matched against the resource address. */
  readonly address: RegExp;
  readonly reason: string;
}
