import type { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import { environmentsOf, type ProjectConfig } from '../config';
import { EcrRepository } from '../modules/account/ecr-repository';
import { GithubOidc } from '../modules/account/github-oidc';
import {
  AUTOSCALING_SERVICE,
  AUTOSCALING_SERVICE_LINKED_ROLE,
  ServiceLinkedRole,
} from '../modules/account/service-linked-role';
import { StateBucket } from '../modules/account/state-bucket';
import type { BackendContext } from './backend';
import { clusterName, ecrRepositoryName, RELEASE_ENVIRONMENT } from './names';
import { accountStackProps, ProjectStack } from './project-stack';

export interface BootstrapStackProps {
  readonly config: ProjectConfig;
  readonly backendContext: BackendContext;
}

/**
 * `bootstrap`, applied once per AWS account before any environment: the Terraform state bucket
 * the other stacks keep their state in, the API's container registry, and the roles GitHub
 * Actions assumes through OIDC (plan, plan-main, release, and one deploy role per environment). It starts on the local backend (it creates the bucket); move its
 * state into the bucket afterwards with `terraform init -migrate-state` (see README).
 */
export class BootstrapStack extends ProjectStack {
  public readonly stateBucket: StateBucket;
  public readonly ecr: EcrRepository;
  public readonly github: GithubOidc;
  /** `AWSServiceRoleForAutoScaling`, unless config leaves it to the account. */
  public readonly autoScalingServiceLinkedRole?: ServiceLinkedRole;

  constructor(scope: Construct, id: string, props: BootstrapStackProps) {
    const { config } = props;
    super(scope, id, accountStackProps(config, props.backendContext));

    this.stateBucket = new StateBucket(this, 'state', {
      bucketName: config.bootstrap.stateBucketName,
    });
    this.ecr = new EcrRepository(this, 'ecr', {
      name: ecrRepositoryName(config),
      // Deployments mark the image each environment runs; the end of the promotion chain first.
      environments: environmentsOf(config)
        .map((env) => env.name)
        .reverse(),
    });
    // Every environment's KMS grant to this role (node root volumes) needs it to exist first.
    if (config.bootstrap.manageAutoScalingServiceLinkedRole) {
      this.autoScalingServiceLinkedRole = new ServiceLinkedRole(this, 'autoscaling-role', {
        awsServiceName: AUTOSCALING_SERVICE,
        description: `${AUTOSCALING_SERVICE_LINKED_ROLE}: launches the EKS nodes, whose volumes use a KMS key granted to it`,
      });
    }

    this.github = new GithubOidc(this, 'github', {
      namePrefix: config.name,
      repository: config.repository,
      // One deploy role per environment, trusted only by the GitHub environment of that name.
      deployEnvironments: environmentsOf(config).map((env) => ({
        name: env.name,
        clusterName: clusterName(config, env),
      })),
      releaseEnvironment: RELEASE_ENVIRONMENT,
      stateBucketArn: this.stateBucket.bucketArn,
      stateKmsKeyArn: this.stateBucket.kmsKeyArn,
      ecrRepositoryArn: this.ecr.repositoryArn,
      ecrKmsKeyArn: this.ecr.kmsKeyArn,
    });

    new TerraformOutput(this, 'state_bucket', { value: this.stateBucket.bucketName });
    new TerraformOutput(this, 'ecr_repository_url', { value: this.ecr.repositoryUrl });
    // The values of the GitHub variables (docs/deploying.md, "GitHub settings").
    new TerraformOutput(this, 'github_plan_role_arn', { value: this.github.planRoleArn });
    new TerraformOutput(this, 'github_plan_main_role_arn', { value: this.github.planMainRoleArn });
    new TerraformOutput(this, 'github_release_role_arn', { value: this.github.releaseRoleArn });
    new TerraformOutput(this, 'github_deploy_role_arns', { value: this.github.deployRoleArns });
  }
}
