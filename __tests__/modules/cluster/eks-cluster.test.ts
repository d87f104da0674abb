import { TerraformOutput } from 'cdktf';
import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { EksAccessPolicyAssociation } from '@cdktf/provider-aws/lib/eks-access-policy-association';
import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import { EksCluster as AwsEksCluster } from '@cdktf/provider-aws/lib/eks-cluster';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { EksCluster, type EksClusterProps } from '../../../modules/cluster/eks-cluster';
import { defaultAmiType } from '../../../modules/cluster/eks-node-group';
import { resourcesOf, synthConstructs } from '../../helpers/synth';
import type { TerraformJson } from '../../../policy/types';

const base: EksClusterProps = {
  clusterName: 'hello-prod',
  kubernetesVersion: '1.33',
  subnetIds: ['subnet-a', 'subnet-b', 'subnet-c'],
  adminPrincipalArns: [
    'arn:aws:iam::111122223333:role/hello-deploy',
    'arn:aws:iam::111122223333:role/platform-admins',
  ],
  nodeGroups: [
    { name: 'general', instanceTypes: ['m7i.large'], minSize: 3, maxSize: 6, desiredSize: 3 },
  ],
};

const devProps: EksClusterProps = {
  ...base,
  clusterName: 'hello-dev',
  endpointPublicAccessCidrs: ['203.0.113.0/24'],
  deletionProtection: false,
  logRetentionDays: 30,
  nodeGroups: [
    {
      name: 'spot',
      instanceTypes: ['t4g.medium', 'm7g.medium'],
      minSize: 1,
      maxSize: 3,
      desiredSize: 1,
      capacityType: 'SPOT',
      diskSizeGiB: 30,
    },
  ],
};

function synth(props: EksClusterProps) {
  let cluster: EksCluster | undefined;
  const result = synthConstructs((scope) => {
    cluster = new EksCluster(scope, 'eks', props);
  });
  if (!cluster) throw new Error('not built');
  return { ...result, cluster };
}

function only(json: TerraformJson, type: string): Record<string, unknown> {
  const all = Object.values(resourcesOf(json, type));
  expect(all).toHaveLength(1);
  return all[0] as Record<string, unknown>;
}

function addonsByName(json: TerraformJson): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    Object.values(resourcesOf(json, 'aws_eks_addon')).map((addon) => [addon.addon_name, addon]),
  );
}

