import { Construct } from 'constructs';
import { DataResource, type ITerraformDependable } from 'cdktf';
import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy';
import { EcrRepository as AwsEcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { KmsKey } from '../core/kms-key';

export interface EcrRepositoryProps {
  /** Repository name, e.g. `hello/api` (lower case, may contain `/`, `.`, `_`, `-`). */
  readonly name: string;
  /**
   * Environments whose deployments mark the image they run (`deployed-<env>-<tag>`, see
   * `DeployedImageMarker`); each gets its own lifecycle rule, in this order. The first rule that
   * matches an image is the only one that may expire it, so list the end of the promotion chain
   * first (`prod`, `staging`, `dev`): an image prod runs then counts among prod's images, not
   * among the many dev ran. Default: none.
   */
  readonly environments?: readonly string[];
  /**
   * Images kept per environment among those it ran (newest by push date): the running image and
   * the rollback targets. Default: 30.
   */
  readonly keepDeployedImagesPerEnvironment?: number;
  /** Release images (semver tags such as `1.4.2`) kept, the newest by push date. Default: 100. */
  readonly keepReleaseImages?: number;
  /** Days after which tagged images no environment ever ran expire. Default: 30. */
  readonly unusedImageExpiryDays?: number;
  /** Days after which untagged images (failed or superseded pushes) expire. Default: 1. */
  readonly untaggedExpiryDays?: number;
  /** Let `terraform destroy` delete a repository that still holds images. Default: false. */
  readonly forceDelete?: boolean;
}

const NAME_PATTERN = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;

/** Semver release tags the deploy workflow adds on `v*` tags (`1.4.2`). */
export const RELEASE_TAG_PATTERN = '*.*.*';

/** Tag prefix of the marker a deployment adds to the image an environment runs. */
export const deployedTagPrefix = (environment: string): string => `deployed-${environment}-`;

/** The marker tag of `imageTag` deployed to `environment`: same tag, same marker (idempotent). */
export const deployedImageTag = (environment: string, imageTag: string): string =>
  `${deployedTagPrefix(environment)}${imageTag}`;

export interface EcrLifecycleOptions {
  readonly environments: readonly string[];
  readonly keepDeployedImagesPerEnvironment: number;
  readonly keepReleaseImages: number;
  readonly unusedImageExpiryDays: number;
  readonly untaggedExpiryDays: number;
}

/**
 * The ECR lifecycle policy document (exported for tests and docs). ECR applies rules by priority
 * and an image matched by a rule can only be expired by that rule, never by a lower one: so release
 * images, then every environment's deployed images, sit in rules of their own ahead of the rule
 * that sweeps everything else. Releases come first because dev runs nearly every image: a release
 * dev ran long ago would otherwise fall out of dev's rule while prod still runs it. Within a rule,
 * "newest" means pushed last.
 */
export function ecrLifecyclePolicy(options: EcrLifecycleOptions): string {
  const rules: Record<string, unknown>[] = [
    {
      description: `Keep the newest ${options.keepReleaseImages} release images (rollback targets)`,
      selection: {
        tagStatus: 'tagged',
        tagPatternList: [RELEASE_TAG_PATTERN],
        countType: 'imageCountMoreThan',
        countNumber: options.keepReleaseImages,
      },
    },
    ...options.environments.map((environment) => ({
      description: `Keep the newest ${options.keepDeployedImagesPerEnvironment} images ${environment} ran (the running one and its rollback targets)`,
      selection: {
        tagStatus: 'tagged',
        tagPatternList: [`${deployedTagPrefix(environment)}*`],
        countType: 'imageCountMoreThan',
        countNumber: options.keepDeployedImagesPerEnvironment,
      },
    })),
    {
      description: `Expire untagged images after ${options.untaggedExpiryDays} day(s)`,
      selection: {
        tagStatus: 'untagged',
        countType: 'sinceImagePushed',
        countUnit: 'days',
        countNumber: options.untaggedExpiryDays,
      },
    },
    {
      description: `Expire images no environment ran ${options.unusedImageExpiryDays} days after their push`,
      selection: {
        tagStatus: 'tagged',
        // `tagged` needs a pattern list; `*` matches every tag (commit SHAs have no common prefix).
        tagPatternList: ['*'],
        countType: 'sinceImagePushed',
        countUnit: 'days',
        countNumber: options.unusedImageExpiryDays,
      },
    },
  ];
  return JSON.stringify({
    rules: rules.map((rule, index) => ({
      rulePriority: index + 1,
      ...rule,
      action: { type: 'expire' },
    })),
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
 * a dedicated key; a lifecycle policy keeps storage bounded without ever expiring an image an
 * environment runs (deployments mark it, `DeployedImageMarker`) or a recent release.
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
    const environments = props.environments ?? [];
    for (const environment of environments) {
      if (!/^[a-z0-9-]+$/.test(environment)) {
        throw new Error(`EcrRepository: "${environment}" cannot be part of a tag pattern`);
      }
    }
    const lifecycle: EcrLifecycleOptions = {
      environments,
      keepDeployedImagesPerEnvironment: positiveInteger(
        props.keepDeployedImagesPerEnvironment ?? 30,
        'keepDeployedImagesPerEnvironment',
      ),
      keepReleaseImages: positiveInteger(props.keepReleaseImages ?? 100, 'keepReleaseImages'),
      unusedImageExpiryDays: positiveInteger(
        props.unusedImageExpiryDays ?? 30,
        'unusedImageExpiryDays',
      ),
      untaggedExpiryDays: positiveInteger(props.untaggedExpiryDays ?? 1, 'untaggedExpiryDays'),
    };

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
      policy: ecrLifecyclePolicy(lifecycle),
    });

    this.repositoryUrl = repository.repositoryUrl;
    this.repositoryArn = repository.arn;
    this.repositoryName = repository.name;
    this.kmsKeyArn = key.arn;
  }
}

