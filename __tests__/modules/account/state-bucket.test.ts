import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey as AwsKmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { StateBucket, type StateBucketProps } from '../../../modules/account/state-bucket';
import { onlyResource, synthConstructs } from '../../helpers/synth';
import type { TerraformJson } from '../../../policy/types';

function synth(props: StateBucketProps) {
  return synthConstructs((scope) => new StateBucket(scope, 'state', props));
}

type Statement = {
  sid?: string;
  effect?: string;
  actions?: string[];
  condition?: { test: string; variable: string; values: string[] }[];
};
function bucketPolicyStatements(json: TerraformJson): Statement[] {
  const docs = Object.entries(json.data?.aws_iam_policy_document ?? {});
  const doc = docs.find(([name]) => name.startsWith('state_policy'))?.[1];
  return (doc?.statement as Statement[] | undefined) ?? [];
}

describe('StateBucket', () => {
  const defaults = synth({ bucketName: 'hello-tfstate-111122223333' });

  it('keeps the bucket by default and can allow force destroy (throwaway accounts)', () => {
    expect(defaults.synthesized).toHaveResourceWithProperties(S3Bucket, {
      bucket: 'hello-tfstate-111122223333',
      force_destroy: false,
    });
    expect(
      synth({ bucketName: 'hello-tfstate-dev', forceDestroy: true }).synthesized,
    ).toHaveResourceWithProperties(S3Bucket, { force_destroy: true });
  });

  it('blocks all public access and disables ACLs', () => {
    expect(defaults.synthesized).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(defaults.synthesized).toHaveResourceWithProperties(S3BucketOwnershipControls, {
      rule: { object_ownership: 'BucketOwnerEnforced' },
    });
  });

  it('versions objects and encrypts them with its own rotating key and a bucket key', () => {
    expect(defaults.synthesized).toHaveResourceWithProperties(S3BucketVersioningA, {
      versioning_configuration: { status: 'Enabled' },
    });
    expect(defaults.synthesized).toHaveResourceWithProperties(AwsKmsKey, {
      enable_key_rotation: true,
    });
    const sse = onlyResource(defaults.json, 'aws_s3_bucket_server_side_encryption_configuration');
    const rule = (sse.rule as Record<string, unknown>[])[0];
    expect(rule).toMatchObject({
      bucket_key_enabled: true,
      apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms' },
    });
    expect(JSON.stringify(rule)).toMatch(/\$\{aws_kms_key\.state_key_\w+\.arn\}/);
  });

  it('expires old versions after the configured days and aborts stale multipart uploads', () => {
    const rule = (
      onlyResource(defaults.json, 'aws_s3_bucket_lifecycle_configuration').rule as Record<
        string,
        unknown
      >[]
    )[0];
    expect(rule).toMatchObject({
      status: 'Enabled',
      noncurrent_version_expiration: [{ noncurrent_days: 90 }],
      abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
    });
    const custom = synth({ bucketName: 'hello-tfstate-x', noncurrentVersionExpirationDays: 30 });
    expect(
      JSON.stringify(onlyResource(custom.json, 'aws_s3_bucket_lifecycle_configuration')),
    ).toContain('"noncurrent_days":30');
  });

  it('denies plain HTTP, old TLS and explicit non-KMS uploads', () => {
    const statements = bucketPolicyStatements(defaults.json);
    const bySid = new Map(statements.map((s) => [s.sid, s]));
    expect(bySid.get('DenyInsecureTransport')).toMatchObject({
      effect: 'Deny',
      condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
    });
    expect(bySid.get('DenyOutdatedTls')?.condition?.[0]).toMatchObject({
      test: 'NumericLessThan',
      values: ['1.2'],
    });
    const nonKms = bySid.get('DenyNonKmsEncryptedUploads');
    expect(nonKms?.actions).toEqual(['s3:PutObject']);
    // Only when the header is present: default-encrypted uploads (no header) stay allowed.
    expect(nonKms?.condition).toContainEqual({
      test: 'Null',
      variable: 's3:x-amz-server-side-encryption',
      values: ['false'],
    });
    expect(statements.every((s) => s.effect === 'Deny')).toBe(true);
    expect(onlyResource(defaults.json, 'aws_s3_bucket_policy').policy).toMatch(
      /^\$\{data\.aws_iam_policy_document\.state_policy_\w+\.json\}$/,
    );
  });

  it.each(['Hello-State', 'ab', 'a'.repeat(64), 'bucket_name'])(
    'rejects bucket name %s',
    (name) => {
      expect(() => synth({ bucketName: name })).toThrow(/not a valid S3 bucket name/);
    },
  );

  it('derives a valid KMS alias from a dotted bucket name', () => {
    const dotted = synth({ bucketName: 'state.hello.example.com' });
    expect(dotted.synthesized).toHaveResourceWithProperties(KmsAlias, {
      name: 'alias/state-hello-example-com',
    });
  });

  it('rejects a non-positive retention', () => {
    expect(() => synth({ bucketName: 'hello-x', noncurrentVersionExpirationDays: 0 })).toThrow(
      /positive integer/,
    );
  });
});
