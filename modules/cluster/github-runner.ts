import { Construct } from 'constructs';
import { CodebuildProject } from '@cdktf/provider-aws/lib/codebuild-project';
import { CodebuildWebhook } from '@cdktf/provider-aws/lib/codebuild-webhook';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { awsAccount } from '../core/aws-account';
import { EncryptedLogGroup } from '../core/encrypted-log-group';
import { cloudWatchLogsGrant, KmsKey } from '../core/kms-key';
import { NameLimits, resourceName } from '../core/naming';

/**
 * Longest a runner build may live, in minutes. A workflow job on the runner dies with its build,
 * so every job that runs there must have a `timeout-minutes` below this (the workflow tests check
 * it); CodeBuild allows up to 2160.
 */
export const RUNNER_BUILD_TIMEOUT_MINUTES = 150;

export interface GithubRunnerProps {
  /**
   * CodeBuild project name; jobs select the runner with
   * `runs-on: codebuild-<projectName>-${{ github.run_id }}-${{ github.run_attempt }}`.
   */
  readonly projectName: string;
  /** GitHub repository as `owner/name` whose workflow jobs this runner takes. */
  readonly repository: string;
  /** ARN of the AWS CodeConnections connection to GitHub (created once, by hand; see docs). */
  readonly connectionArn: string;
  /** VPC of the cluster. */
  readonly vpcId: string;
  /** Private subnets the runner's network interfaces live in (egress through the NAT gateways). */
  readonly subnetIds: string[];
  /** The EKS cluster security group; the runner gets HTTPS to the Kubernetes API through it. */
  readonly clusterSecurityGroupId: string;
  /** CodeBuild compute type. Default: `BUILD_GENERAL1_MEDIUM` (4 vCPU, 7 GB). */
  readonly computeType?: string;
  /** Build image. Default: `aws/codebuild/amazonlinux-x86_64-standard:5.0`. */
  readonly image?: string;
  /** Build (hence job) time limit in minutes. Default: `RUNNER_BUILD_TIMEOUT_MINUTES`. */
  readonly buildTimeoutMinutes?: number;
  /** Days to keep the runner's build logs. Default: 365. */
  readonly logRetentionDays?: number;
}

/**
 * An AWS CodeBuild-hosted GitHub Actions runner inside the environment's VPC, for jobs that must
 * reach a cluster endpoint GitHub-hosted runners cannot (private, or allow-listed). GitHub sends
 * `workflow_job` events to the project's webhook; a queued job whose `runs-on` names this project
 * starts an ephemeral build that registers as a runner, runs that one job and ends.
 *
 * The runner holds no AWS rights of its own: its service role may only write its logs, manage its
 * network interfaces in the given subnets, use the GitHub connection and its KMS key. Jobs get AWS
 * access exactly as on GitHub-hosted runners, through GitHub OIDC and their environment's role.
 * Network: HTTPS out (GitHub, npm, registries, AWS APIs through the NAT gateways) and HTTPS to the
 * cluster security group (the Kubernetes API); nothing may connect to the runner.
 */
export class GithubRunner extends Construct {
  public readonly projectName: string;
  public readonly projectArn: string;
  public readonly securityGroupId: string;
  public readonly roleArn: string;
  /** Build time limit in minutes (jobs on this runner must end before it). */
  public readonly buildTimeoutMinutes: number;

