import type { PolicyRule } from '../types';

/** The retention CKV_AWS_338 asks for: one year. */
export const MIN_LOG_RETENTION_DAYS = 365;

export const cloudwatchRules: PolicyRule[] = [
  {
    id: 'CKV_AWS_158',
    title: 'CloudWatch log group is encrypted with a KMS key',
    resourceTypes: ['aws_cloudwatch_log_group'],
    check(group) {
      const key = group.config.kms_key_id;
      return typeof key === 'string' && key !== '' ? undefined : 'no kms_key_id';
    },
  },
  {
    id: 'CKV_AWS_338',
    title: `CloudWatch log group keeps events for at least ${MIN_LOG_RETENTION_DAYS} days (and expires them)`,
    resourceTypes: ['aws_cloudwatch_log_group'],
    check(group) {
      const days = group.config.retention_in_days;
      // Never-expiring groups fail too: the project wants every log group to expire its data.
      if (typeof days !== 'number' || days === 0) return 'no retention_in_days (never expires)';
      return days >= MIN_LOG_RETENTION_DAYS
        ? undefined
        : `retention_in_days is ${days}, below ${MIN_LOG_RETENTION_DAYS}`;
    },
  },
];
