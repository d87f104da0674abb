import { Construct } from 'constructs';
import { Wafv2WebAcl, type Wafv2WebAclRule } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { Wafv2WebAclAssociation } from '@cdktf/provider-aws/lib/wafv2-web-acl-association';
import { Wafv2WebAclLoggingConfiguration } from '@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration';
import { EncryptedLogGroup } from '../core/encrypted-log-group';
import { cloudWatchLogsGrant, KmsKey } from '../core/kms-key';
import { awsAccount } from '../core/aws-account';

export interface WebAclProps {
  /** Web ACL name, e.g. `hello-prod-alb`; also the CloudWatch metric name prefix. */
  readonly name: string;
  /** ARN of the regional resource to protect (an ALB). */
  readonly resourceArn: string;
  /**
   * Requests one client IP may send per 5-minute window before it is blocked. Default: 2000
   * (about 7 requests a second sustained), far above a human user, low enough to blunt floods.
   */
  readonly rateLimitPer5Minutes?: number;
  /** Ship WAF logs to an encrypted CloudWatch log group. Default: true. */
  readonly logging?: boolean;
  /** Retention of the WAF log group. Default: 365 days (CKV_AWS_338). */
  readonly logRetentionDays?: number;
}

/** AWS managed rule groups, in evaluation order after the rate limit. */
export const MANAGED_RULE_GROUPS = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
] as const;

/**
 * A regional WAFv2 web ACL in front of the ALB: a per-IP rate limit first (cheapest), then AWS's
 * IP reputation, common (OWASP-style) and known-bad-input rule groups; everything else is allowed.
 * Logs go to an `aws-waf-logs-` CloudWatch group with credentials headers redacted.
 */
export class WebAcl extends Construct {
  public readonly webAclArn: string;
  /** Log group name when logging is on. */
  public readonly logGroupName?: string;

  constructor(scope: Construct, id: string, props: WebAclProps) {
    super(scope, id);
    const visibility = (metricName: string) => ({
      cloudwatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });

    const rules: Wafv2WebAclRule[] = [
      {
        name: 'rate-limit-per-ip',
        priority: 0,
        action: { block: {} },
        // Nested statements are passed to Terraform verbatim, hence the snake_case keys.
        statement: {
          rate_based_statement: {
            limit: props.rateLimitPer5Minutes ?? 2000,
            aggregate_key_type: 'IP',
            evaluation_window_sec: 300,
          },
        },
        visibilityConfig: visibility(`${props.name}-rate-limit`),
      },
      ...MANAGED_RULE_GROUPS.map((group, index) => ({
        name: group,
        priority: (index + 1) * 10,
        overrideAction: { none: {} },
        statement: { managed_rule_group_statement: { name: group, vendor_name: 'AWS' } },
        visibilityConfig: visibility(`${props.name}-${group}`),
      })),
    ];

    const acl = new Wafv2WebAcl(this, 'acl', {
      name: props.name,
      description: `Protects ${props.name}`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      rule: rules,
      visibilityConfig: visibility(props.name),
    });
    new Wafv2WebAclAssociation(this, 'association', {
      resourceArn: props.resourceArn,
      webAclArn: acl.arn,
    });
    this.webAclArn = acl.arn;

    if (props.logging ?? true) {
      const { accountId, partition, region } = awsAccount(this);
      // WAF only delivers to log groups whose name starts with `aws-waf-logs-`.
      const logGroupName = `aws-waf-logs-${props.name}`;
      const key = new KmsKey(this, 'logs-key', {
        alias: `${props.name}-waf-logs`,
        description: `WAF logs of ${props.name}`,
        serviceGrants: [
          cloudWatchLogsGrant(
            region,
            `arn:${partition}:logs:${region}:${accountId}:log-group:${logGroupName}`,
          ),
        ],
      });
      const logGroup = new EncryptedLogGroup(this, 'logs', {
        name: logGroupName,
        kmsKeyArn: key.arn,
        retentionInDays: props.logRetentionDays ?? 365,
      });
      new Wafv2WebAclLoggingConfiguration(this, 'logging', {
        resourceArn: acl.arn,
        logDestinationConfigs: [logGroup.arn],
        // Credentials must not end up in logs.
        redactedFields: [
          { singleHeader: { name: 'authorization' } },
          { singleHeader: { name: 'cookie' } },
        ],
      });
      this.logGroupName = logGroup.name;
    }
  }
}
