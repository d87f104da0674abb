import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import {
  allMetrics,
  metricCatalog,
  type MetricCatalog,
} from '../../../modules/observability/metric-catalog';
import { ServiceAlarms } from '../../../modules/observability/service-alarms';
import { dashboardBody, ServiceDashboard } from '../../../modules/observability/service-dashboard';
import { danglingReferences } from '../../helpers/reference-check';
import { onlyResource, synthConstructs } from '../../helpers/synth';
import { catalogInputs } from '../../helpers/metric-catalog-inputs';

interface Widget {
  type: string;
  properties: { metrics?: unknown[][]; alarms?: string[]; region?: string; title?: string };
}

const region = 'eu-west-1';
const alarmArns = [
  'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:hello-prod-alb-5xx',
  'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:hello-prod-target-p99',
];

/** The body as CloudWatch receives it: built, serialized to JSON and parsed back. */
function body(catalog: MetricCatalog, arns: string[] = alarmArns): { widgets: Widget[] } {
  return JSON.parse(JSON.stringify(dashboardBody(catalog, region, arns))) as { widgets: Widget[] };
}

function synth(catalog: MetricCatalog) {
  return synthConstructs((scope) => {
    const alarms = new ServiceAlarms(scope, 'alarms', {
      namePrefix: 'hello-prod',
      catalog,
      alarmTopicArn: 'arn:aws:sns:eu-west-1:111122223333:hello-prod-alarms',
    });
    new ServiceDashboard(scope, 'dashboard', {
      namePrefix: 'hello-prod',
      catalog,
      alarmArns: alarms.alarmArns,
    });
  });
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

  it.each([
    ['in-cluster', inCluster],
    ['rds with health check', prod],
  ])('%s: the body is JSON and draws only catalog metrics, all of them', (_name, catalog) => {
    const lines = metricLines(body(catalog)).map(keyOfLine);
    const known = catalogKeys(catalog);
    expect(known.size).toBeGreaterThan(5);
    expect(lines.length).toBeGreaterThanOrEqual(known.size);
    for (const line of lines) expect(known, line).toContain(line);
    // And every catalog metric is on the dashboard.
    expect(new Set(lines)).toEqual(known);
  });

  it('draws database widgets only in rds mode', () => {
    const titles = (catalog: MetricCatalog) => body(catalog).widgets.map((w) => w.properties.title);
    expect(titles(inCluster)).not.toContain('RDS CPU %');
    expect(titles(prod)).toEqual(expect.arrayContaining(['RDS CPU %', 'RDS connections']));
    const namespaces = (catalog: MetricCatalog) =>
      new Set(metricLines(body(catalog)).map((line) => line[0]));
    expect(namespaces(inCluster).has('AWS/RDS')).toBe(false);
    expect(namespaces(prod).has('AWS/RDS')).toBe(true);
  });

  it('reads the health check from us-east-1 and everything else from the stack region', () => {
    const metricWidgets = body(prod).widgets.filter((w) => w.type === 'metric');
    expect(metricWidgets.length).toBeGreaterThan(3);
    // At least one reads Route 53 (the health check), so both branches are checked.
    expect(
      metricWidgets.some((w) => w.properties.metrics?.some((line) => line[0] === 'AWS/Route53')),
    ).toBe(true);
    for (const widget of metricWidgets) {
      const inR53 = widget.properties.metrics?.some((line) => line[0] === 'AWS/Route53');
      expect(widget.properties.region).toBe(inR53 ? 'us-east-1' : region);
    }
  });

  it('shows the alarms it is given, and no alarm widget without them', () => {
    const alarmWidgets = body(prod).widgets.filter((w) => w.type === 'alarm');
    expect(alarmWidgets).toHaveLength(1);
    expect(alarmWidgets[0]?.properties.alarms).toEqual(alarmArns);
    expect(body(prod, []).widgets.some((w) => w.type === 'alarm')).toBe(false);
  });

  it('lays widgets out on the 24-column grid without overlaps', () => {
    const cells = new Set<string>();
    const widgets = body(prod).widgets as unknown as {
      x: number;
      y: number;
      width: number;
      height: number;
    }[];
    expect(widgets.length).toBeGreaterThan(3);
    for (const w of widgets) {
      expect(w.x + w.width).toBeLessThanOrEqual(24);
      for (let x = w.x; x < w.x + w.width; x++)
        for (let y = w.y; y < w.y + w.height; y++) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
    }
  });

  it('synthesizes one dashboard per environment whose body Terraform JSON-encodes', () => {
    const { synthesized, json } = synth(prod);
    expect(synthesized).toHaveResourceWithProperties(CloudwatchDashboard, {
      dashboard_name: 'hello-prod-service',
    });
    const text = onlyResource(json, 'aws_cloudwatch_dashboard').dashboard_body as string;
    expect(text.startsWith('${jsonencode({"widgets" = [')).toBe(true);
    // The alarm widget references the real alarms; the region comes from the provider.
    expect(text.match(/aws_cloudwatch_metric_alarm\.[^.]+\.arn/g)).toHaveLength(10);
    expect(text).toContain('"region" = data.aws_region.');
    expect(text).toContain('"region" = "us-east-1"');
  });

  it('leaves no reference that Terraform could not resolve', async () => {
    expect(await danglingReferences(synth(prod).json)).toEqual([]);
  });
});
