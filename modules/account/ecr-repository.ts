import { Construct } from 'constructs';
import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy';
import { EcrRepository as AwsEcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { KmsKey } from '../core/kms-key';

export interface EcrRepositoryProps {
  /** Repository name, e.g. `hello/api` (lower case, may contain `/`, `.`, `_`, `-`). */
  readonly name: string;
  /** How many tagged images to keep (the newest); older ones expire. Default: 30. */
  readonly keepTaggedImages?: number;
  /** Days after which untagged images (failed or superseded pushes) expire. Default: 7. */
  readonly untaggedExpiryDays?: number;
  /** Let `terraform destroy` delete a repository that still holds images. Default: false. */
  readonly forceDelete?: boolean;
}

const NAME_PATTERN = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;

/** The ECR lifecycle policy document (exported for tests and docs). */
export function ecrLifecyclePolicy(keepTaggedImages: number, untaggedExpiryDays: number): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `Expire untagged images after ${untaggedExpiryDays} days`,
        selection: {
          tagStatus: 'untagged',
          countType: 'sinceImagePushed',
          countUnit: 'days',
          countNumber: untaggedExpiryDays,
        },
        action: { type: 'expire' },
      },
      {
        rulePriority: 2,
        description: `Keep the newest ${keepTaggedImages} tagged images`,
        selection: {
          tagStatus: 'tagged',
          // `tagged` needs a pattern list; `*` matches every tag (commit SHAs have no common prefix).
          tagPatternList: ['*'],
          countType: 'imageCountMoreThan',
          countNumber: keepTaggedImages,
        },
        action: { type: 'expire' },
      },
    ],
  });
}

function positiveInteger(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`EcrRepository: ${what} must be a positive integer, got ${value}`);
  }
  return value;
}

/**
 * The application's image repository. Tags are immutable so a commit SHA always names the same
 * image (what was scanned and tested is what runs); images are scanned on push and encrypted with
 * a dedicated key; a lifecycle policy keeps storage bounded.
 */
export class EcrRepository extends Construct {
  /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>`, for `docker push` and image references. */
  public readonly repositoryUrl: string;
  public readonly repositoryArn: string;
  public readonly repositoryName: string;
  /** Key that encrypts the images; pullers need `kms:Decrypt` on it through ECR. */
  public readonly kmsKeyArn: string;

  constructor(scope: Construct, id: string, props: EcrRepositoryProps) {
    super(scope, id);
    if (!NAME_PATTERN.test(props.name) || props.name.length > 256) {
      throw new Error(`EcrRepository: "${props.name}" is not a valid repository name`);
    }
    const keepTagged = positiveInteger(props.keepTaggedImages ?? 30, 'keepTaggedImages');
    const untaggedDays = positiveInteger(props.untaggedExpiryDays ?? 7, 'untaggedExpiryDays');

    // ECR uses the key through grants it creates for the caller, so the account-controlled key
    // policy is enough; no service principal grant is needed.
    const key = new KmsKey(this, 'key', {
      // Alias names allow letters, digits, `/`, `_` and `-`; repository names may also hold dots.
      alias: `ecr/${props.name.replace(/\./g, '-')}`,
      description: `Encrypts the images of ECR repository ${props.name}`,
    });

    const repository = new AwsEcrRepository(this, 'repository', {
      name: props.name,
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: 'KMS', kmsKey: key.arn }],
      forceDelete: props.forceDelete ?? false,
    });

    new EcrLifecyclePolicy(this, 'lifecycle', {
      repository: repository.name,
      policy: ecrLifecyclePolicy(keepTagged, untaggedDays),
    });

    this.repositoryUrl = repository.repositoryUrl;
    this.repositoryArn = repository.arn;
    this.repositoryName = repository.name;
    this.kmsKeyArn = key.arn;
  }
}
