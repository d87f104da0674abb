import { parse } from 'yaml';
import { PrometheusScraper } from '@cdktf/provider-aws/lib/prometheus-scraper';
import { PrometheusWorkspace } from '@cdktf/provider-aws/lib/prometheus-workspace';
import {
  ManagedPrometheus,
  prometheusScrapeAnnotations,
  scrapeConfiguration,
  type ManagedPrometheusProps,
} from '../../../modules/observability/managed-prometheus';
import { DataAwsEksCluster } from '@cdktf/provider-aws/lib/data-aws-eks-cluster';
import { danglingReferences } from '../../helpers/reference-check';
import { onlyResource, resourcesOf, synthConstructs } from '../../helpers/synth';

const props: ManagedPrometheusProps = {
  namePrefix: 'hello-prod',
  clusterArn: 'arn:aws:eks:eu-west-1:111122223333:cluster/hello-prod',
  clusterName: 'hello-prod',
  subnetIds: ['subnet-a', 'subnet-b'],
  securityGroupIds: ['sg-cluster'],
  alarmTopicArn: 'arn:aws:sns:eu-west-1:111122223333:hello-prod-alarms',
  appNamespace: 'hello',
  appName: 'hello-api',
};

function synth(overrides: Partial<ManagedPrometheusProps> = {}) {
  return synthConstructs((scope) => {
    new ManagedPrometheus(scope, 'amp', { ...props, ...overrides });
  });
}

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
}

