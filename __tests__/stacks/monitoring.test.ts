import { synthPlatform } from '../helpers/app-synth';

const platform = synthPlatform();
type Resource = Record<string, unknown>;
const all = (stackName: string, type: string) =>
  Object.values(
    (platform.stack(stackName).json.resource?.[type] ?? {}) as Record<string, Resource>,
  );

describe.each(['dev', 'prod'])('%s-infra monitoring', (env) => {
  const stack = `${env}-infra`;

  it('sends every alarm, including the us-east-1 health-check alarm, to an encrypted topic in its region', () => {
    const topics = all(stack, 'aws_sns_topic');
    expect(topics.length).toBe(2);
    for (const topic of topics) expect(topic.kms_master_key_id).toMatch(/^\$\{aws_kms_key\./);
    const alarms = all(stack, 'aws_cloudwatch_metric_alarm');
    expect(alarms.length).toBeGreaterThanOrEqual(6);
    for (const alarm of alarms) {
      expect(alarm.alarm_actions).toEqual(alarm.ok_actions);
      const [action] = alarm.alarm_actions as string[];
      const topic = Object.entries(
        (platform.stack(stack).json.resource?.aws_sns_topic ?? {}) as Record<string, Resource>,
      ).find(([name]) => action === `\${aws_sns_topic.${name}.arn}`);
      expect(
        topic,
        `alarm ${String(alarm.alarm_name)} targets a topic of this stack`,
      ).toBeDefined();
      expect(topic![1].provider).toBe(alarm.provider);
    }
    const healthAlarm = alarms.find((alarm) => alarm.namespace === 'AWS/Route53');
    expect(healthAlarm?.provider).toBe('aws.us_east_1');
  });

  it('checks the public URL from Route 53 on /health/ready over HTTPS', () => {
    expect(all(stack, 'aws_route53_health_check')).toEqual([
      expect.objectContaining({
        fqdn: env === 'prod' ? 'hello.example.com' : 'hello-dev.example.com',
        type: 'HTTPS',
        resource_path: '/health/ready',
        port: 443,
      }),
    ]);
  });

  it('ships container logs through the CloudWatch observability add-on into pre-created, encrypted log groups', () => {
    const addon = all(stack, 'aws_eks_addon').find(
      (a) => a.addon_name === 'amazon-cloudwatch-observability',
    );
    expect(addon?.pod_identity_association).toBeDefined();
    const groups = all(stack, 'aws_cloudwatch_log_group').map((group) => group.name as string);
    for (const kind of ['application', 'dataplane', 'host', 'performance']) {
      // Named from the cluster resource, so the groups exist once the cluster does.
      expect(groups).toContainEqual(
        expect.stringMatching(
          new RegExp(`^/aws/containerinsights/\\$\\{aws_eks_cluster\\.[\\w-]+\\.name\\}/${kind}$`),
        ),
      );
    }
    expect(all(stack, 'aws_cloudwatch_query_definition').length).toBeGreaterThanOrEqual(3);
  });

  it('draws one dashboard and scrapes the API with managed Prometheus only where enabled', () => {
    expect(all(stack, 'aws_cloudwatch_dashboard')).toHaveLength(1);
    const expected = env === 'prod' ? 1 : 0;
    expect(all(stack, 'aws_prometheus_workspace')).toHaveLength(expected);
    expect(all(stack, 'aws_prometheus_scraper')).toHaveLength(expected);
    expect(all(stack, 'aws_prometheus_rule_group_namespace')).toHaveLength(expected);
  });

  it('alarms on the database only in rds mode', () => {
    const rdsAlarms = all(stack, 'aws_cloudwatch_metric_alarm').filter(
      (alarm) => alarm.namespace === 'AWS/RDS',
    );
    expect(rdsAlarms.length).toBe(env === 'prod' ? 4 : 0);
  });
});
