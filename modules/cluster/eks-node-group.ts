import { Construct } from 'constructs';
import { Token, type ITerraformDependable } from 'cdktf';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';

/** One managed node group of the cluster, as the environment config describes it. */
export interface NodeGroupSpec {
  /** Short name, unique in the cluster (e.g. `general`); becomes the node group name prefix. */
  readonly name: string;
  /** EC2 instance types; several types make SPOT capacity more available. */
  readonly instanceTypes: string[];
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredSize: number;
  /** Default: `ON_DEMAND`. `SPOT` is cheaper but nodes can be reclaimed with two minutes' notice. */
  readonly capacityType?: 'ON_DEMAND' | 'SPOT';
  /** Root volume size. Default: 50 GiB (images and logs of a few dozen pods). */
  readonly diskSizeGiB?: number;
  /**
   * EKS AMI type. Default: derived from the instance types: `AL2023_ARM_64_STANDARD` for
   * Graviton families (`m7g`, `t4g`, `c8gd`, ...), otherwise `AL2023_x86_64_STANDARD`.
   */
  readonly amiType?: string;
  /** Extra Kubernetes node labels. Default: none (the `node-group` label is always set). */
  readonly labels?: Record<string, string>;
  /** Nodes replaced at a time during an update. Default: 1, gentle on small groups. */
  readonly maxUnavailable?: number;
}

export interface EksManagedNodeGroupProps {
  readonly clusterName: string;
  /**
   * Kubernetes version of the nodes: pass the cluster's `version` attribute, so a control-plane
   * upgrade is followed by a rolling upgrade of the nodes in the same apply.
   */
  readonly kubernetesVersion: string;
  readonly spec: NodeGroupSpec;
  /** IAM role the nodes run as (worker, CNI and registry-pull policies attached). */
  readonly nodeRoleArn: string;
  /** Private subnets, one per AZ, the nodes are spread across. */
  readonly subnetIds: string[];
  /** KMS key for the root volumes (the ASG service-linked role must hold a grant on it). */
  readonly ebsKmsKeyArn: string;
  /**
   * Resources that must exist before nodes launch: node role attachments, the CNI add-ons, and
   * the KMS grant that lets the Auto Scaling service-linked role use `ebsKmsKeyArn` (without it
   * the first instances fail to launch with an encrypted root volume).
   */
  readonly dependsOn?: ITerraformDependable[];
  /** Tags of the node group resource (e.g. `clusterAutoscalerDiscoveryTags`). Default: none. */
  readonly tags?: Record<string, string>;
}

/** Tags the Cluster Autoscaler discovers node groups by (`--node-group-auto-discovery=asg:tag=...`). */
export function clusterAutoscalerDiscoveryTags(clusterName: string): Record<string, string> {
  if (Token.isUnresolved(clusterName)) {
    throw new Error(
      'clusterAutoscalerDiscoveryTags needs the literal cluster name (it is a tag key)',
    );
  }
  return {
    'k8s.io/cluster-autoscaler/enabled': 'true',
    [`k8s.io/cluster-autoscaler/${clusterName}`]: 'owned',
  };
}

const GRAVITON_FAMILY = /^[a-z]+\d+g[a-z]*\./;

/** The AL2023 AMI type matching the instance types' CPU architecture; mixed lists are an error. */
export function defaultAmiType(instanceTypes: string[]): string {
  const arm = instanceTypes.map((type) => GRAVITON_FAMILY.test(type));
  if (arm.some((isArm) => isArm !== arm[0])) {
    throw new Error(
      `node group instance types mix ARM and x86 (${instanceTypes.join(', ')}): one AMI cannot boot both`,
    );
  }
  return arm[0] ? 'AL2023_ARM_64_STANDARD' : 'AL2023_x86_64_STANDARD';
}

