import { createHash } from 'node:crypto';

/**
 * Builds `<prefix>-<thing>` names (the prefix is `<project>-<env>`) that fit an AWS length limit.
 * When a name is too long it is cut and suffixed with a short hash of the full name, so two long
 * names that share a beginning still differ and the same input always gives the same name.
 */
export function resourceName(prefix: string, thing: string, maxLength = 64): string {
  const full = thing ? `${prefix}-${thing}` : prefix;
  if (full.length <= maxLength) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 7);
  return `${full.slice(0, maxLength - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}

/** AWS length limits for the names this project sets, in one place. */
export const NameLimits = {
  albName: 32,
  targetGroupName: 32,
  iamRoleName: 64,
  s3BucketName: 63,
  rdsIdentifier: 63,
  eksClusterName: 100,
  securityGroupName: 255,
  kmsAlias: 256,
} as const;
