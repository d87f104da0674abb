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
 * A policy rule mirrors one Checkov check (or a project rule, id `HP_*`) over the synthesized JSON.
 * `check` returns `undefined` when the resource passes, or the reason it fails.
 */
export interface PolicyRule {
  /** Checkov id this rule mirrors (e.g. `CKV_AWS_21`) or a project id (`HP_<AREA>_<n>`). */
  readonly id: string;
  readonly title: string;
  /** Resource types the rule inspects (`*` for all); each such resource gets a pass or a fail. */
  readonly resourceTypes: readonly string[];
  /** Only run for some stacks (e.g. prod-only requirements). Default: every stack. */
  readonly appliesTo?: (stack: StackContext) => boolean;
  check(resource: ResourceRef, stack: StackContext): string | undefined;
}

export type PolicyStatus = 'pass' | 'fail' | 'waived';

export interface PolicyResult {
  readonly ruleId: string;
  readonly title: string;
  readonly stackName: string;
  readonly environment: string;
  readonly address: string;
  readonly status: PolicyStatus;
  /** Failure reason, or the waiver's reason. */
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
