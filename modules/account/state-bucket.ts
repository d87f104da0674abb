import { Construct } from 'constructs';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { applyBucketBaseline, tlsOnlyStatements } from '../core/bucket-hardening';
import { KmsKey } from '../core/kms-key';
import { NameLimits } from '../core/naming';

export interface StateBucketProps {
  /** Globally unique bucket name (3-63 characters, lower case), e.g. `hello-tfstate-111122223333`. */
  readonly bucketName: string;
  /**
   * Days a replaced or deleted state version is kept before it expires; old versions are the undo
   * button for a broken state file. Default: 90.
   */
  readonly noncurrentVersionExpirationDays?: number;
  /** Let `terraform destroy` delete a bucket that still holds state. Default: false. */
  readonly forceDestroy?: boolean;
}

const BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * The S3 bucket that holds every other stack's Terraform state: versioned, encrypted with its own
 * rotating KMS key, never public, TLS-only. Locking uses S3 native lock files (`use_lockfile`),
 * so no DynamoDB table is needed.
 *
 * Uploads that name a non-KMS encryption (e.g. `AES256`) are refused, so the S3 backend must
 * either set `kms_key_id` to `kmsKeyArn` or leave `encrypt` unset and rely on the bucket default.
 */
/**
 * Alias (without `alias/`) of the state bucket's KMS key. Backends name it in `kms_key_id`: with
 * `encrypt = true` and no key, Terraform would request SSE-S3, which the bucket policy refuses.
 */
export function stateBucketKeyAlias(bucketName: string): string {
  // Alias names allow letters, digits, `/`, `_` and `-`; bucket names may also hold dots.
  return bucketName.replace(/\./g, '-');
}

export class StateBucket extends Construct {
  public readonly bucketName: string;
  public readonly bucketArn: string;
  public readonly kmsKeyArn: string;

  constructor(scope: Construct, id: string, props: StateBucketProps) {
    super(scope, id);
    if (
      !BUCKET_PATTERN.test(props.bucketName) ||
      props.bucketName.length > NameLimits.s3BucketName
    ) {
      throw new Error(`StateBucket: "${props.bucketName}" is not a valid S3 bucket name`);
    }
    const noncurrentDays = props.noncurrentVersionExpirationDays ?? 90;
    if (!Number.isInteger(noncurrentDays) || noncurrentDays < 1) {
      throw new Error('StateBucket: noncurrentVersionExpirationDays must be a positive integer');
    }

    const key = new KmsKey(this, 'key', {
      alias: stateBucketKeyAlias(props.bucketName),
      description: `Encrypts the Terraform state in s3://${props.bucketName}`,
    });

    const bucket = new S3Bucket(this, 'bucket', {
      bucket: props.bucketName,
      forceDestroy: props.forceDestroy ?? false,
      tags: { Name: props.bucketName, DataClass: 'terraform-state' },
    });

    const publicAccessBlock = applyBucketBaseline(this, bucket, {
      publicAccessBlock: 'public-access-block',
      ownership: 'ownership',
      versioning: 'versioning',
    });

    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket: bucket.id,
      rule: [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: key.arn },
          // One data key per bucket instead of per object: far fewer KMS calls, same protection.
          bucketKeyEnabled: true,
        },
      ],
    });

    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket: bucket.id,
      rule: [
        {
          id: 'expire-old-state-versions',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          noncurrentVersionExpiration: [{ noncurrentDays: noncurrentDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
          // Removes delete markers once no older version is left behind them.
          expiration: [{ expiredObjectDeleteMarker: true }],
        },
      ],
    });

    const objects = `${bucket.arn}/*`;
    const policy = new DataAwsIamPolicyDocument(this, 'policy', {
      statement: [
        ...tlsOnlyStatements(bucket.arn),
        {
          // Requests without the header get the bucket default (SSE-KMS with our key); only an
          // explicit request for another algorithm is refused.
          sid: 'DenyNonKmsEncryptedUploads',
          effect: 'Deny',
          principals: [{ type: '*', identifiers: ['*'] }],
          actions: ['s3:PutObject'],
          resources: [objects],
          condition: [
            {
              test: 'StringNotEquals',
              variable: 's3:x-amz-server-side-encryption',
              values: ['aws:kms', 'aws:kms:dsse'],
            },
            { test: 'Null', variable: 's3:x-amz-server-side-encryption', values: ['false'] },
          ],
        },
      ],
    });
    new S3BucketPolicy(this, 'bucket-policy', {
      bucket: bucket.id,
      policy: policy.json,
      dependsOn: [publicAccessBlock],
    });

    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.kmsKeyArn = key.arn;
  }
}
