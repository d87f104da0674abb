import { asList } from '../engine';
import type { PolicyRule } from '../types';

/** Untagged images (failed or superseded pushes) must expire within this many days. */
export const UNTAGGED_MAX_DAYS = 3;

interface LifecycleRule {
  readonly rulePriority?: number;
  readonly selection?: {
    readonly tagStatus?: string;
    readonly tagPatternList?: string[];
    readonly tagPrefixList?: string[];
    readonly countType?: string;
    readonly countNumber?: number;
  };
  readonly action?: { readonly type?: string };
}

function lifecycleRules(text: unknown): LifecycleRule[] | undefined {
  try {
    const parsed = JSON.parse(String(text)) as { rules?: LifecycleRule[] };
    return Array.isArray(parsed.rules) ? parsed.rules : undefined;
  } catch {
    return undefined;
  }
}

/** Patterns (or prefixes as `prefix*`) a tagged rule selects by. */
const patternsOf = (rule: LifecycleRule): string[] => [
  ...(rule.selection?.tagPatternList ?? []),
  ...(rule.selection?.tagPrefixList ?? []).map((prefix) => `${prefix}*`),
];

/** What is wrong with a lifecycle policy for an image repository environments deploy from. */
export function lifecycleGaps(rules: LifecycleRule[]): string[] {
  const byPriority = [...rules].sort((a, b) => (a.rulePriority ?? 0) - (b.rulePriority ?? 0));
  const gaps: string[] = [];
  const untagged = byPriority.find((rule) => rule.selection?.tagStatus === 'untagged');
  if (
    !untagged ||
    untagged.selection?.countType !== 'sinceImagePushed' ||
    Number(untagged.selection?.countNumber) > UNTAGGED_MAX_DAYS
  ) {
    gaps.push(`untagged images do not expire within ${UNTAGGED_MAX_DAYS} days`);
  }
  // The first rule sweeping every tagged image; what it may expire is only what no rule before
  // it selected (ECR lets only the first matching rule expire an image).
  const sweep = byPriority.findIndex(
    (rule) =>
      rule.action?.type === 'expire' &&
      (rule.selection?.tagStatus === 'any' ||
        (rule.selection?.tagStatus === 'tagged' && patternsOf(rule).includes('*'))),
  );
  const before = sweep === -1 ? byPriority : byPriority.slice(0, sweep);
  const firstKeeping = (matches: (pattern: string) => boolean) =>
    before.findIndex(
      (rule) =>
        rule.selection?.tagStatus === 'tagged' &&
        rule.selection.countType === 'imageCountMoreThan' &&
        patternsOf(rule).some(matches),
    );
  const deployed = firstKeeping((pattern) => pattern.startsWith('deployed-'));
  // Semver tags: `*.*.*` (1.4.2) or `v*.*.*` (v1.4.2).
  const release = firstKeeping((pattern) => /^v?\*\.\*\.\*$/.test(pattern));
  if (deployed === -1) {
    gaps.push('no rule ahead of the sweep keeps the images environments run (deployed-<env>-*)');
  }
  if (release === -1) {
    gaps.push('no rule ahead of the sweep keeps release images (e.g. *.*.*)');
  } else if (deployed !== -1 && deployed < release) {
    // dev runs nearly every image: its rule would decide for a release prod still runs.
    gaps.push('a deployed-<env>-* rule comes before the release rule and decides for releases');
  }
  return gaps;
}

export const ecrRules: PolicyRule[] = [
  {
    id: 'HP_ECR_2',
    title:
      'ECR lifecycle keeps deployed and release images apart from the sweep, and expires untagged images fast',
    resourceTypes: ['aws_ecr_repository'],
    check(repository, stack) {
      const policies = stack.referencing('aws_ecr_lifecycle_policy', repository.address);
      if (policies.length === 0) return 'no aws_ecr_lifecycle_policy';
      const rules = lifecycleRules(policies[0]!.config.policy);
      if (!rules) return 'the lifecycle policy cannot be read statically';
      const gaps = lifecycleGaps(rules);
      return gaps.length > 0 ? gaps.join('; ') : undefined;
    },
  },
  {
    id: 'CKV_AWS_51',
    title: 'ECR repository tags are immutable',
    resourceTypes: ['aws_ecr_repository'],
    check(repository) {
      return repository.config.image_tag_mutability === 'IMMUTABLE'
        ? undefined
        : `image_tag_mutability is ${String(repository.config.image_tag_mutability ?? 'MUTABLE (default)')}`;
    },
  },
  {
    id: 'CKV_AWS_163',
    title: 'ECR repository scans images on push',
    resourceTypes: ['aws_ecr_repository'],
    check(repository) {
      return asList(repository.config.image_scanning_configuration).some(
        (c) => c.scan_on_push === true,
      )
        ? undefined
        : 'scan_on_push is not true';
    },
  },
  {
    id: 'CKV_AWS_136',
    title: 'ECR repository is encrypted with a customer-managed KMS key',
    resourceTypes: ['aws_ecr_repository'],
    check(repository) {
      return asList(repository.config.encryption_configuration).some(
        (c) => c.encryption_type === 'KMS' && typeof c.kms_key === 'string' && c.kms_key !== '',
      )
        ? undefined
        : 'encryption_configuration is not KMS with a kms_key';
    },
  },
  {
    id: 'HP_ECR_1',
    title: 'ECR repository has a lifecycle policy that expires images',
    resourceTypes: ['aws_ecr_repository'],
    check(repository, stack) {
      const policies = stack.referencing('aws_ecr_lifecycle_policy', repository.address);
      if (policies.length === 0) return 'no aws_ecr_lifecycle_policy';
      const expires = policies.some((policy) => {
        try {
          const parsed = JSON.parse(String(policy.config.policy)) as {
            rules?: { action?: { type?: string } }[];
          };
          return (parsed.rules ?? []).some((rule) => rule.action?.type === 'expire');
        } catch {
          return false;
        }
      });
      return expires ? undefined : 'lifecycle policy has no readable expire rule';
    },
  },
];
