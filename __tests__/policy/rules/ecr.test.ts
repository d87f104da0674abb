import { EcrRepository, ecrLifecyclePolicy } from '../../../modules/account/ecr-repository';
import { evaluate, fakeStack } from '../../../policy/engine';
import { PREVIOUS_LIFECYCLE_POLICY } from '../../helpers/ecr-lifecycle';
import { synthContext } from '../../helpers/synth';
import type { PolicyRule, StackContext } from '../../../policy/types';
import { ecrRules } from '../../../policy/rules/ecr';

const rule = (id: string): PolicyRule => {
  const found = ecrRules.find((r) => r.id === id);
  if (!found) throw new Error(`no rule ${id}`);
  return found;
};
const good = {
  name: 'hello/api',
  image_tag_mutability: 'IMMUTABLE',
  image_scanning_configuration: { scan_on_push: true },
  encryption_configuration: [{ encryption_type: 'KMS', kms_key: '${aws_kms_key.k.arn}' }],
};
const lifecycle = (policy: unknown) => ({
  aws_ecr_lifecycle_policy: {
    l: { repository: '${aws_ecr_repository.r.name}', policy: JSON.stringify(policy) },
  },
});
const modulePolicy = JSON.parse(
  ecrLifecyclePolicy({
    environments: ['prod', 'dev'],
    keepDeployedImagesPerEnvironment: 30,
    keepReleaseImages: 100,
    unusedImageExpiryDays: 30,
    untaggedExpiryDays: 1,
  }),
) as { rules: Record<string, unknown>[] };
const expireRule = modulePolicy;
const previousPolicy = PREVIOUS_LIFECYCLE_POLICY;
const repoStack = (
  config: Record<string, unknown>,
  extra: Record<string, Record<string, Record<string, unknown>>> = lifecycle(expireRule),
) => fakeStack({ aws_ecr_repository: { r: config }, ...extra });
const check = (id: string, stack: StackContext) => {
  const repository = stack.resources('aws_ecr_repository')[0];
  if (!repository) throw new Error('no repository');
  return rule(id).check(repository, stack);
};

describe('ECR rules', () => {
  it.each(ecrRules.map((r) => r.id))('%s passes on a well-configured repository', (id) => {
    expect(check(id, repoStack(good))).toBeUndefined();
  });

  it('CKV_AWS_51 fails on mutable tags (explicit or default)', () => {
    expect(check('CKV_AWS_51', repoStack({ ...good, image_tag_mutability: 'MUTABLE' }))).toMatch(
      /MUTABLE/,
    );
    expect(check('CKV_AWS_51', repoStack({ ...good, image_tag_mutability: undefined }))).toMatch(
      /default/,
    );
  });

  it('CKV_AWS_163 fails without scan on push', () => {
    expect(
      check(
        'CKV_AWS_163',
        repoStack({ ...good, image_scanning_configuration: [{ scan_on_push: false }] }),
      ),
    ).toMatch(/scan_on_push/);
    expect(
      check('CKV_AWS_163', repoStack({ ...good, image_scanning_configuration: undefined })),
    ).toMatch(/scan_on_push/);
  });

  it('CKV_AWS_136 fails on AES256 or KMS without a customer key', () => {
    expect(
      check(
        'CKV_AWS_136',
        repoStack({ ...good, encryption_configuration: [{ encryption_type: 'AES256' }] }),
      ),
    ).toMatch(/not KMS/);
    expect(
      check(
        'CKV_AWS_136',
        repoStack({ ...good, encryption_configuration: [{ encryption_type: 'KMS' }] }),
      ),
    ).toMatch(/not KMS/);
    expect(
      check('CKV_AWS_136', repoStack({ ...good, encryption_configuration: undefined })),
    ).toMatch(/not KMS/);
  });

  it('HP_ECR_1 fails without a lifecycle policy or without an expire rule', () => {
    expect(check('HP_ECR_1', repoStack(good, {}))).toMatch(/no aws_ecr_lifecycle_policy/);
    expect(check('HP_ECR_1', repoStack(good, lifecycle({ rules: [] })))).toMatch(
      /no readable expire rule/,
    );
    const unreadable = {
      aws_ecr_lifecycle_policy: {
        l: { repository: '${aws_ecr_repository.r.name}', policy: '${file("p.json")}' },
      },
    };
    expect(check('HP_ECR_1', repoStack(good, unreadable))).toMatch(/no readable expire rule/);
  });

  it('HP_ECR_2 fails on the previous policy: no deployed or release rule, untagged kept a week', () => {
    const reason = check('HP_ECR_2', repoStack(good, lifecycle(previousPolicy)));
    expect(reason).toMatch(/untagged images do not expire within 3 days/);
    expect(reason).toMatch(/deployed-<env>-\*/);
    expect(reason).toMatch(/release images/);
  });

  it('HP_ECR_2 fails when a deployed rule decides for releases, or the sweep comes first', () => {
    const [release, prod, dev, untagged, sweep] = modulePolicy.rules;
    const reorder = (...rules: (Record<string, unknown> | undefined)[]) =>
      lifecycle({ rules: rules.map((rule, index) => ({ ...rule, rulePriority: index + 1 })) });
    expect(
      check('HP_ECR_2', repoStack(good, reorder(prod, release, dev, untagged, sweep))),
    ).toMatch(/comes before the release rule/);
    expect(
      check('HP_ECR_2', repoStack(good, reorder(sweep, release, prod, dev, untagged))),
    ).toMatch(/no rule ahead of the sweep keeps the images environments run/);
    expect(check('HP_ECR_2', repoStack(good, {}))).toMatch(/no aws_ecr_lifecycle_policy/);
    expect(modulePolicy.rules).toHaveLength(5);
  });

  it.each(['prod', 'account'])('the EcrRepository module passes every ECR rule (%s)', (env) => {
    const results = evaluate(
      ecrRules,
      synthContext(
        (scope) => new EcrRepository(scope, 'ecr', { name: 'hello/api', environments: ['prod'] }),
        env,
      ),
    );
    expect(results).toHaveLength(ecrRules.length);
    expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
  });
});
