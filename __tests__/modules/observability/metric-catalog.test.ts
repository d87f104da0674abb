import {
  alarmMetricArgs,
  allMetrics,
  dashboardMetric,
  metricCatalog,
  route53HealthCheckMetric,
} from '../../../modules/observability/metric-catalog';
import { catalogInputs } from '../../helpers/metric-catalog-inputs';

describe('metricCatalog', () => {
  it('has only ALB and Container Insights metrics in in-cluster database mode', () => {
    const catalog = metricCatalog(catalogInputs);
    expect(catalog.rds).toBeUndefined();
    expect(catalog.healthCheck).toBeUndefined();
    const namespaces = new Set(allMetrics(catalog).map((m) => m.namespace));
    expect([...namespaces].sort()).toEqual(['AWS/ApplicationELB', 'ContainerInsights']);
  });

  it('adds RDS metrics on the instance in rds mode, and the health check when given', () => {
    const catalog = metricCatalog({
      ...catalogInputs,
      rdsInstanceId: 'hello-prod-db',
      healthCheckId: 'hc-1',
    });
    expect(catalog.rds?.freeStorage).toMatchObject({
      namespace: 'AWS/RDS',
      metricName: 'FreeStorageSpace',
      dimensions: { DBInstanceIdentifier: 'hello-prod-db' },
      statistic: 'Minimum',
      unit: 'Bytes',
    });
    expect(catalog.healthCheck?.status).toEqual(route53HealthCheckMetric('hc-1'));
    expect(catalog.healthCheck?.status.region).toBe('us-east-1');
  });

  it('gives every metric a unique id and exactly one kind of statistic', () => {
    const metrics = allMetrics(
      metricCatalog({ ...catalogInputs, rdsInstanceId: 'db', healthCheckId: 'hc' }),
    );
    expect(metrics.length).toBeGreaterThan(10);
    expect(new Set(metrics.map((m) => m.id)).size).toBe(metrics.length);
    for (const metric of metrics) {
      expect([metric.statistic, metric.extendedStatistic].filter(Boolean)).toHaveLength(1);
      expect(metric.period % 60).toBe(0);
    }
  });

  it('names ALB dimensions by arn suffix and Container Insights dimensions by workload', () => {
    const { alb, containers } = metricCatalog(catalogInputs);
    expect(alb.elb5xx.dimensions).toEqual({ LoadBalancer: catalogInputs.albArnSuffix });
    expect(alb.targetP99).toMatchObject({
      metricName: 'TargetResponseTime',
      extendedStatistic: 'p99',
      dimensions: {
        LoadBalancer: catalogInputs.albArnSuffix,
        TargetGroup: catalogInputs.targetGroupArnSuffix,
      },
    });
    expect(containers.podRestarts).toMatchObject({
      metricName: 'pod_number_of_container_restarts',
      statistic: 'Sum',
      dimensions: { ClusterName: 'hello-prod', Namespace: 'hello', PodName: 'hello-api' },
    });
    expect(containers.nodeCpu.dimensions).toEqual({ ClusterName: 'hello-prod' });
  });

  it('renders the same metric for alarms and dashboards', () => {
    const { alb } = metricCatalog(catalogInputs);
    expect(alarmMetricArgs(alb.targetP99)).toEqual({
      namespace: 'AWS/ApplicationELB',
      metricName: 'TargetResponseTime',
      dimensions: alb.targetP99.dimensions,
      extendedStatistic: 'p99',
      period: 300,
    });
    expect(alarmMetricArgs(alb.elb5xx)).not.toHaveProperty('extendedStatistic');
    expect(dashboardMetric(alb.target5xx)).toEqual([
      'AWS/ApplicationELB',
      'HTTPCode_Target_5XX_Count',
      'LoadBalancer',
      catalogInputs.albArnSuffix,
      'TargetGroup',
      catalogInputs.targetGroupArnSuffix,
      { stat: 'Sum', period: 300, label: 'Target 5xx' },
    ]);
    expect(dashboardMetric(route53HealthCheckMetric('hc')).at(-1)).toMatchObject({
      region: 'us-east-1',
    });
  });
});
