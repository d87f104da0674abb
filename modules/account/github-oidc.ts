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
import {
  deployBoundaryPolicyName,
  deployBoundaryStatements,
  type DeployBoundaryScope,
} from './permissions-boundary';

/** An environment that GitHub Actions deploys: its own GitHub environment, role and cluster. */
export interface GithubDeployEnvironment {
  /** GitHub environment name, also the environment's name in resource names (`hello-<name>-*`). */
  readonly name: string;
  /** Name of the environment's EKS cluster; only this environment's deploy role may touch it. */
  readonly clusterName: string;
}

export interface GithubOidcProps {
  /** Prefix of the role and policy names, e.g. `hello` (roles `hello-github-plan`, ...). */
  readonly namePrefix: string;
  /** GitHub repository as `owner/name`, spelled exactly as GitHub does (`sub` is case-sensitive). */
  readonly repository: string;
  /**
   * The environments deploy jobs run in; each gets a deploy role trusted only by its GitHub
   * environment (`repo:<owner>/<name>:environment:<env>`).
   */
  readonly deployEnvironments: GithubDeployEnvironment[];
  /** GitHub environment of the image job (push and retag images only). Default: `release`. */
  readonly releaseEnvironment?: string;
  /**
   * Branch whose workflow runs plan deploys before their approval gate and check drift, with the
   * read-only `plan-main` role. Default: `main`.
   */
  readonly mainBranch?: string;
  /** The Terraform state bucket (plans read it; the deploy roles write it through their admin rights). */
  readonly stateBucketArn: string;
  /** KMS key of the state bucket (plans need `kms:Decrypt` to read state). */
  readonly stateKmsKeyArn: string;
  /** The image repository (the release role pushes to it; plans may describe it). */
  readonly ecrRepositoryArn: string;
  /** KMS key of the image repository (protected from deletion by the deploy boundaries). */
  readonly ecrKmsKeyArn: string;
  /**
   * ARN of an existing GitHub OIDC provider in the account (there can be only one per URL).
   * Default: create `token.actions.githubusercontent.com` with audience `sts.amazonaws.com`.
   */
  readonly providerArn?: string;
  /**
   * Tag key whose value names a resource's environment (the stacks' default tags set it); an
   * environment's deploy role may not touch resources tagged with another environment.
   * Default: `Environment`.
   */
  readonly environmentTagKey?: string;
}

/**
 * Maximum session of each role, in seconds. A job must finish before its credentials expire
 * (a state write after expiry fails and leaves the lock behind), so workflows request exactly this
 * and keep `timeout-minutes` within it; `__tests__/workflows` checks both against these values.
 */
export const GITHUB_ROLE_SESSION_SECONDS = {
  plan: 3600,
  planMain: 7200,
  release: 3600,
  deploy: 7200,
} as const;

/** Role names, computable by the stacks that reference the roles (no cross-stack reads). */
export const githubRoleName = {
  plan: (namePrefix: string) => resourceName(namePrefix, 'github-plan', NameLimits.iamRoleName),
  planMain: (namePrefix: string) =>
    resourceName(namePrefix, 'github-plan-main', NameLimits.iamRoleName),
  release: (namePrefix: string) =>
    resourceName(namePrefix, 'github-release', NameLimits.iamRoleName),
  /** `<project>-<env>-github-deploy`: inside the environment's own role prefix. */
  deploy: (namePrefix: string, environment: string) =>
    resourceName(`${namePrefix}-${environment}`, 'github-deploy', NameLimits.iamRoleName),
} as const;

const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
const AUDIENCE = 'sts.amazonaws.com';
// Owner: letters, digits, hyphens. Repository: letters, digits, `.`, `_`, `-`. No wildcards.
const REPOSITORY_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
// Git ref and environment names as they appear in `sub`; `*`, `?` and `:` would widen or break it.
const SUBJECT_PART_PATTERN = /^[A-Za-z0-9._/-]{1,255}$/;
// Environment names become part of role names (`hello-<env>-github-deploy`).
const ENVIRONMENT_NAME_PATTERN = /^[a-z][a-z0-9-]{0,20}$/;

