import { Construct } from 'constructs';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { alarmMetricArgs, type MetricCatalog, type MetricDefinition } from './metric-catalog';
import { resourceName } from '../core/naming';

/**
 * How an alarm reads a period without datapoints:
 * - `notBreaching`: the metric is only published when something happens (5xx counts, latency
 *   without traffic, restarts), so silence means "nothing bad".
 * - `breaching`: the metric is published continuously while the resource exists (target health,
 *   RDS), so silence means the resource or its monitoring is gone: page.
 * - `missing`: neither can be told apart from the data; keep the current state.
 */
export type TreatMissingData = 'notBreaching' | 'breaching' | 'missing' | 'ignore';

export interface ServiceAlarmsProps {
  /** `<project>-<env>`, prefix of every alarm name. */
  readonly namePrefix: string;
  /** The metric catalog the dashboard uses too (`metricCatalog(...)`). RDS alarms exist iff `catalog.rds`. */
  readonly catalog: MetricCatalog;
  /** SNS topic (same region) for both ALARM and OK notifications. */
  readonly alarmTopicArn: string;
  /** Load balancer 5xx responses (its own errors: no healthy target, timeouts) per 5 minutes above which to page. Default: 10. */
  readonly alb5xxThreshold?: number;
  /** 5xx responses returned by the API (through the ingress controller) per 5 minutes above which to page. Default: `alb5xxThreshold`. */
  readonly target5xxThreshold?: number;
  /** Target p99 response time in seconds above which to page. Default: 1. */
  readonly targetP99Seconds?: number;
  /** Unhealthy ALB targets (nodes) above which to page. Default: 0, any unhealthy target. */
  readonly unhealthyHostThreshold?: number;
  /** RDS average CPU percent above which to page. Default: 80. */
  readonly rdsCpuPercent?: number;
  /** RDS free storage in bytes below which to page. Default: 5 GiB (5368709120). */
  readonly rdsFreeStorageBytes?: number;
  /** RDS freeable memory in bytes below which to page. Default: 256 MiB (268435456). */
  readonly rdsFreeMemoryBytes?: number;
  /** RDS connections above which to page (keep below the instance's `max_connections`). Default: 80. */
  readonly rdsMaxConnections?: number;
  /** API container restarts per 5 minutes at or above which to page. Default: 3. */
  readonly podRestartThreshold?: number;
  /** Average node CPU percent above which to page. Default: 80. */
  readonly nodeCpuPercent?: number;
  /**
   * Periods (5 minutes each) an alarm looks at, and how many of them must breach: "M of N"
   * smooths single spikes without hiding a sustained problem. Restarts ignore this (1 of 1,
   * every restart burst counts). Default: 3.
   */
  readonly evaluationPeriods?: number;
  /** Breaching datapoints among `evaluationPeriods` that raise the alarm. Default: 2. */
  readonly datapointsToAlarm?: number;
}

interface AlarmSpec {
  readonly key: string;
  readonly metric: MetricDefinition;
  readonly comparison:
    'GreaterThanThreshold' | 'GreaterThanOrEqualToThreshold' | 'LessThanThreshold';
  readonly threshold: number;
  readonly treatMissingData: TreatMissingData;
  readonly description: string;
  readonly evaluationPeriods?: number;
  readonly datapointsToAlarm?: number;
}

/** One public record per alarm, for dashboards, outputs and docs. */
export interface ServiceAlarm {
  /** Short key, e.g. `alb-5xx`. */
  readonly key: string;
  readonly name: string;
  readonly arn: string;
  /** Catalog id of the metric it watches. */
  readonly metricId: string;
}

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

/**
 * CloudWatch alarms for the service, each watching one catalog metric with a threshold from the
 * environment config, notifying the alarm topic on ALARM and again on OK.
 */
