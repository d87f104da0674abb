import { Construct } from 'constructs';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Route53HealthCheck as AwsRoute53HealthCheck } from '@cdktf/provider-aws/lib/route53-health-check';
import { AlarmTopic } from './alarm-topic';
import { alarmMetricArgs, route53HealthCheckMetric } from './metric-catalog';
import { resourceName } from '../core/naming';

export interface Route53HealthCheckProps {
  /** `<project>-<env>`, prefix of the alarm (and topic) names. */
  readonly namePrefix: string;
  /** Public host name of the API, e.g. `hello.example.com` (no scheme, no path). */
  readonly appHost: string;
  /**
   * AWS provider for us-east-1: Route 53 publishes health-check metrics only there, and an alarm's
   * actions must target a topic in the alarm's region. The health check (a global resource) is
   * created with it too.
   */
  readonly provider: AwsProvider;
  /** Path checked over HTTPS; must answer 2xx/3xx when the API can serve. Default: `/health/ready`. */
  readonly resourcePath?: string;
  /** Seconds between checks from each checker region: 10 (costs more) or 30. Default: 30. */
  readonly requestInterval?: 10 | 30;
  /** Consecutive failed checks before a checker counts the endpoint unhealthy (1-10). Default: 3. */
  readonly failureThreshold?: number;
  /** Record latency graphs in the Route 53 console. Default: true. */
  readonly measureLatency?: boolean;
  /** Checker regions (at least three). Default: Route 53's default set of regions. */
  readonly regions?: string[];
  /**
   * ARN of an existing SNS topic IN us-east-1 for the alarm (e.g. the main alarm topic when the
   * stack itself runs in us-east-1). Default: the module creates a KMS-encrypted us-east-1 topic
   * `<namePrefix>-health-alarms` subscribed by `alarmEmails`.
   */
  readonly alarmTopicArn?: string;
  /** E-mail subscribers of the created us-east-1 topic (ignored with `alarmTopicArn`). Default: none. */
  readonly alarmEmails?: string[];
  /** Minutes looked at by the alarm. Default: 2. */
  readonly evaluationPeriods?: number;
  /** Unhealthy minutes among them that raise the alarm. Default: 2. */
  readonly datapointsToAlarm?: number;
}

const HOST = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,63}$/i;

/**
 * An external HTTPS health check of `https://<appHost>/health/ready` from Route 53's checkers
 * around the world, and a us-east-1 CloudWatch alarm on its status that pages the alarm list.
 * It sees what users see: DNS, TLS certificate, ALB, ingress, the API and its database.
 */
export class Route53HealthCheck extends Construct {
  public readonly healthCheckId: string;
  public readonly alarmArn: string;
  public readonly alarmName: string;
  /** The us-east-1 topic the alarm notifies (given or created). */
  public readonly alarmTopicArn: string;

  constructor(scope: Construct, id: string, props: Route53HealthCheckProps) {
    super(scope, id);
    if (!HOST.test(props.appHost)) {
      throw new Error(`appHost "${props.appHost}" must be a bare host name like api.example.com`);
    }
    const failureThreshold = props.failureThreshold ?? 3;
    if (!Number.isInteger(failureThreshold) || failureThreshold < 1 || failureThreshold > 10) {
      throw new Error(`failureThreshold ${failureThreshold} must be an integer from 1 to 10`);
    }
    if (props.regions && props.regions.length < 3) {
      throw new Error('Route 53 health checks need at least three checker regions');
    }
    const resourcePath = props.resourcePath ?? '/health/ready';

    const check = new AwsRoute53HealthCheck(this, 'check', {
      provider: props.provider,
      type: 'HTTPS',
      fqdn: props.appHost,
      port: 443,
      resourcePath,
      // SNI so the ALB presents the certificate for the app host.
      enableSni: true,
      requestInterval: props.requestInterval ?? 30,
      failureThreshold,
      measureLatency: props.measureLatency ?? true,
      regions: props.regions,
      tags: { Name: `${props.namePrefix} https://${props.appHost}${resourcePath}` },
    });

    const topicArn =
      props.alarmTopicArn ??
      new AlarmTopic(this, 'topic', {
        namePrefix: props.namePrefix,
        purpose: 'health-alarms',
        alarmEmails: props.alarmEmails,
        provider: props.provider,
      }).topicArn;

    const metric = route53HealthCheckMetric(check.id);
    const alarmName = resourceName(props.namePrefix, 'health-check', 255);
    const alarm = new CloudwatchMetricAlarm(this, 'alarm', {
      provider: props.provider,
      alarmName,
      alarmDescription: `https://${props.appHost}${resourcePath} fails from Route 53's checkers (DNS, TLS, ALB, ingress, API or database). Metric ${metric.id}.`,
      ...alarmMetricArgs(metric),
      comparisonOperator: 'LessThanThreshold',
      threshold: 1,
      evaluationPeriods: props.evaluationPeriods ?? 2,
      datapointsToAlarm: props.datapointsToAlarm ?? 2,
      // Published every minute while the check exists: silence means it is gone.
      treatMissingData: 'breaching',
      actionsEnabled: true,
      alarmActions: [topicArn],
      okActions: [topicArn],
    });

    this.healthCheckId = check.id;
    this.alarmArn = alarm.arn;
    this.alarmName = alarmName;
    this.alarmTopicArn = topicArn;
  }
}
