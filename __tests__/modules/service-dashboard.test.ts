import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import {
  allMetrics,
  metricCatalog,
  type MetricCatalog,
  type MetricCatalogInputs,
} from '../../modules/metric-catalog';
import { ServiceAlarms } from '../../modules/service-alarms';
import { ServiceDashboard } from '../../modules/service-dashboard';
import { onlyResource, synthConstructs } from '../helpers/synth';

const catalogInputs: MetricCatalogInputs = {
  albArnSuffix: 'app/hello-prod/0123456789abcdef',
  targetGroupArnSuffix: 'targetgroup/hello-prod-ingress/fedcba9876543210',
  clusterName: 'hello-prod',
  appNamespace: 'hello',
  appWorkloadName: 'hello-api',
};

interface Widget {
  type: string;
  properties: { metrics?: unknown[][]; alarms?: string[]; region?: string; title?: string };
}

function synth(catalog: MetricCatalog, withAlarms = true) {
  const { json, synthesized } = synthConstructs((scope) => {
    const alarms = withAlarms
      ? new ServiceAlarms(scope, 'alarms', {
          namePrefix: 'hello-prod',
          catalog,
          alarmTopicArn: 'arn:aws:sns:eu-west-1:111122223333:hello-prod-alarms',
        })
      : undefined;
    new ServiceDashboard(scope, 'dashboard', {
      namePrefix: 'hello-prod',
      catalog,
      alarmArns: alarms?.alarmArns,
      region: 'eu-west-1',
    });
  });
  const dashboard = onlyResource(json, 'aws_cloudwatch_dashboard');
  const body = JSON.parse(dashboard.dashboard_body as string) as { widgets: Widget[] };
  return { synthesized, body };
}

/** `namespace|name|dim=value,...|stat` for a catalog metric or a dashboard metric line. */
function keyOfLine(line: unknown[]): string {
  const [namespace, name, ...rest] = line;
  const options = rest.at(-1) as { stat: string };
  const dims = rest.slice(0, -1) as string[];
  const pairs: string[] = [];
  for (let i = 0; i < dims.length; i += 2) pairs.push(`${dims[i]}=${dims[i + 1]}`);
  return `${String(namespace)}|${String(name)}|${pairs.join(',')}|${options.stat}`;
}

function catalogKeys(catalog: MetricCatalog): Set<string> {
  return new Set(
    allMetrics(catalog).map(
      (m) =>
        `${m.namespace}|${m.metricName}|${Object.entries(m.dimensions)
          .map(([k, v]) => `${k}=${v}`)
          .join(',')}|${m.extendedStatistic ?? m.statistic}`,
    ),
  );
}

function metricLines(body: { widgets: Widget[] }): unknown[][] {
  return body.widgets.flatMap((w) => w.properties.metrics ?? []);
}

describe('ServiceDashboard', () => {
  const inCluster = metricCatalog(catalogInputs);
  const prod = metricCatalog({
    ...catalogInputs,
    rdsInstanceId: 'hello-prod-db',
    healthCheckId: 'hc-1',
  });

  it('names the dashboard per environment', () => {
    expect(synth(inCluster).synthesized).toHaveResourceWithProperties(CloudwatchDashboard, {
      dashboard_name: 'hello-prod-service',
    });
  });

  it.each([
    ['in-cluster', inCluster],
    ['rds with health check', prod],
  ])('%s: the body parses and draws only catalog metrics, all of them', (_name, catalog) => {
    const { body } = synth(catalog);
    const lines = metricLines(body).map(keyOfLine);
    const known = catalogKeys(catalog);
    for (const line of lines) expect(known, line).toContain(line);
    // And every catalog metric is on the dashboard.
    expect(new Set(lines)).toEqual(known);
  });

  it('draws database widgets only in rds mode', () => {
    const titles = (catalog: MetricCatalog) =>
      synth(catalog).body.widgets.map((w) => w.properties.title);
    expect(titles(inCluster)).not.toContain('RDS CPU %');
    expect(titles(prod)).toEqual(expect.arrayContaining(['RDS CPU %', 'RDS connections']));
    const namespaces = (catalog: MetricCatalog) =>
      new Set(metricLines(synth(catalog).body).map((line) => line[0]));
    expect(namespaces(inCluster).has('AWS/RDS')).toBe(false);
    expect(namespaces(prod).has('AWS/RDS')).toBe(true);
  });

  it('reads the health check from us-east-1 and everything else from the stack region', () => {
    const { body } = synth(prod);
    for (const widget of body.widgets.filter((w) => w.type === 'metric')) {
      const inR53 = widget.properties.metrics?.some((line) => line[0] === 'AWS/Route53');
      expect(widget.properties.region).toBe(inR53 ? 'us-east-1' : 'eu-west-1');
    }
  });

  it('shows the alarms it is given, and no alarm widget without them', () => {
    const withAlarms = synth(prod).body.widgets.filter((w) => w.type === 'alarm');
    expect(withAlarms).toHaveLength(1);
    expect(withAlarms[0]?.properties.alarms).toHaveLength(10);
    for (const arn of withAlarms[0]?.properties.alarms ?? []) {
      expect(arn).toMatch(/^\$\{aws_cloudwatch_metric_alarm\..+\.arn\}$/);
    }
    expect(synth(prod, false).body.widgets.some((w) => w.type === 'alarm')).toBe(false);
  });

  it('lays widgets out on the 24-column grid without overlaps', () => {
    const { body } = synth(prod);
    const cells = new Set<string>();
    for (const w of body.widgets as unknown as {
      x: number;
      y: number;
      width: number;
      height: number;
    }[]) {
      expect(w.x + w.width).toBeLessThanOrEqual(24);
      for (let x = w.x; x < w.x + w.width; x++)
        for (let y = w.y; y < w.y + w.height; y++) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
    }
  });
});
