import { asList, notApplicable, notEvaluated } from '../engine';
import type { PolicyRule, ResourceRef, StackContext } from '../types';

/** One IAM policy statement, normalized from either a policy-document data source or JSON text. */
export interface PolicyStatement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions: string[];
  readonly notActions: string[];
  readonly resources: string[];
  readonly notResources: string[];
  readonly principals: { type: string; identifiers: string[] }[];
  readonly conditions: { test: string; variable: string; values: string[] }[];
}

const strings = (value: unknown): string[] =>
  value === undefined || value === null
    ? []
    : (Array.isArray(value) ? value : [value]).map((item) => String(item));

const DATA_DOCUMENT_REF = /^\$\{data\.aws_iam_policy_document\.([^.}]+)\.json\}$/;

function fromDataDocument(document: Record<string, unknown>): PolicyStatement[] {
  return asList(document.statement).map((statement) => ({
    effect: statement.effect === 'Deny' ? 'Deny' : 'Allow',
    actions: strings(statement.actions),
    notActions: strings(statement.not_actions),
    resources: strings(statement.resources),
    notResources: strings(statement.not_resources),
    principals: asList(statement.principals).map((p) => ({
      type: String(p.type),
      identifiers: strings(p.identifiers),
    })),
    conditions: asList(statement.condition).map((c) => ({
      test: String(c.test),
      variable: String(c.variable),
      values: strings(c.values),
    })),
  }));
}

function fromJson(text: string): PolicyStatement[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const statements = asList((parsed as Record<string, unknown> | null)?.Statement);
  return statements.map((statement) => {
    const principal = statement.Principal;
    const principals =
      principal === '*'
        ? [{ type: '*', identifiers: ['*'] }]
        : Object.entries((principal as Record<string, unknown> | undefined) ?? {}).map(
            ([type, ids]) => ({ type, identifiers: strings(ids) }),
          );
    const conditions = Object.entries(
      (statement.Condition as Record<string, Record<string, unknown>> | undefined) ?? {},
    ).flatMap(([test, byVariable]) =>
      Object.entries(byVariable).map(([variable, values]) => ({
        test,
        variable,
        values: strings(values),
      })),
    );
    return {
      effect: statement.Effect === 'Deny' ? 'Deny' : 'Allow',
      actions: strings(statement.Action),
      notActions: strings(statement.NotAction),
      resources: strings(statement.Resource),
      notResources: strings(statement.NotResource),
      principals,
      conditions,
    };
  });
}

/**
 * The statements of a policy argument (`policy`, `assume_role_policy`): a reference to an
 * `aws_iam_policy_document` data source of the same stack, or literal JSON. Undefined when the
 * policy cannot be read statically (another expression), so rules can say "cannot verify".
 */
export function policyStatements(
  value: unknown,
  stack: StackContext,
): PolicyStatement[] | undefined {
  if (typeof value !== 'string') return undefined;
  const ref = DATA_DOCUMENT_REF.exec(value);
  if (ref) {
    const document = stack.json.data?.aws_iam_policy_document?.[ref[1] as string];
    return document ? fromDataDocument(document) : undefined;
  }
  // Literal JSON may carry `${...}` references inside its strings; anything else is not readable.
  return fromJson(value);
}

/** `*` as a principal (`"Principal": "*"` or `{"AWS": "*"}`). */
export function hasWildcardPrincipal(statement: PolicyStatement): boolean {
  return statement.principals.some(
    (p) => (p.type === '*' || p.type === 'AWS') && p.identifiers.includes('*'),
  );
}

const GITHUB_HOST = 'token.actions.githubusercontent.com';
// `repo:<owner>/<name>:` with a literal owner and name: no wildcard can reach another repository.
const GITHUB_SUB_PATTERN = /^repo:[A-Za-z0-9-]+\/[A-Za-z0-9._-]+:[^\s]+$/;

/** True when the statement trusts GitHub Actions' OIDC provider (by literal ARN or a resource). */
function trustsGithub(statement: PolicyStatement, stack: StackContext): boolean {
  if (statement.conditions.some((c) => c.variable.startsWith(`${GITHUB_HOST}:`))) return true;
  return statement.principals
    .filter((p) => p.type === 'Federated')
    .flatMap((p) => p.identifiers)
    .some((identifier) => {
      if (identifier.includes(`oidc-provider/${GITHUB_HOST}`)) return true;
      const ref = /^\$\{aws_iam_openid_connect_provider\.([^.}]+)\.arn\}$/.exec(identifier);
      const provider = ref
        ? stack.json.resource?.aws_iam_openid_connect_provider?.[ref[1] as string]
        : undefined;
      return String(provider?.url ?? '').includes(GITHUB_HOST);
    });
}

