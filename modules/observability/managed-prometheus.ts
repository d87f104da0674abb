import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { PrometheusAlertManagerDefinition } from '@cdktf/provider-aws/lib/prometheus-alert-manager-definition';
import { PrometheusRuleGroupNamespace } from '@cdktf/provider-aws/lib/prometheus-rule-group-namespace';
import { PrometheusScraper } from '@cdktf/provider-aws/lib/prometheus-scraper';
import { PrometheusWorkspace } from '@cdktf/provider-aws/lib/prometheus-workspace';
import { KmsKey } from '../core/kms-key';
import { NameLimits, resourceName } from '../core/naming';
import { awsAccount } from '../core/aws-account';

/** Pod annotations the scraper looks for (the common `prometheus.io/*` convention). */
export const PROMETHEUS_SCRAPE_ANNOTATION = 'prometheus.io/scrape';
export const PROMETHEUS_PORT_ANNOTATION = 'prometheus.io/port';
export const PROMETHEUS_PATH_ANNOTATION = 'prometheus.io/path';

/**
 * The annotations a pod needs to be scraped, for the workload's Helm values: the same names the
 * scrape configuration below keeps targets by, so the two cannot drift.
 */
export function prometheusScrapeAnnotations(
  port: number,
  path = '/metrics',
): Record<string, string> {
  return {
    [PROMETHEUS_SCRAPE_ANNOTATION]: 'true',
    [PROMETHEUS_PORT_ANNOTATION]: String(port),
    [PROMETHEUS_PATH_ANNOTATION]: path,
  };
}

// No line folding and no `&anchor`/`*alias` for repeated objects: plain YAML any parser reads.
const YAML_OPTIONS = { lineWidth: 0, aliasDuplicateObjects: false } as const;

/** Scrape job name of annotated pods; alert expressions select on it. */
export const POD_SCRAPE_JOB = 'kubernetes-pods';

export interface ManagedPrometheusProps {
  /** `<project>-<env>`, for the workspace alias and key alias. */
  readonly namePrefix: string;
  /** EKS cluster ARN: the scraper's source. The cluster must use API (access entry) auth. */
  readonly clusterArn: string;
  /** EKS cluster name, added to every series as the `cluster` label. */
  readonly clusterName: string;
  /** Subnets for the scraper's network interfaces: at least two, in two availability zones. */
  readonly subnetIds: string[];
  /**
   * Security groups for the scraper's network interfaces. They must be allowed to reach the
   * pods' metrics port; the EKS cluster security group does (it allows all traffic from itself).
   */
  readonly securityGroupIds: string[];
  /** SNS topic (same region, allowing `aps.amazonaws.com` to publish) for alerts. */
  readonly alarmTopicArn: string;
  /** Namespace of the API pods; only this namespace is scraped. */
  readonly appNamespace: string;
  /** Value of the API pods' `appLabel` label; alerts select on it. */
  readonly appName: string;
  /** Pod label that names the app, copied to the `app` label. Default: `app.kubernetes.io/name`. */
  readonly appLabel?: string;
  /** The API's request duration histogram (labels `method`, `route`, `status`). Default: `http_request_duration_seconds`. */
  readonly requestDurationMetric?: string;
  /** Route template of the readiness probe, as the histogram labels it. Default: `/health/ready`. */
  readonly readinessRoute?: string;
  /** Share of requests answered 5xx (0-1) over 5 minutes above which to alert. Default: 0.05. */
  readonly error5xxRatio?: number;
  /** p99 request duration in seconds above which to alert. Default: 1. */
  readonly targetP99Seconds?: number;
  /** Scrape interval; AMP managed scrapers accept 30s or more. Default: `30s`. */
  readonly scrapeInterval?: string;
  /**
   * Encrypt the workspace with a customer-managed key (its own `KmsKey`). Default: true.
   * A workspace's key cannot be changed after creation.
   */
  readonly kmsEncrypted?: boolean;
}

const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const ROUTE = /^\/[A-Za-z0-9/_\-.:]*$/;

function check(value: string, pattern: RegExp, what: string): string {
  if (!pattern.test(value)) throw new Error(`${what} "${value}" is not allowed in PromQL here`);
  return value;
}

/** Prometheus's relabel form of a Kubernetes label name (`app.kubernetes.io/name` → `app_kubernetes_io_name`). */
function sanitizeLabel(label: string): string {
  return label.replace(/[^a-zA-Z0-9_]/g, '_');
}

