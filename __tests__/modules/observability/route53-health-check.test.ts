import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Route53HealthCheck as AwsRoute53HealthCheck } from '@cdktf/provider-aws/lib/route53-health-check';
import {
  Route53HealthCheck,
  type Route53HealthCheckProps,
} from '../../../modules/observability/route53-health-check';
import { onlyResource, resourcesOf, synthConstructs } from '../../helpers/synth';

type Props = Omit<Route53HealthCheckProps, 'provider'>;

function synth(props: Props) {
  return synthConstructs((scope) => {
    new AwsProvider(scope, 'aws', { region: 'eu-west-1' });
    const useast1 = new AwsProvider(scope, 'aws-us-east-1', {
      region: 'us-east-1',
      alias: 'us_east_1',
    });
    new Route53HealthCheck(scope, 'health', { ...props, provider: useast1 });
  });
}

const prod: Props = {
  namePrefix: 'hello-prod',
  appHost: 'hello.example.com',
  alarmEmails: ['oncall@example.com'],
  requestInterval: 10,
  regions: ['us-east-1', 'eu-west-1', 'ap-southeast-1'],
};
const dev: Props = {
  namePrefix: 'hello-dev',
  appHost: 'hello.dev.example.com',
  alarmTopicArn: 'arn:aws:sns:us-east-1:111122223333:hello-dev-alarms',
};

describe('Route53HealthCheck', () => {
  it('checks https://<host>/health/ready on 443 with SNI and latency', () => {
    const { synthesized } = synth(prod);
    expect(synthesized).toHaveResourceWithProperties(AwsRoute53HealthCheck, {
      type: 'HTTPS',
      fqdn: 'hello.example.com',
      port: 443,
      resource_path: '/health/ready',
      enable_sni: true,
      request_interval: 10,
      failure_threshold: 3,
      measure_latency: true,
      regions: ['us-east-1', 'eu-west-1', 'ap-southeast-1'],
      provider: 'aws.us_east_1',
    });
    const devCheck = onlyResource(synth(dev).json, 'aws_route53_health_check');
    expect(devCheck).toMatchObject({ request_interval: 30 });
    expect(devCheck.regions).toBeUndefined();
  });

  it('alarms in us-east-1 on HealthCheckStatus, with ALARM and OK actions', () => {
    const { json } = synth(prod);
    const alarm = onlyResource(json, 'aws_cloudwatch_metric_alarm');
    expect(alarm).toMatchObject({
      provider: 'aws.us_east_1',
      alarm_name: 'hello-prod-health-check',
      namespace: 'AWS/Route53',
      metric_name: 'HealthCheckStatus',
      statistic: 'Minimum',
      period: 60,
      comparison_operator: 'LessThanThreshold',
      threshold: 1,
      treat_missing_data: 'breaching',
      evaluation_periods: 2,
      datapoints_to_alarm: 2,
    });
    expect(alarm.dimensions).toEqual({
      HealthCheckId: expect.stringMatching(/^\$\{aws_route53_health_check\..+\.id\}$/),
    });
    expect(alarm.alarm_actions).toHaveLength(1);
    expect(alarm.ok_actions).toEqual(alarm.alarm_actions);
  });

  it('without a topic: creates an encrypted us-east-1 topic with the same subscribers', () => {
    const { json } = synth(prod);
    const topic = onlyResource(json, 'aws_sns_topic');
    expect(topic).toMatchObject({ name: 'hello-prod-health-alarms', provider: 'aws.us_east_1' });
    expect(topic.kms_master_key_id).toMatch(/aws_kms_key\./);
    expect(onlyResource(json, 'aws_kms_key').provider).toBe('aws.us_east_1');
    expect(onlyResource(json, 'aws_sns_topic_subscription')).toMatchObject({
      endpoint: 'oncall@example.com',
      provider: 'aws.us_east_1',
    });
    const alarm = onlyResource(json, 'aws_cloudwatch_metric_alarm');
    expect((alarm.alarm_actions as string[])[0]).toMatch(/^\$\{aws_sns_topic\..+\.arn\}$/);
  });

  it('with a us-east-1 topic given: uses it and creates no topic', () => {
    const { json } = synth(dev);
    expect(resourcesOf(json, 'aws_sns_topic')).toEqual({});
    expect(onlyResource(json, 'aws_cloudwatch_metric_alarm').alarm_actions).toEqual([
      dev.alarmTopicArn,
    ]);
  });

  it('rejects a URL instead of a host, bad thresholds and too few regions', () => {
    expect(() => synth({ ...dev, appHost: 'https://hello.example.com/' })).toThrow(
      /bare host name/,
    );
    expect(() => synth({ ...dev, failureThreshold: 11 })).toThrow(/1 to 10/);
    expect(() => synth({ ...dev, regions: ['us-east-1'] })).toThrow(/three/);
  });
});
