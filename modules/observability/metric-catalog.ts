/**
 * The one list of CloudWatch metrics this project alarms on and draws. Alarms
 * (`service-alarms.ts`, `route53-health-check.ts`) and the dashboard (`service-dashboard.ts`) read
 * their namespace, name, dimensions, statistic and period from here, so a graph always shows
 * exactly what its alarm evaluates. Pure: no constructs, no resources.
 */

/** CloudWatch's simple statistics. Percentiles go in `extendedStatistic` instead. */
export type SimpleStatistic = 'Average' | 'Sum' | 'Minimum' | 'Maximum' | 'SampleCount';

/** One CloudWatch metric, fully qualified. */
export interface MetricDefinition {
  /** Stable id, `<group>.<metric>` (e.g. `alb.elb5xx`); alarms and tests refer to it. */
  readonly id: string;
  readonly namespace: string;
  readonly metricName: string;
  /** Dimension name → value. Order is kept for the dashboard's metric arrays. */
  readonly dimensions: Readonly<Record<string, string>>;
  /** Exactly one of `statistic` and `extendedStatistic` is set. */
  readonly statistic?: SimpleStatistic;
  /** Percentile statistic such as `p99`. */
  readonly extendedStatistic?: string;
  /** Seconds per datapoint. */
  readonly period: number;
  /** CloudWatch unit of the datapoints. */
  readonly unit: string;
  /** Human label for graphs and alarm descriptions. */
  readonly label: string;
  /**
   * Region the metric lives in when it is not the stack's region. Only Route 53 health-check
   * metrics need this: they exist in us-east-1 only.
   */
  readonly region?: string;
}

/** What the catalog needs to name concrete metrics. Plain strings (or Terraform tokens). */
export interface MetricCatalogInputs {
  /** ALB `arn_suffix` (`app/<name>/<id>`), the `LoadBalancer` dimension. */
  readonly albArnSuffix: string;
  /** Target group `arn_suffix` (`targetgroup/<name>/<id>`), the `TargetGroup` dimension. */
  readonly targetGroupArnSuffix: string;
  /** EKS cluster name, the Container Insights `ClusterName` dimension. */
  readonly clusterName: string;
  /** Kubernetes namespace of the API, the Container Insights `Namespace` dimension. */
  readonly appNamespace: string;
  /**
   * Workload (Deployment) name of the API. Container Insights' `PodName` dimension carries the
   * owner's name, not the generated pod name, so this groups every replica.
   */
  readonly appWorkloadName: string;
  /** RDS instance identifier; set only in `rds` database mode. Default: no RDS metrics. */
  readonly rdsInstanceId?: string;
  /** Route 53 health check id. Default: no health-check metric. */
  readonly healthCheckId?: string;
}

/** The catalog, grouped by where the metrics come from. */
export interface MetricCatalog {
  readonly alb: {
    readonly requests: MetricDefinition;
    readonly elb5xx: MetricDefinition;
    readonly target5xx: MetricDefinition;
    readonly targetP99: MetricDefinition;
    readonly unhealthyHosts: MetricDefinition;
    readonly healthyHosts: MetricDefinition;
  };
  readonly containers: {
    readonly podRestarts: MetricDefinition;
    readonly podCpu: MetricDefinition;
    readonly podMemory: MetricDefinition;
    readonly nodeCpu: MetricDefinition;
    readonly nodeMemory: MetricDefinition;
  };
  /** Present only in `rds` database mode. */
  readonly rds?: {
    readonly cpu: MetricDefinition;
    readonly freeStorage: MetricDefinition;
    readonly freeMemory: MetricDefinition;
    readonly connections: MetricDefinition;
  };
  /** Present only when a health check id was given. */
  readonly healthCheck?: {
    readonly status: MetricDefinition;
  };
}

/** Five minutes: matches the "count per 5 minutes" thresholds and ALB/RDS basic monitoring. */
export const DEFAULT_PERIOD_SECONDS = 300;