function rules(json: ReturnType<typeof synth>['json']): Rule[] {
  const data = onlyResource(json, 'aws_prometheus_rule_group_namespace').data as string;
  return (parse(data) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
}

describe('ManagedPrometheus', () => {
  it('creates a KMS-encrypted workspace by default, and a plain one only when asked', () => {
    const { synthesized, json } = synth();
    expect(synthesized).toHaveResourceWithProperties(PrometheusWorkspace, {
      alias: 'hello-prod',
      kms_key_arn: expect.stringMatching(/^\$\{aws_kms_key\..+\.arn\}$/),
      tags: { AMPAgentlessScraper: '' },
    });
    expect(Object.keys(resourcesOf(json, 'aws_kms_key'))).toHaveLength(1);
    const plain = synth({ kmsEncrypted: false }).json;
    expect(onlyResource(plain, 'aws_prometheus_workspace').kms_key_arn).toBeUndefined();
    expect(resourcesOf(plain, 'aws_kms_key')).toEqual({});
  });

  it('scrapes the cluster with a managed scraper into the workspace', () => {
    const { synthesized } = synth();
    expect(synthesized).toHaveResourceWithProperties(PrometheusScraper, {
      source: [
        {
          eks: [
            {
              cluster_arn: props.clusterArn,
              subnet_ids: props.subnetIds,
              security_group_ids: props.securityGroupIds,
            },
          ],
        },
      ],
      destination: [
        { amp: [{ workspace_arn: expect.stringMatching(/aws_prometheus_workspace\..+\.arn/) }] },
      ],
    });
  });

  it('keeps only annotated pods of the app namespace, on their annotated port and path', () => {
    const { json } = synth();
    const config = parse(
      onlyResource(json, 'aws_prometheus_scraper').scrape_configuration as string,
    ) as {
      global: { scrape_interval: string; external_labels: Record<string, string> };
      scrape_configs: {
        job_name: string;
        kubernetes_sd_configs: { role: string; namespaces: { names: string[] } }[];
        relabel_configs: {
          source_labels?: string[];
          action?: string;
          regex?: string;
          target_label?: string;
        }[];
      }[];
    };
    expect(config.global).toEqual({
      scrape_interval: '30s',
      external_labels: { cluster: 'hello-prod' },
    });
    const [job] = config.scrape_configs;
    expect(job?.kubernetes_sd_configs).toEqual([{ role: 'pod', namespaces: { names: ['hello'] } }]);
    const annotations = prometheusScrapeAnnotations(8000);
    expect(annotations).toEqual({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '8000',
      'prometheus.io/path': '/metrics',
    });
    expect(job?.relabel_configs[0]).toEqual({
      source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_scrape'],
      action: 'keep',
      regex: 'true',
    });
    const address = job?.relabel_configs.find((r) => r.target_label === '__address__');
    expect(new RegExp(`^${address?.regex}$`).exec('10.0.1.7:8080;8000')?.slice(1)).toEqual([
      '10.0.1.7',
      '8000',
    ]);
    expect(job?.relabel_configs.find((r) => r.target_label === 'app')?.source_labels).toEqual([
      '__meta_kubernetes_pod_label_app_kubernetes_io_name',
    ]);
    expect(scrapeConfiguration({ ...props, scrapeInterval: '60s' })).toContain(
      'scrape_interval: 60s',
    );
  });

  it('records 5xx ratio and p99 latency from the API histogram, and alerts on them', () => {
    const all = rules(synth().json);
    const byName = Object.fromEntries(all.map((r) => [r.record ?? r.alert, r]));
    const sel = 'namespace="hello",app="hello-api"';
    expect(byName['api:http_5xx_ratio:rate5m']?.expr).toBe(
      `sum by (namespace, app) (rate(http_request_duration_seconds_count{${sel},status=~"5.."}[5m])) / sum by (namespace, app) (rate(http_request_duration_seconds_count{${sel}}[5m]))`,
    );
    expect(byName['api:http_request_duration_seconds:p99_5m']?.expr).toBe(
      `histogram_quantile(0.99, sum by (namespace, app, le) (rate(http_request_duration_seconds_bucket{${sel}}[5m])))`,
    );
    expect(byName['ApiHigh5xxRatio']?.expr).toBe(`api:http_5xx_ratio:rate5m{${sel}} > 0.05`);
    expect(byName['ApiHighP99Latency']?.expr).toBe(
      `api:http_request_duration_seconds:p99_5m{${sel}} > 1`,
    );
    expect(byName['ApiReadinessFailing']?.expr).toContain('route="/health/ready",status!~"2.."');
    expect(byName['ApiScrapeTargetDown']?.expr).toBe(`up{job="kubernetes-pods",${sel}} == 0`);
    for (const alert of all.filter((r) => r.alert)) {
      expect(alert.for).toMatch(/^\d+m$/);
      expect(alert.labels?.severity).toBe('page');
    }
  });

  it('takes thresholds and the metric name from props', () => {
    const all = rules(
      synth({
        requestDurationMetric: 'api_request_seconds',
        error5xxRatio: 0.01,
        targetP99Seconds: 0.25,
      }).json,
    );
    const byName = Object.fromEntries(all.map((r) => [r.record ?? r.alert, r]));
    expect(byName['ApiHigh5xxRatio']?.expr).toMatch(/> 0\.01$/);
    expect(byName['ApiHighP99Latency']?.expr).toMatch(/> 0\.25$/);
    expect(byName['api:http_requests:rate5m']?.expr).toContain('api_request_seconds_count{');
  });

  it('routes every alert, and its resolution, to the SNS topic with SigV4 region', () => {
    const definition = onlyResource(synth().json, 'aws_prometheus_alert_manager_definition')
      .definition as string;
    const outer = parse(definition) as { alertmanager_config: string };
    const config = parse(outer.alertmanager_config) as {
      route: { receiver: string };
      receivers: {
        name: string;
        sns_configs: { topic_arn: string; sigv4: { region: string }; send_resolved: boolean }[];
      }[];
    };
    expect(config.route.receiver).toBe('sns');
    expect(config.receivers).toHaveLength(1);
    const [sns] = config.receivers[0]?.sns_configs ?? [];
    expect(sns?.topic_arn).toBe(props.alarmTopicArn);
    expect(sns?.sigv4.region).toMatch(/^\$\{data\.aws_region\..+\.region\}$/);
    expect(sns?.send_resolved).toBe(true);
  });

  it('writes no accidental Terraform interpolation into YAML bodies', () => {
    const { json } = synth();
    const data = onlyResource(json, 'aws_prometheus_rule_group_namespace').data as string;
    const scrape = onlyResource(json, 'aws_prometheus_scraper').scrape_configuration as string;
    for (const text of [data, scrape]) {
      expect(text).not.toContain('${');
      expect(text).not.toContain('%{');
      expect(text).not.toMatch(/: [&*]a\d/);
    }
  });

  it('leaves no reference that Terraform could not resolve, with references in the YAML', async () => {
    const { json } = synthConstructs((scope) => {
      const cluster = new DataAwsEksCluster(scope, 'cluster', { name: 'hello-prod' });
      new ManagedPrometheus(scope, 'amp', {
        ...props,
        clusterArn: cluster.arn,
        clusterName: cluster.name,
      });
    });
    const scrape = onlyResource(json, 'aws_prometheus_scraper').scrape_configuration as string;
    expect(scrape).toContain('cluster: ${data.aws_eks_cluster.cluster.name}');
    expect(await danglingReferences(json)).toEqual([]);
  });

  it('refuses values that would break PromQL, and too few subnets', () => {
    expect(() => synth({ appName: 'hello"} or vector(1)' })).toThrow(/not allowed/);
    expect(() => synth({ requestDurationMetric: 'http-requests' })).toThrow(/not allowed/);
    expect(() => synth({ error5xxRatio: 5 })).toThrow(/between 0 and 1/);
    expect(() => synth({ subnetIds: ['subnet-a'] })).toThrow(/two availability zones/);
  });
});
