import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { ManagedPrometheus } from '../../../modules/observability/managed-prometheus';
import { metricCatalog } from '../../../modules/observability/metric-catalog';
import { Route53HealthCheck } from '../../../modules/observability/route53-health-check';
import { ServiceAlarms } from '../../../modules/observability/service-alarms';
import { synthContext } from '../../helpers/synth';
import { evaluate, fakeStack } from '../../../policy/engine';
import type { PolicyRule, StackContext } from '../../../policy/types';
import { observabilityRules } from '../../../policy/rules/observability';

const rule = (id: string): PolicyRule => {
  const found = observabilityRules.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no rule ${id}`);
  return found;
};
const results = (id: string, stack: StackContext) => evaluate([rule(id)], stack);
const topic = '${aws_sns_topic.alarms.arn}';
const alarm = (config: Record<string, unknown>) =>
  fakeStack({ aws_cloudwatch_metric_alarm: { a: { alarm_name: 'x', ...config } } });

const catalog = metricCatalog({
  albArnSuffix: 'app/hello/1',
  targetGroupArnSuffix: 'targetgroup/hello/2',
  clusterName: 'hello-prod',
  appNamespace: 'hello',
  appWorkloadName: 'hello-api',
  rdsInstanceId: 'hello-prod-db',
});

describe('observability policy rules', () => {
  it('HP_CW_1 fails alarms without ALARM or OK actions, or with actions disabled', () => {
    expect(results('HP_CW_1', alarm({}))[0]).toMatchObject({
      status: 'fail',
      message: 'no alarm_actions and no ok_actions',
    });
    expect(results('HP_CW_1', alarm({ alarm_actions: [topic] }))[0]).toMatchObject({
      status: 'fail',
      message: 'no ok_actions',
    });
    expect(results('HP_CW_1', alarm({ alarm_actions: [], ok_actions: [topic] }))[0]?.status).toBe(
      'fail',
    );
    expect(
      results(
        'HP_CW_1',
        alarm({ alarm_actions: [topic], ok_actions: [topic], actions_enabled: false }),
      )[0],
    ).toMatchObject({ status: 'fail', message: 'actions_enabled is false' });
    expect(
      results('HP_CW_1', alarm({ alarm_actions: [topic], ok_actions: [topic] }))[0]?.status,
    ).toBe('pass');
  });

  it('HP_AMP_1 fails a workspace without a customer-managed key and passes one with it', () => {
    const workspace = (config: Record<string, unknown>) =>
      fakeStack({ aws_prometheus_workspace: { w: { alias: 'hello', ...config } } });
    expect(results('HP_AMP_1', workspace({}))[0]).toMatchObject({ status: 'fail' });
    expect(results('HP_AMP_1', workspace({ kms_key_arn: '${aws_kms_key.k.arn}' }))[0]?.status).toBe(
      'pass',
    );
  });

  it('passes on the alarms, health check and Prometheus modules', () => {
    const stack = synthContext((scope) => {
      const useast1 = new AwsProvider(scope, 'use1', { region: 'us-east-1', alias: 'use1' });
      new ServiceAlarms(scope, 'alarms', {
        namePrefix: 'hello-prod',
        catalog,
        alarmTopicArn: 'arn:aws:sns:eu-west-1:111122223333:hello-prod-alarms',
      });
      new Route53HealthCheck(scope, 'health', {
        namePrefix: 'hello-prod',
        appHost: 'hello.example.com',
        provider: useast1,
        alarmEmails: ['oncall@example.com'],
      });
      new ManagedPrometheus(scope, 'amp', {
        namePrefix: 'hello-prod',
        clusterArn: 'arn:aws:eks:eu-west-1:111122223333:cluster/hello-prod',
        clusterName: 'hello-prod',
        subnetIds: ['subnet-a', 'subnet-b'],
        securityGroupIds: ['sg-1'],
        alarmTopicArn: 'arn:aws:sns:eu-west-1:111122223333:hello-prod-alarms',
        appNamespace: 'hello',
        appName: 'hello-api',
      });
    }, 'prod');
    const all = evaluate(observabilityRules, stack);
    // 10 service alarms + the health-check alarm + the workspace.
    expect(all.filter((r) => r.ruleId === 'HP_CW_1')).toHaveLength(11);
    expect(all.filter((r) => r.ruleId === 'HP_AMP_1')).toHaveLength(1);
    expect(all.filter((r) => r.status !== 'pass')).toEqual([]);
  });
});
