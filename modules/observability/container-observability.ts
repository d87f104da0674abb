import { Construct } from 'constructs';
import type { ITerraformDependable } from 'cdktf';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { EncryptedLogGroup } from '../core/encrypted-log-group';
import { cloudWatchLogsGrant, KmsKey } from '../core/kms-key';
import { NameLimits, resourceName } from '../core/naming';
import { awsAccount } from '../core/aws-account';

/** The EKS add-on that runs the CloudWatch agent (Container Insights) and Fluent Bit. */
export const CLOUDWATCH_OBSERVABILITY_ADDON = 'amazon-cloudwatch-observability';
/** Namespace and service account the add-on's agent and Fluent Bit pods run as. */
export const CLOUDWATCH_AGENT_NAMESPACE = 'amazon-cloudwatch';
export const CLOUDWATCH_AGENT_SERVICE_ACCOUNT = 'cloudwatch-agent';

/** The four log groups Container Insights writes, by their last path segment. */
export const CONTAINER_INSIGHTS_LOG_KINDS = [
  'application',
  'dataplane',
  'host',
  'performance',
] as const;
export type ContainerInsightsLogKind = (typeof CONTAINER_INSIGHTS_LOG_KINDS)[number];

/** `/aws/containerinsights/<cluster>/<kind>`: the names the add-on writes to. */
export function containerInsightsLogGroupName(
  clusterName: string,
  kind: ContainerInsightsLogKind,
): string {
  return `/aws/containerinsights/${clusterName}/${kind}`;
}

export interface ContainerObservabilityProps {
  /** `<project>-<env>`, prefix of the role and key alias. */
  readonly namePrefix: string;
  /** Name of the EKS cluster (Pod Identity agent add-on installed, API auth mode). */
  readonly clusterName: string;
  /**
   * Days to keep container, node and performance logs. Must be a CloudWatch retention value.
   * Default: 365 (CKV_AWS_338); cheaper environments set less in config.
   */
  readonly logRetentionDays?: number;
  /**
   * Add-on version, e.g. `v4.4.0-eksbuild.1`. Default: the version EKS marks default for the
   * cluster's Kubernetes version at creation (pin it in config for repeatable upgrades).
   */
  readonly addonVersion?: string;
  /**
   * JSON `configuration_values` for the add-on (its schema: `aws eks
   * describe-addon-configuration`). Default: none, i.e. enhanced Container Insights metrics and
   * Fluent Bit container logs, the add-on's defaults.
   */
  readonly configurationValues?: string;
  /**
   * Resources the add-on must wait for besides its log groups and role, typically the node
   * groups and the `eks-pod-identity-agent` add-on (its pods must schedule and get credentials
   * to become ACTIVE). Default: none.
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Container Insights and container logs for an EKS cluster: the `amazon-cloudwatch-observability`
 * add-on with its IAM role through EKS Pod Identity, and the four log groups it writes,
 * pre-created with KMS encryption and retention so Terraform owns (and deletes) them instead of
 * the agent creating unencrypted, never-expiring ones.
 */
export class ContainerObservability extends Construct {
  /** IAM role the agent and Fluent Bit assume through Pod Identity. */
  public readonly roleArn: string;
  public readonly roleName: string;
  /** Key that encrypts the four log groups. */
  public readonly kmsKeyArn: string;
  /** Log group names by kind (`application` holds the containers' stdout). */
  public readonly logGroupNames: Readonly<Record<ContainerInsightsLogKind, string>>;
  /** Shortcut: the log group with the API's JSON log lines, for Logs Insights queries. */
  public readonly applicationLogGroupName: string;
  public readonly applicationLogGroupArn: string;
  /** Add-on id (`<cluster>:<addon>`). */
  public readonly addonId: string;

