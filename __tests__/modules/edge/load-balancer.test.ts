import { AutoscalingAttachment } from '@cdktf/provider-aws/lib/autoscaling-attachment';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { ingressEndpoint } from '../../../modules/edge/ingress-endpoint';
import { LoadBalancer, type LoadBalancerProps } from '../../../modules/edge/load-balancer';
import { onlyResource, resourcesOf, synthConstructs } from '../../helpers/synth';

const prodProps: LoadBalancerProps = {
  namePrefix: 'hello-prod',
  vpcId: 'vpc-123',
  publicSubnetIds: ['subnet-pa', 'subnet-pb', 'subnet-pc'],
  certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/abc',
  ingress: ingressEndpoint(30080),
  nodeSecurityGroupId: 'sg-nodes',
  nodeGroupAsgNames: ['asg-general', 'asg-batch'],
  zoneId: 'Z123',
  hostName: 'api.example.com',
};

const devProps: LoadBalancerProps = {
  ...prodProps,
  namePrefix: 'hello-dev',
  nodeGroupAsgNames: ['asg-dev'],
  hostName: 'api.dev.example.com',
  deletionProtection: false,
  enableWaf: false,
  accessLogRetentionDays: 14,
};

const synth = (props: LoadBalancerProps) =>
  synthConstructs((scope) => {
    new LoadBalancer(scope, 'lb', props);
  });

type Rule = Record<string, unknown>;

