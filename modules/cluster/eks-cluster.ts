import { Construct } from 'constructs';
import { Fn, type ITerraformDependable } from 'cdktf';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { EksAccessPolicyAssociation } from '@cdktf/provider-aws/lib/eks-access-policy-association';
import { EksAddon, type EksAddonConfig } from '@cdktf/provider-aws/lib/eks-addon';
import { EksCluster as AwsEksCluster } from '@cdktf/provider-aws/lib/eks-cluster';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { KmsGrant } from '@cdktf/provider-aws/lib/kms-grant';
import { EncryptedLogGroup } from '../core/encrypted-log-group';
import {
  clusterAutoscalerDiscoveryTags,
  EksManagedNodeGroup,
  type NodeGroupSpec,
} from './eks-node-group';
import { cloudWatchLogsGrant, KmsKey } from '../core/kms-key';
import { NameLimits, resourceName } from '../core/naming';
import { awsAccount } from '../core/aws-account';

export type { NodeGroupSpec } from './eks-node-group';

/** Managed add-ons this module installs; each version can be pinned through `addonVersions`. */
export type EksAddonName =
  | 'vpc-cni'
  | 'eks-pod-identity-agent'
  | 'coredns'
  | 'kube-proxy'
  | 'aws-ebs-csi-driver'
  | 'metrics-server';

/** Control-plane log types; all five are shipped (CKV_AWS_37). */
export const EKS_CONTROL_PLANE_LOG_TYPES = [
  'api',
  'audit',
  'authenticator',
  'controllerManager',
  'scheduler',
];

export interface EksClusterProps {
  /** Cluster name, e.g. `hello-prod` (also prefixes the IAM roles and KMS aliases). */
  readonly clusterName: string;
  /** Kubernetes minor version, e.g. `1.33`. */
  readonly kubernetesVersion: string;
  /** Private subnets (one per AZ) for the control-plane ENIs and the nodes. */
  readonly subnetIds: string[];
  /**
   * CIDRs allowed to reach the public API endpoint. Default: `[]`, which turns the public
   * endpoint off; the private endpoint is always on, so nodes and VPC clients always work.
   */
  readonly endpointPublicAccessCidrs?: string[];
  /**
   * IAM principals (roles) granted `AmazonEKSClusterAdminPolicy` through access entries. Must
   * include whoever applies the workloads stack (e.g. the CI deploy role), because the cluster
   * creator gets no implicit admin rights.
   */
  readonly adminPrincipalArns: string[];
  /**
   * IAM principals that may read, never change, the cluster (e.g. the CI role that plans main):
   * each gets an access entry with `AmazonEKSViewPolicy` cluster-wide and the given Kubernetes
   * groups, which RBAC (see `TerraformReaderRbac`) binds to the reads that policy lacks.
   * Default: none.
   */
  readonly viewerPrincipals?: EksViewerPrincipal[];
  /** Managed node groups; at least one. */
  readonly nodeGroups: NodeGroupSpec[];
  /** Retention of the control-plane log group. Default: 365 days. */
  readonly logRetentionDays?: number;
  /**
   * Pinned add-on versions (e.g. `{ 'vpc-cni': 'v1.20.1-eksbuild.1' }`), matching
   * `kubernetesVersion`. Default: none pinned; EKS installs the default version for the
   * cluster's Kubernetes version at creation and keeps it through upgrades of the cluster until
   * one is pinned here (HP_EKS_3 fails unpinned add-ons: the stacks pass a version table).
   */
  readonly addonVersions?: Partial<Record<EksAddonName, string>>;
  /**
   * EKS upgrade policy. `STANDARD` (default): at the end of standard support EKS upgrades the
   * control plane itself, and never bills extended support. `EXTENDED`: the version may stay
   * in extended support, billed six times the standard cluster-hour. EKS defaults to EXTENDED
   * when unset, so it is always set.
   */
  readonly supportType?: 'STANDARD' | 'EXTENDED';
  /**
   * Refuse `DeleteCluster` until this is turned off. Default: true (secure); dev configs may
   * turn it off to stay disposable.
   */
  readonly deletionProtection?: boolean;
}