  constructor(scope: Construct, id: string, props: ContainerObservabilityProps) {
    super(scope, id);
    const { accountId, partition, region } = awsAccount(this);
    const groupPrefix = `/aws/containerinsights/${props.clusterName}/`;

    const key = new KmsKey(this, 'logs-key', {
      alias: resourceName(props.namePrefix, 'container-insights-logs', NameLimits.kmsAlias),
      description: `Encrypts the Container Insights log groups of EKS cluster ${props.clusterName}`,
      serviceGrants: [
        cloudWatchLogsGrant(
          region,
          `arn:${partition}:logs:${region}:${accountId}:log-group:${groupPrefix}*`,
        ),
      ],
    });

    const groups = Object.fromEntries(
      CONTAINER_INSIGHTS_LOG_KINDS.map((kind) => [
        kind,
        new EncryptedLogGroup(this, `logs-${kind}`, {
          name: containerInsightsLogGroupName(props.clusterName, kind),
          kmsKeyArn: key.arn,
          retentionInDays: props.logRetentionDays ?? 365,
        }),
      ]),
    ) as Record<ContainerInsightsLogKind, EncryptedLogGroup>;

    const role = new IamRole(this, 'role', {
      name: resourceName(props.namePrefix, 'cloudwatch-agent', NameLimits.iamRoleName),
      description: `CloudWatch agent and Fluent Bit of EKS cluster ${props.clusterName} (EKS Pod Identity)`,
      assumeRolePolicy: new DataAwsIamPolicyDocument(this, 'trust', {
        statement: [
          {
            sid: 'EksPodIdentity',
            principals: [{ type: 'Service', identifiers: ['pods.eks.amazonaws.com'] }],
            actions: ['sts:AssumeRole', 'sts:TagSession'],
            // Pod Identity session tags: only this cluster's agent service account may assume it.
            condition: [
              { test: 'StringEquals', variable: 'aws:SourceAccount', values: [accountId] },
              {
                test: 'StringEquals',
                variable: 'aws:RequestTag/eks-cluster-name',
                values: [props.clusterName],
              },
              {
                test: 'StringEquals',
                variable: 'aws:RequestTag/kubernetes-namespace',
                values: [CLOUDWATCH_AGENT_NAMESPACE],
              },
              {
                test: 'StringEquals',
                variable: 'aws:RequestTag/kubernetes-service-account',
                values: [CLOUDWATCH_AGENT_SERVICE_ACCOUNT],
              },
            ],
          },
        ],
      }).json,
    });
    // The AWS-managed policy the add-on documents: metrics (PutMetricData), logs to
    // CreateLogStream/PutLogEvents/Describe* for the agent and Fluent Bit (which share the service
    // account), and EC2/EKS describe calls for resource tags. Writing to a KMS-encrypted log group
    // needs no KMS permission on the writer: CloudWatch Logs uses the key itself.
    const agentPolicy = new IamRolePolicyAttachment(this, 'agent-policy', {
      role: role.name,
      policyArn: `arn:${partition}:iam::aws:policy/CloudWatchAgentServerPolicy`,
    });

    const addon = new EksAddon(this, 'addon', {
      clusterName: props.clusterName,
      addonName: CLOUDWATCH_OBSERVABILITY_ADDON,
      addonVersion: props.addonVersion,
      configurationValues: props.configurationValues,
      // Terraform owns the add-on configuration; manual edits are reverted.
      resolveConflictsOnCreate: 'OVERWRITE',
      resolveConflictsOnUpdate: 'OVERWRITE',
      podIdentityAssociation: [
        { roleArn: role.arn, serviceAccount: CLOUDWATCH_AGENT_SERVICE_ACCOUNT },
      ],
      // Log groups first: otherwise Fluent Bit creates them itself, unencrypted and forever.
      dependsOn: [
        ...CONTAINER_INSIGHTS_LOG_KINDS.map((kind) => groups[kind].resource),
        agentPolicy,
        ...(props.dependsOn ?? []),
      ],
    });

    this.roleArn = role.arn;
    this.roleName = role.name;
    this.kmsKeyArn = key.arn;
    this.logGroupNames = Object.fromEntries(
      CONTAINER_INSIGHTS_LOG_KINDS.map((kind) => [kind, groups[kind].name]),
    ) as Record<ContainerInsightsLogKind, string>;
    this.applicationLogGroupName = groups.application.name;
    this.applicationLogGroupArn = groups.application.arn;
    this.addonId = addon.id;
  }
}
