import { EcrRepository as AwsEcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey as AwsKmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { EcrRepository, type EcrRepositoryProps } from '../../../modules/account/ecr-repository';
import { onlyResource, synthConstructs } from '../../helpers/synth';

function synth(props: EcrRepositoryProps) {
  return synthConstructs((scope) => new EcrRepository(scope, 'ecr', props));
}

interface LifecycleRule {
  rulePriority: number;
  selection: Record<string, unknown>;
  action: { type: string };
}
function lifecycleRules(json: ReturnType<typeof synth>['json']): LifecycleRule[] {
  const policy = onlyResource(json, 'aws_ecr_lifecycle_policy').policy as string;
  return (JSON.parse(policy) as { rules: LifecycleRule[] }).rules;
}

describe('EcrRepository', () => {
  it('creates an immutable, scanned, KMS-encrypted repository kept on destroy by default', () => {
    const { synthesized, json } = synth({ name: 'hello/api' });
    expect(synthesized).toHaveResourceWithProperties(AwsEcrRepository, {
      name: 'hello/api',
      image_tag_mutability: 'IMMUTABLE',
      image_scanning_configuration: { scan_on_push: true },
      force_delete: false,
    });
    const encryption = (
      onlyResource(json, 'aws_ecr_repository').encryption_configuration as Record<string, unknown>[]
    )[0];
    expect(encryption?.encryption_type).toBe('KMS');
    expect(encryption?.kms_key).toMatch(/^\$\{aws_kms_key\.ecr_key_\w+\.arn\}$/);
    expect(synthesized).toHaveResourceWithProperties(AwsKmsKey, { enable_key_rotation: true });
    expect(synthesized).toHaveResourceWithProperties(KmsAlias, { name: 'alias/ecr/hello/api' });
  });

  it('expires untagged images first, then keeps the newest tagged ones (defaults)', () => {
    const rules = lifecycleRules(synth({ name: 'hello/api' }).json);
    expect(rules).toEqual([
      expect.objectContaining({
        rulePriority: 1,
        selection: {
          tagStatus: 'untagged',
          countType: 'sinceImagePushed',
          countUnit: 'days',
          countNumber: 7,
        },
        action: { type: 'expire' },
      }),
      expect.objectContaining({
        rulePriority: 2,
        selection: {
          tagStatus: 'tagged',
          tagPatternList: ['*'],
          countType: 'imageCountMoreThan',
          countNumber: 30,
        },
        action: { type: 'expire' },
      }),
    ]);
    // ECR requires `tagged` rules to carry a pattern or prefix list and `untagged` rules none.
    for (const rule of rules) {
      const hasList = 'tagPatternList' in rule.selection || 'tagPrefixList' in rule.selection;
      expect(hasList).toBe(rule.selection.tagStatus === 'tagged');
    }
  });

  it('honours custom retention and force delete (throwaway accounts)', () => {
    const { synthesized, json } = synth({
      name: 'hello-api',
      keepTaggedImages: 5,
      untaggedExpiryDays: 1,
      forceDelete: true,
    });
    expect(synthesized).toHaveResourceWithProperties(AwsEcrRepository, { force_delete: true });
    expect(lifecycleRules(json).map((rule) => rule.selection.countNumber)).toEqual([1, 5]);
  });

  it('derives a valid KMS alias from a dotted repository name', () => {
    expect(synth({ name: 'hello/api.v2' }).synthesized).toHaveResourceWithProperties(KmsAlias, {
      name: 'alias/ecr/hello/api-v2',
    });
  });

  it.each([
    ['an upper-case name', { name: 'Hello/api' }, /not a valid repository name/],
    ['a trailing slash', { name: 'hello/' }, /not a valid repository name/],
    ['zero kept images', { name: 'hello', keepTaggedImages: 0 }, /positive integer/],
    ['fractional days', { name: 'hello', untaggedExpiryDays: 1.5 }, /positive integer/],
  ])('rejects %s', (_name, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });
});
