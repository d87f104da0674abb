import { EksCluster, type EksClusterProps } from '../../../modules/cluster/eks-cluster';
import { synthContext } from '../../helpers/synth';
import { evaluate, fakeStack } from '../../../policy/engine';
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
  version: '1.33',
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
  kubernetesVersion: '1.33',
  subnetIds: ['subnet-a', 'subnet-b'],
  adminPrincipalArns: ['arn:aws:iam::111122223333:role/deploy'],
  nodeGroups: [
    { name: 'general', instanceTypes: ['m7i.large'], minSize: 2, maxSize: 4, desiredSize: 2 },
  ],
};

describe('EKS policy rules', () => {
  it('every rule passes on the EksCluster module (prod, private endpoint) and dev (restricted)', () => {
    const prod = synthContext((scope) => new EksCluster(scope, 'eks', moduleProps), 'prod');
    const dev = synthContext(
      (scope) =>
        new EksCluster(scope, 'eks', {
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
});
