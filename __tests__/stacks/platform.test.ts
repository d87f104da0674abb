import { stackContext, evaluate } from '../policy/engine';
import { allRules } from '../policy/registry';
import { waivers } from '../policy/waivers';
import type { PolicyResult } from '../policy/types';
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

  it('passes every rule in prod with no waivers', () => {
    const prod = results.filter(
      (result) => result.environment === 'prod' && result.status !== 'pass',
    );
    expect(prod).toEqual([]);
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
