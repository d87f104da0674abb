import type {
  CheckVerdict,
  PolicyResult,
  PolicyRule,
  PolicyWaiver,
  ResourceRef,
  StackContext,
  TerraformJson,
} from './types';

/** Wraps one synthesized stack so rules can look up resources and references cheaply. */
export function stackContext(
  stackName: string,
  environment: string,
  json: TerraformJson,
): StackContext {
  const byType = new Map<string, ResourceRef[]>();
  for (const [type, byName] of Object.entries(json.resource ?? {})) {
    byType.set(
      type,
      Object.entries(byName).map(([name, config]) => ({
        type,
        name,
        address: `${type}.${name}`,
        config,
      })),
    );
  }
  const serialized = new Map<string, string>();
  const text = (resource: ResourceRef): string => {
    let value = serialized.get(resource.address);
    if (value === undefined) {
      value = JSON.stringify(resource.config);
      serialized.set(resource.address, value);
    }
    return value;
  };
  return {
    stackName,
    environment,
    json,
    resources: (type) => (type === '*' ? [...byType.values()].flat() : (byType.get(type) ?? [])),
    referencing: (type, address) =>
      (byType.get(type) ?? []).filter((candidate) => text(candidate).includes(`\${${address}.`)),
  };
}

/** Runs every rule over every resource it inspects in the stack, applying waivers. */
export function evaluate(
  rules: readonly PolicyRule[],
  stack: StackContext,
  waivers: readonly PolicyWaiver[] = [],
): PolicyResult[] {
  const results: PolicyResult[] = [];
  for (const rule of rules) {
    if (rule.appliesTo && !rule.appliesTo(stack)) continue;
    for (const type of rule.resourceTypes) {
      for (const resource of stack.resources(type)) {
        const outcome = rule.check(resource, stack);
        const base = {
          ruleId: rule.id,
          title: rule.title,
          stackName: stack.stackName,
          environment: stack.environment,
          address: resource.address,
        };
        if (outcome === undefined) {
          results.push({ ...base, status: 'pass' });
          continue;
        }
        if (typeof outcome !== 'string') {
          results.push({ ...base, status: outcome.status, message: outcome.reason });
          continue;
        }
        const failure = outcome;
        const waiver = waivers.find(
          (w) =>
            w.ruleId === rule.id &&
            w.environment === stack.environment &&
            w.address.test(resource.address),
        );
        results.push(
          waiver
            ? { ...base, status: 'waived', message: waiver.reason }
            : { ...base, status: 'fail', message: failure },
        );
      }
    }
  }
  return results;
}

/** The rule does not concern this resource (not a pass: the report counts it apart). */
export const notApplicable = (reason: string): CheckVerdict => ({
  status: 'not-applicable',
  reason,
});

/** The rule concerns this resource but cannot read what it must inspect (never a pass). */
export const notEvaluated = (reason: string): CheckVerdict => ({
  status: 'not-evaluated',
  reason,
});

/** A pass that says what was inspected, so a reader can see the rule looked at something. */
export const passedInspecting = (evidence: string): CheckVerdict => ({
  status: 'pass',
  reason: evidence,
});

/** Reads a nested value (`a.b.0.c`) from a resource configuration; undefined when absent. */
export function valueAt(config: unknown, path: string): unknown {
  let current: unknown = config;
  for (const key of path.split('.')) {
    if (current === null || current === undefined) return undefined;
    if (Array.isArray(current)) {
      current = current[Number(key)];
    } else if (typeof current === 'object') {
      current = (current as Record<string, unknown>)[key];
    } else {
      return undefined;
    }
  }
  return current;
}

/** Treats Terraform JSON blocks that may be an object or a one-element list the same way. */
export function asList(value: unknown): Record<string, unknown>[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.filter(
    (item): item is Record<string, unknown> => typeof item === 'object' && item !== null,
  );
}

/** True when the value is a Terraform expression rather than a literal. */
export function isExpression(value: unknown): value is string {
  return typeof value === 'string' && value.includes('${');
}

/** A minimal stack for rule tests: `{ aws_s3_bucket: { bad: {...} } }` becomes a StackContext. */
export function fakeStack(
  resources: Record<string, Record<string, Record<string, unknown>>>,
  environment = 'prod',
): StackContext {
  return stackContext(`${environment}-test`, environment, { resource: resources });
}
