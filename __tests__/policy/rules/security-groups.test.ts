import { ingressEndpoint } from '../../../modules/edge/ingress-endpoint';
import { LoadBalancer } from '../../../modules/edge/load-balancer';
import { RdsPostgres } from '../../../modules/data/rds-postgres';
import { synthContext } from '../../helpers/synth';
import { evaluate, fakeStack } from '../../../policy/engine';
import type { PolicyRule, StackContext } from '../../../policy/types';
import { securityGroupsRules } from '../../../policy/rules/security-groups';

const rule = (id: string): PolicyRule => {
  const found = securityGroupsRules.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no rule ${id}`);
  return found;
};
const statuses = (id: string, stack: StackContext) =>
  evaluate([rule(id)], stack).map((result) => result.status);

const albGroup = { name: 'alb', description: 'ALB', vpc_id: 'vpc-1' };
const appGroup = { name: 'app', description: 'App', vpc_id: 'vpc-1' };
const lb = { security_groups: ['${aws_security_group.alb.id}'] };
const ingress = (overrides: Record<string, unknown>) => ({
  security_group_id: '${aws_security_group.alb.id}',
  cidr_ipv4: '0.0.0.0/0',
  ip_protocol: 'tcp',
  from_port: 443,
  to_port: 443,
  description: 'HTTPS',
  ...overrides,
});
const stackWith = (
  rules: Record<string, Record<string, unknown>>,
  groups: Record<string, Record<string, unknown>> = { alb: albGroup, app: appGroup },
) =>
  fakeStack({
    aws_security_group: groups,
    aws_lb: { alb: lb },
    aws_vpc_security_group_ingress_rule: rules,
  });

describe('security group policy rules', () => {
  it('pass on the LoadBalancer and RdsPostgres modules together', () => {
    const context = synthContext((scope) => {
      new LoadBalancer(scope, 'lb', {
        namePrefix: 'hello-prod',
        vpcId: 'vpc-1',
        publicSubnetIds: ['subnet-a'],
        certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/abc',
        ingress: ingressEndpoint(30080),
        nodeSecurityGroupId: 'sg-nodes',
        nodeGroupAsgNames: ['asg'],
        zoneId: 'Z1',
        hostName: 'api.example.com',
        dualStack: true,
      });
      new RdsPostgres(scope, 'db', {
        identifier: 'hello-prod-db',
        engineMajorVersion: '17',
        instanceClass: 'db.t4g.micro',
        dbSubnetGroupName: 'db',
        vpcId: 'vpc-1',
        allowedSecurityGroupIds: ['sg-nodes'],
      });
    });
    const results = evaluate(securityGroupsRules, context);
    expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
    // 4 internet rules (v4 + v6), NodePort, RDS ingress, plus the groups themselves.
    expect(results.filter((r) => r.ruleId === 'HP_SG_1').length).toBeGreaterThanOrEqual(8);
  });

  it('HP_SG_1 allows 80/443 from the internet on the load balancer group', () => {
    expect(
      statuses(
        'HP_SG_1',
        stackWith({ https: ingress({}), http: ingress({ from_port: 80, to_port: 80 }) }),
      ),
    ).toEqual(['pass', 'pass', 'pass', 'pass']);
    expect(
      statuses('HP_SG_1', stackWith({ v6: ingress({ cidr_ipv4: undefined, cidr_ipv6: '::/0' }) })),
    ).toEqual(['pass', 'pass', 'pass']);
  });

  it('HP_SG_1 fails on other ports, protocols or groups open to the internet', () => {
    const failuresOf = (rules: Record<string, Record<string, unknown>>) =>
      evaluate([rule('HP_SG_1')], stackWith(rules)).filter((r) => r.status === 'fail').length;
    expect(failuresOf({ ssh: ingress({ from_port: 22, to_port: 22 }) })).toBe(1);
    expect(failuresOf({ range: ingress({ from_port: 0, to_port: 65535 }) })).toBe(1);
    expect(
      failuresOf({ all: ingress({ ip_protocol: '-1', from_port: undefined, to_port: undefined }) }),
    ).toBe(1);
    expect(
      failuresOf({ app: ingress({ security_group_id: '${aws_security_group.app.id}' }) }),
    ).toBe(1);
    expect(failuresOf({ literal: ingress({ security_group_id: 'sg-123' }) })).toBe(1);
    expect(
      failuresOf({
        v6: ingress({ cidr_ipv4: undefined, cidr_ipv6: '::/0', from_port: 22, to_port: 22 }),
      }),
    ).toBe(1);
    // Private sources are fine on any port.
    expect(
      failuresOf({ vpc: ingress({ cidr_ipv4: '10.0.0.0/16', from_port: 5432, to_port: 5432 }) }),
    ).toBe(0);
  });

  it('HP_SG_1 checks inline ingress blocks and legacy aws_security_group_rule too', () => {
    const inline = fakeStack({
      aws_security_group: {
        open: {
          description: 'bad',
          ingress: [
            {
              cidr_blocks: ['0.0.0.0/0'],
              from_port: 22,
              to_port: 22,
              protocol: 'tcp',
              description: 'ssh',
            },
          ],
        },
      },
    });
    expect(statuses('HP_SG_1', inline)).toEqual(['fail']);
    const legacy = fakeStack({
      aws_security_group: { alb: albGroup },
      aws_lb: { alb: lb },
      aws_security_group_rule: {
        ok: {
          type: 'ingress',
          security_group_id: '${aws_security_group.alb.id}',
          cidr_blocks: ['0.0.0.0/0'],
          protocol: 'tcp',
          from_port: 443,
          to_port: 443,
        },
        bad: {
          type: 'ingress',
          security_group_id: '${aws_security_group.alb.id}',
          cidr_blocks: ['0.0.0.0/0'],
          protocol: 'tcp',
          from_port: 8080,
          to_port: 8080,
        },
        egress: {
          type: 'egress',
          security_group_id: 'x',
          cidr_blocks: ['0.0.0.0/0'],
          protocol: '-1',
        },
      },
    });
    const byAddress = Object.fromEntries(
      evaluate([rule('HP_SG_1')], legacy).map((r) => [r.address, r.status]),
    );
    expect(byAddress).toMatchObject({
      'aws_security_group_rule.ok': 'pass',
      'aws_security_group_rule.bad': 'fail',
      'aws_security_group_rule.egress': 'not-applicable',
    });
  });

  it('CKV_AWS_23 needs descriptions on groups, rules and inline blocks', () => {
    expect(statuses('CKV_AWS_23', stackWith({ r: ingress({}) }))).toEqual(['pass', 'pass', 'pass']);
    expect(statuses('CKV_AWS_23', stackWith({ r: ingress({ description: undefined }) }))).toContain(
      'fail',
    );
    expect(statuses('CKV_AWS_23', stackWith({}, { g: { name: 'g' } }))).toEqual(['fail']);
    const inline = fakeStack({
      aws_security_group: {
        g: {
          description: 'ok',
          egress: [{ cidr_blocks: ['10.0.0.0/8'], protocol: '-1', from_port: 0, to_port: 0 }],
        },
      },
      aws_vpc_security_group_egress_rule: { e: { security_group_id: 'sg', description: ' ' } },
    });
    expect(statuses('CKV_AWS_23', inline)).toEqual(['fail', 'fail']);
  });
});
