import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import {
  allMetrics,
  metricCatalog,
  type MetricCatalog,
} from '../../../modules/observability/metric-catalog';
import {
  ServiceAlarms,
  type ServiceAlarmsProps,
} from '../../../modules/observability/service-alarms';
import { resourcesOf, synthConstructs } from '../../helpers/synth';
import { catalogInputs } from '../../helpers/metric-catalog-inputs';

const topic = 'arn:aws:sns:eu-west-1:111122223333:hello-prod-alarms';
const inCluster = metricCatalog(catalogInputs);
const withRds = metricCatalog({ ...catalogInputs, rdsInstanceId: 'hello-prod-db' });

function synth(props: Partial<ServiceAlarmsProps> & { catalog: MetricCatalog }) {
  let alarms: ServiceAlarms | undefined;
  const result = synthConstructs((scope) => {
    alarms = new ServiceAlarms(scope, 'alarms', {
      namePrefix: 'hello-prod',
      alarmTopicArn: topic,
      ...props,
    });
  });
  if (!alarms) throw new Error('not built');
  const byName = Object.fromEntries(
    Object.values(resourcesOf(result.json, 'aws_cloudwatch_metric_alarm')).map((a) => [
      a.alarm_name as string,
      a,
    ]),
  );
  return { ...result, alarms, byName };
}

describe('ServiceAlarms', () => {
  it('in-cluster (dev-like): ALB and Container Insights alarms, no RDS alarms', () => {
    const { byName, alarms } = synth({ catalog: inCluster });
    expect(Object.keys(byName).sort()).toEqual(
      [
        'hello-prod-alb-5xx',
        'hello-prod-node-cpu',
        'hello-prod-pod-restarts',
        'hello-prod-target-5xx',
        'hello-prod-target-p99',
        'hello-prod-unhealthy-targets',
      ].sort(),
    );
    expect(alarms.alarmArns).toHaveLength(6);
  });

  it('rds (prod-like): adds CPU, storage, memory and connection alarms on the instance', () => {
    const { byName } = synth({
      catalog: withRds,
      rdsFreeStorageBytes: 5e9,
      rdsMaxConnections: 150,
    });
    expect(Object.keys(byName)).toHaveLength(10);
    expect(byName['hello-prod-rds-free-storage']).toMatchObject({
      namespace: 'AWS/RDS',
      metric_name: 'FreeStorageSpace',
      dimensions: { DBInstanceIdentifier: 'hello-prod-db' },
      statistic: 'Minimum',
      comparison_operator: 'LessThanThreshold',
      threshold: 5e9,
      treat_missing_data: 'breaching',
    });
    expect(byName['hello-prod-rds-connections']).toMatchObject({ threshold: 150 });
    expect(byName['hello-prod-rds-free-memory']).toMatchObject({ threshold: 256 * 1024 ** 2 });
  });

  it('sends every alarm to the topic on ALARM and on OK', () => {
    const { byName } = synth({ catalog: withRds });
    // 6 ALB / Container Insights alarms and 4 RDS ones.
    expect(Object.values(byName)).toHaveLength(10);
    for (const alarm of Object.values(byName)) {
      expect(alarm.alarm_actions).toEqual([topic]);
      expect(alarm.ok_actions).toEqual([topic]);
      expect(alarm.actions_enabled).toBe(true);
    }
  });

  it('watches exactly the catalog metric it names', () => {
    const { alarms, byName } = synth({ catalog: withRds });
    const catalogById = new Map(allMetrics(withRds).map((m) => [m.id, m]));
    expect(alarms.alarms).toHaveLength(10);
    expect(Object.keys(byName)).toHaveLength(10);
    for (const alarm of alarms.alarms) {
      const metric = catalogById.get(alarm.metricId);
      expect(metric, alarm.metricId).toBeDefined();
      const resource = byName[alarm.name];
      expect(resource).toMatchObject({
        namespace: metric?.namespace,
        metric_name: metric?.metricName,
        dimensions: metric?.dimensions,
        period: metric?.period,
      });
      expect(resource?.extended_statistic ?? resource?.statistic).toBe(
        metric?.extendedStatistic ?? metric?.statistic,
      );
    }
  });

  it('takes thresholds from props and documents defaults', () => {
    const defaults = synth({ catalog: inCluster }).byName;
    expect(defaults['hello-prod-alb-5xx']).toMatchObject({ threshold: 10 });
    expect(defaults['hello-prod-target-5xx']).toMatchObject({ threshold: 10 });
    expect(defaults['hello-prod-target-p99']).toMatchObject({
      threshold: 1,
      extended_statistic: 'p99',
    });
    const tuned = synth({
      catalog: inCluster,
      alb5xxThreshold: 25,
      targetP99Seconds: 0.5,
      podRestartThreshold: 1,
      nodeCpuPercent: 90,
    }).synthesized;
    expect(tuned).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      alarm_name: 'hello-prod-alb-5xx',
      threshold: 25,
    });
    expect(tuned).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      alarm_name: 'hello-prod-target-5xx',
      threshold: 25,
    });
    expect(tuned).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      alarm_name: 'hello-prod-target-p99',
      threshold: 0.5,
    });
    expect(tuned).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      alarm_name: 'hello-prod-node-cpu',
      threshold: 90,
    });
  });

  it('chooses missing-data handling per metric', () => {
    const { byName } = synth({ catalog: withRds });
    const treat = (name: string) => byName[`hello-prod-${name}`]?.treat_missing_data;
    expect(treat('alb-5xx')).toBe('notBreaching');
    expect(treat('target-p99')).toBe('notBreaching');
    expect(treat('pod-restarts')).toBe('notBreaching');
    expect(treat('unhealthy-targets')).toBe('breaching');
    expect(treat('rds-cpu')).toBe('breaching');
    expect(treat('node-cpu')).toBe('missing');
  });

  it('evaluates M of N periods, restarts 1 of 1', () => {
    const { byName } = synth({ catalog: inCluster, evaluationPeriods: 5, datapointsToAlarm: 3 });
    expect(byName['hello-prod-alb-5xx']).toMatchObject({
      evaluation_periods: 5,
      datapoints_to_alarm: 3,
    });
    expect(byName['hello-prod-pod-restarts']).toMatchObject({
      evaluation_periods: 1,
      datapoints_to_alarm: 1,
      comparison_operator: 'GreaterThanOrEqualToThreshold',
      threshold: 3,
    });
    expect(() => synth({ catalog: inCluster, evaluationPeriods: 2, datapointsToAlarm: 3 })).toThrow(
      /cannot exceed/,
    );
  });
});
