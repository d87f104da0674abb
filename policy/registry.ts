import { albRules } from './rules/alb';
import { cloudwatchRules } from './rules/cloudwatch';
import { ecrRules } from './rules/ecr';
import { eksRules } from './rules/eks';
import { iamRules } from './rules/iam';
import { kmsRules } from './rules/kms';
import { kubernetesReleaseRules, kubernetesRules } from './rules/kubernetes';
import { rdsRules } from './rules/rds';
import { observabilityRules } from './rules/observability';
import { s3Rules } from './rules/s3';
import { secretsRules } from './rules/secrets';
import { securityGroupsRules } from './rules/security-groups';
import { snsRules } from './rules/sns';
import { vpcRules } from './rules/vpc';
import type { PolicyRule } from './types';

/** Every policy rule, grouped by the AWS/Kubernetes area it covers. */
export const allRules: readonly PolicyRule[] = [
  ...s3Rules,
  ...kmsRules,
  ...cloudwatchRules,
  ...vpcRules,
  ...securityGroupsRules,
  ...iamRules,
  ...ecrRules,
  ...eksRules,
  ...rdsRules,
  ...albRules,
  ...snsRules,
  ...observabilityRules,
  ...secretsRules,
  ...kubernetesRules,
  ...kubernetesReleaseRules,
];
