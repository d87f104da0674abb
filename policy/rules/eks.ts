import { SUPPORTED_KUBERNETES_VERSIONS } from '../../config/schema';
import { asList, isExpression, valueAt } from '../engine';
import type { PolicyRule, ResourceRef, StackContext } from '../types';

/** The config's list of supported Kubernetes versions is the one source (see config/schema.ts). */
export const SUPPORTED_EKS_VERSIONS: readonly string[] = SUPPORTED_KUBERNETES_VERSIONS;

export const REQUIRED_EKS_LOG_TYPES = [
  'api',
  'audit',
  'authenticator',
  'controllerManager',
  'scheduler',
];

const WORLD = ['0.0.0.0/0', '::/0'];

/** The service-linked role EC2 Auto Scaling launches managed nodes with. */
const AUTOSCALING_ROLE =
  'role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling';

/** The Cluster Autoscaler's discovery tag keys (EKS puts them on managed node group ASGs). */
const DISCOVERY_ENABLED_TAG = 'k8s.io/cluster-autoscaler/enabled';
const discoveryClusterTag = (clusterName: string) => `k8s.io/cluster-autoscaler/${clusterName}`;

/** `${<type>.<name>.<attribute>}` → `<type>.<name>` when the value is exactly such a reference. */
function referencedAddress(value: unknown, type: string): string | undefined {
  const match = new RegExp(`^\\$\\{(${type}\\.[^.}]+)\\.[^}]+\\}$`).exec(String(value ?? ''));
  return match?.[1];
}

/** The cluster a node group or add-on belongs to: its `cluster_name` reference. */
function clusterOf(resource: ResourceRef, stack: StackContext): ResourceRef | undefined {
  const address = referencedAddress(resource.config.cluster_name, 'aws_eks_cluster');
  return stack.resources('aws_eks_cluster').find((cluster) => cluster.address === address);
}

/** Resource addresses a resource lists in `depends_on`. */
const dependsOn = (resource: ResourceRef): string[] =>
  Array.isArray(resource.config.depends_on) ? resource.config.depends_on.map(String) : [];

/** The KMS key ARN the node group's launch template encrypts the root volume with, if any. */
function rootVolumeKey(group: ResourceRef, stack: StackContext): string | undefined {
  const template = asList(group.config.launch_template)[0];
  const address = referencedAddress(template?.id, 'aws_launch_template');
  const launchTemplate = stack
    .resources('aws_launch_template')
    .find((candidate) => candidate.address === address);
  const keys = asList(launchTemplate?.config.block_device_mappings)
    .flatMap((mapping) => asList(mapping.ebs))
    .map((ebs) => ebs.kms_key_id)
    .filter((key): key is string => typeof key === 'string' && key !== '');
  return keys[0];
}
const isProd = (stack: StackContext) => stack.environment === 'prod';

/** EKS defaults to a public endpoint when `endpoint_public_access` is not set. */
function publicEndpoint(config: Record<string, unknown>): {
  enabled: boolean;
  cidrs: unknown[] | undefined;
} {
  const vpc = asList(config.vpc_config)[0] ?? {};
  const cidrs = vpc.public_access_cidrs;
  return {
    enabled: vpc.endpoint_public_access !== false,
    cidrs: Array.isArray(cidrs) ? cidrs : undefined,
  };
}

