import { Construct } from 'constructs';
import type { ITerraformDependable } from 'cdktf';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { EksPodIdentityAssociation } from '@cdktf/provider-aws/lib/eks-pod-identity-association';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { awsAccount } from '../core/aws-account';
import { NameLimits, resourceName } from '../core/naming';

/**
 * Where the Cluster Autoscaler runs, and the ServiceAccount its Pod Identity is bound to. Its own
 * namespace rather than kube-system: CI's read-only role must read the Helm release Secrets of
 * every release namespace, and kube-system's other Secrets are none of its business.
 */
export const CLUSTER_AUTOSCALER_NAMESPACE = 'cluster-autoscaler';
export const CLUSTER_AUTOSCALER_SERVICE_ACCOUNT = 'cluster-autoscaler';

/** Auto Scaling actions that change capacity: allowed only on the cluster's tagged groups. */
export const CLUSTER_AUTOSCALER_SCALING_ACTIONS = [
  'autoscaling:SetDesiredCapacity',
  'autoscaling:TerminateInstanceInAutoScalingGroup',
];

export interface ClusterAutoscalerIdentityProps {
  /** `<project>-<env>` prefix of the IAM role name. */
  readonly namePrefix: string;
  /** EKS cluster name (a reference to the cluster, so the association waits for it). */
  readonly clusterName: string;
  /**
   * The discovery tags of the cluster's node groups (`clusterAutoscalerDiscoveryTags`): the role
   * may scale only Auto Scaling groups carrying all of them with these values.
   */
  readonly discoveryTags: Record<string, string>;
  /** Default: `cluster-autoscaler`. */
  readonly namespace?: string;
  /** Default: `cluster-autoscaler`. */
  readonly serviceAccountName?: string;
}

/**
 * The AWS side of the Kubernetes Cluster Autoscaler: an IAM role bound through EKS Pod Identity to
 * its ServiceAccount. It may read Auto Scaling groups, launch templates and instance types
 * (read-only calls that take no resource), read the cluster's own node groups, and change the
 * capacity only of Auto Scaling groups tagged as this cluster's (the tags EKS puts on managed
 * node groups). Created in the infra stack, so the association exists before the workloads
 * stack installs the autoscaler: its pods never start without credentials.
 */
export class ClusterAutoscalerIdentity extends Construct {
  public readonly roleArn: string;
  public readonly namespace: string;
  public readonly serviceAccountName: string;
  /** The association and the role's policy, for `dependsOn` of what runs as the ServiceAccount. */
  public readonly ready: ITerraformDependable[];

  constructor(scope: Construct, id: string, props: ClusterAutoscalerIdentityProps) {
    super(scope, id);
    const tagConditions = Object.entries(props.discoveryTags);
    if (tagConditions.length === 0) {
      throw new Error('ClusterAutoscalerIdentity needs the discovery tags to limit scaling');
    }
    const namespace = props.namespace ?? CLUSTER_AUTOSCALER_NAMESPACE;
    const serviceAccountName = props.serviceAccountName ?? CLUSTER_AUTOSCALER_SERVICE_ACCOUNT;
    const { accountId, partition, region } = awsAccount(this);
    const clusterArn = `arn:${partition}:eks:${region}:${accountId}:cluster/${props.clusterName}`;

    const role = new IamRole(this, 'role', {
      name: resourceName(props.namePrefix, 'cluster-autoscaler', NameLimits.iamRoleName),
      description: `Cluster Autoscaler of EKS cluster ${props.clusterName} (EKS Pod Identity)`,
      assumeRolePolicy: new DataAwsIamPolicyDocument(this, 'trust', {
        statement: [
          {
            sid: 'EksPodIdentity',
            principals: [{ type: 'Service', identifiers: ['pods.eks.amazonaws.com'] }],
            actions: ['sts:AssumeRole', 'sts:TagSession'],
            // Pod Identity session tags: only this cluster's autoscaler ServiceAccount, even if
            // another association named the role.
            condition: [
              { test: 'StringEquals', variable: 'aws:SourceAccount', values: [accountId] },
              { test: 'ArnEquals', variable: 'aws:SourceArn', values: [clusterArn] },
              {
                test: 'StringEquals',
                variable: 'aws:RequestTag/kubernetes-namespace',
                values: [namespace],
              },
              {
                test: 'StringEquals',
                variable: 'aws:RequestTag/kubernetes-service-account',
                values: [serviceAccountName],
              },
            ],
          },
        ],
      }).json,
    });

    const policy = new IamRolePolicy(this, 'policy', {
      name: 'scale-cluster-node-groups',
      role: role.name,
      policy: new DataAwsIamPolicyDocument(this, 'permissions', {
        statement: [
          {
            // Describe/List calls support no resource-level permissions.
            sid: 'ReadScalingState',
            actions: [
              'autoscaling:DescribeAutoScalingGroups',
              'autoscaling:DescribeAutoScalingInstances',
              'autoscaling:DescribeLaunchConfigurations',
              'autoscaling:DescribeScalingActivities',
              'ec2:DescribeImages',
              'ec2:DescribeInstanceTypes',
              'ec2:DescribeLaunchTemplateVersions',
              'ec2:GetInstanceTypesFromInstanceRequirements',
            ],
            resources: ['*'],
          },
          {
            // Labels and taints of a node group scaled to zero.
            sid: 'ReadOwnNodeGroups',
            actions: ['eks:DescribeNodegroup'],
            resources: [
              `arn:${partition}:eks:${region}:${accountId}:nodegroup/${props.clusterName}/*`,
            ],
          },
          {
            sid: 'ScaleOwnNodeGroups',
            actions: CLUSTER_AUTOSCALER_SCALING_ACTIONS,
            resources: [
              `arn:${partition}:autoscaling:${region}:${accountId}:autoScalingGroup:*:autoScalingGroupName/*`,
            ],
            condition: tagConditions.map(([key, value]) => ({
              test: 'StringEquals',
              variable: `aws:ResourceTag/${key}`,
              values: [value],
            })),
          },
        ],
      }).json,
    });

    const association = new EksPodIdentityAssociation(this, 'pod-identity', {
      clusterName: props.clusterName,
      namespace,
      serviceAccount: serviceAccountName,
      roleArn: role.arn,
    });

    this.roleArn = role.arn;
    this.namespace = namespace;
    this.serviceAccountName = serviceAccountName;
    this.ready = [association, policy];
  }
}
