import type { Construct } from 'constructs';
import type { DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import type { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';

/**
 * Construct ids of the baseline resources. They are the caller's, not fixed here, because cdktf
 * derives each resource's Terraform address from its id: existing buckets keep their addresses.
 */
export interface BucketBaselineIds {
  readonly publicAccessBlock: string;
  readonly ownership: string;
  readonly versioning: string;
}

/**
 * The baseline every bucket of the project gets: all public access blocked, ACLs disabled so only policies decide access, versioning on. Returns the
 * public access block: a bucket policy must depend on it, or S3 may reject the policy while the
 * block is still being applied.
 */
export function applyBucketBaseline(
  scope: Construct,
  bucket: S3Bucket,
  ids: BucketBaselineIds,
): S3BucketPublicAccessBlock {
  const publicAccessBlock = new S3BucketPublicAccessBlock(scope, ids.publicAccessBlock, {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new S3BucketOwnershipControls(scope, ids.ownership, {
    bucket: bucket.id,
    rule: { objectOwnership: 'BucketOwnerEnforced' },
  });
  new S3BucketVersioningA(scope, ids.versioning, {
    bucket: bucket.id,
    versioningConfiguration: { status: 'Enabled' },
  });
  return publicAccessBlock;
}

/** Bucket policy statements that refuse plain HTTP and TLS older than 1.2; every bucket policy starts with them. */
export function tlsOnlyStatements(bucketArn: string): DataAwsIamPolicyDocumentStatement[] {
  const everything = [bucketArn, `${bucketArn}/*`];
  return [
    {
      sid: 'DenyInsecureTransport',
      effect: 'Deny',
      principals: [{ type: '*', identifiers: ['*'] }],
      actions: ['s3:*'],
      resources: everything,
      condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
    },
    {
      sid: 'DenyOutdatedTls',
      effect: 'Deny',
      principals: [{ type: '*', identifiers: ['*'] }],
      actions: ['s3:*'],
      resources: everything,
      condition: [{ test: 'NumericLessThan', variable: 's3:TlsVersion', values: ['1.2'] }],
    },
  ];
}