/**
 * GitHub Actions access to the account without stored keys: the OIDC provider and one role per
 * job kind, each trusted by exactly the GitHub `sub` that job has:
 *
 * | role                         | trusted `sub`                  | rights                                     |
 * | ---------------------------- | ------------------------------ | ------------------------------------------ |
 * | `<p>-github-plan`            | `pull_request`                 | read-only AWS, no cluster access           |
 * | `<p>-github-plan-main`       | `ref:refs/heads/<main>`        | read-only AWS; cluster view (access entry) |
 * | `<p>-github-release`         | `environment:<release>`        | push and retag images in one repository    |
 * | `<p>-<env>-github-deploy`    | `environment:<env>` only       | admin inside the `<env>` boundary          |
 *
 * Read-only means AWS-managed `ReadOnlyAccess` minus data-plane reads (object contents outside the
 * state bucket, secret values, parameters, log events, table items) plus read-only state access.
 * Pull-request code gets no Kubernetes access at all: its plans of cluster stacks skip the refresh,
 * and the refreshed plan is made on main before the deploy gate.
 *
 * A deploy role never trusts a branch or tag ref: every deploy job runs in its GitHub environment,
 * so the environment's protection rules (reviewers, branch rules) decide who gets admin. Its
 * boundary (see permissions-boundary.ts) stops privilege escalation and keeps it off the other
 * environments' clusters and tagged resources, so a dev job cannot change prod.
 *
 * Only the `sts.amazonaws.com` audience is trusted; `sub` values name this exact repository.
 */
export class GithubOidc extends Construct {
  public readonly providerArn: string;
  public readonly planRoleArn: string;
  public readonly planMainRoleArn: string;
  public readonly releaseRoleArn: string;
  /** Deploy role ARN per environment name. */
  public readonly deployRoleArns: Readonly<Record<string, string>>;
  /** The account boundary (for account-wide runners such as Terraform Cloud runs). */
  public readonly accountBoundaryPolicyArn: string;

