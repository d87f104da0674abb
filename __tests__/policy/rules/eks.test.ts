import type { Construct } from 'constructs';
import { clusterComponentVersions } from '../../../config/kubernetes-versions';
import { ClusterAutoscalerIdentity } from '../../../modules/cluster/cluster-autoscaler-identity';
import { EksCluster, type EksClusterProps } from '../../../modules/cluster/eks-cluster';
import { clusterAutoscalerDiscoveryTags } from '../../../modules/cluster/eks-node-group';
import { synthContext } from '../../helpers/synth';
import { evaluate, fakeStack, stackContext } from '../../../policy/engine';
import type { PolicyRule, StackContext } from '../../../policy/types';
import { eksRules, SUPPORTED_EKS_VERSIONS } from '../../../policy/rules/eks';

const rule = (id: string): PolicyRule => {
  const found = eksRules.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no rule ${id}`);
  return found;
};
const statuses = (id: string, stack: StackContext) =>
  evaluate([rule(id)], stack).map((result) => result.status);

const goodCluster = {
  version: '1.35',
  upgrade_policy: { support_type: 'STANDARD' },
  encryption_config: { resources: ['secrets'], provider: { key_arn: '${aws_kms_key.k.arn}' } },
  enabled_cluster_log_types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'],
  vpc_config: { endpoint_private_access: true, endpoint_public_access: false, subnet_ids: ['a'] },
};
const goodTemplate = {
  metadata_options: {
    http_endpoint: 'enabled',
    http_tokens: 'required',
    http_put_response_hop_limit: 1,
  },
};
const cluster = (overrides: Record<string, unknown>, env = 'prod') =>
  fakeStack({ aws_eks_cluster: { c: { ...goodCluster, ...overrides } } }, env);
const template = (overrides: Record<string, unknown>) =>
  fakeStack({ aws_launch_template: { t: { ...goodTemplate, ...overrides } } });

const moduleProps: EksClusterProps = {
  clusterName: 'hello-prod',
  kubernetesVersion: '1.35',
  addonVersions: clusterComponentVersions('1.35')!.addons,

  subnetIds: ['subnet-a', 'subnet-b'],
  adminPrincipalArns: ['arn:aws:iam::111122223333:role/deploy'],
  nodeGroups: [
    { name: 'general', instanceTypes: ['m7i.large'], minSize: 2, maxSize: 4, desiredSize: 2 },
  ],
};

describe('EKS policy rules', () => {
  it('every rule passes on the EksCluster module (prod, private endpoint) and dev (restricted)', () => {
    // As the infra stack builds it: the cluster and its autoscaler's identity.
    const withAutoscaler = (scope: Construct, props: EksClusterProps) => {
      const cluster = new EksCluster(scope, 'eks', props);
      new ClusterAutoscalerIdentity(scope, 'cluster-autoscaler', {
        namePrefix: props.clusterName,
        clusterName: cluster.clusterName,
        discoveryTags: clusterAutoscalerDiscoveryTags(props.clusterName),
      });
    };
    const prod = synthContext((scope) => withAutoscaler(scope, moduleProps), 'prod');
    const dev = synthContext(
      (scope) =>
        withAutoscaler(scope, {
          ...moduleProps,
          endpointPublicAccessCidrs: ['203.0.113.0/24'],
        }),
      'dev',
    );
    for (const stack of [prod, dev]) {
      const results = evaluate(eksRules, stack);
      expect(results.filter((result) => result.status !== 'pass')).toEqual([]);
    }
    const checked = new Set(evaluate(eksRules, prod).map((result) => result.ruleId));
    expect([...checked].sort()).toEqual(eksRules.map((r) => r.id).sort());
  });

  it('CKV_AWS_58 needs secrets encryption with a key', () => {
    expect(statuses('CKV_AWS_58', cluster({}))).toEqual(['pass']);
    expect(statuses('CKV_AWS_58', cluster({ encryption_config: undefined }))).toEqual(['fail']);
    expect(
      statuses(
        'CKV_AWS_58',
        cluster({ encryption_config: [{ resources: ['secrets'], provider: [{}] }] }),
      ),
    ).toEqual(['fail']);
  });

  it('CKV_AWS_37 needs all five log types', () => {
    expect(statuses('CKV_AWS_37', cluster({}))).toEqual(['pass']);
    expect(
      statuses('CKV_AWS_37', cluster({ enabled_cluster_log_types: ['api', 'audit'] })),
    ).toEqual(['fail']);
    expect(statuses('CKV_AWS_37', cluster({ enabled_cluster_log_types: undefined }))).toEqual([
      'fail',
    ]);
  });

  it('CKV_AWS_39 allows a public endpoint only with explicit CIDRs', () => {
    const publicWith = (cidrs?: string[]) => ({
      vpc_config: { endpoint_public_access: true, public_access_cidrs: cidrs, subnet_ids: ['a'] },
    });
    expect(statuses('CKV_AWS_39', cluster({}))).toEqual(['pass']);
    expect(statuses('CKV_AWS_39', cluster(publicWith(['203.0.113.0/24'])))).toEqual(['pass']);
    expect(statuses('CKV_AWS_39', cluster(publicWith()))).toEqual(['fail']);
    // An unset endpoint_public_access means public (EKS default).
    expect(statuses('CKV_AWS_39', cluster({ vpc_config: { subnet_ids: ['a'] } }))).toEqual([
      'fail',
    ]);
  });

  it('CKV_AWS_38 forbids a world-open public endpoint in prod only', () => {
    const open = {
      vpc_config: { endpoint_public_access: true, public_access_cidrs: ['0.0.0.0/0'] },
    };
    expect(statuses('CKV_AWS_38', cluster(open))).toEqual(['fail']);
    expect(
      statuses('CKV_AWS_38', cluster({ vpc_config: { endpoint_public_access: true } })),
    ).toEqual(['fail']);
    expect(
      statuses(
        'CKV_AWS_38',
        cluster({
          vpc_config: { endpoint_public_access: true, public_access_cidrs: ['198.51.100.7/32'] },
        }),
      ),
    ).toEqual(['pass']);
    expect(statuses('CKV_AWS_38', cluster({}))).toEqual(['pass']);
    expect(statuses('CKV_AWS_38', cluster(open, 'dev'))).toEqual([]);
  });

  it('CKV_AWS_339 needs a literal supported version', () => {
    expect(statuses('CKV_AWS_339', cluster({}))).toEqual(['pass']);
    expect(statuses('CKV_AWS_339', cluster({ version: '1.24' }))).toEqual(['fail']);
    expect(statuses('CKV_AWS_339', cluster({ version: undefined }))).toEqual(['fail']);
    expect(statuses('CKV_AWS_339', cluster({ version: '${var.version}' }))).toEqual(['fail']);
    expect(SUPPORTED_EKS_VERSIONS).toContain('1.33');
  });

  it('CKV_AWS_100 forbids remote access on node groups', () => {
    const group = (extra: Record<string, unknown>) =>
      fakeStack({ aws_eks_node_group: { g: { cluster_name: 'c', ...extra } } });
    expect(statuses('CKV_AWS_100', group({}))).toEqual(['pass']);
    expect(statuses('CKV_AWS_100', group({ remote_access: { ec2_ssh_key: 'ops' } }))).toEqual([
      'fail',
    ]);
  });

  it('CKV_AWS_79 needs IMDSv2 on launch templates', () => {
    expect(statuses('CKV_AWS_79', template({}))).toEqual(['pass']);
    expect(
      statuses('CKV_AWS_79', template({ metadata_options: { http_tokens: 'optional' } })),
    ).toEqual(['fail']);
    expect(statuses('CKV_AWS_79', template({ metadata_options: undefined }))).toEqual(['fail']);
  });

  it('CKV_AWS_341 needs hop limit 1 on launch templates', () => {
    expect(statuses('CKV_AWS_341', template({}))).toEqual(['pass']);
    expect(
      statuses(
        'CKV_AWS_341',
        template({ metadata_options: { http_tokens: 'required', http_put_response_hop_limit: 2 } }),
      ),
    ).toEqual(['fail']);
    expect(
      statuses('CKV_AWS_341', template({ metadata_options: [{ http_tokens: 'required' }] })),
    ).toEqual(['fail']);
  });

  it('HP_EKS_1 needs an explicit upgrade policy (EKS defaults to EXTENDED)', () => {
    expect(statuses('HP_EKS_1', cluster({}))).toEqual(['pass']);
    expect(statuses('HP_EKS_1', cluster({ upgrade_policy: { support_type: 'EXTENDED' } }))).toEqual(
      ['pass'],
    );
    expect(statuses('HP_EKS_1', cluster({ upgrade_policy: undefined }))).toEqual(['fail']);
  });

  /** A node group of cluster `c` with launch template `t` (root volume on key `k`). */
  const nodeStack = (group: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    fakeStack({
      aws_eks_cluster: { c: { ...goodCluster, name: 'hello-prod' } },
      aws_launch_template: {
        t: {
          ...goodTemplate,
          block_device_mappings: [{ ebs: { kms_key_id: '${aws_kms_key.k.arn}' } }],
        },
      },
      aws_kms_grant: {
        g: {
          key_id: '${aws_kms_key.k.arn}',
          grantee_principal:
            'arn:${data.aws_partition.p.partition}:iam::${data.aws_caller_identity.c.account_id}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling',
        },
      },
      aws_eks_node_group: {
        n: {
          cluster_name: '${aws_eks_cluster.c.name}',
          version: '${aws_eks_cluster.c.version}',
          launch_template: { id: '${aws_launch_template.t.id}', version: '1' },
          tags: {
            'k8s.io/cluster-autoscaler/enabled': 'true',
            'k8s.io/cluster-autoscaler/hello-prod': 'owned',
          },
          lifecycle: { ignore_changes: ['scaling_config[0].desired_size'] },
          depends_on: ['aws_kms_grant.g'],
          ...group,
        },
      },
      ...extra,
    });

  it('HP_EKS_2 fails on a node group without the cluster version (it stays behind upgrades)', () => {
    expect(statuses('HP_EKS_2', nodeStack({}))).toEqual(['pass']);
    expect(statuses('HP_EKS_2', nodeStack({ version: undefined }))).toEqual(['fail']);
    expect(statuses('HP_EKS_2', nodeStack({ version: '1.33' }))).toEqual(['fail']);
  });

  it('HP_EKS_3 fails on an unpinned add-on', () => {
    const addon = (version?: string) =>
      fakeStack({ aws_eks_addon: { a: { addon_name: 'coredns', addon_version: version } } });
    expect(statuses('HP_EKS_3', addon('v1.13.2-eksbuild.31'))).toEqual(['pass']);
    expect(statuses('HP_EKS_3', addon(undefined))).toEqual(['fail']);
  });

  it('HP_EKS_4 fails when nodes can launch before (or without) the Auto Scaling grant', () => {
    expect(statuses('HP_EKS_4', nodeStack({}))).toEqual(['pass']);
    expect(statuses('HP_EKS_4', nodeStack({ depends_on: [] }))).toEqual(['fail']);
    const noGrant = nodeStack({});
    delete (noGrant.json.resource as Record<string, unknown>).aws_kms_grant;
    expect(statuses('HP_EKS_4', stackContext('x', 'prod', noGrant.json))).toEqual(['fail']);
  });

  it('HP_EKS_5 and HP_EKS_6 fail on a node group the autoscaler cannot find or keep', () => {
    expect(statuses('HP_EKS_5', nodeStack({}))).toEqual(['pass']);
    expect(statuses('HP_EKS_5', nodeStack({ tags: undefined }))).toEqual(['fail']);
    expect(
      statuses('HP_EKS_5', nodeStack({ tags: { 'k8s.io/cluster-autoscaler/enabled': 'true' } })),
    ).toEqual(['fail']);
    expect(statuses('HP_EKS_6', nodeStack({}))).toEqual(['pass']);
    expect(statuses('HP_EKS_6', nodeStack({ lifecycle: { create_before_destroy: true } }))).toEqual(
      ['fail'],
    );
  });

  it('HP_EKS_7 and HP_EKS_8 fail on a cluster without metrics-server or a node autoscaler', () => {
    const clusterWith = (extra: Record<string, Record<string, Record<string, unknown>>>) =>
      fakeStack({ aws_eks_cluster: { c: goodCluster }, ...extra });
    const metricsServer = {
      aws_eks_addon: {
        m: { cluster_name: '${aws_eks_cluster.c.name}', addon_name: 'metrics-server' },
      },
    };
    const autoscaler = {
      aws_eks_pod_identity_association: {
        a: { cluster_name: '${aws_eks_cluster.c.name}', service_account: 'cluster-autoscaler' },
      },
    };
    expect(statuses('HP_EKS_7', clusterWith(metricsServer))).toEqual(['pass']);
    expect(statuses('HP_EKS_7', clusterWith({}))).toEqual(['fail']);
    expect(statuses('HP_EKS_8', clusterWith(autoscaler))).toEqual(['pass']);
    expect(statuses('HP_EKS_8', clusterWith({}))).toEqual(['fail']);
  });
});
