import { Construct } from 'constructs';
import {
  DataAwsIamPolicyDocument,
  type DataAwsIamPolicyDocumentStatement,
} from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { NameLimits, resourceName } from '../core/naming';
import { awsAccount } from '../core/aws-account';
import { deployBoundaryPolicyName } from './permissions-boundary';

export interface GithubOidcProps {
  /** Prefix of the role and policy names, e.g. `hello` (roles `hello-github-plan`/`-deploy`). */
  readonly namePrefix: string;
  /** GitHub repository as `owner/name`, spelled exactly as GitHub does (`sub` is case-sensitive). */
  readonly repository: string;
  /** Branch whose workflow runs may deploy. Default: 'main'. */
  readonly deployBranch?: string;
  /**
   * GitHub environments whose jobs may deploy (a job with `environment:` gets the
   * `repo:<owner>/<name>:environment:<env>` subject instead of the branch one). Default: [].
   */
  readonly deployEnvironments?: string[];
  /** The Terraform state bucket (plan reads it; the deploy role writes it through its admin rights). */
  readonly stateBucketArn: string;
  /** KMS key of the state bucket (plan needs `kms:Decrypt` to read state). */
  readonly stateKmsKeyArn: string;
  /** The image repository (plan may describe it; the deploy boundary protects it from deletion). */
  readonly ecrRepositoryArn: string;
  /** KMS key of the image repository (protected from deletion by the deploy boundary). */
  readonly ecrKmsKeyArn: string;
  /**
   * ARN of an existing GitHub OIDC provider in the account (there can be only one per URL).
   * Default: create `token.actions.githubusercontent.com` with audience `sts.amazonaws.com`.
   */
  readonly providerArn?: string;
  /**
   * Name prefix of every IAM role the platform creates; the deploy role may pass and assume only
   * roles whose names start with it, so it cannot borrow a pre-existing privileged role.
   * Default: `<namePrefix>-`.
   */
  readonly platformRolePrefix?: string;
}

const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
const AUDIENCE = 'sts.amazonaws.com';
// Owner: letters, digits, hyphens. Repository: letters, digits, `.`, `_`, `-`. No wildcards.
const REPOSITORY_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
// Git ref and environment names as they appear in `sub`; `*`, `?` and `:` would widen or break it.
const SUBJECT_PART_PATTERN = /^[A-Za-z0-9._/-]{1,255}$/;

/**
 * GitHub Actions access to the account without stored keys: the OIDC provider plus two roles.
 *
 * - `plan` (pull requests and any branch of the repository): AWS-managed `ReadOnlyAccess` so
 *   `terraform plan` can refresh every resource type the platform uses, minus data-plane reads
 *   (object contents outside the state bucket, secret values, parameters, log events, table items),
 *   plus read-only state access. Plans run with `-lock=false`, so no lock-file writes.
 * - `deploy` (the deploy branch and the listed GitHub environments only): `AdministratorAccess`,
 *   because it must create the whole platform (VPC, EKS, RDS, ALB, IAM roles, KMS, WAF, ...),
 *   bounded by a permissions boundary that stops privilege escalation: no IAM users or access keys,
 *   no change to the GitHub roles, the OIDC provider, the boundary or the bootstrap data stores, no
 *   new or changed role without the same boundary, and no passing or assuming roles outside the
 *   platform's name prefix.
 *
 * Both roles trust only `sub` values that name this exact repository (no wildcard in owner/name)
 * and only the `sts.amazonaws.com` audience. Sessions last at most one hour.
 */
export class GithubOidc extends Construct {
  public readonly providerArn: string;
  public readonly planRoleArn: string;
  public readonly deployRoleArn: string;
  public readonly planRoleName: string;
  public readonly deployRoleName: string;
  /** The deploy role's permissions boundary; roles it creates must carry it too. */
  public readonly deployBoundaryPolicyArn: string;