  constructor(scope: Construct, id: string, props: GithubOidcProps) {
    super(scope, id);
    if (!REPOSITORY_PATTERN.test(props.repository) || /^[^/]+\/\.{1,2}$/.test(props.repository)) {
      throw new Error(`GithubOidc: repository "${props.repository}" must look like owner/name`);
    }
    const mainBranch = props.mainBranch ?? 'main';
    const releaseEnvironment = props.releaseEnvironment ?? 'release';
    const environments = props.deployEnvironments;
    for (const part of [mainBranch, releaseEnvironment, ...environments.map((e) => e.name)]) {
      if (!SUBJECT_PART_PATTERN.test(part)) {
        throw new Error(`GithubOidc: "${part}" is not a plain branch or environment name`);
      }
    }
    for (const environment of environments) {
      if (!ENVIRONMENT_NAME_PATTERN.test(environment.name)) {
        throw new Error(
          `GithubOidc: environment "${environment.name}" must be lower-case letters, digits and "-"`,
        );
      }
    }
    const names = environments.map((e) => e.name);
    if (new Set([...names, releaseEnvironment]).size !== names.length + 1) {
      throw new Error(
        `GithubOidc: environment names must be unique and differ from "${releaseEnvironment}"`,
      );
    }

    const { accountId, partition } = awsAccount(this);
    const iamArn = (resource: string) => `arn:${partition}:iam::${accountId}:${resource}`;
    const prefix = props.namePrefix;
    const repo = `repo:${props.repository}`;

    this.providerArn =
      props.providerArn ??
      new IamOpenidConnectProvider(this, 'provider', {
        url: `https://${GITHUB_OIDC_HOST}`,
        clientIdList: [AUDIENCE],
        // AWS validates GitHub's certificate through its trusted CA library; the thumbprint is
        // still accepted by the API and kept for older tooling.
        thumbprintList: ['6938fd4d98bab03faadb97b34396831e3780aea1'],
      }).arn;

    const trust = (name: string, subjects: string[]) =>
      new DataAwsIamPolicyDocument(this, `${name}-trust`, {
        statement: [
          {
            sid: 'GithubActions',
            effect: 'Allow',
            actions: ['sts:AssumeRoleWithWebIdentity'],
            principals: [{ type: 'Federated', identifiers: [this.providerArn] }],
            condition: [
              { test: 'StringEquals', variable: `${GITHUB_OIDC_HOST}:aud`, values: [AUDIENCE] },
              // Exact subjects only: `:` cannot occur in owner/name, and no wildcard is used.
              { test: 'StringEquals', variable: `${GITHUB_OIDC_HOST}:sub`, values: subjects },
            ],
          },
        ],
      }).json;

    // Built from names, not resource attributes: the boundaries must name the roles they protect.
    const accountBoundaryArn = iamArn(`policy/${deployBoundaryPolicyName(prefix)}`);
    const environmentBoundaryArn = (env: string) =>
      iamArn(`policy/${deployBoundaryPolicyName(`${prefix}-${env}`)}`);
    const protectedIam = [
      iamArn(`role/${githubRoleName.plan(prefix)}`),
      iamArn(`role/${githubRoleName.planMain(prefix)}`),
      iamArn(`role/${githubRoleName.release(prefix)}`),
      ...names.map((env) => iamArn(`role/${githubRoleName.deploy(prefix, env)}`)),
      accountBoundaryArn,
      ...names.map(environmentBoundaryArn),
      this.providerArn,
    ];

    // --- read-only roles -----------------------------------------------------------------------
    const readOnlyRole = (
      key: 'plan' | 'plan-main',
      roleName: string,
      subject: string,
      description: string,
      maxSessionDuration: number,
    ): IamRole => {
      const role = new IamRole(this, `${key}-role`, {
        name: roleName,
        description,
        assumeRolePolicy: trust(key, [subject]),
        maxSessionDuration,
      });
      new IamRolePolicyAttachment(this, `${key}-read-only`, {
        role: role.name,
        policyArn: `arn:${partition}:iam::aws:policy/ReadOnlyAccess`,
      });
      new IamRolePolicy(this, `${key}-inline`, {
        name: 'plan-state-and-data-guard',
        role: role.id,
        policy: new DataAwsIamPolicyDocument(this, `${key}-policy`, {
          statement: readOnlyStatements(props, partition),
        }).json,
      });
      return role;
    };
    const planRole = readOnlyRole(
      'plan',
      githubRoleName.plan(prefix),
      `${repo}:pull_request`,
      `terraform plan of pull requests of ${props.repository} (read-only, no cluster access)`,
      GITHUB_ROLE_SESSION_SECONDS.plan,
    );
    const planMainRole = readOnlyRole(
      'plan-main',
      githubRoleName.planMain(prefix),
      `${repo}:ref:refs/heads/${mainBranch}`,
      `terraform plan of ${mainBranch} of ${props.repository}: drift and pre-approval deploy plans (read-only)`,
      GITHUB_ROLE_SESSION_SECONDS.planMain,
    );

    // --- release: images only ------------------------------------------------------------------
    const releaseRole = new IamRole(this, 'release-role', {
      name: githubRoleName.release(prefix),
      description: `Image build and release tagging of ${props.repository} (ECR push only)`,
      assumeRolePolicy: trust('release', [`${repo}:environment:${releaseEnvironment}`]),
      maxSessionDuration: GITHUB_ROLE_SESSION_SECONDS.release,
    });
    new IamRolePolicy(this, 'release-inline', {
      name: 'push-and-retag-images',
      role: releaseRole.id,
      policy: new DataAwsIamPolicyDocument(this, 'release-policy', {
        statement: [
          {
            sid: 'RegistryLogin',
            effect: 'Allow',
            actions: ['ecr:GetAuthorizationToken'],
            resources: ['*'],
          },
          {
            // Push, look up and retag (BatchGetImage + PutImage of an existing manifest). The
            // repository's tags are immutable, so nothing here can overwrite an image.
            sid: 'PushAndRetag',
            effect: 'Allow',
            actions: [
              'ecr:BatchCheckLayerAvailability',
              'ecr:InitiateLayerUpload',
              'ecr:UploadLayerPart',
              'ecr:CompleteLayerUpload',
              'ecr:PutImage',
              'ecr:BatchGetImage',
              'ecr:GetDownloadUrlForLayer',
              'ecr:DescribeImages',
              'ecr:DescribeImageScanFindings',
            ],
            resources: [props.ecrRepositoryArn],
          },
        ],
      }).json,
    });

    // --- boundaries and deploy roles -----------------------------------------------------------
    const stores = {
      stateBucketArn: props.stateBucketArn,
      stateKmsKeyArn: props.stateKmsKeyArn,
      ecrRepositoryArn: props.ecrRepositoryArn,
      ecrKmsKeyArn: props.ecrKmsKeyArn,
      protectedIamArns: protectedIam,
      environmentTagKey: props.environmentTagKey,
    };
    const boundary = (key: string, namePrefix: string, scope: DeployBoundaryScope) =>
      new IamPolicy(this, `${key}-boundary`, {
        name: deployBoundaryPolicyName(namePrefix),
        description: `Permissions boundary of ${namePrefix} deploy roles: admin without privilege escalation`,
        policy: new DataAwsIamPolicyDocument(this, `${key}-boundary-document`, {
          statement: deployBoundaryStatements(scope),
        }).json,
      });
    const accountBoundary = boundary('deploy', prefix, {
      ...stores,
      boundaryArn: accountBoundaryArn,
      acceptedBoundaryArns: names.map(environmentBoundaryArn),
      ownRolesArnPattern: iamArn(`role/${prefix}-*`),
    });

    const clusterArns = (clusterName: string) => [
      `arn:${partition}:eks:*:${accountId}:cluster/${clusterName}`,
      // Access entries, add-ons, node groups, Pod Identity associations, ...
      `arn:${partition}:eks:*:${accountId}:*/${clusterName}/*`,
    ];
    const deployRoleArns: Record<string, string> = {};
    for (const environment of environments) {
      const env = environment.name;
      const others = environments.filter((other) => other.name !== env);
      const envBoundary = boundary(`deploy-${env}`, `${prefix}-${env}`, {
        ...stores,
        boundaryArn: environmentBoundaryArn(env),
        ownRolesArnPattern: iamArn(`role/${prefix}-${env}-*`),
        otherEnvironments: {
          tagValues: others.map((other) => other.name),
          clusterArnPatterns: others.flatMap((other) => clusterArns(other.clusterName)),
        },
      });
      const role = new IamRole(this, `deploy-${env}-role`, {
        name: githubRoleName.deploy(prefix, env),
        description: `terraform apply of ${env} from GitHub Actions of ${props.repository} (environment ${env} only)`,
        assumeRolePolicy: trust(`deploy-${env}`, [`${repo}:environment:${env}`]),
        permissionsBoundary: envBoundary.arn,
        maxSessionDuration: GITHUB_ROLE_SESSION_SECONDS.deploy,
      });
      new IamRolePolicyAttachment(this, `deploy-${env}-admin`, {
        role: role.name,
        policyArn: `arn:${partition}:iam::aws:policy/AdministratorAccess`,
      });
      deployRoleArns[env] = role.arn;
    }

    this.planRoleArn = planRole.arn;
    this.planMainRoleArn = planMainRole.arn;
    this.releaseRoleArn = releaseRole.arn;
    this.deployRoleArns = deployRoleArns;
    this.accountBoundaryPolicyArn = accountBoundary.arn;
  }
}

/**
 * The read-only roles' inline policy: state reads, image descriptions, and explicit denies of the
 * data reads `ReadOnlyAccess` would allow (pull-request code runs with the plan role).
 */
function readOnlyStatements(
  props: GithubOidcProps,
  partition: string,
): DataAwsIamPolicyDocumentStatement[] {
  return [
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
      notResources: [`arn:${partition}:ssm:*::parameter/aws/service/*`],
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
  ];
}