export const eksRules: PolicyRule[] = [
  {
    id: 'CKV_AWS_58',
    title: 'EKS cluster encrypts Kubernetes secrets with a KMS key',
    resourceTypes: ['aws_eks_cluster'],
    check: (resource) => {
      const encryption = asList(resource.config.encryption_config)[0];
      if (!encryption) return 'encryption_config is missing';
      const resources = encryption.resources;
      if (!Array.isArray(resources) || !resources.includes('secrets')) {
        return 'encryption_config.resources does not include "secrets"';
      }
      const keyArn = valueAt(asList(encryption.provider)[0], 'key_arn');
      return typeof keyArn === 'string' && keyArn !== ''
        ? undefined
        : 'encryption_config.provider.key_arn is not set';
    },
  },
  {
    id: 'CKV_AWS_37',
    title: 'EKS cluster sends every control-plane log type to CloudWatch',
    resourceTypes: ['aws_eks_cluster'],
    check: (resource) => {
      const enabled = resource.config.enabled_cluster_log_types;
      const list = Array.isArray(enabled) ? enabled : [];
      const missing = REQUIRED_EKS_LOG_TYPES.filter((type) => !list.includes(type));
      return missing.length === 0 ? undefined : `log types not enabled: ${missing.join(', ')}`;
    },
  },
  {
    id: 'CKV_AWS_39',
    title: 'EKS public endpoint is disabled or limited to explicit CIDRs',
    resourceTypes: ['aws_eks_cluster'],
    check: (resource) => {
      const endpoint = publicEndpoint(resource.config);
      if (!endpoint.enabled) return undefined;
      // Without public_access_cidrs EKS opens the endpoint to 0.0.0.0/0.
      return endpoint.cidrs && endpoint.cidrs.length > 0
        ? undefined
        : 'public endpoint is on without public_access_cidrs (EKS then allows 0.0.0.0/0)';
    },
  },
  {
    id: 'CKV_AWS_38',
    title: 'EKS public endpoint is not reachable from the whole internet (prod)',
    resourceTypes: ['aws_eks_cluster'],
    appliesTo: isProd,
    check: (resource) => {
      const endpoint = publicEndpoint(resource.config);
      if (!endpoint.enabled) return undefined;
      if (!endpoint.cidrs || endpoint.cidrs.length === 0) {
        return 'public endpoint is open to 0.0.0.0/0 (no public_access_cidrs)';
      }
      const open = endpoint.cidrs.filter((cidr) => WORLD.includes(String(cidr)));
      return open.length === 0 ? undefined : `public_access_cidrs contains ${open.join(', ')}`;
    },
  },
  {
    id: 'CKV_AWS_339',
    title: 'EKS cluster runs a Kubernetes version EKS supports',
    resourceTypes: ['aws_eks_cluster'],
    check: (resource) => {
      const version = resource.config.version;
      if (typeof version !== 'string' || isExpression(version)) {
        return 'version must be a literal Kubernetes minor version (unset means "latest at creation", which then ages silently)';
      }
      return SUPPORTED_EKS_VERSIONS.includes(version)
        ? undefined
        : `Kubernetes ${version} is not in the supported list (${SUPPORTED_EKS_VERSIONS.join(', ')})`;
    },
  },
  {
    id: 'HP_EKS_1',
    title: 'EKS cluster sets its upgrade policy (unset means extended support, billed 6x)',
    resourceTypes: ['aws_eks_cluster'],
    check: (resource) => {
      const supportType = asList(resource.config.upgrade_policy)[0]?.support_type;
      return supportType === 'STANDARD' || supportType === 'EXTENDED'
        ? undefined
        : 'upgrade_policy.support_type is not set (EKS then defaults to EXTENDED support)';
    },
  },
  {
    id: 'HP_EKS_2',
    title: "Managed node group follows its cluster's Kubernetes version",
    resourceTypes: ['aws_eks_node_group'],
    check: (resource, stack) => {
      const cluster = clusterOf(resource, stack);
      const version = resource.config.version;
      if (!cluster) return 'cluster_name does not reference an aws_eks_cluster of this stack';
      return version === `\${${cluster.address}.version}`
        ? undefined
        : `version is ${JSON.stringify(version ?? null)}, not \${${cluster.address}.version} (nodes would stay behind a control-plane upgrade)`;
    },
  },
  {
    id: 'HP_EKS_3',
    title: 'EKS add-on version is pinned',
    resourceTypes: ['aws_eks_addon'],
    check: (resource) => {
      const version = resource.config.addon_version;
      return typeof version === 'string' && /^v\d/.test(version)
        ? undefined
        : `addon_version of ${String(resource.config.addon_name)} is not pinned (EKS picks a default at creation and never moves it)`;
    },
  },
  {
    id: 'HP_EKS_4',
    title: "Node groups wait for the Auto Scaling role's grant on their volume key",
    resourceTypes: ['aws_eks_node_group'],
    check: (resource, stack) => {
      const key = rootVolumeKey(resource, stack);
      if (!key) return undefined;
      const keyAddress = referencedAddress(key, 'aws_kms_key');
      const grants = stack
        .resources('aws_kms_grant')
        .filter(
          (grant) =>
            String(grant.config.grantee_principal ?? '').endsWith(AUTOSCALING_ROLE) &&
            (grant.config.key_id === key ||
              (keyAddress !== undefined &&
                referencedAddress(grant.config.key_id, 'aws_kms_key') === keyAddress)),
        );
      if (grants.length === 0) {
        return `no aws_kms_grant lets AWSServiceRoleForAutoScaling use the root volume key ${key}`;
      }
      const waits = grants.some((grant) => dependsOn(resource).includes(grant.address));
      return waits
        ? undefined
        : `depends_on lacks ${grants.map((grant) => grant.address).join(' or ')}: nodes can launch before the grant exists`;
    },
  },
  {
    id: 'HP_EKS_5',
    title: "Node group carries the Cluster Autoscaler's discovery tags",
    resourceTypes: ['aws_eks_node_group'],
    check: (resource, stack) => {
      const clusterName = clusterOf(resource, stack)?.config.name;
      const tags = (resource.config.tags ?? {}) as Record<string, unknown>;
      const missing = [
        DISCOVERY_ENABLED_TAG,
        typeof clusterName === 'string' ? discoveryClusterTag(clusterName) : undefined,
      ].filter((key): key is string => key !== undefined && tags[key] === undefined);
      if (typeof clusterName !== 'string') return 'the cluster name cannot be read statically';
      return missing.length === 0 ? undefined : `tags lack ${missing.join(', ')}`;
    },
  },
  {
    id: 'HP_EKS_6',
    title: 'Node group leaves desired_size to the autoscaler (ignore_changes)',
    resourceTypes: ['aws_eks_node_group'],
    check: (resource) => {
      const ignored = valueAt(resource.config, 'lifecycle.ignore_changes');
      const list = Array.isArray(ignored) ? ignored.map(String) : [];
      return list.includes('scaling_config[0].desired_size') ||
        list.includes('scaling_config') ||
        ignored === 'all'
        ? undefined
        : 'lifecycle.ignore_changes lacks scaling_config[0].desired_size: every apply resets the node count the autoscaler chose';
    },
  },
  {
    id: 'HP_EKS_7',
    title: 'EKS cluster runs metrics-server (the HPA reads the resource metrics API)',
    resourceTypes: ['aws_eks_cluster'],
    check: (resource, stack) =>
      stack
        .referencing('aws_eks_addon', resource.address)
        .some((addon) => addon.config.addon_name === 'metrics-server')
        ? undefined
        : 'no metrics-server add-on: every HorizontalPodAutoscaler reports FailedGetResourceMetric',
  },
  {
    id: 'HP_EKS_8',
    title: 'EKS cluster has a node autoscaler with AWS credentials (Pod Identity)',
    resourceTypes: ['aws_eks_cluster'],
    check: (resource, stack) =>
      stack
        .referencing('aws_eks_pod_identity_association', resource.address)
        .some((association) =>
          ['cluster-autoscaler', 'karpenter'].includes(
            String(association.config.service_account ?? ''),
          ),
        )
        ? undefined
        : 'no Pod Identity association for cluster-autoscaler (or karpenter): nothing adds nodes',
  },
  {
    id: 'CKV_AWS_100',
    title: 'EKS node group allows no remote (SSH) access',
    resourceTypes: ['aws_eks_node_group'],
    check: (resource) =>
      asList(resource.config.remote_access).length === 0
        ? undefined
        : 'remote_access is configured (nodes must not accept SSH)',
  },
  {
    id: 'CKV_AWS_79',
    title: 'Launch template requires IMDSv2',
    resourceTypes: ['aws_launch_template'],
    check: (resource) => {
      const options = asList(resource.config.metadata_options)[0];
      if (options?.http_endpoint === 'disabled') return undefined;
      return options?.http_tokens === 'required'
        ? undefined
        : 'metadata_options.http_tokens is not "required" (IMDSv1 stays usable)';
    },
  },
  {
    id: 'CKV_AWS_341',
    title: 'Launch template limits the metadata response hop limit to 1',
    resourceTypes: ['aws_launch_template'],
    check: (resource) => {
      const options = asList(resource.config.metadata_options)[0];
      if (options?.http_endpoint === 'disabled') return undefined;
      const hops = options?.http_put_response_hop_limit;
      // Unset inherits the AMI's value, which is 2 on the EKS AL2023 AMIs: pods could reach IMDS.
      return hops === 1
        ? undefined
        : `metadata_options.http_put_response_hop_limit is ${String(hops ?? 'unset')}, must be 1`;
    },
  },
];