/** Route 53 publishes health-check metrics only in this region. */
export const ROUTE53_METRICS_REGION = 'us-east-1';

/** The Route 53 health-check status metric (1 healthy, 0 unhealthy), in us-east-1. */
export function route53HealthCheckMetric(healthCheckId: string): MetricDefinition {
  return {
    id: 'healthCheck.status',
    namespace: 'AWS/Route53',
    metricName: 'HealthCheckStatus',
    dimensions: { HealthCheckId: healthCheckId },
    // Minimum: one failing minute must show, not be averaged away.
    statistic: 'Minimum',
    period: 60,
    unit: 'None',
    label: 'Route 53 health check status (1 = healthy)',
    region: ROUTE53_METRICS_REGION,
  };
}

/** What varies between the metrics of one source; the source fills in namespace, id and period. */
type MetricFields = Omit<MetricDefinition, 'id' | 'namespace' | 'period' | 'region'>;

export function metricCatalog(inputs: MetricCatalogInputs): MetricCatalog {
  const period = DEFAULT_PERIOD_SECONDS;
  const lb = { LoadBalancer: inputs.albArnSuffix };
  const tg = { LoadBalancer: inputs.albArnSuffix, TargetGroup: inputs.targetGroupArnSuffix };
  const cluster = { ClusterName: inputs.clusterName };
  const app = {
    ClusterName: inputs.clusterName,
    Namespace: inputs.appNamespace,
    PodName: inputs.appWorkloadName,
  };
  const source =
    (group: string, namespace: string) =>
    (id: string, fields: MetricFields): MetricDefinition => ({
      id: `${group}.${id}`,
      namespace,
      period,
      ...fields,
    });
  const alb = source('alb', 'AWS/ApplicationELB');
  const containers = source('containers', 'ContainerInsights');
  const rds = source('rds', 'AWS/RDS');
  const db =
    inputs.rdsInstanceId === undefined ? undefined : { DBInstanceIdentifier: inputs.rdsInstanceId };

  return {
    alb: {
      requests: alb('requests', {
        metricName: 'RequestCount',
        dimensions: lb,
        statistic: 'Sum',
        unit: 'Count',
        label: 'Requests',
      }),
      elb5xx: alb('elb5xx', {
        metricName: 'HTTPCode_ELB_5XX_Count',
        dimensions: lb,
        statistic: 'Sum',
        unit: 'Count',
        label: 'Load balancer 5xx',
      }),
      target5xx: alb('target5xx', {
        metricName: 'HTTPCode_Target_5XX_Count',
        dimensions: tg,
        statistic: 'Sum',
        unit: 'Count',
        label: 'Target 5xx',
      }),
      targetP99: alb('targetP99', {
        metricName: 'TargetResponseTime',
        dimensions: tg,
        extendedStatistic: 'p99',
        unit: 'Seconds',
        label: 'Target response time p99',
      }),
      // Maximum: a host that was unhealthy for part of the period still counts.
      unhealthyHosts: alb('unhealthyHosts', {
        metricName: 'UnHealthyHostCount',
        dimensions: tg,
        statistic: 'Maximum',
        unit: 'Count',
        label: 'Unhealthy targets',
      }),
      healthyHosts: alb('healthyHosts', {
        metricName: 'HealthyHostCount',
        dimensions: tg,
        statistic: 'Minimum',
        unit: 'Count',
        label: 'Healthy targets',
      }),
    },
    containers: {
      // The agent reports restarts since its previous sample, so Sum is "restarts per period".
      podRestarts: containers('podRestarts', {
        metricName: 'pod_number_of_container_restarts',
        dimensions: app,
        statistic: 'Sum',
        unit: 'Count',
        label: 'API container restarts',
      }),
      podCpu: containers('podCpu', {
        metricName: 'pod_cpu_utilization',
        dimensions: app,
        statistic: 'Average',
        unit: 'Percent',
        label: 'API pod CPU %',
      }),
      podMemory: containers('podMemory', {
        metricName: 'pod_memory_utilization',
        dimensions: app,
        statistic: 'Average',
        unit: 'Percent',
        label: 'API pod memory %',
      }),
      nodeCpu: containers('nodeCpu', {
        metricName: 'node_cpu_utilization',
        dimensions: cluster,
        statistic: 'Average',
        unit: 'Percent',
        label: 'Node CPU %',
      }),
      nodeMemory: containers('nodeMemory', {
        metricName: 'node_memory_utilization',
        dimensions: cluster,
        statistic: 'Average',
        unit: 'Percent',
        label: 'Node memory %',
      }),
    },
    rds: db && {
      cpu: rds('cpu', {
        metricName: 'CPUUtilization',
        dimensions: db,
        statistic: 'Average',
        unit: 'Percent',
        label: 'RDS CPU %',
      }),
      // Minimum for the "running out" metrics: the low point matters, not the mean.
      freeStorage: rds('freeStorage', {
        metricName: 'FreeStorageSpace',
        dimensions: db,
        statistic: 'Minimum',
        unit: 'Bytes',
        label: 'RDS free storage',
      }),
      freeMemory: rds('freeMemory', {
        metricName: 'FreeableMemory',
        dimensions: db,
        statistic: 'Minimum',
        unit: 'Bytes',
        label: 'RDS freeable memory',
      }),
      connections: rds('connections', {
        metricName: 'DatabaseConnections',
        dimensions: db,
        statistic: 'Maximum',
        unit: 'Count',
        label: 'RDS connections',
      }),
    },
    healthCheck:
      inputs.healthCheckId === undefined
        ? undefined
        : { status: route53HealthCheckMetric(inputs.healthCheckId) },
  };
}