  constructor(scope: Construct, id: string, props: GithubOidcProps) {
    super(scope, id);
    if (!REPOSITORY_PATTERN.test(props.repository) || /^[^/]+\/\.{1,2}$/.test(props.repository)) {
      throw new Error(`GithubOidc: repository "${props.repository}" must look like owner/name`);
    }
    const deployBranch = props.deployBranch ?? 'main';
    const environments = props.deployEnvironments ?? [];
    for (const part of [deployBranch, ...environments]) {
      if (!SUBJECT_PART_PATTERN.test(part)) {
        throw new Error(`GithubOidc: "${part}" is not a plain branch or environment name`);
      }
    }

    const caller = awsAccount(this);
    const partition = awsAccount(this);
    const iamArn = (resource: string) =>
      `arn:${partition.partition}:iam::${caller.accountId}:${resource}`;

    this.providerArn =
      props.providerArn ??
      new IamOpenidConnectProvider(this, 'provider', {
        url: `https://${GITHUB_OIDC_HOST}`,
        clientIdList: [AUDIENCE],
        // AWS validates GitHub's certificate through its trusted CA library; the thumbprint is
        // still accepted by the API and kept for older tooling.
        thumbprintList: ['6938fd4d98bab03faadb97b34396831e3780aea1'],
      }).arn;

    const planRoleName = resourceName(props.namePrefix, 'github-plan', NameLimits.iamRoleName);
    const deployRoleName = resourceName(props.namePrefix, 'github-deploy', NameLimits.iamRoleName);
    // Built from names, not resource attributes: the boundary must name the roles that use it.
    const planRoleArn = iamArn(`role/${planRoleName}`);
    const deployRoleArn = iamArn(`role/${deployRoleName}`);
    const boundaryArn = iamArn(`policy/${deployBoundaryPolicyName(props.namePrefix)}`);
    const repo = `repo:${props.repository}`;

    const trust = (name: string, test: 'StringEquals' | 'StringLike', subjects: string[]) =>
      new DataAwsIamPolicyDocument(this, `${name}-trust`, {
        statement: [
          {
            sid: 'GithubActions',
            effect: 'Allow',
            actions: ['sts:AssumeRoleWithWebIdentity'],
            principals: [{ type: 'Federated', identifiers: [this.providerArn] }],
            condition: [
              { test: 'StringEquals', variable: `${GITHUB_OIDC_HOST}:aud`, values: [AUDIENCE] },
              { test, variable: `${GITHUB_OIDC_HOST}:sub`, values: subjects },
            ],
          },
        ],
      });

    // --- plan ---------------------------------------------------------------------------------
    const planRole = new IamRole(this, 'plan-role', {
      name: planRoleName,
      description: `terraform plan from GitHub Actions of ${props.repository} (read-only)`,
      // `:` cannot occur in owner/name, so `repo:owner/name:` can never match another repository.
      assumeRolePolicy: trust('plan', 'StringLike', [
        `${repo}:pull_request`,
        `${repo}:ref:refs/heads/*`,
      ]).json,
      maxSessionDuration: 3600,
    });
    new IamRolePolicyAttachment(this, 'plan-read-only', {
      role: planRole.name,
      policyArn: `arn:${partition.partition}:iam::aws:policy/ReadOnlyAccess`,
    });
    const planPolicy = new DataAwsIamPolicyDocument(this, 'plan-policy', {
      statement: [
        {
          sid: 'ReadState',
          effect: 'Allow',
          actions: ['s3:ListBucket', 's3:GetBucketLocation'],
          resources: [props.stateBucketArn],
        },
        {
          sid: 'ReadStateObjects',
          effect: 'Allow',
          actions: ['s3:GetObject', 's3:GetObjectVersion'],
          resources: [`${props.stateBucketArn}/*`],
        },
        {
          sid: 'DecryptState',
          effect: 'Allow',
          actions: ['kms:Decrypt', 'kms:DescribeKey'],
          resources: [props.stateKmsKeyArn],
        },
        {
          sid: 'DescribeImages',
          effect: 'Allow',
          actions: [
            'ecr:DescribeRepositories',
            'ecr:DescribeImages',
            'ecr:ListImages',
            'ecr:DescribeImageScanFindings',
          ],
          resources: [props.ecrRepositoryArn],
        },
        // ReadOnlyAccess also reads data; a pull request's code runs with this role, so data
        // reads a plan never needs are denied outright.
        {
          sid: 'DenyObjectReadsOutsideState',
          effect: 'Deny',
          actions: ['s3:GetObject', 's3:GetObjectVersion'],
          notResources: [`${props.stateBucketArn}/*`],
        },
        {
          sid: 'DenyDecryptOutsideState',
          effect: 'Deny',
          actions: ['kms:Decrypt'],
          notResources: [props.stateKmsKeyArn],
        },
        {
          sid: 'DenyParameterValuesExceptPublic',
          effect: 'Deny',
          actions: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath'],
          // AWS public parameters (e.g. EKS AMI ids) stay readable for data sources.
          notResources: [`arn:${partition.partition}:ssm:*::parameter/aws/service/*`],
        },
        {
          sid: 'DenyDataReads',
          effect: 'Deny',
          actions: [
            'secretsmanager:GetSecretValue',
            'logs:GetLogEvents',
            'logs:FilterLogEvents',
            'logs:StartQuery',
            'logs:StartLiveTail',
            'dynamodb:GetItem',
            'dynamodb:BatchGetItem',
            'dynamodb:Query',
            'dynamodb:Scan',
            'rds-data:ExecuteStatement',
          ],
          resources: ['*'],
        },
      ],
    });
    new IamRolePolicy(this, 'plan-inline', {
      name: 'plan-state-and-data-guard',
      role: planRole.id,
      policy: planPolicy.json,
    });

    // --- deploy -------------------------------------------------------------------------------
    const platformRoles = iamArn(`role/${props.platformRolePrefix ?? `${props.namePrefix}-`}*`);
    const protectedIam = [planRoleArn, deployRoleArn, boundaryArn, this.providerArn];
    const boundaryStatements: DataAwsIamPolicyDocumentStatement[] = [
      { sid: 'AllowWithinBoundary', effect: 'Allow', actions: ['*'], resources: ['*'] },
      {
        sid: 'DenyLongLivedCredentials',
        effect: 'Deny',
        actions: [
          'iam:CreateUser',
          'iam:CreateAccessKey',
          'iam:CreateLoginProfile',
          'iam:UpdateLoginProfile',
          'iam:AttachUserPolicy',
          'iam:PutUserPolicy',
          'iam:AddUserToGroup',
          'iam:AttachGroupPolicy',
          'iam:PutGroupPolicy',
          'iam:CreateServiceSpecificCredential',
          'iam:UploadSSHPublicKey',
          'iam:CreateSAMLProvider',
        ],
        resources: ['*'],
      },
      {
        sid: 'DenyChangesToGithubAccess',
        effect: 'Deny',
        notActions: ['iam:Get*', 'iam:List*'],
        resources: protectedIam,
      },
      {
        sid: 'DenyBoundaryRemoval',
        effect: 'Deny',
        actions: ['iam:DeleteRolePermissionsBoundary'],
        resources: ['*'],
      },
      {
        // Roles created or changed by the deploy role must carry this boundary, so a new role
        // cannot be a way around it.
        sid: 'DenyRolesWithoutThisBoundary',
        effect: 'Deny',
        actions: [
          'iam:CreateRole',
          'iam:PutRolePermissionsBoundary',
          'iam:AttachRolePolicy',
          'iam:PutRolePolicy',
        ],
        resources: ['*'],
        condition: [
          { test: 'StringNotEquals', variable: 'iam:PermissionsBoundary', values: [boundaryArn] },
        ],
      },
      {
        // UpdateAssumeRolePolicy has no iam:PermissionsBoundary key, so it is limited by name.
        sid: 'DenyForeignRoles',
        effect: 'Deny',
        actions: ['iam:PassRole', 'sts:AssumeRole', 'iam:UpdateAssumeRolePolicy'],
        notResources: [platformRoles],
      },
      {
        sid: 'DenyBootstrapStoreDestruction',
        effect: 'Deny',
        actions: [
          's3:DeleteBucket',
          's3:PutBucketPolicy',
          's3:DeleteBucketPolicy',
          's3:PutBucketVersioning',
          's3:PutEncryptionConfiguration',
          's3:PutLifecycleConfiguration',
          's3:PutBucketPublicAccessBlock',
          's3:PutBucketOwnershipControls',
          'ecr:DeleteRepository',
          'ecr:SetRepositoryPolicy',
          'ecr:PutImageTagMutability',
          'ecr:DeleteLifecyclePolicy',
          'ecr:PutLifecyclePolicy',
        ],
        resources: [props.stateBucketArn, props.ecrRepositoryArn],
      },
      {
        sid: 'DenyBootstrapKeyDestruction',
        effect: 'Deny',
        actions: [
          'kms:ScheduleKeyDeletion',
          'kms:DisableKey',
          'kms:DisableKeyRotation',
          'kms:PutKeyPolicy',
        ],
        resources: [props.stateKmsKeyArn, props.ecrKmsKeyArn],
      },
      {
        sid: 'DenyAuditTampering',
        effect: 'Deny',
        actions: ['cloudtrail:StopLogging', 'cloudtrail:DeleteTrail'],
        resources: ['*'],
      },
    ];
    const boundary = new IamPolicy(this, 'deploy-boundary', {
      name: deployBoundaryPolicyName(props.namePrefix),
      description: `Permissions boundary of ${deployRoleName}: admin without privilege escalation`,
      policy: new DataAwsIamPolicyDocument(this, 'deploy-boundary-document', {
        statement: boundaryStatements,
      }).json,
    });

    const deployRole = new IamRole(this, 'deploy-role', {
      name: deployRoleName,
      description: `terraform apply from GitHub Actions of ${props.repository} (${deployBranch})`,
      assumeRolePolicy: trust('deploy', 'StringEquals', [
        `${repo}:ref:refs/heads/${deployBranch}`,
        ...environments.map((environment) => `${repo}:environment:${environment}`),
      ]).json,
      permissionsBoundary: boundary.arn,
      maxSessionDuration: 3600,
    });
    new IamRolePolicyAttachment(this, 'deploy-admin', {
      role: deployRole.name,
      policyArn: `arn:${partition.partition}:iam::aws:policy/AdministratorAccess`,
    });

    this.planRoleArn = planRole.arn;
    this.deployRoleArn = deployRole.arn;
    this.planRoleName = planRole.name;
    this.deployRoleName = deployRole.name;
    this.deployBoundaryPolicyArn = boundary.arn;
  }
}