/** A read-only principal of the cluster. */
export interface EksViewerPrincipal {
  readonly principalArn: string;
  /** Kubernetes groups of the principal (names may not start with `system:`). */
  readonly kubernetesGroups: string[];
}

const ADMIN_POLICY = 'AmazonEKSClusterAdminPolicy';
const VIEW_POLICY = 'AmazonEKSViewPolicy';

/**
 * An EKS cluster with API-only authentication, KMS envelope encryption of secrets, every
 * control-plane log type in an encrypted log group, an explicit upgrade policy, managed node
 * groups behind launch templates that follow the cluster's Kubernetes version, explicitly declared
 * managed add-ons (EBS CSI driver on EKS Pod Identity, metrics-server for the HPA) and an IAM OIDC
 * provider for IRSA.
 *
 * Nodes carry the EKS-created cluster security group (their launch templates set none), so that
 * group is "the node security group": other modules open ports on it (ALB → NodePort) and allow
 * it as a source (RDS 5432).
 */
export class EksCluster extends Construct {
  public readonly clusterName: string;
  public readonly clusterArn: string;
  public readonly endpoint: string;
  /** Base64 PEM of the cluster CA, as kubeconfig and the Kubernetes provider expect it. */
  public readonly certificateAuthorityData: string;
  public readonly oidcProviderArn: string;
  /** OIDC issuer without `https://`, the prefix of IRSA trust-policy condition keys. */
  public readonly oidcProviderUrl: string;
  /** The EKS-created cluster security group (control-plane ENIs and all managed nodes). */
  public readonly clusterSecurityGroupId: string;
  /** Security group of the nodes: the same group as `clusterSecurityGroupId`, see the class doc. */
  public readonly nodeSecurityGroupId: string;
  /** One auto scaling group name per node group, in `nodeGroups` order. */
  public readonly nodeGroupAsgNames: string[];
  /** KMS key that envelope-encrypts Kubernetes secrets. */
  public readonly kmsKeyArn: string;
  /** KMS key for node root volumes and EBS CSI volumes (use it in the gp3 StorageClass). */
  public readonly ebsKmsKeyArn: string;
  public readonly nodeRoleArn: string;
  /**
   * Node groups plus the Pod Identity agent: add-ons whose pods use Pod Identity (e.g. the
   * CloudWatch observability add-on) must wait for these.
   */
  public readonly computeReady: ITerraformDependable[];