/** Managed policies attached to a role through attachments or `managed_policy_arns`. */
function attachedPolicyArns(role: ResourceRef, stack: StackContext): string[] {
  return [
    ...strings(role.config.managed_policy_arns),
    ...stack
      .referencing('aws_iam_role_policy_attachment', role.address)
      .map((attachment) => String(attachment.config.policy_arn)),
    ...stack
      .referencing('aws_iam_policy_attachment', role.address)
      .map((attachment) => String(attachment.config.policy_arn)),
  ];
}

const ADMIN_POLICY = /:iam::aws:policy\/AdministratorAccess$/;

/** Auto Scaling actions that change a group's capacity or membership. */
const AUTOSCALING_WRITE_ACTIONS = [
  'autoscaling:setdesiredcapacity',
  'autoscaling:terminateinstanceinautoscalinggroup',
  'autoscaling:updateautoscalinggroup',
];

/** True when an action pattern (`autoscaling:*`, `*`, `autoscaling:Set*`) covers `action`. */
function covers(pattern: string, action: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .toLowerCase()
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return regex.test(action);
}

/** A condition that pins the statement to resources carrying a tag with a given value. */
const isTagCondition = (condition: PolicyStatement['conditions'][number]) =>
  /^(StringEquals|StringLike)(IfExists)?$/.test(condition.test) &&
  /^(aws|autoscaling):ResourceTag\//.test(condition.variable) &&
  condition.values.length > 0;

/** What a boundary on an admin role must deny for the admin rights not to be a way to escalate. */
function boundaryGaps(statements: PolicyStatement[]): string[] {
  const denied = (action: string, conditioned = false) =>
    statements.some(
      (s) =>
        s.effect === 'Deny' &&
        s.actions.includes(action) &&
        (!conditioned || s.conditions.some((c) => c.variable === 'iam:PermissionsBoundary')),
    );
  const gaps: string[] = [];
  if (!denied('iam:CreateUser') || !denied('iam:CreateAccessKey')) {
    gaps.push('IAM users/access keys are not denied');
  }
  if (!denied('iam:DeleteRolePermissionsBoundary')) gaps.push('boundary removal is not denied');
  if (!denied('iam:CreateRole', true)) {
    gaps.push('roles may be created without the same boundary');
  }
  return gaps;
}

