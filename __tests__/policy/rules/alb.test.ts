import { ingressEndpoint } from '../../../modules/edge/ingress-endpoint';
import { LoadBalancer, type LoadBalancerProps } from '../../../modules/edge/load-balancer';
import { synthContext } from '../../helpers/synth';
import { evaluate, fakeStack } from '../../../policy/engine';
import type { PolicyRule, StackContext } from '../../../policy/types';
import { albRules } from '../../../policy/rules/alb';

const rule = (id: string): PolicyRule => {
  const found = albRules.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no rule ${id}`);
  return found;
};
const statuses = (id: string, stack: StackContext) =>
  evaluate([rule(id)], stack).map((result) => result.status);

const goodLb = {
  load_balancer_type: 'application',
  internal: false,
  drop_invalid_header_fields: true,
  enable_deletion_protection: true,
  access_logs: { bucket: '${aws_s3_bucket.logs.id}', enabled: true },
};
const https = {
  load_balancer_arn: '${aws_lb.alb.arn}',
  port: 443,
  protocol: 'HTTPS',
  ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
  default_action: [{ type: 'forward', target_group_arn: '${aws_lb_target_group.tg.arn}' }],
};
const redirect = {
  load_balancer_arn: '${aws_lb.alb.arn}',
  port: 80,
  protocol: 'HTTP',
  default_action: [
    { type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' } },
  ],
};
const association = {
  resource_arn: '${aws_lb.alb.arn}',
  web_acl_arn: '${aws_wafv2_web_acl.w.arn}',
};

const stack = (
  parts: {
    lb?: Record<string, unknown>;
    listeners?: Record<string, Record<string, unknown>>;
    waf?: boolean;
  } = {},
  env = 'prod',
) =>
  fakeStack(
    {
      aws_lb: { alb: { ...goodLb, ...parts.lb } },
      aws_lb_listener: parts.listeners ?? { https, http: redirect },
      ...(parts.waf === false ? {} : { aws_wafv2_web_acl_association: { a: association } }),
    },
    env,
  );

const moduleProps: LoadBalancerProps = {
  namePrefix: 'hello-prod',
  vpcId: 'vpc-1',
  publicSubnetIds: ['subnet-a', 'subnet-b'],
  certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/abc',
  ingress: ingressEndpoint(30080),
  nodeSecurityGroupId: 'sg-nodes',
  nodeGroupAsgNames: ['asg-1'],
  zoneId: 'Z1',
  hostName: 'api.example.com',
};

describe('ALB policy rules', () => {
  it('every rule passes on the LoadBalancer module (prod defaults; dev without WAF/protection)', () => {
    const prod = synthContext((scope) => new LoadBalancer(scope, 'lb', moduleProps), 'prod');
    const dev = synthContext(
      (scope) =>
        new LoadBalancer(scope, 'lb', {
          ...moduleProps,
          deletionProtection: false,
          enableWaf: false,
        }),
      'dev',
    );
    for (const context of [prod, dev]) {
      // The HTTP listener only redirects: the TLS-policy rule has nothing to check there.
      expect(
        evaluate(albRules, context)
          .filter((r) => r.status !== 'pass')
          .map((r) => [r.ruleId, r.status, r.message]),
      ).toEqual([['CKV_AWS_103', 'not-applicable', 'HTTP listener: no TLS policy to check']]);
    }
    const checked = new Set(evaluate(albRules, prod).map((r) => r.ruleId));
    expect([...checked].sort()).toEqual(albRules.map((r) => r.id).sort());
  });

  it('the good fake stack passes every rule (the TLS policy rule skips the redirect)', () => {
    const results = evaluate(albRules, stack());
    expect(results.map((r) => `${r.ruleId} ${r.address} ${r.status}`).sort()).toEqual(
      [
        'CKV_AWS_2 aws_lb_listener.https pass',
        'CKV_AWS_2 aws_lb_listener.http pass',
        'CKV2_AWS_20 aws_lb.alb pass',
        'CKV_AWS_103 aws_lb_listener.https pass',
        'CKV_AWS_103 aws_lb_listener.http not-applicable',
        'CKV_AWS_131 aws_lb.alb pass',
        'CKV_AWS_91 aws_lb.alb pass',
        'CKV_AWS_150 aws_lb.alb pass',
        'CKV2_AWS_28 aws_lb.alb pass',
      ].sort(),
    );
  });

  it('CKV_AWS_2 fails on a plain HTTP listener that forwards', () => {
    const plain = { ...redirect, default_action: https.default_action };
    expect(statuses('CKV_AWS_2', stack({ listeners: { plain } }))).toEqual(['fail']);
    expect(
      statuses('CKV_AWS_2', stack({ listeners: { plain: { ...plain, protocol: undefined } } })),
    ).toEqual(['fail']);
    expect(statuses('CKV_AWS_2', stack({ listeners: { https, redirect } }))).toEqual([
      'pass',
      'pass',
    ]);
    // A network load balancer's TCP listener carries no HTTP: the rule does not apply.
    const tcp = { ...https, protocol: 'TCP', ssl_policy: undefined };
    expect(statuses('CKV_AWS_2', stack({ listeners: { tcp } }))).toEqual(['not-applicable']);
  });

  it('CKV2_AWS_20 fails when an ALB has an HTTP listener without redirect', () => {
    const plain = { ...redirect, default_action: https.default_action };
    expect(statuses('CKV2_AWS_20', stack({ listeners: { https, plain } }))).toEqual(['fail']);
    expect(statuses('CKV2_AWS_20', stack())).toEqual(['pass']);
  });

  it('CKV_AWS_103 needs a TLS 1.2+ policy on HTTPS listeners', () => {
    const old = { ...https, ssl_policy: 'ELBSecurityPolicy-2016-08' };
    expect(statuses('CKV_AWS_103', stack({ listeners: { old } }))).toEqual(['fail']);
    expect(
      statuses('CKV_AWS_103', stack({ listeners: { none: { ...https, ssl_policy: undefined } } })),
    ).toEqual(['fail']);
    const fs = { ...https, ssl_policy: 'ELBSecurityPolicy-FS-1-2-Res-2020-10' };
    expect(statuses('CKV_AWS_103', stack({ listeners: { fs, redirect } }))).toEqual([
      'pass',
      'not-applicable',
    ]);
  });

  it('CKV_AWS_131 needs drop_invalid_header_fields', () => {
    expect(
      statuses('CKV_AWS_131', stack({ lb: { drop_invalid_header_fields: undefined } })),
    ).toEqual(['fail']);
    expect(
      statuses(
        'CKV_AWS_131',
        stack({ lb: { load_balancer_type: 'network', drop_invalid_header_fields: undefined } }),
      ),
    ).toEqual(['not-applicable']);
  });

  it('CKV_AWS_91 needs enabled access logs with a bucket', () => {
    expect(statuses('CKV_AWS_91', stack({ lb: { access_logs: undefined } }))).toEqual(['fail']);
    expect(
      statuses('CKV_AWS_91', stack({ lb: { access_logs: [{ bucket: 'logs', enabled: false }] } })),
    ).toEqual(['fail']);
    expect(statuses('CKV_AWS_91', stack({ lb: { access_logs: { bucket: 'logs' } } }))).toEqual([
      'fail',
    ]);
  });

  it('CKV_AWS_150 needs deletion protection in prod only', () => {
    const unprotected = { lb: { enable_deletion_protection: false } };
    expect(statuses('CKV_AWS_150', stack(unprotected))).toEqual(['fail']);
    expect(statuses('CKV_AWS_150', stack(unprotected, 'dev'))).toEqual([]);
  });

  it('CKV2_AWS_28 needs a WAF association on internet-facing ALBs in prod only', () => {
    expect(statuses('CKV2_AWS_28', stack({ waf: false }))).toEqual(['fail']);
    expect(statuses('CKV2_AWS_28', stack({ waf: false, lb: { internal: true } }))).toEqual([
      'not-applicable',
    ]);
    expect(
      statuses('CKV2_AWS_28', stack({ waf: false, lb: { load_balancer_type: 'network' } })),
    ).toEqual(['not-applicable']);
    expect(statuses('CKV2_AWS_20', stack({ lb: { load_balancer_type: 'network' } }))).toEqual([
      'not-applicable',
    ]);
    expect(statuses('CKV2_AWS_28', stack({ waf: false }, 'dev'))).toEqual([]);
  });
});
