import { Wafv2WebAcl } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { MANAGED_RULE_GROUPS, WebAcl, type WebAclProps } from '../../../modules/edge/web-acl';
import { onlyResource, resourcesOf, synthConstructs } from '../../helpers/synth';

const props: WebAclProps = {
  name: 'hello-prod-alb',
  resourceArn: 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/x/y',
};

const synth = (overrides: Partial<WebAclProps> = {}) =>
  synthConstructs((scope) => {
    new WebAcl(scope, 'waf', { ...props, ...overrides });
  });

type Rule = {
  name: string;
  priority: number;
  statement: Record<string, Record<string, unknown>>;
  action?: unknown;
  override_action?: unknown;
};

describe('WebAcl', () => {
  const { json, synthesized } = synth();
  const rules = onlyResource(json, 'aws_wafv2_web_acl').rule as Rule[];

  it('is a regional ACL that allows by default and is associated with the resource', () => {
    expect(synthesized).toHaveResourceWithProperties(Wafv2WebAcl, {
      name: 'hello-prod-alb',
      scope: 'REGIONAL',
    });
    expect(onlyResource(json, 'aws_wafv2_web_acl')).toMatchObject({
      default_action: { allow: {} },
      visibility_config: { cloudwatch_metrics_enabled: true, sampled_requests_enabled: true },
    });
    expect(onlyResource(json, 'aws_wafv2_web_acl_association').resource_arn).toBe(
      props.resourceArn,
    );
  });

  it('rate-limits per IP first, blocking above the limit', () => {
    const first = [...rules].sort((a, b) => a.priority - b.priority)[0]!;
    expect(first.action).toEqual({ block: {} });
    expect(first.statement.rate_based_statement).toEqual({
      limit: 2000,
      aggregate_key_type: 'IP',
      evaluation_window_sec: 300,
    });
    const stricter = onlyResource(synth({ rateLimitPer5Minutes: 500 }).json, 'aws_wafv2_web_acl');
    expect(JSON.stringify(stricter.rule)).toContain('"limit":500');
  });

  it('enforces the AWS managed rule groups (IP reputation, common, known bad inputs)', () => {
    const managed = rules.filter((rule) => rule.statement.managed_rule_group_statement);
    expect(managed.map((rule) => rule.statement.managed_rule_group_statement!.name)).toEqual([
      ...MANAGED_RULE_GROUPS,
    ]);
    expect(MANAGED_RULE_GROUPS).toEqual(
      expect.arrayContaining([
        'AWSManagedRulesCommonRuleSet',
        'AWSManagedRulesKnownBadInputsRuleSet',
        'AWSManagedRulesAmazonIpReputationList',
      ]),
    );
    for (const rule of managed) {
      expect(rule.statement.managed_rule_group_statement!.vendor_name).toBe('AWS');
      // `none` keeps the groups' own block actions (`count` would only observe).
      expect(rule.override_action).toEqual({ none: {} });
    }
    expect(new Set(rules.map((rule) => rule.priority)).size).toBe(rules.length);
  });

  it('logs to an encrypted aws-waf-logs- group with credentials redacted, unless turned off', () => {
    const group = onlyResource(json, 'aws_cloudwatch_log_group');
    expect(group.name).toBe('aws-waf-logs-hello-prod-alb');
    expect(group.retention_in_days).toBe(365);
    const shorter = onlyResource(synth({ logRetentionDays: 30 }).json, 'aws_cloudwatch_log_group');
    expect(shorter.retention_in_days).toBe(30);
    expect(String(group.kms_key_id)).toContain('aws_kms_key.');
    const logging = onlyResource(json, 'aws_wafv2_web_acl_logging_configuration');
    expect(String((logging.log_destination_configs as string[])[0])).toContain(
      'aws_cloudwatch_log_group.',
    );
    expect(logging.redacted_fields).toEqual([
      { single_header: { name: 'authorization' } },
      { single_header: { name: 'cookie' } },
    ]);
    const quiet = synth({ logging: false }).json;
    expect(resourcesOf(quiet, 'aws_wafv2_web_acl_logging_configuration')).toEqual({});
    expect(resourcesOf(quiet, 'aws_cloudwatch_log_group')).toEqual({});
  });
});