export class ServiceAlarms extends Construct {
  public readonly alarms: ServiceAlarm[];
  public readonly alarmArns: string[];
  public readonly alarmNames: string[];

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    const { catalog } = props;
    const alb5xx = props.alb5xxThreshold ?? 10;
    const specs: AlarmSpec[] = [
      {
        key: 'alb-5xx',
        metric: catalog.alb.elb5xx,
        comparison: 'GreaterThanThreshold',
        threshold: alb5xx,
        treatMissingData: 'notBreaching',
        description:
          'The load balancer itself answers 5xx: no healthy target, or targets time out.',
      },
      {
        key: 'target-5xx',
        metric: catalog.alb.target5xx,
        comparison: 'GreaterThanThreshold',
        threshold: props.target5xxThreshold ?? alb5xx,
        treatMissingData: 'notBreaching',
        description: 'The API (through the ingress controller) answers 5xx.',
      },
      {
        key: 'target-p99',
        metric: catalog.alb.targetP99,
        comparison: 'GreaterThanThreshold',
        threshold: props.targetP99Seconds ?? 1,
        treatMissingData: 'notBreaching',
        description: 'The slowest 1% of requests take longer than the latency objective.',
      },
      {
        key: 'unhealthy-targets',
        metric: catalog.alb.unhealthyHosts,
        comparison: 'GreaterThanThreshold',
        threshold: props.unhealthyHostThreshold ?? 0,
        // Published every minute while the target group is attached: silence is an outage.
        treatMissingData: 'breaching',
        description:
          'ALB targets (nodes running the ingress controller) fail the NGINX health check.',
      },
      {
        key: 'pod-restarts',
        metric: catalog.containers.podRestarts,
        comparison: 'GreaterThanOrEqualToThreshold',
        threshold: props.podRestartThreshold ?? 3,
        treatMissingData: 'notBreaching',
        description: 'API containers restart (crash, OOM kill or failed liveness probe).',
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
      },
      {
        key: 'node-cpu',
        metric: catalog.containers.nodeCpu,
        comparison: 'GreaterThanThreshold',
        threshold: props.nodeCpuPercent ?? 80,
        // Silence means the agent is down, which says nothing about CPU: keep the state.
        treatMissingData: 'missing',
        description: 'Cluster nodes are CPU-saturated; pods may be throttled or unschedulable.',
      },
      ...(catalog.rds
        ? ([
            {
              key: 'rds-cpu',
              metric: catalog.rds.cpu,
              comparison: 'GreaterThanThreshold',
              threshold: props.rdsCpuPercent ?? 80,
              treatMissingData: 'breaching',
              description: 'The database instance is CPU-saturated.',
            },
            {
              key: 'rds-free-storage',
              metric: catalog.rds.freeStorage,
              comparison: 'LessThanThreshold',
              threshold: props.rdsFreeStorageBytes ?? 5 * GIB,
              treatMissingData: 'breaching',
              description: 'The database is running out of storage.',
            },
            {
              key: 'rds-free-memory',
              metric: catalog.rds.freeMemory,
              comparison: 'LessThanThreshold',
              threshold: props.rdsFreeMemoryBytes ?? 256 * MIB,
              treatMissingData: 'breaching',
              description: 'The database is running out of memory and will start swapping.',
            },
            {
              key: 'rds-connections',
              metric: catalog.rds.connections,
              comparison: 'GreaterThanThreshold',
              threshold: props.rdsMaxConnections ?? 80,
              treatMissingData: 'breaching',
              description: 'The database nears its connection limit; new connections will fail.',
            },
          ] satisfies AlarmSpec[])
        : []),
    ];

    const evaluationPeriods = props.evaluationPeriods ?? 3;
    const datapointsToAlarm = props.datapointsToAlarm ?? 2;
    if (datapointsToAlarm > evaluationPeriods) {
      throw new Error(
        `datapointsToAlarm (${datapointsToAlarm}) cannot exceed evaluationPeriods (${evaluationPeriods})`,
      );
    }

    this.alarms = specs.map((spec) => {
      const name = resourceName(props.namePrefix, spec.key, 255);
      const alarm = new CloudwatchMetricAlarm(this, spec.key, {
        alarmName: name,
        alarmDescription: `${spec.description} ${spec.metric.label} ${describe(spec)}. Metric ${spec.metric.id}.`,
        ...alarmMetricArgs(spec.metric),
        comparisonOperator: spec.comparison,
        threshold: spec.threshold,
        evaluationPeriods: spec.evaluationPeriods ?? evaluationPeriods,
        datapointsToAlarm: spec.datapointsToAlarm ?? datapointsToAlarm,
        treatMissingData: spec.treatMissingData,
        actionsEnabled: true,
        alarmActions: [props.alarmTopicArn],
        okActions: [props.alarmTopicArn],
      });
      return { key: spec.key, name, arn: alarm.arn, metricId: spec.metric.id };
    });
    this.alarmArns = this.alarms.map((alarm) => alarm.arn);
    this.alarmNames = this.alarms.map((alarm) => alarm.name);
  }
}

function describe(spec: AlarmSpec): string {
  const op = {
    GreaterThanThreshold: '>',
    GreaterThanOrEqualToThreshold: '>=',
    LessThanThreshold: '<',
  }[spec.comparison];
  return `${op} ${spec.threshold} (${spec.metric.unit}, ${spec.metric.period}s)`;
}