/** Every metric in the catalog, in a stable order. */
export function allMetrics(catalog: MetricCatalog): MetricDefinition[] {
  return [
    ...Object.values(catalog.alb),
    ...Object.values(catalog.containers),
    ...(catalog.rds ? Object.values(catalog.rds) : []),
    ...(catalog.healthCheck ? Object.values(catalog.healthCheck) : []),
  ];
}

/** The statistic string the dashboard uses (`Sum`, `p99`, ...). */
export function statOf(metric: MetricDefinition): string {
  const stat = metric.extendedStatistic ?? metric.statistic;
  if (stat === undefined) throw new Error(`metric ${metric.id} has no statistic`);
  return stat;
}

/** Arguments of `aws_cloudwatch_metric_alarm` that identify the metric (camelCase for cdktf). */
export interface AlarmMetricArgs {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
  readonly statistic?: string;
  readonly extendedStatistic?: string;
  readonly period: number;
}

/**
 * The alarm's metric arguments. No `unit`: CloudWatch then matches whatever unit the service
 * publishes, whereas a unit that differs from the published one silently leaves an alarm
 * without data.
 */
export function alarmMetricArgs(metric: MetricDefinition): AlarmMetricArgs {
  return {
    namespace: metric.namespace,
    metricName: metric.metricName,
    dimensions: { ...metric.dimensions },
    ...(metric.extendedStatistic
      ? { extendedStatistic: metric.extendedStatistic }
      : { statistic: statOf(metric) }),
    period: metric.period,
  };
}

/** Render options of one dashboard metric line. */
export interface DashboardMetricOptions {
  readonly stat: string;
  readonly period: number;
  readonly label: string;
  readonly region?: string;
}

/**
 * A metric line for a dashboard `metric` widget:
 * `[namespace, name, dim1, value1, ..., { stat, period, label, region? }]`.
 */
export function dashboardMetric(
  metric: MetricDefinition,
): [string, string, ...(string | DashboardMetricOptions)[]] {
  const dimensions = Object.entries(metric.dimensions).flat();
  const options: DashboardMetricOptions = {
    stat: statOf(metric),
    period: metric.period,
    label: metric.label,
    ...(metric.region ? { region: metric.region } : {}),
  };
  return [metric.namespace, metric.metricName, ...dimensions, options];
}
