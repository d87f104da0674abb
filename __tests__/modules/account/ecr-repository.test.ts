import { EcrRepository as AwsEcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey as AwsKmsKey } from '@cdktf/provider-aws/lib/kms-key';
import {
  DeployedImageMarker,
  deployedImageTag,
  EcrRepository,
  MARK_DEPLOYED_IMAGE_SCRIPT,
  type EcrRepositoryProps,
} from '../../../modules/account/ecr-repository';
import {
  expiredImages,
  PREVIOUS_LIFECYCLE_POLICY,
  type RepositoryImage,
} from '../../helpers/ecr-lifecycle';
import { onlyResource, synthConstructs } from '../../helpers/synth';

function synth(props: EcrRepositoryProps) {
  // Every call checks one configuration; `synthConstructs` gives a fresh stack each time.
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

  it('keeps deployed images per environment, then releases, then expires the rest (defaults)', () => {
    const rules = lifecycleRules(synth({ name: 'hello/api', environments: ['prod', 'dev'] }).json);
    expect(rules.map((rule) => [rule.rulePriority, rule.selection])).toEqual([
      [
        1,
        {
          tagStatus: 'tagged',
          tagPatternList: ['*.*.*'],
          countType: 'imageCountMoreThan',
          countNumber: 100,
        },
      ],
      [
        2,
        {
          tagStatus: 'tagged',
          tagPatternList: ['deployed-prod-*'],
          countType: 'imageCountMoreThan',
          countNumber: 30,
        },
      ],
      [
        3,
        {
          tagStatus: 'tagged',
          tagPatternList: ['deployed-dev-*'],
          countType: 'imageCountMoreThan',
          countNumber: 30,
        },
      ],
      [
        4,
        { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 },
      ],
      [
        5,
        {
          tagStatus: 'tagged',
          tagPatternList: ['*'],
          countType: 'sinceImagePushed',
          countUnit: 'days',
          countNumber: 30,
        },
      ],
    ]);
    expect(rules.every((rule) => rule.action.type === 'expire')).toBe(true);
    // ECR requires `tagged` rules to carry a pattern or prefix list and `untagged` rules none.
    for (const rule of rules) {
      const hasList = 'tagPatternList' in rule.selection || 'tagPrefixList' in rule.selection;
      expect(hasList).toBe(rule.selection.tagStatus === 'tagged');
    }
  });

  describe('never expires an image an environment runs or a rollback needs', () => {
    const sha = (day: number) => day.toString(16).padStart(40, 'a');
    // 120 days of main: one image a day, dev ran every one, staging every other one, prod (far
    // behind, waiting for approval) runs day 100 and ran days 110 and 119 before; day 115 was
    // released as 1.0.0. Plus a build no environment ran and two untagged pushes.
    const images: RepositoryImage[] = [
      ...Array.from({ length: 120 }, (_unused, day) => ({
        id: `day-${day}`,
        ageDays: day,
        tags: [
          sha(day),
          deployedImageTag('dev', sha(day)),
          ...(day % 2 === 0 ? [deployedImageTag('staging', sha(day))] : []),
          ...([100, 110, 119].includes(day) ? [deployedImageTag('prod', sha(day))] : []),
          ...(day === 115 ? ['1.0.0'] : []),
        ],
      })),
      { id: 'never-deployed', ageDays: 40, tags: [sha(999)] },
      { id: 'untagged-new', ageDays: 0, tags: [] },
      { id: 'untagged-old', ageDays: 2, tags: [] },
    ];
    expect(images).toHaveLength(123);
    const policy = (json: ReturnType<typeof synth>['json']) =>
      onlyResource(json, 'aws_ecr_lifecycle_policy').policy as string;

    it('keeps the running and rollback images of every environment and the release', () => {
      const expired = expiredImages(
        policy(synth({ name: 'hello/api', environments: ['prod', 'staging', 'dev'] }).json),
        images,
      );
      expect(expired.length).toBeGreaterThan(0);
      for (const kept of ['day-100', 'day-110', 'day-119', 'day-115', 'day-0', 'day-29']) {
        expect(expired).not.toContain(kept);
      }
      // Staging's newest 30 (even days 0..58) stay; dev's beyond its newest 30 go.
      expect(expired).not.toContain('day-58');
      expect(expired).toContain('day-61');
      expect(expired).toEqual(expect.arrayContaining(['never-deployed', 'untagged-old']));
      expect(expired).not.toContain('untagged-new');
    });

    it('where the previous policy (newest 30 tagged, untagged after 7 days) expired prod', () => {
      const previous = JSON.stringify(PREVIOUS_LIFECYCLE_POLICY);
      const expired = expiredImages(previous, images);
      expect(expired).toEqual(expect.arrayContaining(['day-100', 'day-115']));
      expect(expired).not.toContain('untagged-old');
    });
  });

  it('honours custom retention and force delete (throwaway accounts)', () => {
    const { synthesized, json } = synth({
      name: 'hello-api',
      environments: ['dev'],
      keepDeployedImagesPerEnvironment: 5,
      keepReleaseImages: 3,
      untaggedExpiryDays: 2,
      unusedImageExpiryDays: 7,
      forceDelete: true,
    });
    expect(synthesized).toHaveResourceWithProperties(AwsEcrRepository, { force_delete: true });
    expect(lifecycleRules(json).map((rule) => rule.selection.countNumber)).toEqual([3, 5, 2, 7]);
  });

  it('derives a valid KMS alias from a dotted repository name', () => {
    expect(synth({ name: 'hello/api.v2' }).synthesized).toHaveResourceWithProperties(KmsAlias, {
      name: 'alias/ecr/hello/api-v2',
    });
  });

  it.each([
    ['an upper-case name', { name: 'Hello/api' }, /not a valid repository name/],
    ['a trailing slash', { name: 'hello/' }, /not a valid repository name/],
    ['zero kept releases', { name: 'hello', keepReleaseImages: 0 }, /positive integer/],
    ['an environment no tag can hold', { name: 'hello', environments: ['Prod'] }, /tag pattern/],
    ['fractional days', { name: 'hello', untaggedExpiryDays: 1.5 }, /positive integer/],
  ])('rejects %s', (_name, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });
});

