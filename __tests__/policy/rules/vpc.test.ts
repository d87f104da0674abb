import type { Construct } from 'constructs';
import { Network, type NetworkProps } from '../../../modules/network/network';
import { evaluate, fakeStack } from '../../../policy/engine';
import { synthContext } from '../../helpers/synth';
import type { PolicyRule, StackContext } from '../../../policy/types';
import { vpcRules } from '../../../policy/rules/vpc';

const rule = (id: string): PolicyRule => {
  const found = vpcRules.find((r) => r.id === id);
  if (!found) throw new Error(`no rule ${id}`);
  return found;
};
const check = (id: string, stack: StackContext, type = 'aws_vpc') => {
  const resource = stack.resources(type)[0];
  if (!resource) throw new Error(`no ${type}`);
  return rule(id).check(resource, stack);
};
const V = '${aws_vpc.v.id}';

describe('VPC rules', () => {
  it('CKV2_AWS_11 needs a flow log on this VPC', () => {
    expect(
      check(
        'CKV2_AWS_11',
        fakeStack({ aws_vpc: { v: {} }, aws_flow_log: { f: { vpc_id: V, traffic_type: 'ALL' } } }),
      ),
    ).toBeUndefined();
    expect(check('CKV2_AWS_11', fakeStack({ aws_vpc: { v: {} } }))).toMatch(/no aws_flow_log/);
    expect(
      check(
        'CKV2_AWS_11',
        fakeStack({ aws_vpc: { v: {} }, aws_flow_log: { f: { vpc_id: '${aws_vpc.other.id}' } } }),
      ),
    ).toMatch(/no aws_flow_log/);
  });

  it('CKV2_AWS_12 needs a managed default security group without rules', () => {
    const withGroup = (group: Record<string, unknown>) =>
      fakeStack({ aws_vpc: { v: {} }, aws_default_security_group: { d: { vpc_id: V, ...group } } });
    expect(check('CKV2_AWS_12', withGroup({}))).toBeUndefined();
    expect(check('CKV2_AWS_12', withGroup({ ingress: [], egress: [] }))).toBeUndefined();
    expect(check('CKV2_AWS_12', fakeStack({ aws_vpc: { v: {} } }))).toMatch(/not managed/);
    expect(
      check(
        'CKV2_AWS_12',
        withGroup({
          egress: [{ from_port: 0, to_port: 0, protocol: '-1', cidr_blocks: ['0.0.0.0/0'] }],
        }),
      ),
    ).toMatch(/has rules/);
  });

  it('CKV_AWS_130 fails on subnets that assign public IPs', () => {
    const subnet = (config: Record<string, unknown>) => fakeStack({ aws_subnet: { s: config } });
    expect(check('CKV_AWS_130', subnet({ map_public_ip_on_launch: true }), 'aws_subnet')).toMatch(
      /true/,
    );
    expect(
      check('CKV_AWS_130', subnet({ map_public_ip_on_launch: false }), 'aws_subnet'),
    ).toBeUndefined();
    expect(check('CKV_AWS_130', subnet({}), 'aws_subnet')).toBeUndefined();
  });

  const network = (props: Partial<NetworkProps>) => (scope: Construct) =>
    new Network(scope, 'network', {
      namePrefix: 'hello',
      cidr: '10.0.0.0/16',
      availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
      clusterName: 'hello',
      ...props,
    });

  it.each([
    ['dev', { availabilityZones: ['eu-west-1a', 'eu-west-1b'], natMode: 'single' as const }, 6],
    ['prod', {}, 9],
  ])('the Network module passes every VPC rule (%s)', (env, props, subnets) => {
    const results = evaluate(vpcRules, synthContext(network(props), env));
    expect(results).toHaveLength(2 + subnets);
    expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
  });
});