describe('LoadBalancer', () => {
  const prod = synth(prodProps);
  const dev = synth(devProps);
  const dual = synth({ ...prodProps, dualStack: true });

  it('is an internet-facing ALB in the public subnets that drops invalid headers', () => {
    expect(prod.synthesized).toHaveResourceWithProperties(Lb, {
      name: 'hello-prod-alb',
      load_balancer_type: 'application',
      internal: false,
      ip_address_type: 'ipv4',
      subnets: ['subnet-pa', 'subnet-pb', 'subnet-pc'],
      drop_invalid_header_fields: true,
    });
    expect(dual.synthesized).toHaveResourceWithProperties(Lb, { ip_address_type: 'dualstack' });
  });

  it('protects the ALB from deletion in prod and not in dev', () => {
    expect(onlyResource(prod.json, 'aws_lb').enable_deletion_protection).toBe(true);
    expect(onlyResource(dev.json, 'aws_lb').enable_deletion_protection).toBe(false);
    expect(onlyResource(prod.json, 'aws_s3_bucket').force_destroy).toBe(false);
    expect(onlyResource(dev.json, 'aws_s3_bucket').force_destroy).toBe(true);
  });

  it('serves HTTPS with the certificate and a TLS 1.3/1.2 policy, forwarding to the ingress', () => {
    const listeners = Object.values(resourcesOf(prod.json, 'aws_lb_listener'));
    const https = listeners.find((listener) => listener.protocol === 'HTTPS')!;
    expect(https).toMatchObject({
      port: 443,
      certificate_arn: prodProps.certificateArn,
      ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      default_action: [{ type: 'forward' }],
    });
    expect(String((https.default_action as Rule[])[0]!.target_group_arn)).toContain(
      'aws_lb_target_group.',
    );
  });

  it('redirects HTTP to HTTPS with a 301', () => {
    expect(prod.synthesized).toHaveResourceWithProperties(LbListener, {
      port: 80,
      protocol: 'HTTP',
      default_action: [
        { type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' } },
      ],
    });
  });

  it('targets the ingress NodePort on the nodes and health-checks the ingress health path', () => {
    expect(onlyResource(prod.json, 'aws_lb_target_group')).toMatchObject({
      target_type: 'instance',
      protocol: 'HTTP',
      port: 30080,
      deregistration_delay: '30',
      health_check: { path: '/nginx-health', matcher: '200', port: 'traffic-port' },
    });
    const other = synth({ ...prodProps, ingress: ingressEndpoint(31000) });
    expect(other.synthesized).toHaveResourceWithProperties(LbTargetGroup, {
      port: 31000,
      name: 'hello-prod-ingress-31000',
    });
  });

  it('attaches every node group auto scaling group to the target group', () => {
    const attachments = Object.values(resourcesOf(prod.json, 'aws_autoscaling_attachment'));
    expect(attachments.map((a) => a.autoscaling_group_name)).toEqual(['asg-general', 'asg-batch']);
    expect(prod.synthesized).toHaveResourceWithProperties(AutoscalingAttachment, {
      autoscaling_group_name: 'asg-general',
    });
    expect(Object.values(resourcesOf(dev.json, 'aws_autoscaling_attachment'))).toHaveLength(1);
  });

  it('opens 80/443 to the internet on the ALB SG only, and the NodePort from the ALB only', () => {
    const ingress = Object.values(resourcesOf(prod.json, 'aws_vpc_security_group_ingress_rule'));
    const internet = ingress.filter((rule) => rule.cidr_ipv4 === '0.0.0.0/0');
    expect(internet.map((rule) => rule.from_port).sort()).toEqual([443, 80]);
    for (const rule of internet) {
      expect(rule.to_port).toBe(rule.from_port);
      expect(String(rule.security_group_id)).toContain('aws_security_group.lb_security-group');
    }
    const toNodes = ingress.find((rule) => rule.security_group_id === 'sg-nodes')!;
    expect(toNodes).toMatchObject({ from_port: 30080, to_port: 30080, ip_protocol: 'tcp' });
    expect(String(toNodes.referenced_security_group_id)).toContain(
      'aws_security_group.lb_security-group',
    );
    const egress = onlyResource(prod.json, 'aws_vpc_security_group_egress_rule');
    expect(egress).toMatchObject({
      referenced_security_group_id: 'sg-nodes',
      from_port: 30080,
      to_port: 30080,
    });
    for (const rule of [...ingress, egress]) expect(rule.description).toBeTruthy();
    expect(ingress.some((rule) => rule.cidr_ipv6 !== undefined)).toBe(false);
    const dualIngress = Object.values(
      resourcesOf(dual.json, 'aws_vpc_security_group_ingress_rule'),
    );
    expect(dualIngress.filter((rule) => rule.cidr_ipv6 === '::/0')).toHaveLength(2);
  });

  it('writes access logs to a dedicated, SSE-S3, versioned, private, TLS-only, expiring bucket', () => {
    const alb = onlyResource(prod.json, 'aws_lb');
    expect(alb.access_logs).toMatchObject({ enabled: true });
    expect(String((alb.access_logs as Rule).bucket)).toContain('aws_s3_bucket.lb_access-logs');
    expect(alb.depends_on).toEqual([expect.stringContaining('aws_s3_bucket_policy.')]);
    const bucket = onlyResource(prod.json, 'aws_s3_bucket');
    expect(bucket.tags).toEqual({ DataClass: 'elb-access-logs' });
    expect(String(bucket.bucket_prefix)).toBe('hello-prod-alb-logs-');
    expect(
      onlyResource(prod.json, 'aws_s3_bucket_server_side_encryption_configuration').rule,
    ).toEqual([{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }]);
    expect(onlyResource(prod.json, 'aws_s3_bucket_versioning').versioning_configuration).toEqual({
      status: 'Enabled',
    });
    expect(prod.synthesized).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(onlyResource(prod.json, 'aws_s3_bucket_ownership_controls').rule).toEqual({
      object_ownership: 'BucketOwnerEnforced',
    });
    const expiry = (json: typeof prod.json) =>
      (onlyResource(json, 'aws_s3_bucket_lifecycle_configuration').rule as Rule[])[0]!.expiration;
    expect(expiry(prod.json)).toEqual([{ days: 90 }]);
    expect(expiry(dev.json)).toEqual([{ days: 14 }]);
    const policy = Object.entries(prod.json.data?.aws_iam_policy_document ?? {}).find(([name]) =>
      name.includes('access-logs-policy-document'),
    )![1];
    expect(policy.statement).toMatchObject([
      {
        principals: [
          { type: 'Service', identifiers: ['logdelivery.elasticloadbalancing.amazonaws.com'] },
        ],
        actions: ['s3:PutObject'],
      },
      {
        effect: 'Deny',
        condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
      },
      {
        effect: 'Deny',
        condition: [{ test: 'NumericLessThan', variable: 's3:TlsVersion', values: ['1.2'] }],
      },
    ]);
  });

  it('publishes the app host as an alias: A only, or A and AAAA when dual-stack', () => {
    const types = (json: typeof prod.json) =>
      Object.values(resourcesOf(json, 'aws_route53_record'))
        .map((record) => record.type)
        .sort();
    expect(types(prod.json)).toEqual(['A']);
    expect(types(dual.json)).toEqual(['A', 'AAAA']);
    const record = onlyResource(prod.json, 'aws_route53_record');
    expect(record).toMatchObject({ zone_id: 'Z123', name: 'api.example.com' });
    expect(record.alias).toMatchObject({ evaluate_target_health: true });
    expect(String((record.alias as Rule).name)).toContain('aws_lb.lb_alb');
  });

  it('puts a WAF web ACL on the ALB by default and none when disabled', () => {
    const association = onlyResource(prod.json, 'aws_wafv2_web_acl_association');
    expect(String(association.resource_arn)).toContain('aws_lb.lb_alb');
    expect(onlyResource(prod.json, 'aws_cloudwatch_log_group').retention_in_days).toBe(365);
    const shortLogs = synth({ ...prodProps, wafLogRetentionDays: 30 });
    expect(onlyResource(shortLogs.json, 'aws_cloudwatch_log_group').retention_in_days).toBe(30);
    expect(resourcesOf(dev.json, 'aws_wafv2_web_acl')).toEqual({});
    expect(resourcesOf(dev.json, 'aws_wafv2_web_acl_association')).toEqual({});
  });
});
