import { Construct } from 'constructs';
import { Fn } from 'cdktf';
import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import { dashboardMetric, type MetricCatalog, type MetricDefinition } from './metric-catalog';
import { resourceName } from '../core/naming';
import { awsAccount } from '../core/aws-account';

export interface ServiceDashboardProps {
  /** `<project>-<env>`; the dashboard is `<namePrefix>-service`. */
  readonly namePrefix: string;
  /** The same catalog the alarms use. Database widgets appear iff `catalog.rds`. */
  readonly catalog: MetricCatalog;
  /** Alarms to show in the alarm status widget. Default: none (no alarm widget). */
  readonly alarmArns?: string[];
  /** Region of the metrics. Default: the provider's region (looked up). */
  readonly region?: string;
}

/** One widget of a CloudWatch dashboard body (only the fields this module writes). */
export interface DashboardWidget {
  readonly type: 'metric' | 'alarm' | 'text';
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: Record<string, unknown>;
}

const WIDTH = 24;
const HEIGHT = 6;

/**
 * Builds the dashboard body as data, so tests can check every metric comes from the catalog.
 * Rows: traffic and errors, latency and target health, saturation, database (rds mode), external
 * health check (when present), alarms.
 */
export function dashboardBody(
  catalog: MetricCatalog,
  region: string,
  alarmArns: readonly string[] = [],
): { widgets: DashboardWidget[] } {
  const widgets: DashboardWidget[] = [];
  let y = 0;
  const row = (...cells: Omit<DashboardWidget, 'x' | 'y' | 'width' | 'height'>[]) => {
    const width = WIDTH / cells.length;
    const height = cells.every((cell) => cell.type === 'text') ? 1 : HEIGHT;
    cells.forEach((cell, index) => widgets.push({ ...cell, x: index * width, y, width, height }));
    y += height;
  };
  const heading = (markdown: string) => ({
    type: 'text' as const,
    properties: { markdown },
  });
  const graph = (
    title: string,
    metrics: MetricDefinition[],
    extra: Record<string, unknown> = {},
  ) => ({
    type: 'metric' as const,
    properties: {
      title,
      region: metrics[0]?.region ?? region,
      view: 'timeSeries',
      stacked: false,
      metrics: metrics.map(dashboardMetric),
      ...extra,
    },
  });
  const { alb, containers, rds, healthCheck } = catalog;

  row(heading('## Traffic and errors'));
  row(graph('Requests', [alb.requests]), graph('5xx responses', [alb.elb5xx, alb.target5xx]));
  row(heading('## Latency and target health'));
  row(
    graph('Target response time p99', [alb.targetP99], { yAxis: { left: { min: 0 } } }),
    graph('ALB targets', [alb.healthyHosts, alb.unhealthyHosts]),
  );
  row(heading('## Saturation'));
  row(
    graph('Node CPU and memory %', [containers.nodeCpu, containers.nodeMemory], {
      yAxis: { left: { min: 0, max: 100 } },
    }),
    graph('API pod CPU and memory %', [containers.podCpu, containers.podMemory], {
      yAxis: { left: { min: 0 } },
    }),
  );
  row(graph('API container restarts', [containers.podRestarts]));
  if (rds) {
    row(heading('## Database (RDS)'));
    row(
      graph('RDS CPU %', [rds.cpu], { yAxis: { left: { min: 0, max: 100 } } }),
      graph('RDS connections', [rds.connections]),
    );
    row(
      graph('RDS free storage', [rds.freeStorage]),
      graph('RDS freeable memory', [rds.freeMemory]),
    );
  }
  if (healthCheck) {
    row(heading('## External health check (Route 53, us-east-1)'));
    row(
      graph('Health check status', [healthCheck.status], { yAxis: { left: { min: 0, max: 1 } } }),
    );
  }
  if (alarmArns.length > 0) {
    row(heading('## Alarms'));
    row({
      type: 'alarm',
      properties: {
        title: 'Alarm status',
        alarms: [...alarmArns],
        sortBy: 'stateUpdatedTimestamp',
      },
    });
  }
  return { widgets };
}

/** The environment's CloudWatch dashboard, drawn from the metric catalog. */
export class ServiceDashboard extends Construct {
  public readonly dashboardName: string;
  public readonly dashboardArn: string;

  constructor(scope: Construct, id: string, props: ServiceDashboardProps) {
    super(scope, id);
    const region = props.region ?? awsAccount(this).region;
    const dashboard = new CloudwatchDashboard(this, 'dashboard', {
      dashboardName: resourceName(props.namePrefix, 'service', 255),
      // jsonencode rather than JSON.stringify: the body embeds references (ARN suffixes, alarm
      // ARNs), and Terraform should render them inside a JSON document it builds itself.
      dashboardBody: Fn.jsonencode(dashboardBody(props.catalog, region, props.alarmArns ?? [])),
    });
    this.dashboardName = dashboard.dashboardName;
    this.dashboardArn = dashboard.dashboardArn;
  }
}