describe('EksCluster', () => {
  const prod = synth(base);
  const dev = synth(devProps);

  it('encrypts secrets with a rotating KMS key and ships every control-plane log type', () => {
    const cluster = only(prod.json, 'aws_eks_cluster');
    expect(cluster.version).toBe('1.33');
    expect(cluster.enabled_cluster_log_types).toEqual([
      'api',
      'audit',
      'authenticator',
      'controllerManager',
      'scheduler',
    ]);
    const encryption = cluster.encryption_config as { resources: string[]; provider: object };
    expect(encryption.resources).toEqual(['secrets']);
    expect(JSON.stringify(encryption.provider)).toMatch(/aws_kms_key\.eks_secrets-key_.*\.arn/);
    // Secrets, control-plane logs and EBS volumes each have their own key.
    const keys = resourcesOf(prod.json, 'aws_kms_key');
    expect(
      Object.keys(keys)
        .map((name) => name.replace(/_[0-9A-F]{8}$/, ''))
        .sort(),
    ).toEqual(['eks_ebs-key', 'eks_logs-key', 'eks_secrets-key']);
    for (const key of Object.values(keys)) {
      expect(key.enable_key_rotation).toBe(true);
    }
  });

  it('creates the KMS-encrypted log group with the EKS name before the cluster', () => {
    const groups = Object.entries(resourcesOf(prod.json, 'aws_cloudwatch_log_group'));
    expect(groups).toHaveLength(1);
    const [groupName, group] = groups[0]!;
    expect(group.name).toBe('/aws/eks/hello-prod/cluster');
    expect(group.retention_in_days).toBe(365);
    expect(String(group.kms_key_id)).toContain('aws_kms_key.eks_logs-key');
    expect(only(prod.json, 'aws_eks_cluster').depends_on).toContain(
      `aws_cloudwatch_log_group.${groupName}`,
    );
    expect(only(dev.json, 'aws_cloudwatch_log_group').retention_in_days).toBe(30);
  });

  it('uses API authentication without the cluster-creator shortcut', () => {
    expect(prod.synthesized).toHaveResourceWithProperties(AwsEksCluster, {
      access_config: {
        authentication_mode: 'API',
        bootstrap_cluster_creator_admin_permissions: false,
      },
    });
  });

  it('grants cluster admin to each configured principal through access entries', () => {
    const entries = Object.values(resourcesOf(prod.json, 'aws_eks_access_entry'));
    expect(entries.map((entry) => entry.principal_arn)).toEqual(base.adminPrincipalArns);
    expect(prod.synthesized).toHaveResourceWithProperties(EksAccessEntry, { type: 'STANDARD' });
    const associations = Object.values(resourcesOf(prod.json, 'aws_eks_access_policy_association'));
    expect(associations).toHaveLength(2);
    expect(prod.synthesized).toHaveResourceWithProperties(EksAccessPolicyAssociation, {
      access_scope: { type: 'cluster' },
    });
    for (const association of associations) {
      expect(String(association.policy_arn)).toMatch(
        /:eks::aws:cluster-access-policy\/AmazonEKSClusterAdminPolicy$/,
      );
    }
  });

  it('gives viewer principals the view policy and their Kubernetes groups, never admin', () => {
    const viewer = {
      principalArn: 'arn:aws:iam::111122223333:role/hello-github-plan-main',
      kubernetesGroups: ['terraform-readers'],
    };
    const { json } = synth({ ...base, viewerPrincipals: [viewer] });
    const entries = Object.values(resourcesOf(json, 'aws_eks_access_entry'));
    expect(entries).toHaveLength(3);
    const entry = entries.find((e) => e.principal_arn === viewer.principalArn);
    expect(entry).toMatchObject({ type: 'STANDARD', kubernetes_groups: ['terraform-readers'] });
    const policies = Object.entries(resourcesOf(json, 'aws_eks_access_policy_association'))
      .filter(([address]) => address.startsWith('eks_viewer-0-policy_'))
      .map(([, association]) => association);
    expect(policies).toHaveLength(1);
    expect(String(policies[0]?.policy_arn)).toMatch(/cluster-access-policy\/AmazonEKSViewPolicy$/);
    expect(policies[0]?.principal_arn).toMatch(/^\$\{aws_eks_access_entry\.eks_viewer-0_/);
    expect(() =>
      synth({ ...base, viewerPrincipals: [{ ...viewer, kubernetesGroups: ['system:masters'] }] }),
    ).toThrow(/system:/);
  });

  it('keeps the public endpoint off unless CIDRs are configured (prod) and restricts it (dev)', () => {
    const prodVpc = only(prod.json, 'aws_eks_cluster').vpc_config as Record<string, unknown>;
    expect(prodVpc.endpoint_private_access).toBe(true);
    expect(prodVpc.endpoint_public_access).toBe(false);
    expect(prodVpc.public_access_cidrs).toBeUndefined();
    const devVpc = only(dev.json, 'aws_eks_cluster').vpc_config as Record<string, unknown>;
    expect(devVpc.endpoint_private_access).toBe(true);
    expect(devVpc.endpoint_public_access).toBe(true);
    expect(devVpc.public_access_cidrs).toEqual(['203.0.113.0/24']);
  });

  it('turns deletion protection on by default and off when asked', () => {
    expect(only(prod.json, 'aws_eks_cluster').deletion_protection).toBe(true);
    expect(only(dev.json, 'aws_eks_cluster').deletion_protection).toBe(false);
  });

  it('launches nodes with IMDSv2 only, hop limit 1, an encrypted gp3 root volume and no SSH', () => {
    const template = only(prod.json, 'aws_launch_template');
    expect(template).toMatchObject({
      metadata_options: { http_tokens: 'required', http_put_response_hop_limit: 1 },
      block_device_mappings: [
        {
          device_name: '/dev/xvda',
          ebs: { volume_type: 'gp3', volume_size: 50, encrypted: 'true' },
        },
      ],
    });
    expect(template.key_name).toBeUndefined();
    expect(template.vpc_security_group_ids).toBeUndefined();
    expect(JSON.stringify(template.block_device_mappings)).toContain('aws_kms_key.eks_ebs-key');
    const group = only(prod.json, 'aws_eks_node_group');
    expect(group.remote_access).toBeUndefined();
    expect(only(dev.json, 'aws_launch_template').block_device_mappings).toMatchObject([
      { ebs: { volume_size: 30 } },
    ]);
  });

  it('sizes node groups from config: on-demand x86 in prod, spot Graviton in dev', () => {
    expect(prod.synthesized).toHaveResourceWithProperties(EksNodeGroup, {
      node_group_name_prefix: 'general-',
      instance_types: ['m7i.large'],
      capacity_type: 'ON_DEMAND',
      ami_type: 'AL2023_x86_64_STANDARD',
      scaling_config: { min_size: 3, max_size: 6, desired_size: 3 },
      update_config: { max_unavailable: 1 },
      subnet_ids: ['subnet-a', 'subnet-b', 'subnet-c'],
      labels: { 'node-group': 'general' },
    });
    expect(dev.synthesized).toHaveResourceWithProperties(EksNodeGroup, {
      capacity_type: 'SPOT',
      ami_type: 'AL2023_ARM_64_STANDARD',
      scaling_config: { min_size: 1, max_size: 3, desired_size: 1 },
    });
  });

  it('gives nodes only the worker, registry-pull and CNI policies', () => {
    const attached = Object.values(resourcesOf(prod.json, 'aws_iam_role_policy_attachment'))
      .filter((attachment) => String(attachment.role).includes('node-role'))
      .map((attachment) =>
        String(attachment.policy_arn)
          .replace(/.*:policy\//, '')
          .replace(/"}$/, ''),
      );
    expect(attached.sort()).toEqual([
      'AmazonEC2ContainerRegistryPullOnly',
      'AmazonEKSWorkerNodePolicy',
      'AmazonEKS_CNI_Policy',
    ]);
  });

  it('installs the add-ons in order: CNI and pod identity before nodes, the rest after', () => {
    const addons = addonsByName(prod.json);
    expect(Object.keys(addons).sort()).toEqual([
      'aws-ebs-csi-driver',
      'coredns',
      'eks-pod-identity-agent',
      'kube-proxy',
      'metrics-server',
      'vpc-cni',
    ]);
    expect(JSON.parse(String(addons['vpc-cni']!.configuration_values))).toEqual({
      enableNetworkPolicy: 'true',
    });
    const nodeGroupAddress = `aws_eks_node_group.${Object.keys(resourcesOf(prod.json, 'aws_eks_node_group'))[0]}`;
    const nodeGroup = only(prod.json, 'aws_eks_node_group');
    const nodeDeps = nodeGroup.depends_on as string[];
    expect(nodeDeps.some((dep) => dep.includes('addon-vpc-cni'))).toBe(true);
    expect(nodeDeps.some((dep) => dep.includes('addon-eks-pod-identity-agent'))).toBe(true);
    for (const later of ['coredns', 'kube-proxy', 'aws-ebs-csi-driver', 'metrics-server']) {
      expect(addons[later]!.depends_on).toContain(nodeGroupAddress);
    }
    expect(addons['vpc-cni']!.depends_on).toBeUndefined();
    expect(addons['coredns']!.addon_version).toBeUndefined();
  });

  it('sets the upgrade policy: STANDARD by default, EXTENDED only when asked', () => {
    expect(only(prod.json, 'aws_eks_cluster').upgrade_policy).toEqual({
      support_type: 'STANDARD',
    });
    const extended = synth({ ...base, supportType: 'EXTENDED' });
    expect(only(extended.json, 'aws_eks_cluster').upgrade_policy).toEqual({
      support_type: 'EXTENDED',
    });
  });

  it("keeps node groups on the cluster's version and leaves their size to the autoscaler", () => {
    const clusterAddress = `aws_eks_cluster.${Object.keys(resourcesOf(prod.json, 'aws_eks_cluster'))[0]}`;
    const group = only(prod.json, 'aws_eks_node_group');
    expect(group.version).toBe(`\${${clusterAddress}.version}`);
    expect(group.tags).toEqual({
      'k8s.io/cluster-autoscaler/enabled': 'true',
      'k8s.io/cluster-autoscaler/hello-prod': 'owned',
    });
    expect(group.lifecycle).toEqual({
      create_before_destroy: true,
      ignore_changes: ['scaling_config[0].desired_size'],
    });
  });

  it('launches nodes only once the Auto Scaling role may use the volume key', () => {
    const grants = Object.entries(resourcesOf(prod.json, 'aws_kms_grant'));
    expect(grants).toHaveLength(1);
    const [grantName, grant] = grants[0]!;
    expect(String(grant.grantee_principal)).toMatch(
      /:role\/aws-service-role\/autoscaling\.amazonaws\.com\/AWSServiceRoleForAutoScaling$/,
    );
    expect(String(grant.key_id)).toContain('aws_kms_key.eks_ebs-key');
    expect(only(prod.json, 'aws_eks_node_group').depends_on).toContain(
      `aws_kms_grant.${grantName}`,
    );
  });

  it('pins add-on versions when configured', () => {
    const pinned = synth({ ...base, addonVersions: { coredns: 'v1.12.1-eksbuild.2' } });
    expect(pinned.synthesized).toHaveResourceWithProperties(EksAddon, {
      addon_name: 'coredns',
      addon_version: 'v1.12.1-eksbuild.2',
    });
  });

  it('runs the EBS CSI driver on EKS Pod Identity with KMS rights on the EBS key', () => {
    const ebs = addonsByName(prod.json)['aws-ebs-csi-driver']!;
    expect(ebs.pod_identity_association).toEqual([
      {
        role_arn: expect.stringContaining('aws_iam_role.eks_ebs-csi-role'),
        service_account: 'ebs-csi-controller-sa',
      },
    ]);
    const trust = Object.entries(resourcesOf(prod.json, 'aws_iam_role')).find(([name]) =>
      name.includes('ebs-csi-role'),
    )![1];
    expect(String(trust.assume_role_policy)).toContain('ebs-csi-trust');
    const trustDoc = Object.entries(prod.json.data?.aws_iam_policy_document ?? {}).find(([name]) =>
      name.includes('ebs-csi-trust'),
    )![1];
    expect(trustDoc.statement).toMatchObject([
      {
        principals: [{ type: 'Service', identifiers: ['pods.eks.amazonaws.com'] }],
        actions: ['sts:AssumeRole', 'sts:TagSession'],
      },
    ]);
    const policies = Object.values(resourcesOf(prod.json, 'aws_iam_role_policy_attachment')).map(
      (attachment) => String(attachment.policy_arn),
    );
    expect(policies.some((arn) => arn.includes('service-role/AmazonEBSCSIDriverPolicy'))).toBe(
      true,
    );
    const kmsDoc = Object.entries(prod.json.data?.aws_iam_policy_document ?? {}).find(([name]) =>
      name.includes('ebs-csi-kms-policy'),
    )![1];
    expect(JSON.stringify(kmsDoc)).toContain('kms:GrantIsForAWSResource');
  });

  it('creates an IAM OIDC provider for IRSA from the cluster issuer', () => {
    expect(prod.synthesized).toHaveResourceWithProperties(IamOpenidConnectProvider, {
      client_id_list: ['sts.amazonaws.com'],
    });
    expect(String(only(prod.json, 'aws_iam_openid_connect_provider').url)).toMatch(
      /identity\[0\]\.oidc\[0\]\.issuer/,
    );
  });

  it('exposes the attributes the workloads stack and the other modules wire', () => {
    const { json } = synthConstructs((scope) => {
      const cluster = new EksCluster(scope, 'eks', {
        ...base,
        nodeGroups: [...base.nodeGroups, { ...base.nodeGroups[0]!, name: 'batch' }],
      });
      new TerraformOutput(scope, 'asgs', { value: cluster.nodeGroupAsgNames });
      new TerraformOutput(scope, 'node-sg', { value: cluster.nodeSecurityGroupId });
      new TerraformOutput(scope, 'oidc-url', { value: cluster.oidcProviderUrl });
      new TerraformOutput(scope, 'ca', { value: cluster.certificateAuthorityData });
    });
    const outputs = json.output ?? {};
    const asgs = outputs.asgs!.value as string[];
    expect(asgs).toHaveLength(2);
    for (const asg of asgs) {
      expect(asg).toMatch(
        /^\$\{aws_eks_node_group\..+\.resources\[0\]\.autoscaling_groups\[0\]\.name\}$/,
      );
    }
    expect(asgs[0]).not.toBe(asgs[1]);
    expect(outputs['node-sg']!.value).toMatch(/vpc_config\[0\]\.cluster_security_group_id/);
    expect(outputs['oidc-url']!.value).toMatch(/replace\(.*oidc\[0\]\.issuer.*"https:\/\/", ""\)/);
    expect(outputs.ca!.value).toMatch(/certificate_authority\[0\]\.data/);
    expect(prod.cluster.nodeSecurityGroupId).toBe(prod.cluster.clusterSecurityGroupId);
  });

  it('rejects inconsistent node group sizes and mixed architectures', () => {
    expect(() =>
      synth({ ...base, nodeGroups: [{ ...base.nodeGroups[0]!, minSize: 4, desiredSize: 3 }] }),
    ).toThrow(/min <= desired <= max/);
    expect(() => defaultAmiType(['m7g.large', 'm7i.large'])).toThrow(/mix ARM and x86/);
    expect(defaultAmiType(['c8gd.xlarge'])).toBe('AL2023_ARM_64_STANDARD');
    expect(() => synth({ ...base, nodeGroups: [] })).toThrow(/at least one node group/);
  });
});
