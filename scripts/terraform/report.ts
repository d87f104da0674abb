/** The per-stack coverage line and the exclusion summary it carries. */
import type { Exclusion } from './emulator-copy';
import type { StackOutcome } from './stack-run';

/** `aws_eks_addon ×6: eks-addons, aws_autoscaling_attachment: eks-node-group-…` */
export function exclusionSummary(excluded: readonly Exclusion[]): string {
  const groups = new Map<string, { type: string; gap: string; count: number }>();
  for (const exclusion of excluded) {
    const key = `${exclusion.type} ${exclusion.gap}`;
    const group = groups.get(key) ?? { type: exclusion.type, gap: exclusion.gap, count: 0 };
    group.count += 1;
    groups.set(key, group);
  }
  return [...groups.values()]
    .map((g) => `${g.type}${g.count > 1 ? ` ×${g.count}` : ''}: ${g.gap}`)
    .join(', ');
}

/**
 * `dev-infra: 97 of 112 resources applied (86.6 %), 15 excluded (aws_eks_addon ×6: eks-addons, …), 141 s`
 */
export function coverageLine(outcome: StackOutcome): string {
  const excluded = outcome.copy?.excluded ?? [];
  const share = outcome.total > 0 ? (100 * outcome.applied) / outcome.total : 0;
  const status = outcome.failures.length > 0 ? 'FAILED, ' : '';
  return (
    `${outcome.name}: ${status}${outcome.applied} of ${outcome.total} resources applied ` +
    `(${share.toFixed(1)} %), ${excluded.length} excluded` +
    (excluded.length > 0 ? ` (${exclusionSummary(excluded)})` : '') +
    `, ${outcome.seconds.toFixed(0)} s`
  );
}
