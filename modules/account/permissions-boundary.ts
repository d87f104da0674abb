import type { IConstruct } from 'constructs';
import type { IAspect } from 'cdktf';
import type { DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { resourceName } from '../core/naming';

/*
 * The deploy roles' permissions boundaries, seen from the stacks they apply: the bootstrap stack
 * creates the policies (GithubOidc); every other stack computes its ARN and puts it on each role.
 *
 * There is one boundary per environment (`<project>-<env>-github-deploy-boundary`, carried by that
 * environment's deploy role and by every role its stacks create) and one account boundary
 * (`<project>-github-deploy-boundary`, carried by account-wide runners such as the Terraform Cloud
 * run role).
 */

/** Name of a deploy boundary policy: `namePrefix` is `<project>` (account) or `<project>-<env>`. */
export function deployBoundaryPolicyName(namePrefix: string): string {
  return resourceName(namePrefix, 'github-deploy-boundary', 128);
}

/**
 * ARN of a deploy boundary, computable in any stack of the account (e.g. from
 * `DataAwsCallerIdentity`/`DataAwsPartition`) without a cross-stack reference.
 */
export function deployBoundaryPolicyArn(
  partition: string,
  accountId: string,
  namePrefix: string,
): string {
  return `arn:${partition}:iam::${accountId}:policy/${deployBoundaryPolicyName(namePrefix)}`;
}

/**
 * A deploy role may only create or change roles that carry its boundary. Add this aspect to every
 * stack a deploy role applies: it sets the boundary on each `aws_iam_role` that has none.
 */
export class ApplyPermissionsBoundary implements IAspect {
  constructor(private readonly boundaryArn: string) {}

  visit(node: IConstruct): void {
    if (node instanceof IamRole && node.permissionsBoundaryInput === undefined) {
      node.permissionsBoundary = this.boundaryArn;
    }
  }
}

/** What one boundary protects and whom it isolates from. */
export interface DeployBoundaryScope {
  /** ARN of the boundary itself: roles created or changed under it must carry it. */
  readonly boundaryArn: string;
  /**
   * Further boundaries a role created under this one may carry instead. The account boundary
   * accepts the environment boundaries (a Terraform Cloud run creates an environment's roles with
   * that environment's boundary). Default: none.
   */
  readonly acceptedBoundaryArns?: string[];
  /** ARN pattern of the roles the holder may pass, assume or re-trust, e.g. `...:role/hello-dev-*`. */
  readonly ownRolesArnPattern: string;
  /** IAM ARNs no holder may change: the GitHub roles, every boundary, the OIDC provider. */
  readonly protectedIamArns: string[];
  readonly stateBucketArn: string;
  readonly stateKmsKeyArn: string;
  readonly ecrRepositoryArn: string;
  readonly ecrKmsKeyArn: string;
  /**
   * Environment isolation (environment boundaries only): what belongs to the other environments
   * of the account. Default: none (the account boundary spans every environment).
   */
  readonly otherEnvironments?: {
    /** Values of the environment tag on the other environments' resources, e.g. `['staging', 'prod']`. */
    readonly tagValues: string[];
    /** ARNs of the other environments' EKS clusters and everything under them. */
    readonly clusterArnPatterns: string[];
  };
  /** Tag key every resource carries with its environment's name. Default: `Environment`. */
  readonly environmentTagKey?: string;
}

/**
 * Statements of a deploy boundary: everything is allowed except privilege escalation (IAM users
 * and keys, removing or dodging the boundary, borrowing foreign roles), changes to the GitHub
 * access itself, destroying the bootstrap stores and stopping the audit trail, and, for an
 * environment boundary, touching another environment's clusters or tagged resources.
 */
export function deployBoundaryStatements(
  scope: DeployBoundaryScope,
): DataAwsIamPolicyDocumentStatement[] {
  const statements: DataAwsIamPolicyDocumentStatement[] = [
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
      resources: scope.protectedIamArns,
    },
    {
      sid: 'DenyBoundaryRemoval',
      effect: 'Deny',
      actions: ['iam:DeleteRolePermissionsBoundary'],
      resources: ['*'],
    },
    {
      // Roles created or changed under this boundary must carry it too, so a new role cannot be
      // a way around it.
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
        {
          test: 'StringNotEquals',
          variable: 'iam:PermissionsBoundary',
          values: [scope.boundaryArn, ...(scope.acceptedBoundaryArns ?? [])],
        },
      ],
    },
    {
      // UpdateAssumeRolePolicy has no iam:PermissionsBoundary key, so it is limited by name.
      sid: 'DenyForeignRoles',
      effect: 'Deny',
      actions: ['iam:PassRole', 'sts:AssumeRole', 'iam:UpdateAssumeRolePolicy'],
      notResources: [scope.ownRolesArnPattern],
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
      resources: [scope.stateBucketArn, scope.ecrRepositoryArn],
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
      resources: [scope.stateKmsKeyArn, scope.ecrKmsKeyArn],
    },
    {
      sid: 'DenyAuditTampering',
      effect: 'Deny',
      actions: ['cloudtrail:StopLogging', 'cloudtrail:DeleteTrail'],
      resources: ['*'],
    },
  ];

  const others = scope.otherEnvironments;
  if (others && others.tagValues.length > 0) {
    const tagKey = scope.environmentTagKey ?? 'Environment';
    statements.push(
      {
        // Cluster admin comes from EKS access entries, which any IAM admin could add to any
        // cluster; this keeps an environment's deploy role off the other clusters entirely.
        sid: 'DenyOtherEnvironmentClusters',
        effect: 'Deny',
        actions: ['eks:*'],
        resources: others.clusterArnPatterns,
      },
      {
        // Every resource carries its environment's tag (provider default_tags), so this denies
        // what supports aws:ResourceTag in the other environments; a missing tag matches nothing.
        sid: 'DenyOtherEnvironmentResources',
        effect: 'Deny',
        actions: ['*'],
        resources: ['*'],
        condition: [
          { test: 'StringEquals', variable: `aws:ResourceTag/${tagKey}`, values: others.tagValues },
        ],
      },
      {
        sid: 'DenyTaggingAsOtherEnvironment',
        effect: 'Deny',
        actions: ['*'],
        resources: ['*'],
        condition: [
          { test: 'StringEquals', variable: `aws:RequestTag/${tagKey}`, values: others.tagValues },
        ],
      },
    );
  }
  return statements;
}