  constructor(scope: Construct, id: string, props: EksClusterProps) {
    super(scope, id);
    if (props.nodeGroups.length === 0) throw new Error('EksCluster needs at least one node group');
    const names = props.nodeGroups.map((group) => group.name);
    if (new Set(names).size !== names.length) {
      throw new Error(`node group names must be unique, got ${names.join(', ')}`);
    }

    const name = props.clusterName;
    const { accountId, partition, region } = awsAccount(this);
    const managedPolicy = (policy: string) => `arn:${partition}:iam::aws:policy/${policy}`;
    const logGroupName = `/aws/eks/${name}/cluster`;

    // --- Keys -------------------------------------------------------------------------------
    const secretsKey = new KmsKey(this, 'secrets-key', {
      alias: `${name}-eks-secrets`,
      description: `Envelope encryption of Kubernetes secrets in EKS cluster ${name}`,
    });
    const logsKey = new KmsKey(this, 'logs-key', {
      alias: `${name}-eks-logs`,
      description: `Control-plane logs of EKS cluster ${name}`,
      serviceGrants: [
        cloudWatchLogsGrant(
          region,
          `arn:${partition}:logs:${region}:${accountId}:log-group:${logGroupName}`,
        ),
      ],
    });
    const ebsKey = new KmsKey(this, 'ebs-key', {
      alias: `${name}-eks-ebs`,
      description: `EBS volumes (node root disks, persistent volumes) of EKS cluster ${name}`,
    });
    // Node instances are launched by the auto scaling service-linked role, which must be able to
    // use the key for the encrypted root volumes. A grant avoids widening the key policy. The
    // bootstrap stack creates the role (a fresh account has none until some Auto Scaling group
    // exists), and the node groups wait for the grant.
    const autoscalingGrant = new KmsGrant(this, 'ebs-key-autoscaling-grant', {
      name: resourceName(name, 'eks-nodes-autoscaling'),
      keyId: ebsKey.arn,
      granteePrincipal: `arn:${partition}:iam::${accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
      operations: [
        'Encrypt',
        'Decrypt',
        'ReEncryptFrom',
        'ReEncryptTo',
        'GenerateDataKey',
        'GenerateDataKeyWithoutPlaintext',
        'DescribeKey',
        'CreateGrant',
      ],
    });

    // --- Control plane ----------------------------------------------------------------------
    // Created first so EKS does not create an unencrypted, never-expiring group itself.
    const logGroup = new EncryptedLogGroup(this, 'control-plane-logs', {
      name: logGroupName,
      kmsKeyArn: logsKey.arn,
      retentionInDays: props.logRetentionDays ?? 365,
    });

    const clusterRole = new IamRole(this, 'cluster-role', {
      name: resourceName(name, 'eks-cluster', NameLimits.iamRoleName),
      description: `Service role of EKS cluster ${name}`,
      // sts:TagSession lets EKS pass session tags (required by newer EKS features).
      assumeRolePolicy: trustPolicy(this, 'cluster-trust', 'eks.amazonaws.com', [
        'sts:AssumeRole',
        'sts:TagSession',
      ]),
    });
    const clusterPolicy = new IamRolePolicyAttachment(this, 'cluster-policy', {
      role: clusterRole.name,
      policyArn: managedPolicy('AmazonEKSClusterPolicy'),
    });
    const clusterKmsPolicy = new IamRolePolicy(this, 'cluster-kms', {
      name: 'secrets-encryption',
      role: clusterRole.name,
      policy: new DataAwsIamPolicyDocument(this, 'cluster-kms-policy', {
        statement: [
          {
            sid: 'EnvelopeEncryption',
            actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ListGrants', 'kms:DescribeKey'],
            resources: [secretsKey.arn],
          },
        ],
      }).json,
    });

    const publicCidrs = props.endpointPublicAccessCidrs ?? [];
    const cluster = new AwsEksCluster(this, 'cluster', {
      name,
      version: props.kubernetesVersion,
      roleArn: clusterRole.arn,
      deletionProtection: props.deletionProtection ?? true,
      upgradePolicy: { supportType: props.supportType ?? 'STANDARD' },
      enabledClusterLogTypes: EKS_CONTROL_PLANE_LOG_TYPES,
      encryptionConfig: { resources: ['secrets'], provider: { keyArn: secretsKey.arn } },
      accessConfig: {
        authenticationMode: 'API',
        // Admins come from access entries below, so a plan run by another principal does not
        // try to replace the cluster to change its creator.
        bootstrapClusterCreatorAdminPermissions: false,
      },
      vpcConfig: {
        subnetIds: props.subnetIds,
        endpointPrivateAccess: true,
        endpointPublicAccess: publicCidrs.length > 0,
        publicAccessCidrs: publicCidrs.length > 0 ? publicCidrs : undefined,
      },
      dependsOn: [logGroup.resource, clusterPolicy, clusterKmsPolicy],
    });

    props.adminPrincipalArns.forEach((principalArn, index) => {
      const entry = new EksAccessEntry(this, `admin-${index}`, {
        clusterName: cluster.name,
        principalArn,
        type: 'STANDARD',
      });
      new EksAccessPolicyAssociation(this, `admin-${index}-policy`, {
        clusterName: cluster.name,
        principalArn: entry.principalArn,
        policyArn: `arn:${partition}:eks::aws:cluster-access-policy/${ADMIN_POLICY}`,
        accessScope: { type: 'cluster' },
      });
    });

    (props.viewerPrincipals ?? []).forEach((viewer, index) => {
      const badGroup = viewer.kubernetesGroups.find((group) => group.startsWith('system:'));
      if (badGroup) throw new Error(`EksCluster: group "${badGroup}" may not start with system:`);
      const entry = new EksAccessEntry(this, `viewer-${index}`, {
        clusterName: cluster.name,
        principalArn: viewer.principalArn,
        type: 'STANDARD',
        kubernetesGroups: viewer.kubernetesGroups,
      });
      new EksAccessPolicyAssociation(this, `viewer-${index}-policy`, {
        clusterName: cluster.name,
        principalArn: entry.principalArn,
        policyArn: `arn:${partition}:eks::aws:cluster-access-policy/${VIEW_POLICY}`,
        accessScope: { type: 'cluster' },
      });
    });

    const issuer = cluster.identity.get(0).oidc.get(0).issuer;
    const oidc = new IamOpenidConnectProvider(this, 'oidc-provider', {
      url: issuer,
      clientIdList: ['sts.amazonaws.com'],
      // thumbprint_list is omitted: IAM validates the EKS issuer against its trusted CA library
      // and provider 6 computes the attribute.
    });

    // --- Add-ons needed before nodes can become Ready ----------------------------------------
    const addon = (addonName: EksAddonName, extra: Partial<EksAddonConfig> = {}) =>
      new EksAddon(this, `addon-${addonName}`, {
        clusterName: cluster.name,
        addonName,
        addonVersion: props.addonVersions?.[addonName],
        // Terraform owns the add-on configuration; manual edits are reverted.
        resolveConflictsOnCreate: 'OVERWRITE',
        resolveConflictsOnUpdate: 'OVERWRITE',
        ...extra,
      });
    const vpcCni = addon('vpc-cni', {
      // Enforce Kubernetes NetworkPolicy objects with the VPC CNI's eBPF agent.
      configurationValues: JSON.stringify({ enableNetworkPolicy: 'true' }),
    });
    const podIdentityAgent = addon('eks-pod-identity-agent');

    // --- Nodes ------------------------------------------------------------------------------
    const nodeRole = new IamRole(this, 'node-role', {
      name: resourceName(name, 'eks-node', NameLimits.iamRoleName),
      description: `Instance role of the managed nodes of EKS cluster ${name}`,
      assumeRolePolicy: trustPolicy(this, 'node-trust', 'ec2.amazonaws.com', ['sts:AssumeRole']),
    });
    // The CNI policy stays on the node role: aws-node must assign pod IPs before any pod
    // identity credentials can be served on a fresh node. No SSM policy: nodes are not logged
    // into (no SSH either); debugging goes through kubectl.
    const nodePolicies = [
      'AmazonEKSWorkerNodePolicy',
      'AmazonEC2ContainerRegistryPullOnly',
      'AmazonEKS_CNI_Policy',
    ].map(
      (policy) =>
        new IamRolePolicyAttachment(this, `node-${policy}`, {
          role: nodeRole.name,
          policyArn: managedPolicy(policy),
        }),
    );

    const nodeGroups = props.nodeGroups.map(
      (spec) =>
        new EksManagedNodeGroup(this, `node-group-${spec.name}`, {
          clusterName: cluster.name,
          kubernetesVersion: cluster.version,
          spec,
          nodeRoleArn: nodeRole.arn,
          subnetIds: props.subnetIds,
          ebsKmsKeyArn: ebsKey.arn,
          tags: clusterAutoscalerDiscoveryTags(name),
          dependsOn: [...nodePolicies, vpcCni, podIdentityAgent, autoscalingGrant],
        }),
    );
    const nodeGroupResources = nodeGroups.map((group) => group.dependable);

    // --- Add-ons that need running nodes (their pods must schedule to become ACTIVE) ---------
    addon('coredns', { dependsOn: nodeGroupResources });
    addon('kube-proxy', { dependsOn: nodeGroupResources });
    // The resource metrics API the HorizontalPodAutoscaler reads (the EKS community add-on).
    addon('metrics-server', { dependsOn: nodeGroupResources });

    const ebsCsiRole = new IamRole(this, 'ebs-csi-role', {
      name: resourceName(name, 'ebs-csi', NameLimits.iamRoleName),
      description: `EBS CSI controller of EKS cluster ${name} (EKS Pod Identity)`,
      assumeRolePolicy: new DataAwsIamPolicyDocument(this, 'ebs-csi-trust', {
        statement: [
          {
            principals: [{ type: 'Service', identifiers: ['pods.eks.amazonaws.com'] }],
            actions: ['sts:AssumeRole', 'sts:TagSession'],
            condition: [
              { test: 'StringEquals', variable: 'aws:SourceAccount', values: [accountId] },
            ],
          },
        ],
      }).json,
    });
    const ebsCsiPolicy = new IamRolePolicyAttachment(this, 'ebs-csi-policy', {
      role: ebsCsiRole.name,
      policyArn: managedPolicy('service-role/AmazonEBSCSIDriverPolicy'),
    });
    const ebsCsiKms = new IamRolePolicy(this, 'ebs-csi-kms', {
      name: 'encrypted-volumes',
      role: ebsCsiRole.name,
      policy: new DataAwsIamPolicyDocument(this, 'ebs-csi-kms-policy', {
        statement: [
          {
            sid: 'GrantsForAttachedVolumes',
            actions: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
            resources: [ebsKey.arn],
            condition: [{ test: 'Bool', variable: 'kms:GrantIsForAWSResource', values: ['true'] }],
          },
          {
            sid: 'EncryptVolumes',
            actions: [
              'kms:Encrypt',
              'kms:Decrypt',
              'kms:ReEncrypt*',
              'kms:GenerateDataKey*',
              'kms:DescribeKey',
            ],
            resources: [ebsKey.arn],
          },
        ],
      }).json,
    });
    addon('aws-ebs-csi-driver', {
      podIdentityAssociation: [
        { roleArn: ebsCsiRole.arn, serviceAccount: 'ebs-csi-controller-sa' },
      ],
      dependsOn: [...nodeGroupResources, podIdentityAgent, ebsCsiPolicy, ebsCsiKms],
    });

    this.clusterName = cluster.name;
    this.clusterArn = cluster.arn;
    this.endpoint = cluster.endpoint;
    this.certificateAuthorityData = cluster.certificateAuthority.get(0).data;
    this.oidcProviderArn = oidc.arn;
    this.oidcProviderUrl = Fn.replace(issuer, 'https://', '');
    this.clusterSecurityGroupId = cluster.vpcConfig.clusterSecurityGroupId;
    this.nodeSecurityGroupId = this.clusterSecurityGroupId;
    this.nodeGroupAsgNames = nodeGroups.map((group) => group.autoscalingGroupName);
    this.kmsKeyArn = secretsKey.arn;
    this.ebsKmsKeyArn = ebsKey.arn;
    this.nodeRoleArn = nodeRole.arn;
    this.computeReady = [...nodeGroupResources, podIdentityAgent];
  }
}

/** Trust policy letting one AWS service assume a role. */
function trustPolicy(scope: Construct, id: string, service: string, actions: string[]): string {
  return new DataAwsIamPolicyDocument(scope, id, {
    statement: [{ principals: [{ type: 'Service', identifiers: [service] }], actions }],
  }).json;
}
