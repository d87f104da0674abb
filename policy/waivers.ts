import type { PolicyWaiver } from './types';

/**
 * Accepted exceptions, each with its reason. Only non-prod environments may be waived; the policy
 * suite fails if a prod waiver appears here or if a waiver no longer matches any failure.
 */
export const waivers: readonly PolicyWaiver[] = [
  ...(['dev', 'staging'] as const).map((environment) => ({
    ruleId: 'CKV_AWS_338',
    environment,
    address: /^aws_cloudwatch_log_group\./,
    reason: `${environment} keeps logs for monitoring.logRetentionDays (< 1 year) to save cost; nothing there is audit evidence`,
  })),
];
