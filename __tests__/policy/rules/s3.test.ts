import { StateBucket } from '../../../modules/account/state-bucket';
import { evaluate, fakeStack } from '../../../policy/engine';
import { synthContext } from '../../helpers/synth';
import type { PolicyRule } from '../../../policy/types';
import { ELB_ACCESS_LOGS_TAG, s3Rules } from '../../../policy/rules/s3';

const rule = (id: string): PolicyRule => {
  const found = s3Rules.find((r) => r.id === id);
  if (!found) throw new Error(`no rule ${id}`);
  return found;
};
const B = '${aws_s3_bucket.b.id}';

/** A bucket with every companion resource configured well; `overrides` breaks one piece. */
function bucketStack(
  overrides: Record<string, Record<string, Record<string, unknown>> | undefined> = {},
  bucket: Record<string, unknown> = {},
) {
  const good: Record<string, Record<string, Record<string, unknown>>> = {
    aws_s3_bucket: { b: { bucket: 'x', ...bucket } },
    aws_s3_bucket_server_side_encryption_configuration: {
      sse: {
        bucket: B,
        rule: [
          {
            apply_server_side_encryption_by_default: {
              sse_algorithm: 'aws:kms',
              kms_master_key_id: '${aws_kms_key.k.arn}',
            },
          },
        ],
      },
    },
    aws_s3_bucket_versioning: {
      v: { bucket: B, versioning_configuration: { status: 'Enabled' } },
    },
    aws_s3_bucket_public_access_block: {
      p: {
        bucket: B,
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      },
    },
    aws_s3_bucket_policy: {
      pol: {
        bucket: B,
        policy: JSON.stringify({
          Statement: [
            {
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:*',
              Resource: ['arn:aws:s3:::x', 'arn:aws:s3:::x/*'],
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ],
        }),
      },
    },
    aws_s3_bucket_lifecycle_configuration: {
      l: { bucket: B, rule: [{ id: 'r', status: 'Enabled' }] },
    },
    aws_s3_bucket_ownership_controls: {
      o: { bucket: B, rule: { object_ownership: 'BucketOwnerEnforced' } },
    },
  };
  const resources = { ...good };
  for (const [type, value] of Object.entries(overrides)) {
    if (value === undefined) delete resources[type];
    else resources[type] = value;
  }
  return fakeStack(resources);
}
const check = (id: string, stack = bucketStack()) => {
  const bucket = stack.resources('aws_s3_bucket')[0];
  if (!bucket) throw new Error('no bucket');
  return rule(id).check(bucket, stack);
};

describe('S3 rules', () => {
  it.each(s3Rules.map((r) => r.id))('%s passes on a well-configured bucket', (id) => {
    expect(check(id)).toBeUndefined();
  });

  it('CKV_AWS_19 fails without default encryption', () => {
    expect(
      check(
        'CKV_AWS_19',
        bucketStack({ aws_s3_bucket_server_side_encryption_configuration: undefined }),
      ),
    ).toMatch(/no aws_s3_bucket_server_side_encryption_configuration/);
  });

  it('CKV_AWS_145 fails on SSE-S3 but does not apply to ELB access-log buckets', () => {
    const sseS3 = {
      aws_s3_bucket_server_side_encryption_configuration: {
        sse: {
          bucket: B,
          rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }],
        },
      },
    };
    expect(check('CKV_AWS_145', bucketStack(sseS3))).toMatch(/not SSE-KMS/);
    expect(check('CKV_AWS_19', bucketStack(sseS3))).toBeUndefined();
    const elbLogs = bucketStack(sseS3, {
      tags: { [ELB_ACCESS_LOGS_TAG.key]: ELB_ACCESS_LOGS_TAG.value },
    });
    expect(check('CKV_AWS_145', elbLogs)).toEqual({
      status: 'not-applicable',
      reason: 'ELB access-log bucket: log delivery supports SSE-S3 only',
    });
    // aws:kms without a key means the AWS-managed key: not good enough either.
    const managedKey = {
      aws_s3_bucket_server_side_encryption_configuration: {
        sse: {
          bucket: B,
          rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms' } }],
        },
      },
    };
    expect(check('CKV_AWS_145', bucketStack(managedKey))).toMatch(/not SSE-KMS/);
  });

  it('CKV_AWS_21 fails when versioning is missing or suspended', () => {
    expect(check('CKV_AWS_21', bucketStack({ aws_s3_bucket_versioning: undefined }))).toMatch(
      /versioning/,
    );
    expect(
      check(
        'CKV_AWS_21',
        bucketStack({
          aws_s3_bucket_versioning: {
            v: { bucket: B, versioning_configuration: [{ status: 'Suspended' }] },
          },
        }),
      ),
    ).toMatch(/versioning/);
  });

  it('CKV2_AWS_6 fails when one of the four settings is off', () => {
    expect(
      check(
        'CKV2_AWS_6',
        bucketStack({
          aws_s3_bucket_public_access_block: {
            p: {
              bucket: B,
              block_public_acls: true,
              block_public_policy: false,
              ignore_public_acls: true,
              restrict_public_buckets: true,
            },
          },
        }),
      ),
    ).toMatch(/all four/);
  });

  it('HP_S3_1 fails without a policy or with a policy that allows plain HTTP', () => {
    expect(check('HP_S3_1', bucketStack({ aws_s3_bucket_policy: undefined }))).toMatch(
      /no bucket policy/,
    );
    const allowOnly = {
      aws_s3_bucket_policy: {
        pol: {
          bucket: B,
          policy: JSON.stringify({
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: 'arn:aws:iam::1:root' },
                Action: 's3:GetObject',
                Resource: '*',
              },
            ],
          }),
        },
      },
    };
    expect(check('HP_S3_1', bucketStack(allowOnly))).toMatch(/SecureTransport/);
  });

  it('CKV2_AWS_61 fails without an enabled lifecycle rule', () => {
    expect(
      check(
        'CKV2_AWS_61',
        bucketStack({
          aws_s3_bucket_lifecycle_configuration: {
            l: { bucket: B, rule: [{ id: 'r', status: 'Disabled' }] },
          },
        }),
      ),
    ).toMatch(/lifecycle/);
  });

  it('CKV2_AWS_65 fails when ACLs stay enabled', () => {
    expect(
      check(
        'CKV2_AWS_65',
        bucketStack({
          aws_s3_bucket_ownership_controls: {
            o: { bucket: B, rule: { object_ownership: 'ObjectWriter' } },
          },
        }),
      ),
    ).toMatch(/BucketOwnerEnforced/);
  });

  it('does not mix up buckets: companions of another bucket do not count', () => {
    const stack = fakeStack({
      aws_s3_bucket: { b: {}, other: {} },
      aws_s3_bucket_versioning: {
        v: { bucket: B, versioning_configuration: { status: 'Enabled' } },
      },
    });
    const results = evaluate([rule('CKV_AWS_21')], stack);
    expect(results.map((r) => [r.address, r.status])).toEqual([
      ['aws_s3_bucket.b', 'pass'],
      ['aws_s3_bucket.other', 'fail'],
    ]);
  });

  it.each(['prod', 'dev'])('the StateBucket module passes every S3 rule (%s)', (env) => {
    const context = synthContext(
      (scope) => new StateBucket(scope, 'state', { bucketName: 'hello-tfstate-111122223333' }),
      env,
    );
    const results = evaluate(s3Rules, context);
    expect(results).toHaveLength(s3Rules.length);
    expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
  });
});