describe('DeployedImageMarker', () => {
  const { json } = synthConstructs((scope) => {
    new DeployedImageMarker(scope, 'marker', {
      repositoryName: 'hello/api',
      region: 'eu-west-1',
      environment: 'prod',
      imageTag: '${var.image_tag}',
    });
  });
  const marker = onlyResource(json, 'terraform_data');

  it('runs again whenever the deployed tag changes, with the values as variables', () => {
    expect(marker.triggers_replace).toEqual({
      repository: 'hello/api',
      image_tag: '${var.image_tag}',
      environment: 'prod',
    });
    const [provisioner] = marker.provisioner as { 'local-exec': Record<string, unknown> }[];
    expect(provisioner!['local-exec']).toEqual({
      command: MARK_DEPLOYED_IMAGE_SCRIPT,
      interpreter: ['/bin/bash', '-c'],
      environment: {
        REPOSITORY: 'hello/api',
        REGION: 'eu-west-1',
        IMAGE_TAG: '${var.image_tag}',
        MARKER_TAG: 'deployed-prod-${var.image_tag}',
      },
    });
    // Nothing from outside is spliced into the script text.
    expect(MARK_DEPLOYED_IMAGE_SCRIPT).not.toMatch(/\$\{/);
  });

  it('adds the marker that the lifecycle policy keeps, and fails on a tag never pushed', () => {
    expect(MARK_DEPLOYED_IMAGE_SCRIPT).toContain('aws ecr put-image');
    expect(MARK_DEPLOYED_IMAGE_SCRIPT).toContain('--image-tag "$MARKER_TAG"');
    expect(MARK_DEPLOYED_IMAGE_SCRIPT).toMatch(/is not in ECR repository[^\n]*\n\s*exit 1/);
    expect(MARK_DEPLOYED_IMAGE_SCRIPT).toContain('ImageAlreadyExistsException');
    expect(deployedImageTag('prod', 'abc')).toBe('deployed-prod-abc');
  });
});