  constructor(scope: Construct, id: string, props: GithubRunnerProps) {
    super(scope, id);
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]{1,149}$/.test(props.projectName)) {
      throw new Error(`GithubRunner: "${props.projectName}" is not a valid CodeBuild project name`);
    }
    if (props.subnetIds.length === 0) throw new Error('GithubRunner needs at least one subnet');
    const buildTimeout = props.buildTimeoutMinutes ?? RUNNER_BUILD_TIMEOUT_MINUTES;
    if (!Number.isInteger(buildTimeout) || buildTimeout < 5 || buildTimeout > 2160) {
      throw new Error(`GithubRunner: buildTimeoutMinutes ${buildTimeout} is outside 5-2160`);
    }
    const name = props.projectName;
    const { accountId, partition, region } = awsAccount(this);
    const projectArn = `arn:${partition}:codebuild:${region}:${accountId}:project/${name}`;
    const logGroupName = `/aws/codebuild/${name}`;

    // --- Logs and key ---------------------------------------------------------------------------
    const key = new KmsKey(this, 'key', {
      alias: `${name}`,
      description: `Logs and build output of the GitHub Actions runner ${name}`,
      serviceGrants: [
        cloudWatchLogsGrant(
          region,
          `arn:${partition}:logs:${region}:${accountId}:log-group:${logGroupName}`,
        ),
      ],
    });
    const logs = new EncryptedLogGroup(this, 'logs', {
      name: logGroupName,
      kmsKeyArn: key.arn,
      retentionInDays: props.logRetentionDays ?? 365,
    });

    // --- Network --------------------------------------------------------------------------------
    const sgName = resourceName(name, 'sg', NameLimits.securityGroupName);
    const securityGroup = new SecurityGroup(this, 'security-group', {
      name: sgName,
      description: `GitHub Actions runner ${name}: HTTPS out, nothing in`,
      vpcId: props.vpcId,
      tags: { Name: sgName },
    });
    new VpcSecurityGroupEgressRule(this, 'egress-https', {
      securityGroupId: securityGroup.id,
      cidrIpv4: '0.0.0.0/0',
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      description: 'HTTPS to GitHub, package registries and AWS APIs (through the NAT gateways)',
    });
    new VpcSecurityGroupIngressRule(this, 'cluster-from-runner', {
      securityGroupId: props.clusterSecurityGroupId,
      referencedSecurityGroupId: securityGroup.id,
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      description: `Kubernetes API from the GitHub Actions runner ${name}`,
    });

    // --- Service role ---------------------------------------------------------------------------
    const role = new IamRole(this, 'role', {
      name: resourceName(name, '', NameLimits.iamRoleName),
      description: `Service role of the GitHub Actions runner ${name} (logs, VPC, connection only)`,
      assumeRolePolicy: new DataAwsIamPolicyDocument(this, 'trust', {
        statement: [
          {
            principals: [{ type: 'Service', identifiers: ['codebuild.amazonaws.com'] }],
            actions: ['sts:AssumeRole'],
            condition: [
              { test: 'StringEquals', variable: 'aws:SourceAccount', values: [accountId] },
              { test: 'ArnEquals', variable: 'aws:SourceArn', values: [projectArn] },
            ],
          },
        ],
      }).json,
    });
    const policy = new IamRolePolicy(this, 'policy', {
      name: 'runner',
      role: role.id,
      policy: new DataAwsIamPolicyDocument(this, 'policy-document', {
        statement: [
          {
            sid: 'BuildLogs',
            actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            resources: [`${logs.arn}:*`],
          },
          {
            sid: 'Key',
            actions: [
              'kms:Encrypt',
              'kms:Decrypt',
              'kms:ReEncrypt*',
              'kms:GenerateDataKey*',
              'kms:DescribeKey',
            ],
            resources: [key.arn],
          },
          {
            // What CodeBuild needs to place a build in the VPC; these calls take no resource.
            sid: 'VpcNetworkInterfaces',
            actions: [
              'ec2:CreateNetworkInterface',
              'ec2:DeleteNetworkInterface',
              'ec2:DescribeNetworkInterfaces',
              'ec2:DescribeDhcpOptions',
              'ec2:DescribeSubnets',
              'ec2:DescribeSecurityGroups',
              'ec2:DescribeVpcs',
            ],
            resources: ['*'],
          },
          {
            sid: 'NetworkInterfaceInTheseSubnets',
            actions: ['ec2:CreateNetworkInterfacePermission'],
            resources: [`arn:${partition}:ec2:${region}:${accountId}:network-interface/*`],
            condition: [
              {
                test: 'ArnEquals',
                variable: 'ec2:Subnet',
                values: props.subnetIds.map(
                  (subnet) => `arn:${partition}:ec2:${region}:${accountId}:subnet/${subnet}`,
                ),
              },
              {
                test: 'StringEquals',
                variable: 'ec2:AuthorizedService',
                values: ['codebuild.amazonaws.com'],
              },
            ],
          },
          {
            sid: 'GithubConnection',
            actions: [
              'codeconnections:GetConnectionToken',
              'codeconnections:GetConnection',
              'codestar-connections:GetConnectionToken',
              'codestar-connections:GetConnection',
            ],
            resources: [props.connectionArn],
          },
        ],
      }).json,
    });

    // --- Project and webhook --------------------------------------------------------------------
    const project = new CodebuildProject(this, 'project', {
      name,
      description: `GitHub Actions runner for ${props.repository} inside the VPC`,
      serviceRole: role.arn,
      buildTimeout,
      encryptionKey: key.arn,
      source: {
        type: 'GITHUB',
        location: `https://github.com/${props.repository}.git`,
        auth: { type: 'CODECONNECTIONS', resource: props.connectionArn },
      },
      artifacts: { type: 'NO_ARTIFACTS' },
      environment: {
        type: 'LINUX_CONTAINER',
        computeType: props.computeType ?? 'BUILD_GENERAL1_MEDIUM',
        image: props.image ?? 'aws/codebuild/amazonlinux-x86_64-standard:5.0',
        imagePullCredentialsType: 'CODEBUILD',
        privilegedMode: false,
      },
      vpcConfig: {
        vpcId: props.vpcId,
        subnets: props.subnetIds,
        securityGroupIds: [securityGroup.id],
      },
      logsConfig: {
        cloudwatchLogs: { status: 'ENABLED', groupName: logs.name },
        s3Logs: { status: 'DISABLED' },
      },
      // The role must be able to reach the VPC and the logs before the first build.
      dependsOn: [policy, logs.resource],
    });
    // GitHub sends every queued job of the repository here; CodeBuild starts a build only for
    // jobs whose `runs-on` label names this project.
    new CodebuildWebhook(this, 'webhook', {
      projectName: project.name,
      buildType: 'BUILD',
      filterGroup: [{ filter: [{ type: 'EVENT', pattern: 'WORKFLOW_JOB_QUEUED' }] }],
    });

    this.projectName = project.name;
    this.projectArn = project.arn;
    this.securityGroupId = securityGroup.id;
    this.roleArn = role.arn;
    this.buildTimeoutMinutes = buildTimeout;
  }
}
