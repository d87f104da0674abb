import { SUPPORTED_KUBERNETES_VERSIONS } from '../../config/schema';
import { asList, isExpression, valueAt } from '../engine';
import type { PolicyRule, StackContext } from '../types';

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
