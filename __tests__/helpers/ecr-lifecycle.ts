/**
 * A model of how ECR applies a lifecycle policy, from the documented rules
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html): rules run by
 * priority; an image matched by a rule's tag selection can only be expired by that rule, never by
 * a lower one, though lower rules still count it; `imageCountMoreThan` keeps the newest images by
 * push date; `sinceImagePushed` expires images older than the count; a `tagPatternList` selects
 * an image when every pattern matches one of its tags (`*` is a wildcard).
 */

export interface RepositoryImage {
  readonly id: string;
  readonly tags: readonly string[];
  /** Days since the push (0 = today). */
  readonly ageDays: number;
}

interface Rule {
  rulePriority: number;
  selection: {
    tagStatus: 'tagged' | 'untagged' | 'any';
    tagPatternList?: string[];
    tagPrefixList?: string[];
    countType: 'imageCountMoreThan' | 'sinceImagePushed';
    countNumber: number;
  };
  action: { type: string };
}

const wildcard = (pattern: string): RegExp =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);

function selects(rule: Rule, image: RepositoryImage): boolean {
  const { tagStatus, tagPatternList, tagPrefixList } = rule.selection;
  if (tagStatus === 'untagged') return image.tags.length === 0;
  if (tagStatus === 'any') return true;
  if (image.tags.length === 0) return false;
  const patterns = [
    ...(tagPatternList ?? []).map(wildcard),
    ...(tagPrefixList ?? []).map((prefix) => wildcard(`${prefix}*`)),
  ];
  return patterns.every((pattern) => image.tags.some((tag) => pattern.test(tag)));
}

/** The ids of the images the policy expires. */
export function expiredImages(policy: string, images: readonly RepositoryImage[]): string[] {
  const rules = [...(JSON.parse(policy) as { rules: Rule[] }).rules].sort(
    (a, b) => a.rulePriority - b.rulePriority,
  );
  const claimed = new Set<string>();
  const expired = new Set<string>();
  for (const rule of rules) {
    const matched = images.filter((image) => selects(rule, image));
    const candidates =
      rule.selection.countType === 'imageCountMoreThan'
        ? [...matched].sort((a, b) => a.ageDays - b.ageDays).slice(rule.selection.countNumber)
        : matched.filter((image) => image.ageDays > rule.selection.countNumber);
    for (const image of candidates) {
      if (!claimed.has(image.id) && rule.action.type === 'expire') expired.add(image.id);
    }
    for (const image of matched) claimed.add(image.id);
  }
  return images.filter((image) => expired.has(image.id)).map((image) => image.id);
}

/** The repository's lifecycle policy before issue 12: untagged after 7 days, newest 30 tagged kept. */
export const PREVIOUS_LIFECYCLE_POLICY = {
  rules: [
    {
      rulePriority: 1,
      selection: {
        tagStatus: 'untagged',
        countType: 'sinceImagePushed',
        countUnit: 'days',
        countNumber: 7,
      },
      action: { type: 'expire' },
    },
    {
      rulePriority: 2,
      selection: {
        tagStatus: 'tagged',
        tagPatternList: ['*'],
        countType: 'imageCountMoreThan',
        countNumber: 30,
      },
      action: { type: 'expire' },
    },
  ],
};