/** Scrape configuration: annotated pods of the app namespace, with namespace/pod/app labels. */
export function scrapeConfiguration(
  props: Pick<
    ManagedPrometheusProps,
    'clusterName' | 'appNamespace' | 'appLabel' | 'scrapeInterval'
  >,
): string {
  const annotation = (name: string) => `__meta_kubernetes_pod_annotation_${sanitizeLabel(name)}`;
  return stringify(
    {
      global: {
        scrape_interval: props.scrapeInterval ?? '30s',
        external_labels: { cluster: props.clusterName },
      },
      scrape_configs: [
        {
          job_name: POD_SCRAPE_JOB,
          kubernetes_sd_configs: [
            {
              role: 'pod',
              namespaces: { names: [check(props.appNamespace, LABEL_VALUE, 'namespace')] },
            },
          ],
          relabel_configs: [
            {
              source_labels: [annotation(PROMETHEUS_SCRAPE_ANNOTATION)],
              action: 'keep',
              regex: 'true',
            },
            // Finished or not-yet-started pods have nothing to serve.
            {
              source_labels: ['__meta_kubernetes_pod_phase'],
              action: 'drop',
              regex: 'Pending|Succeeded|Failed',
            },
            {
              source_labels: [annotation(PROMETHEUS_PATH_ANNOTATION)],
              action: 'replace',
              regex: '(.+)',
              target_label: '__metrics_path__',
            },
            {
              source_labels: ['__address__', annotation(PROMETHEUS_PORT_ANNOTATION)],
              action: 'replace',
              regex: '([^:]+)(?::\\d+)?;(\\d+)',
              replacement: '$1:$2',
              target_label: '__address__',
            },
            { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
            { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
            {
              source_labels: [
                `__meta_kubernetes_pod_label_${sanitizeLabel(props.appLabel ?? 'app.kubernetes.io/name')}`,
              ],
              target_label: 'app',
            },
          ],
        },
      ],
    },
    YAML_OPTIONS,
  );
}

/** Recording and alerting rules for the API (AMP rules file format). */
export function apiRules(
  props: Pick<
    ManagedPrometheusProps,
    | 'namePrefix'
    | 'appNamespace'
    | 'appName'
    | 'requestDurationMetric'
    | 'readinessRoute'
    | 'error5xxRatio'
    | 'targetP99Seconds'
  >,
): string {
  const metric = check(
    props.requestDurationMetric ?? 'http_request_duration_seconds',
    METRIC_NAME,
    'metric',
  );
  const sel = `namespace="${check(props.appNamespace, LABEL_VALUE, 'namespace')}",app="${check(props.appName, LABEL_VALUE, 'app name')}"`;
  const readiness = check(props.readinessRoute ?? '/health/ready', ROUTE, 'route');
  const ratio = props.error5xxRatio ?? 0.05;
  if (!(ratio > 0 && ratio < 1)) throw new Error(`error5xxRatio ${ratio} must be between 0 and 1`);
  const p99 = props.targetP99Seconds ?? 1;
  const by = 'namespace, app';
  const labels = { severity: 'page', environment: props.namePrefix };

  return stringify(
    {
      groups: [
        {
          name: 'api-recording',
          rules: [
            {
              record: 'api:http_requests:rate5m',
              expr: `sum by (${by}) (rate(${metric}_count{${sel}}[5m]))`,
            },
            {
              record: 'api:http_5xx_ratio:rate5m',
              expr: `sum by (${by}) (rate(${metric}_count{${sel},status=~"5.."}[5m])) / sum by (${by}) (rate(${metric}_count{${sel}}[5m]))`,
            },
            {
              record: 'api:http_request_duration_seconds:p99_5m',
              expr: `histogram_quantile(0.99, sum by (${by}, le) (rate(${metric}_bucket{${sel}}[5m])))`,
            },
          ],
        },
        {
          name: 'api-alerts',
          rules: [
            {
              alert: 'ApiHigh5xxRatio',
              expr: `api:http_5xx_ratio:rate5m{${sel}} > ${ratio}`,
              for: '5m',
              labels,
              annotations: {
                summary: `More than ${ratio * 100}% of API requests fail with 5xx`,
                description:
                  '{{ $value | humanizePercentage }} of requests answered 5xx over 5 minutes.',
              },
            },
            {
              alert: 'ApiHighP99Latency',
              expr: `api:http_request_duration_seconds:p99_5m{${sel}} > ${p99}`,
              for: '10m',
              labels,
              annotations: {
                summary: `API p99 latency above ${p99}s`,
                description: 'p99 request duration is {{ $value | humanizeDuration }}.',
              },
            },
            {
              alert: 'ApiReadinessFailing',
              expr: `sum by (${by}, pod) (rate(${metric}_count{${sel},route="${readiness}",status!~"2.."}[5m])) > 0`,
              for: '5m',
              labels,
              annotations: {
                summary: 'API pod fails its readiness probe',
                description:
                  '{{ $labels.pod }} answers the readiness probe with an error: it gets no traffic.',
              },
            },
            {
              alert: 'ApiScrapeTargetDown',
              expr: `up{job="${POD_SCRAPE_JOB}",${sel}} == 0`,
              for: '5m',
              labels,
              annotations: {
                summary: 'API pod does not answer /metrics',
                description: '{{ $labels.pod }} could not be scraped for 5 minutes.',
              },
            },
            {
              alert: 'ApiAbsent',
              expr: `absent(up{job="${POD_SCRAPE_JOB}",${sel}})`,
              for: '10m',
              labels,
              annotations: {
                summary: 'No API pod is being scraped',
                description:
                  'No scrape target matches the API: scaled to zero, unannotated, or the scraper is down.',
              },
            },
          ],
        },
      ],
    },
    YAML_OPTIONS,
  );
}

/** Alert manager definition routing every alert to the SNS topic, with resolutions. */
export function alertManagerDefinition(
  topicArn: string,
  region: string,
  namePrefix: string,
): string {
  const config = {
    route: {
      receiver: 'sns',
      group_by: ['alertname', 'namespace', 'app'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
    },
    receivers: [
      {
        name: 'sns',
        sns_configs: [
          {
            topic_arn: topicArn,
            sigv4: { region },
            // The default subject lists every label and can exceed SNS's 100 characters.
            subject: `[${namePrefix}] {{ .Status | toUpper }} {{ .GroupLabels.alertname }}`,
            send_resolved: true,
          },
        ],
      },
    ],
  };
  return stringify({ alertmanager_config: stringify(config, YAML_OPTIONS) }, YAML_OPTIONS);
}

/**
 * Amazon Managed Service for Prometheus for the API: a (KMS-encrypted) workspace, an agentless
 * managed scraper for the EKS cluster that scrapes annotated API pods, recording and alerting
 * rules (5xx ratio, p99 latency, readiness failures, scrape failures) and an alert manager that
 * routes to the alarm SNS topic. The stack creates it only when the environment enables it.
 */
export class ManagedPrometheus extends Construct {
  public readonly workspaceArn: string;
  public readonly workspaceId: string;
  /** Query/remote-write endpoint, e.g. for Grafana. */
  public readonly prometheusEndpoint: string;
  public readonly scraperArn: string;
  /** Service-linked role the scraper uses (AMP grants it cluster access through an access entry). */
  public readonly scraperRoleArn: string;
  /** Key of the workspace; undefined when `kmsEncrypted` is false. */
  public readonly kmsKeyArn?: string;

  constructor(scope: Construct, id: string, props: ManagedPrometheusProps) {
    super(scope, id);
    if (props.subnetIds.length < 2) {
      throw new Error('the AMP scraper needs subnets in at least two availability zones');
    }
    const region = awsAccount(this).region;
    const key =
      (props.kmsEncrypted ?? true)
        ? new KmsKey(this, 'key', {
            alias: resourceName(props.namePrefix, 'prometheus', NameLimits.kmsAlias),
            description: `Encrypts the Amazon Managed Prometheus workspace of ${props.namePrefix}`,
          })
        : undefined;

    const workspace = new PrometheusWorkspace(this, 'workspace', {
      alias: props.namePrefix,
      kmsKeyArn: key?.arn,
      // The scraper tags its destination; declaring the tag keeps plans clean.
      tags: { AMPAgentlessScraper: '' },
    });

    const scraper = new PrometheusScraper(this, 'scraper', {
      alias: resourceName(props.namePrefix, 'eks', 100),
      source: [
        {
          eks: [
            {
              clusterArn: props.clusterArn,
              subnetIds: props.subnetIds,
              securityGroupIds: props.securityGroupIds,
            },
          ],
        },
      ],
      destination: [{ amp: [{ workspaceArn: workspace.arn }] }],
      scrapeConfiguration: scrapeConfiguration(props),
    });

    new PrometheusRuleGroupNamespace(this, 'rules', {
      name: 'api',
      workspaceId: workspace.id,
      data: apiRules(props),
    });

    new PrometheusAlertManagerDefinition(this, 'alert-manager', {
      workspaceId: workspace.id,
      definition: alertManagerDefinition(props.alarmTopicArn, region, props.namePrefix),
    });

    this.workspaceArn = workspace.arn;
    this.workspaceId = workspace.id;
    this.prometheusEndpoint = workspace.prometheusEndpoint;
    this.scraperArn = scraper.arn;
    this.scraperRoleArn = scraper.roleArn;
    this.kmsKeyArn = key?.arn;
  }
}