export const iamRules: PolicyRule[] = [
  {
    id: 'HP_IAM_3',
    title: 'Auto Scaling capacity changes are limited to tagged groups (or named ARNs)',
    resourceTypes: ['aws_iam_role_policy', 'aws_iam_policy'],
    check(resource, stack) {
      const statements = policyStatements(resource.config.policy, stack);
      if (!statements) return notEvaluated('policy cannot be read statically');
      let grantsScaling = false;
      for (const statement of statements) {
        if (statement.effect !== 'Allow') continue;
        // Only grants that name Auto Scaling: `*` (admin) is HP_IAM_1's business, and a
        // permissions boundary allowing `*` grants nothing by itself.
        const writes = AUTOSCALING_WRITE_ACTIONS.filter((action) =>
          statement.actions.some(
            (pattern) =>
              pattern.toLowerCase().startsWith('autoscaling:') && covers(pattern, action),
          ),
        );
        if (writes.length === 0) continue;
        grantsScaling = true;
        const namedGroups = statement.resources.every((arn) =>
          /:autoScalingGroupName\/[^*]+$/.test(arn),
        );
        if (namedGroups || statement.conditions.some(isTagCondition)) continue;
        return `${writes.join(', ')} on ${statement.resources.join(', ') || '(no resource)'} without an aws:ResourceTag condition: it may scale any group in the account`;
      }
      return grantsScaling ? undefined : notApplicable('grants no Auto Scaling capacity change');
    },
  },
  {
    id: 'CKV_AWS_358',
    title: 'GitHub Actions OIDC trust is restricted by `sub` to named repositories',
    resourceTypes: ['aws_iam_role'],
    check(resource, stack) {
      const statements = policyStatements(resource.config.assume_role_policy, stack);
      if (!statements) {
        return JSON.stringify(resource.config.assume_role_policy ?? '').includes(GITHUB_HOST)
          ? 'trust policy mentions GitHub but cannot be read statically'
          : notEvaluated('trust policy cannot be read statically');
      }
      const github = statements.filter(
        (statement) => statement.effect === 'Allow' && trustsGithub(statement, stack),
      );
      if (github.length === 0) return notApplicable('the role does not trust GitHub Actions');
      for (const statement of github) {
        const sub = statement.conditions.filter((c) => c.variable === `${GITHUB_HOST}:sub`);
        if (sub.length === 0) return 'GitHub OIDC trust without a `sub` condition';
        const loose = sub.flatMap((c) => c.values).filter((v) => !GITHUB_SUB_PATTERN.test(v));
        if (loose.length > 0) {
          return `\`sub\` values not pinned to one repository: ${loose.join(', ')}`;
        }
      }
      return undefined;
    },
  },
  {
    id: 'CKV_AWS_60',
    title: 'IAM role trust policy does not let any principal (`*`) assume the role',
    resourceTypes: ['aws_iam_role'],
    check(resource, stack) {
      const statements = policyStatements(resource.config.assume_role_policy, stack);
      if (!statements) return 'trust policy cannot be read statically';
      return statements.some((s) => s.effect === 'Allow' && hasWildcardPrincipal(s))
        ? 'trust policy allows principal "*"'
        : undefined;
    },
  },
  {
    // Project replacement for CKV_AWS_274 (which forbids AdministratorAccess outright): the deploy
    // role needs admin to create the platform, so admin is allowed only inside a boundary that
    // closes the escalation paths.
    id: 'HP_IAM_1',
    title: 'Roles with AdministratorAccess carry a permissions boundary that blocks escalation',
    resourceTypes: ['aws_iam_role'],
    check(resource, stack) {
      if (!attachedPolicyArns(resource, stack).some((arn) => ADMIN_POLICY.test(arn))) {
        return notApplicable('no AdministratorAccess attached');
      }
      const boundary = resource.config.permissions_boundary;
      if (typeof boundary !== 'string' || boundary === '') {
        return 'AdministratorAccess without a permissions boundary';
      }
      const ref = /^\$\{aws_iam_policy\.([^.}]+)\.arn\}$/.exec(boundary);
      // A boundary managed elsewhere cannot be inspected here: present, but not evaluated.
      if (!ref) {
        return notEvaluated(
          `permissions boundary ${boundary} is managed outside this stack; its statements cannot be read`,
        );
      }
      const policy = stack.json.resource?.aws_iam_policy?.[ref[1] as string];
      const statements = policyStatements(policy?.policy, stack);
      if (!statements) return 'permissions boundary policy cannot be read statically';
      const gaps = boundaryGaps(statements);
      return gaps.length > 0 ? `permissions boundary is too weak: ${gaps.join('; ')}` : undefined;
    },
  },
  {
    // A deploy job runs in a GitHub environment whose protection rules (reviewers, branch rules)
    // gate it; a ref or pull-request subject would hand admin to any workflow on that ref.
    id: 'HP_IAM_2',
    title:
      'Roles with AdministratorAccess trust GitHub Actions only through one GitHub environment',
    resourceTypes: ['aws_iam_role'],
    check(resource, stack) {
      if (!attachedPolicyArns(resource, stack).some((arn) => ADMIN_POLICY.test(arn))) {
        return notApplicable('the role holds no AdministratorAccess');
      }
      const statements = policyStatements(resource.config.assume_role_policy, stack);
      if (!statements) return notEvaluated('trust policy cannot be read statically');
      const github = statements.filter((s) => s.effect === 'Allow' && trustsGithub(s, stack));
      if (github.length === 0) return notApplicable('the role does not trust GitHub Actions');
      const subjects = github
        .flatMap((s) => s.conditions.filter((c) => c.variable === `${GITHUB_HOST}:sub`))
        .flatMap((c) => c.values);
      const notEnvironment = subjects.filter((v) => !/^repo:[^:]+:environment:[^:*?]+$/.test(v));
      if (notEnvironment.length > 0) {
        return `admin role trusted by non-environment subjects: ${notEnvironment.join(', ')}`;
      }
      return subjects.length > 1
        ? `admin role trusted by ${subjects.length} GitHub environments (one role per environment)`
        : undefined;
    },
  },
];
