import { stackContext, evaluate } from '../../policy/engine';
import { allRules } from '../../policy/registry';
import {
  inspectPods,
  KUBERNETES_WORKLOAD_TYPES,
  kubernetesRules,
} from '../../policy/rules/kubernetes';
import { waivers } from '../../policy/waivers';
import type { PolicyResult } from '../../policy/types';
import { danglingReferences } from '../helpers/reference-check';
import { synthPlatform } from '../helpers/app-synth';

const platform = synthPlatform();

function policyResults(): PolicyResult[] {
  return platform.stacks.flatMap((stack) =>
    evaluate(allRules, stackContext(stack.name, stack.environment, stack.json), waivers),
  );
}

describe('the synthesized platform', () => {
  it('has an infra stack for every environment', () => {
    const names = platform.stacks.map((stack) => stack.name);
    for (const env of ['dev', 'staging', 'prod']) expect(names).toContain(`${env}-infra`);
  });

  it.each(platform.stacks.map((stack) => [stack.name, stack] as const))(
    '%s: every reference names something declared in the stack',
    async (_name, stack) => {
      expect(await danglingReferences(stack.json)).toEqual([]);
    },
  );

  it.each(platform.stacks.map((stack) => [stack.name, stack] as const))(
    '%s: declares a provider for every resource and data source type (cdktf validation is skipped)',
    (_name, stack) => {
      const types = [
        ...Object.keys(stack.json.resource ?? {}),
        ...Object.keys(stack.json.data ?? {}),
      ];
      const providers = new Set(Object.keys(stack.json.provider ?? {}));
      // terraform_remote_state and terraform_data belong to Terraform's built-in provider.
      const builtIn = ['terraform_remote_state', 'terraform_data'];
      const needed = new Set(
        types.filter((type) => !builtIn.includes(type)).map((type) => type.split('_')[0]!),
      );
      expect([...needed].filter((provider) => !providers.has(provider))).toEqual([]);
      const required = Object.keys(
        (stack.json.terraform as { required_providers?: Record<string, unknown> })
          .required_providers ?? {},
      );
      expect(required.sort()).toEqual([...providers].sort());
    },
  );

  it.each(platform.stacks.map((stack) => [stack.name, stack] as const))(
    '%s: tags every AWS resource through the provider default_tags',
    (_name, stack) => {
      const providers = (stack.json.provider?.aws ?? []) as {
        default_tags?: { tags: Record<string, string> }[];
      }[];
      expect(providers.length).toBeGreaterThan(0);
      for (const provider of providers) {
        expect(provider.default_tags?.[0]?.tags).toMatchObject({
          Project: 'hello',
          Environment: stack.environment,
          ManagedBy: 'cdktf',
          Repository: 'acme/hello-platform',
        });
      }
    },
  );
});

describe('policy', () => {
  const results = policyResults();

  it('evaluates rules against real resources', () => {
    expect(results.length).toBeGreaterThan(0);
  });

  it('passes every rule in prod with no waivers, and leaves nothing there unevaluated', () => {
    const prod = results.filter(
      (result) =>
        result.environment === 'prod' &&
        result.status !== 'pass' &&
        result.status !== 'not-applicable',
    );
    expect(prod).toEqual([]);
  });

  it('never passes a Kubernetes rule on a release or workload whose pods it did not inspect', () => {
    const workloads = platform.stacks.flatMap((stack) => {
      const context = stackContext(stack.name, stack.environment, stack.json);
      return ['helm_release', ...KUBERNETES_WORKLOAD_TYPES].flatMap((type) =>
        context.resources(type).map((resource) => ({ stack: stack.name, resource })),
      );
    });
    // API, ingress controller and cluster autoscaler in every environment, CloudNativePG operator
    // and cluster in dev.
    expect(workloads).toHaveLength(11);
    for (const { stack, resource } of workloads) {
      const inspection = inspectPods(resource);
      const containers = 'containers' in inspection ? inspection.containers : [];
      expect(containers.length, `${stack} ${resource.address}`).toBeGreaterThan(0);
      const rows = results.filter(
        (result) =>
          result.stackName === stack &&
          result.address === resource.address &&
          result.ruleId.startsWith('CKV_K8S_'),
      );
      expect(rows).toHaveLength(kubernetesRules.length);
      for (const row of rows) {
        expect(row.status).toBe('pass');
        expect(row.message).toBe(
          `inspected ${containers.map((container) => container.where).join(', ')}`,
        );
      }
    }
  });

  it('passes every rule in every stack, except for listed waivers', () => {
    expect(results.filter((result) => result.status === 'fail')).toEqual([]);
  });

  it('never waives a prod rule', () => {
    expect(waivers.filter((waiver) => waiver.environment === 'prod')).toEqual([]);
  });

  it('has no stale waivers: each one still excuses a real failure', () => {
    const used = new Set(
      results.filter((r) => r.status === 'waived').map((r) => `${r.ruleId}|${r.environment}`),
    );
    const stale = waivers.filter((waiver) => !used.has(`${waiver.ruleId}|${waiver.environment}`));
    expect(stale).toEqual([]);
  });
});

