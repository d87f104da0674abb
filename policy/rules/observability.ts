import type { PolicyRule } from '../types';

// Log group encryption and retention are the foundation rules' job (CKV_AWS_158, CKV_AWS_338 in
// cloudwatch.ts); they cover the Container Insights log groups too.

const nonEmptyList = (value: unknown): boolean =>
  Array.isArray(value) ? value.some((item) => typeof item === 'string' && item !== '') : false;

export const observabilityRules: PolicyRule[] = [
  {
    id: 'HP_CW_1',
    title: 'CloudWatch metric alarm notifies on ALARM and on OK (alarm_actions and ok_actions)',
    resourceTypes: ['aws_cloudwatch_metric_alarm'],
    check(alarm) {
      const missing = ['alarm_actions', 'ok_actions'].filter(
        (key) => !nonEmptyList(alarm.config[key]),
      );
      if (missing.length > 0) return `no ${missing.join(' and no ')}`;
      // Actions that exist but are switched off page nobody either.
      return alarm.config.actions_enabled === false ? 'actions_enabled is false' : undefined;
    },
  },
  {
    id: 'HP_AMP_1',
    title: 'Amazon Managed Prometheus workspace is encrypted with a customer-managed KMS key',
    resourceTypes: ['aws_prometheus_workspace'],
    check(workspace) {
      const key = workspace.config.kms_key_arn;
      return typeof key === 'string' && key !== '' ? undefined : 'no kms_key_arn';
    },
  },
];
