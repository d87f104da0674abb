import { notApplicable } from '../engine';
import type { PolicyRule } from '../types';

/** The AWS-managed SNS key: its key policy cannot be extended, so CloudWatch and AMP cannot publish. */
export const AWS_MANAGED_SNS_KEY = 'alias/aws/sns';

export const snsRules: PolicyRule[] = [
  {
    id: 'CKV_AWS_26',
    title: 'SNS topic is encrypted with a KMS key',
    resourceTypes: ['aws_sns_topic'],
    check(topic) {
      const key = topic.config.kms_master_key_id;
      return typeof key === 'string' && key !== '' ? undefined : 'no kms_master_key_id';
    },
  },
  {
    id: 'HP_SNS_1',
    title: 'SNS topic uses a customer-managed key (services cannot publish with alias/aws/sns)',
    resourceTypes: ['aws_sns_topic'],
    check(topic) {
      const key = topic.config.kms_master_key_id;
      if (typeof key !== 'string' || key === '') {
        return notApplicable('no kms_master_key_id at all (CKV_AWS_26 reports it)');
      }
      return key.endsWith(AWS_MANAGED_SNS_KEY)
        ? `kms_master_key_id is the AWS-managed ${AWS_MANAGED_SNS_KEY}: CloudWatch alarms cannot publish to it`
        : undefined;
    },
  },
];
