import { asList, notApplicable, valueAt } from '../engine';
import type { PolicyRule, ResourceRef, StackContext } from '../types';
import { hasWildcardPrincipal, policyStatements } from './iam';

/**
 * Tag value marking a bucket that receives Elastic Load Balancing access logs. ELB log delivery
 * supports only SSE-S3 (AWS docs, "Enable access logs for your Application Load Balancer": "The
 * only server-side encryption option that's supported is Amazon S3-managed keys (SSE-S3)"), so such
 * a bucket is exempt from the SSE-KMS rule; it still must be encrypted (CKV_AWS_19).
 */
export const ELB_ACCESS_LOGS_TAG = { key: 'DataClass', value: 'elb-access-logs' } as const;

/** The `apply_server_side_encryption_by_default` blocks that configure a bucket. */
function encryptionDefaults(bucket: ResourceRef, stack: StackContext): Record<string, unknown>[] {
  return stack
    .referencing('aws_s3_bucket_server_side_encryption_configuration', bucket.address)
    .flatMap((config) => asList(config.config.rule))
    .flatMap((rule) => asList(rule.apply_server_side_encryption_by_default));
}

const companion = (bucket: ResourceRef, stack: StackContext, type: string) =>
  stack.referencing(type, bucket.address);

const isElbLogBucket = (bucket: ResourceRef) =>
  valueAt(bucket.config, `tags.${ELB_ACCESS_LOGS_TAG.key}`) === ELB_ACCESS_LOGS_TAG.value;

export const s3Rules: PolicyRule[] = [
  {
    id: 'CKV_AWS_19',
    title: 'S3 bucket has default server-side encryption configured',
    resourceTypes: ['aws_s3_bucket'],
    check(bucket, stack) {
      const algorithms = encryptionDefaults(bucket, stack).map((d) => d.sse_algorithm);
      return algorithms.some((a) => a === 'AES256' || a === 'aws:kms' || a === 'aws:kms:dsse')
        ? undefined
        : 'no aws_s3_bucket_server_side_encryption_configuration with an algorithm';
    },
  },
  {
    id: 'CKV_AWS_145',
    title: 'S3 bucket is encrypted with a KMS key by default (ELB access-log buckets exempt)',
    resourceTypes: ['aws_s3_bucket'],
    check(bucket, stack) {
      if (isElbLogBucket(bucket)) {
        return notApplicable('ELB access-log bucket: log delivery supports SSE-S3 only');
      }
      const kms = encryptionDefaults(bucket, stack).some(
        (d) =>
          (d.sse_algorithm === 'aws:kms' || d.sse_algorithm === 'aws:kms:dsse') &&
          typeof d.kms_master_key_id === 'string' &&
          d.kms_master_key_id !== '',
      );
      return kms ? undefined : 'default encryption is not SSE-KMS with a customer-managed key';
    },
  },
  {
    id: 'CKV_AWS_21',
    title: 'S3 bucket has versioning enabled',
    resourceTypes: ['aws_s3_bucket'],
    check(bucket, stack) {
      const enabled = companion(bucket, stack, 'aws_s3_bucket_versioning').some((v) =>
        asList(v.config.versioning_configuration).some((c) => c.status === 'Enabled'),
      );
      return enabled ? undefined : 'no aws_s3_bucket_versioning with status Enabled';
    },
  },
  {
    id: 'CKV2_AWS_6',
    title: 'S3 bucket has a public access block with all four settings on',
    resourceTypes: ['aws_s3_bucket'],
    check(bucket, stack) {
      const keys = [
        'block_public_acls',
        'block_public_policy',
        'ignore_public_acls',
        'restrict_public_buckets',
      ];
      const blocked = companion(bucket, stack, 'aws_s3_bucket_public_access_block').some((b) =>
        keys.every((key) => b.config[key] === true),
      );
      return blocked ? undefined : 'no aws_s3_bucket_public_access_block with all four true';
    },
  },
  {
    id: 'HP_S3_1',
    title: 'S3 bucket policy denies requests that do not use TLS',
    resourceTypes: ['aws_s3_bucket'],
    check(bucket, stack) {
      const policies = companion(bucket, stack, 'aws_s3_bucket_policy');
      if (policies.length === 0) return 'no bucket policy';
      const tlsOnly = policies.some((policy) =>
        (policyStatements(policy.config.policy, stack) ?? []).some(
          (s) =>
            s.effect === 'Deny' &&
            hasWildcardPrincipal(s) &&
            (s.actions.includes('s3:*') || s.actions.includes('*')) &&
            s.conditions.some(
              (c) =>
                c.test === 'Bool' &&
                c.variable === 'aws:SecureTransport' &&
                c.values.includes('false'),
            ),
        ),
      );
      return tlsOnly
        ? undefined
        : 'bucket policy has no Deny of s3:* when aws:SecureTransport is false';
    },
  },
  {
    id: 'CKV2_AWS_61',
    title: 'S3 bucket has an enabled lifecycle configuration',
    resourceTypes: ['aws_s3_bucket'],
    check(bucket, stack) {
      const enabled = companion(bucket, stack, 'aws_s3_bucket_lifecycle_configuration').some((l) =>
        asList(l.config.rule).some((rule) => rule.status === 'Enabled'),
      );
      return enabled ? undefined : 'no aws_s3_bucket_lifecycle_configuration with an enabled rule';
    },
  },
  {
    id: 'CKV2_AWS_65',
    title: 'S3 bucket disables ACLs (object ownership BucketOwnerEnforced)',
    resourceTypes: ['aws_s3_bucket'],
    check(bucket, stack) {
      const enforced = companion(bucket, stack, 'aws_s3_bucket_ownership_controls').some((o) =>
        asList(o.config.rule).some((rule) => rule.object_ownership === 'BucketOwnerEnforced'),
      );
      return enforced ? undefined : 'no aws_s3_bucket_ownership_controls with BucketOwnerEnforced';
    },
  },
];