/** Media types `batch-get-image` may return for the images CI pushes (index with attestations). */
const MANIFEST_MEDIA_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(' ');

/**
 * Adds the marker tag to the image (ECR keeps the manifest, so the tag is one more name for the
 * same digest). Fails, before anything rolls out, when the tag was never pushed. Re-marking an
 * image (a redeploy or a rollback to it) is not an error.
 */
export const MARK_DEPLOYED_IMAGE_SCRIPT = `set -euo pipefail
get() {
  aws ecr batch-get-image --region "$REGION" --repository-name "$REPOSITORY" \\
    --image-ids imageTag="$IMAGE_TAG" --accepted-media-types ${MANIFEST_MEDIA_TYPES} \\
    --query "images[0].$1" --output text
}
media_type="$(get imageManifestMediaType)"
if [ "$media_type" = None ] || [ -z "$media_type" ]; then
  echo "image tag $IMAGE_TAG is not in ECR repository $REPOSITORY ($REGION): push it first, or deploy a tag that exists" >&2
  exit 1
fi
manifest="$(get imageManifest)"
if ! output="$(aws ecr put-image --region "$REGION" --repository-name "$REPOSITORY" \\
    --image-tag "$MARKER_TAG" --image-manifest "$manifest" \\
    --image-manifest-media-type "$media_type" 2>&1)"; then
  case "$output" in
    *ImageAlreadyExistsException*) ;;
    *) echo "$output" >&2; exit 1 ;;
  esac
fi
echo "marked $REPOSITORY:$IMAGE_TAG as $MARKER_TAG"`;

export interface DeployedImageMarkerProps {
  /** ECR repository name, e.g. `hello/api`. */
  readonly repositoryName: string;
  /** Region of the repository. */
  readonly region: string;
  /** Environment that runs the image; must be one the repository's lifecycle policy lists. */
  readonly environment: string;
  /** The deployed tag, normally `var.image_tag` (validated: a commit SHA or a version). */
  readonly imageTag: string;
}

/**
 * Marks the image an environment deploys with `deployed-<env>-<tag>` when the deployment
 * applies, so the repository's lifecycle policy keeps it (and the ones before it, for rollback)
 * while anything may still pull it. A `terraform_data` resource replaced whenever the tag
 * changes runs the AWS CLI (already required by the workloads stack's providers) with the
 * credentials of the apply; plans never run it.
 */
export class DeployedImageMarker extends Construct {
  /** The marker resource: depend on it to roll out only an image that exists and is marked. */
  public readonly resource: ITerraformDependable;

  constructor(scope: Construct, id: string, props: DeployedImageMarkerProps) {
    super(scope, id);
    const marker = new DataResource(this, 'marker', {
      triggersReplace: {
        repository: props.repositoryName,
        image_tag: props.imageTag,
        environment: props.environment,
      },
      provisioners: [
        {
          type: 'local-exec',
          interpreter: ['/bin/bash', '-c'],
          command: MARK_DEPLOYED_IMAGE_SCRIPT,
          // Values reach the script as variables, never spliced into its text.
          environment: {
            REPOSITORY: props.repositoryName,
            REGION: props.region,
            IMAGE_TAG: props.imageTag,
            MARKER_TAG: deployedImageTag(props.environment, props.imageTag),
          },
        },
      ],
    });
    this.resource = marker;
  }
}