/**
 * An EKS managed node group launched through its own launch template, so the instance settings
 * EKS does not expose directly are enforced: IMDSv2 only with hop limit 1 (pods cannot borrow the
 * node role's credentials), an encrypted gp3 root volume, and no SSH key. No security group is
 * set in the template, so EKS attaches the cluster security group to the nodes.
 *
 * The Cluster Autoscaler owns the node count: `desired_size` only seeds the group and later
 * applies ignore it. EKS tags the group's Auto Scaling group with the autoscaler's discovery tags;
 * the node group carries the same tags so they are visible in the plan and in the console.
 */
export class EksManagedNodeGroup extends Construct {
  public readonly nodeGroupName: string;
  /** Name of the auto scaling group EKS created for this node group. */
  public readonly autoscalingGroupName: string;
  public readonly launchTemplateId: string;
  /** The node group resource, for `dependsOn` of things that need running nodes. */
  public readonly dependable: ITerraformDependable;

  constructor(scope: Construct, id: string, props: EksManagedNodeGroupProps) {
    super(scope, id);
    const { spec } = props;
    if (spec.instanceTypes.length === 0) {
      throw new Error(`node group ${spec.name}: at least one instance type is required`);
    }
    if (!(spec.minSize <= spec.desiredSize && spec.desiredSize <= spec.maxSize)) {
      throw new Error(
        `node group ${spec.name}: sizes must satisfy min <= desired <= max (got ${spec.minSize}/${spec.desiredSize}/${spec.maxSize})`,
      );
    }

    const launchTemplate = new LaunchTemplate(this, 'launch-template', {
      namePrefix: `${props.clusterName}-${spec.name}-`,
      description: `Nodes of ${props.clusterName} node group ${spec.name}`,
      updateDefaultVersion: true,
      metadataOptions: {
        httpEndpoint: 'enabled',
        httpTokens: 'required',
        httpPutResponseHopLimit: 1,
      },
      blockDeviceMappings: [
        {
          // AL2023 EKS AMIs boot from /dev/xvda.
          deviceName: '/dev/xvda',
          ebs: {
            volumeSize: spec.diskSizeGiB ?? 50,
            volumeType: 'gp3',
            encrypted: 'true',
            kmsKeyId: props.ebsKmsKeyArn,
            deleteOnTermination: 'true',
          },
        },
      ],
      tagSpecifications: ['instance', 'volume', 'network-interface'].map((resourceType) => ({
        resourceType,
        tags: { Name: `${props.clusterName}-${spec.name}` },
      })),
    });

    const nodeGroup = new EksNodeGroup(this, 'node-group', {
      clusterName: props.clusterName,
      version: props.kubernetesVersion,
      // A prefix lets Terraform create the replacement before destroying the old group when an
      // immutable setting (instance types, AMI type, capacity type) changes.
      nodeGroupNamePrefix: `${spec.name}-`,
      nodeRoleArn: props.nodeRoleArn,
      subnetIds: props.subnetIds,
      instanceTypes: spec.instanceTypes,
      capacityType: spec.capacityType ?? 'ON_DEMAND',
      amiType: spec.amiType ?? defaultAmiType(spec.instanceTypes),
      scalingConfig: {
        minSize: spec.minSize,
        maxSize: spec.maxSize,
        desiredSize: spec.desiredSize,
      },
      updateConfig: { maxUnavailable: spec.maxUnavailable ?? 1 },
      launchTemplate: {
        id: launchTemplate.id,
        version: Token.asString(launchTemplate.latestVersion),
      },
      labels: { 'node-group': spec.name, ...spec.labels },
      tags: props.tags,
      dependsOn: props.dependsOn,
      lifecycle: {
        createBeforeDestroy: true,
        // The Cluster Autoscaler changes the desired size; an apply must not reset it.
        ignoreChanges: ['scaling_config[0].desired_size'],
      },
    });

    this.dependable = nodeGroup;
    this.nodeGroupName = nodeGroup.nodeGroupName;
    this.launchTemplateId = launchTemplate.id;
    this.autoscalingGroupName = nodeGroup.resources.get(0).autoscalingGroups.get(0).name;
  }
}