describe('workloads stacks', () => {
  const workloads = platform.stacks.filter((stack) => stack.name.endsWith('-workloads'));

  it('exist for every environment and depend on their infra stack', () => {
    expect(workloads.map((stack) => stack.name).sort()).toEqual([
      'dev-workloads',
      'prod-workloads',
      'staging-workloads',
    ]);
    for (const stack of workloads) {
      expect(stack.dependencies).toContain(`${stack.environment}-infra`);
    }
  });

  it.each(workloads.map((stack) => [stack.name, stack] as const))(
    '%s: configures kubernetes and helm only from the infra stack outputs, with exec auth',
    (_name, stack) => {
      for (const provider of ['kubernetes', 'helm']) {
        const blocks = stack.json.provider?.[provider] ?? [];
        expect(blocks).toHaveLength(1);
        const text = JSON.stringify(blocks);
        const references = text.match(/\$\{[^}]*\}/g) ?? [];
        expect(references.length).toBeGreaterThan(0);
        for (const reference of references) {
          expect(reference).toMatch(
            new RegExp(
              `^\\$\\{(base64decode\\()?data\\.terraform_remote_state\\.cross-stack-reference-input-${stack.environment}-infra\\.outputs\\.`,
            ),
          );
        }
        expect(text).toContain('"get-token"');
        expect(text).not.toMatch(/"token"\s*:/);
      }
    },
  );

  it.each(workloads.map((stack) => [stack.name, stack] as const))(
    '%s: takes the image tag from a variable',
    (_name, stack) => {
      expect(stack.json.variable?.image_tag).toMatchObject({ type: 'string', nullable: false });
      // The workflows read these back: plan/drift with the deployed tag, smoke test the host.
      expect(stack.json.output?.image_tag?.value).toBe('${var.image_tag}');
      expect(stack.json.output?.app_host?.value).toMatch(/^hello(-\w+)?\.example\.com$/);
    },
  );
});

describe('IAM under the deploy role', () => {
  const roles = (stackName: string) =>
    Object.entries(
      (platform.stack(stackName).json.resource?.aws_iam_role ?? {}) as Record<
        string,
        Record<string, unknown>
      >,
    );

  it('names the GitHub roles the way environment stacks compute them', () => {
    const names = roles('bootstrap').map(([, role]) => role.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'hello-github-plan',
        'hello-github-plan-main',
        'hello-github-release',
        'hello-dev-github-deploy',
        'hello-staging-github-deploy',
        'hello-prod-github-deploy',
      ]),
    );
  });

  it.each(
    platform.stacks
      .filter((stack) => stack.name !== 'bootstrap')
      .map((stack) => [stack.name] as const),
  )(
    "%s: every role is named under its environment's prefix and carries its deploy boundary",
    (stackName) => {
      const env = platform.stack(stackName).environment;
      const all = roles(stackName);
      expect(all.length).toBeGreaterThan(0);
      for (const [, role] of all) {
        // The environment's deploy role may only pass and re-trust roles under this prefix.
        expect(role.name).toMatch(new RegExp(`^hello-${env}-`));
        expect(role.permissions_boundary).toMatch(
          new RegExp(`:policy/hello-${env}-github-deploy-boundary$`),
        );
      }
    },
  );
});
