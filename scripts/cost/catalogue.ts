/**
 * What every resource type the stacks create costs: a pricing rule per billable type (which
 * quantities, from the resource's configuration and the usage assumptions, at which price keys),
 * and the types that cost nothing of their own, each with the reason. A type in neither is
 * "unpriced": the estimate lists it and a test fails, so a new resource cannot slip through.
 */
import type { CostAssumptions } from '../../config/cost-assumptions';
import { kubernetesVersionSupport } from '../../config/kubernetes-versions';
import type { ResourceRef } from '../../policy/types';
import type { LineRequest, Pricing, PricingContext, PricingRule } from './model';
import {
  codebuildMinuteKey,
  ebsVolumeKey,
  ec2InstanceKey,
  PRICE,
  rdsInstanceKey,
  rdsStorageKey,
} from './prices/keys';

type Config = Record<string, unknown>;

const asRecord = (value: unknown): Config | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Config)
    : undefined;

/** A nested block: cdktf writes single blocks as objects, repeated ones as arrays. */
const blocks = (value: unknown): Config[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value])
    .map(asRecord)
    .filter((block): block is Config => block !== undefined);

const block = (value: unknown): Config | undefined => blocks(value)[0];

const numberOf = (value: unknown): number | undefined => {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value)) return Number(value);
  return undefined;
};

const stringOf = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

const booleanOf = (value: unknown): boolean | undefined =>
  typeof value === 'boolean'
    ? value
    : value === 'true'
      ? true
      : value === 'false'
        ? false
        : undefined;

/** `aws_launch_template.x` from a reference such as `${aws_launch_template.x.id}`. */
export function referencedAddress(value: unknown): string | undefined {
  const match = /^\$\{([a-z0-9_]+)\.([^.}\s]+)\./.exec(stringOf(value) ?? '');
  return match ? `${match[1]}.${match[2]}` : undefined;
}

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

const priced = (spec: string, lines: LineRequest[]): Pricing => ({ kind: 'priced', spec, lines });
const free = (reason: string): Pricing => ({ kind: 'free', reason });
const unpriced = (reason: string): Pricing => ({ kind: 'unpriced', reason });

// ---- EKS --------------------------------------------------------------------------------------

const DAY_MS = 86_400_000;

/** Hours of the estimated month in standard and in extended support, from the EKS calendar. */
export function eksSupportHours(
  version: string,
  start: Date,
  hours: number,
): { standard: number; extended: number; note?: string } {
  const row = kubernetesVersionSupport(version);
  if (!row?.endOfStandardSupport) {
    return {
      standard: hours,
      extended: 0,
      note: `no end-of-standard-support date for ${version} in config/kubernetes-versions.ts: priced as standard support`,
    };
  }
  const standardEnd = Date.parse(`${row.endOfStandardSupport}T00:00:00Z`);
  const standard = Math.min(hours, Math.max(0, (standardEnd - start.getTime()) / 3_600_000));
  const extended = hours - standard;
  const notes: string[] = [];
  if (extended > 0) notes.push(`standard support for ${version} ends ${row.endOfStandardSupport}`);
  const extendedEnd = row.endOfExtendedSupport
    ? Date.parse(`${row.endOfExtendedSupport}T00:00:00Z`)
    : undefined;
  if (extendedEnd !== undefined && extendedEnd < start.getTime() + hours * 3_600_000) {
    notes.push(
      `extended support ends ${row.endOfExtendedSupport}: EKS then upgrades the control plane itself`,
    );
  } else if (extendedEnd !== undefined && extended > 0) {
    const days = Math.round((extendedEnd - start.getTime()) / DAY_MS);
    notes.push(`extended support ends ${row.endOfExtendedSupport} (in ${days} days)`);
  }
  return { standard, extended, ...(notes.length > 0 ? { note: notes.join('; ') } : {}) };
}

const eksCluster: PricingRule = (resource, context) => {
  const version = stringOf(resource.config.version);
  if (!version) return unpriced('no literal Kubernetes version to price the support phase from');
  const supportType = stringOf(block(resource.config.upgrade_policy)?.support_type);
  const hours = eksSupportHours(version, context.start, context.hours);
  if (supportType === 'STANDARD' && hours.extended > 0) {
    // Extended support disabled: EKS upgrades the cluster at the end of standard support instead.
    return priced(`Kubernetes ${version}, extended support off`, [
      {
        component: 'cluster-hours (standard support)',
        quantity: context.hours,
        priceKey: PRICE.eksStandardHour,
        note: `${hours.note ?? ''}; upgrade_policy STANDARD: EKS upgrades the control plane instead of billing extended support`,
      },
    ]);
  }
  const lines: LineRequest[] = [];
  if (hours.standard > 0) {
    lines.push({
      component: 'cluster-hours (standard support)',
      quantity: hours.standard,
      priceKey: PRICE.eksStandardHour,
      ...(hours.extended === 0 && hours.note ? { note: hours.note } : {}),
    });
  }
  if (hours.extended > 0) {
    lines.push({
      component: 'cluster-hours (extended support)',
      quantity: hours.extended,
      priceKey: PRICE.eksExtendedHour,
      ...(hours.note ? { note: hours.note } : {}),
    });
  }
  const phase =
    hours.extended === 0
      ? 'standard support'
      : hours.standard === 0
        ? 'extended support'
        : 'standard → extended support';
  return priced(`Kubernetes ${version}, ${phase}`, lines);
};

/** Desired nodes of every node group of the stack (what the add-ons and templates run on). */
function nodeGroups(context: PricingContext): { resource: ResourceRef; desired: number }[] {
  return context.stack.resources('aws_eks_node_group').map((group) => ({
    resource: group,
    desired: numberOf(block(group.config.scaling_config)?.desired_size) ?? 0,
  }));
}

const eksNodeGroup: PricingRule = (resource, context) => {
  const desired = numberOf(block(resource.config.scaling_config)?.desired_size);
  if (desired === undefined) return unpriced('no literal scaling_config.desired_size');
  const types = Array.isArray(resource.config.instance_types)
    ? resource.config.instance_types.filter((type): type is string => typeof type === 'string')
    : [];
  // EKS's default when a node group names no type.
  const instanceType = types[0] ?? 't3.medium';
  const spot = stringOf(resource.config.capacity_type) === 'SPOT';
  const discount = spot ? context.assumptions.spotDiscountPercent : 0;
  const notes: string[] = [];
  if (types.length > 1) notes.push(`priced as ${instanceType}, the first of ${types.join(', ')}`);
  if (spot) {
    notes.push(
      discount === 0
        ? 'Spot priced at on-demand (an upper bound; set costAssumptions.spotDiscountPercent)'
        : `Spot priced at on-demand − ${discount}%`,
    );
  }
  const lines: LineRequest[] = [
    {
      component: `instance-hours (${desired} × ${instanceType}${spot ? ', Spot' : ''})`,
      quantity: desired * context.hours,
      priceKey: ec2InstanceKey(instanceType),
      ...(discount > 0 ? { priceFactor: 1 - discount / 100 } : {}),
      ...(spot ? { assumption: 'spotDiscountPercent' } : {}),
      ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
    },
  ];
  if (!resource.config.launch_template) {
    const size = numberOf(resource.config.disk_size) ?? 20;
    lines.push({
      component: `EBS gp3 root volumes (${desired} × ${size} GB)`,
      quantity: desired * size,
      priceKey: ebsVolumeKey('gp3'),
      note: 'EKS default root volume (no launch template)',
    });
  }
  return priced(
    `${desired} × ${instanceType}${spot ? ' Spot' : ''} (max ${numberOf(block(resource.config.scaling_config)?.max_size) ?? '?'})`,
    lines,
  );
};

const launchTemplate: PricingRule = (resource, context) => {
  const users = nodeGroups(context).filter(
    (group) =>
      referencedAddress(block(group.resource.config.launch_template)?.id) === resource.address,
  );
  const instances = users.reduce((sum, group) => sum + group.desired, 0);
  const volumes = blocks(resource.config.block_device_mappings)
    .map((mapping) => block(mapping.ebs))
    .filter((ebs): ebs is Config => ebs !== undefined);
  if (volumes.length === 0) return free('no EBS volume of its own (the AMI default applies)');
  const lines: LineRequest[] = [];
  for (const ebs of volumes) {
    const size = numberOf(ebs.volume_size);
    if (size === undefined) return unpriced('an EBS volume without a literal volume_size');
    // The EC2 API's default volume type for a block device mapping.
    const volumeType = stringOf(ebs.volume_type) ?? 'gp2';
    const extraIops = (numberOf(ebs.iops) ?? 0) > 3000 || (numberOf(ebs.throughput) ?? 0) > 125;
    lines.push({
      component: `EBS ${volumeType} (${instances} × ${size} GB)`,
      quantity: instances * size,
      priceKey: ebsVolumeKey(volumeType),
      note:
        users.length === 0
          ? 'no node group of this stack uses the template'
          : `${plural(instances, 'node')} of ${users.map((group) => group.resource.address).join(', ')}${extraIops ? '; IOPS/throughput above the gp3 baseline not priced' : ''}`,
    });
  }
  const first = volumes[0]!;
  return priced(
    `${instances} × ${numberOf(first.volume_size)} GB ${stringOf(first.volume_type) ?? 'gp2'}`,
    lines,
  );
};

const CONTAINER_INSIGHTS_ADDON = 'amazon-cloudwatch-observability';

const eksAddon: PricingRule = (resource, context) => {
  if (stringOf(resource.config.addon_name) !== CONTAINER_INSIGHTS_ADDON) {
    return free('EKS add-ons cost nothing of their own; they run on the priced nodes');
  }
  const nodes = nodeGroups(context).reduce((sum, group) => sum + group.desired, 0);
  const perNode = context.assumptions.containerInsights.observationsMillionPerNodeMonth;
  return priced(`Container Insights (enhanced observability), ${plural(nodes, 'node')}`, [
    {
      component: `observations (${nodes} nodes × ${perNode}M)`,
      quantity: nodes * perNode,
      priceKey: PRICE.containerInsightsObservationsMillion,
      assumption: 'containerInsights.observationsMillionPerNodeMonth',
      note: 'logs it ships bill on their log groups',
    },
  ]);
};

// ---- network ----------------------------------------------------------------------------------

const natGateway: PricingRule = (resource, context) => {
  const gateways = context.stack.resources('aws_nat_gateway').length;
  const total = context.assumptions.nat.processedGiBPerMonth;
  const share = gateways > 0 ? total / gateways : total;
  const isPrivate = stringOf(resource.config.connectivity_type) === 'private';
  return priced(isPrivate ? 'private NAT gateway' : 'NAT gateway', [
    { component: 'gateway-hours', quantity: context.hours, priceKey: PRICE.natHour },
    {
      component: `GB processed (${total} GB ÷ ${plural(gateways, 'gateway')})`,
      quantity: share,
      priceKey: PRICE.natGb,
      assumption: 'nat.processedGiBPerMonth',
    },
  ]);
};

const elasticIp: PricingRule = (_resource, context) =>
  priced('public IPv4 address', [
    { component: 'address-hours', quantity: context.hours, priceKey: PRICE.publicIpv4Hour },
  ]);

const vpcEndpoint: PricingRule = (resource, context) => {
  const type = stringOf(resource.config.vpc_endpoint_type) ?? 'Gateway';
  if (type === 'Gateway') return free('gateway endpoints (S3, DynamoDB) cost nothing');
  if (type !== 'Interface') return unpriced(`${type} endpoints are not in the price tables`);
  const subnets = Array.isArray(resource.config.subnet_ids) ? resource.config.subnet_ids.length : 1;
  return priced(`interface endpoint, ${plural(subnets, 'AZ')}`, [
    {
      component: `endpoint-AZ-hours (${subnets} AZ)`,
      quantity: subnets * context.hours,
      priceKey: PRICE.interfaceEndpointHour,
      note: 'data processed not estimated',
    },
  ]);
};

const loadBalancer: PricingRule = (resource, context) => {
  const type = stringOf(resource.config.load_balancer_type) ?? 'application';
  if (type !== 'application') return unpriced(`${type} load balancers are not in the price tables`);
  const internal = booleanOf(resource.config.internal) === true;
  const subnets = Array.isArray(resource.config.subnets)
    ? resource.config.subnets.length
    : blocks(resource.config.subnet_mapping).length;
  const lcus = context.assumptions.loadBalancer.averageLcus;
  const lines: LineRequest[] = [
    { component: 'ALB-hours', quantity: context.hours, priceKey: PRICE.albHour },
    {
      component: `LCU-hours (${lcus} LCU average)`,
      quantity: lcus * context.hours,
      priceKey: PRICE.albLcuHour,
      assumption: 'loadBalancer.averageLcus',
    },
  ];
  if (!internal) {
    lines.push({
      component: `public IPv4 address-hours (${subnets} AZ)`,
      quantity: subnets * context.hours,
      priceKey: PRICE.publicIpv4Hour,
      note: 'one public address per AZ of an internet-facing ALB',
    });
  }
  return priced(
    `ALB, ${internal ? 'internal' : 'internet-facing'}, ${plural(subnets, 'AZ')}`,
    lines,
  );
};

// ---- data -------------------------------------------------------------------------------------

const dbInstance: PricingRule = (resource, context) => {
  const config = resource.config;
  const engine = stringOf(config.engine);
  const instanceClass = stringOf(config.instance_class);
  const storage = numberOf(config.allocated_storage);
  if (!engine || !instanceClass || storage === undefined) {
    return unpriced('no literal engine, instance_class or allocated_storage');
  }
  const multiAz = booleanOf(config.multi_az) === true;
  const copies = multiAz ? 2 : 1;
  // The RDS API's default storage type.
  const storageType = stringOf(config.storage_type) ?? 'gp2';
  const lines: LineRequest[] = [
    {
      component: `instance-hours (${instanceClass}${multiAz ? ', Multi-AZ: primary + standby' : ''})`,
      quantity: copies * context.hours,
      priceKey: rdsInstanceKey(engine, instanceClass),
    },
    {
      component: `storage (${storage} GB ${storageType}${multiAz ? ' × 2' : ''})`,
      quantity: copies * storage,
      priceKey: rdsStorageKey(storageType),
      note: [
        numberOf(config.max_allocated_storage) !== undefined
          ? `autoscaling up to ${numberOf(config.max_allocated_storage)} GB is not priced`
          : undefined,
        'backups up to the storage size are free',
      ]
        .filter(Boolean)
        .join('; '),
    },
  ];
  if (booleanOf(config.performance_insights_enabled) === true) {
    const retention = numberOf(config.performance_insights_retention_period) ?? 7;
    if (retention > 7) {
      return unpriced(
        `Performance Insights retention of ${retention} days: only the free 7 days are in the price tables`,
      );
    }
    lines.push({
      component: 'Performance Insights (7 days)',
      quantity: copies,
      priceKey: PRICE.rdsPerformanceInsightsFreeTier,
      note: 'free tier',
    });
  }
  const monitoring = numberOf(config.monitoring_interval) ?? 0;
  if (monitoring > 0) {
    const gib = context.assumptions.logs.rdsEnhancedMonitoringGiBPerMonth;
    lines.push({
      component: `enhanced monitoring log ingestion (every ${monitoring} s)`,
      quantity: copies * gib,
      priceKey: PRICE.logsIngestionGb,
      assumption: 'logs.rdsEnhancedMonitoringGiBPerMonth',
      note: 'RDSOSMetrics log group, created by RDS',
    });
  }
  return priced(
    `${instanceClass}${multiAz ? ' Multi-AZ' : ''}, ${storage} GB ${storageType}`,
    lines,
  );
};

/** Size in GB of a Kubernetes quantity such as `10Gi` or `500Mi`. */
export function kubernetesQuantityGb(quantity: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const factor: Record<string, number> = {
    Ki: 2 ** 10 / 2 ** 30,
    Mi: 2 ** 20 / 2 ** 30,
    Gi: 1,
    Ti: 2 ** 10,
    k: 1e3 / 2 ** 30,
    M: 1e6 / 2 ** 30,
    G: 1e9 / 2 ** 30,
    T: 1e12 / 2 ** 30,
  };
  return match[2] ? value * (factor[match[2]] ?? 1) : value / 2 ** 30;
}

function releaseValues(resource: ResourceRef): Config {
  const merged: Config = {};
  for (const text of Array.isArray(resource.config.values) ? resource.config.values : []) {
    if (typeof text !== 'string') continue;
    try {
      Object.assign(merged, asRecord(JSON.parse(text)) ?? {});
    } catch {
      // Values that are not JSON (YAML written by hand) carry no volume we know of.
    }
  }
  return merged;
}

const helmRelease: PricingRule = (resource) => {
  const chart = stringOf(resource.config.chart);
  const repository = stringOf(resource.config.repository) ?? '';
  if (chart === 'cluster' && repository.includes('cloudnative-pg')) {
    const cluster = asRecord(releaseValues(resource).cluster) ?? {};
    const instances = numberOf(cluster.instances) ?? 1;
    const size = stringOf(asRecord(cluster.storage)?.size);
    const gb = size ? kubernetesQuantityGb(size) : undefined;
    if (gb === undefined) return unpriced('CloudNativePG cluster without a literal storage size');
    return priced(`CloudNativePG, ${instances} × ${size} gp3`, [
      {
        component: `EBS gp3 persistent volumes (${instances} × ${size})`,
        quantity: instances * gb,
        priceKey: ebsVolumeKey('gp3'),
        note: 'through the gp3 storage class; the PostgreSQL pods run on the priced nodes',
      },
    ]);
  }
  return free('runs on the cluster nodes, which are priced');
};

// ---- observability ----------------------------------------------------------------------------

const kmsKey: PricingRule = (_resource, context) => {
  const requests = context.assumptions.kms.requestsPerKeyPerMonth;
  return priced('customer managed key', [
    { component: 'key-month', quantity: 1, priceKey: PRICE.kmsKeyMonth },
    {
      component: `requests (${requests.toLocaleString('en-US')})`,
      quantity: requests / 10_000,
      priceKey: PRICE.kmsRequests10k,
      assumption: 'kms.requestsPerKeyPerMonth',
    },
  ]);
};

const metricAlarm: PricingRule = (resource) => {
  const queries = blocks(resource.config.metric_query);
  if (queries.some((query) => query.expression && /SELECT\s/i.test(String(query.expression)))) {
    return unpriced('Metrics Insights query alarms are not in the price tables');
  }
  const metrics = queries.length > 0 ? queries.filter((query) => query.metric).length : 1;
  const anomaly = queries.some((query) =>
    /ANOMALY_DETECTION_BAND/.test(String(query.expression ?? '')),
  );
  const periods = [
    numberOf(resource.config.period),
    ...queries.map((query) => numberOf(block(query.metric)?.period)),
  ].filter((period): period is number => period !== undefined);
  const highResolution = periods.some((period) => period < 60);
  const count = anomaly ? metrics * 3 : metrics;
  return priced(
    `${plural(metrics, 'metric')}, ${highResolution ? 'high' : 'standard'} resolution${anomaly ? ', anomaly detection' : ''}`,
    [
      {
        component: `alarm metrics (${count}${anomaly ? ': anomaly detection bills 3 per metric' : ''})`,
        quantity: count,
        priceKey: highResolution ? PRICE.alarmHighResolutionMetric : PRICE.alarmStandardMetric,
      },
    ],
  );
};

const dashboard: PricingRule = () =>
  priced('dashboard', [
    { component: 'dashboard-month', quantity: 1, priceKey: PRICE.dashboardMonth },
  ]);

export type LogCategory = keyof CostAssumptions['logs']['ingestionGiBPerMonth'];

/** What a log group holds, from its name (and whether a flow log writes to it). */
export function logCategory(resource: ResourceRef, context: PricingContext): LogCategory {
  const name = stringOf(resource.config.name) ?? stringOf(resource.config.name_prefix) ?? '';
  const flowLogTarget = context.stack
    .resources('aws_flow_log')
    .some((flowLog) => referencedAddress(flowLog.config.log_destination) === resource.address);
  if (flowLogTarget || name.startsWith('/aws/vpc/')) return 'vpcFlowLogs';
  if (/^\/aws\/eks\/.+\/cluster$/.test(name)) return 'eksControlPlane';
  if (name.startsWith('/aws/containerinsights/')) {
    if (name.endsWith('/application')) return 'containerApplication';
    if (name.endsWith('/performance')) return 'containerPerformance';
    return 'containerNode';
  }
  if (name.startsWith('/aws/rds/')) return 'database';
  if (name.startsWith('aws-waf-logs-')) return 'waf';
  return 'other';
}

const logGroup: PricingRule = (resource, context) => {
  if (stringOf(resource.config.log_group_class) === 'INFREQUENT_ACCESS') {
    return unpriced('Infrequent Access log groups are not in the price tables');
  }
  const category = logCategory(resource, context);
  const ingested = context.assumptions.logs.ingestionGiBPerMonth[category];
  const retention = numberOf(resource.config.retention_in_days) ?? 0;
  const months = retention > 0 ? retention / (365 / 12) : 12;
  return priced(`${category}, ${retention > 0 ? `${retention} days` : 'never expires'}`, [
    {
      component: `ingestion (${ingested} GB)`,
      quantity: ingested,
      priceKey: PRICE.logsIngestionGb,
      assumption: `logs.ingestionGiBPerMonth.${category}`,
    },
    {
      component: `storage (${ingested} GB × ${months.toFixed(1)} months kept)`,
      quantity: ingested * months,
      priceKey: PRICE.logsStorageGbMonth,
      assumption: `logs.ingestionGiBPerMonth.${category}`,
      note:
        retention > 0
          ? 'steady state once the retention period is full; uncompressed size (an upper bound)'
          : 'never expires: one year of logs shown, and it keeps growing',
    },
  ]);
};

/** Route 53 health-check options billed as "optional features". */
function healthCheckFeatures(config: Config): string[] {
  const type = stringOf(config.type) ?? '';
  const features: string[] = [];
  if (type.startsWith('HTTPS')) features.push('HTTPS');
  if (type.endsWith('_STR_MATCH')) features.push('string matching');
  if (numberOf(config.request_interval) === 10) features.push('fast interval');
  if (booleanOf(config.measure_latency) === true) features.push('latency measurement');
  return features;
}

const healthCheck: PricingRule = (resource) => {
  const features = healthCheckFeatures(resource.config);
  const lines: LineRequest[] = [
    {
      component: 'health check (AWS endpoint)',
      quantity: 1,
      priceKey: PRICE.route53HealthCheckAwsMonth,
      global: true,
      note: 'assumes the endpoint runs on AWS in this account (non-AWS endpoints cost more)',
    },
  ];
  if (features.length > 0) {
    lines.push({
      component: `optional features (${features.join(', ')})`,
      quantity: features.length,
      priceKey: PRICE.route53HealthCheckFeatureAwsMonth,
      global: true,
    });
  }
  // HTTPS and string matching are implied by the type already.
  const extras = features.filter((feature) => feature !== 'HTTPS' && feature !== 'string matching');
  return priced(
    `${stringOf(resource.config.type) ?? 'health check'}${extras.length > 0 ? ` + ${extras.join(', ')}` : ''}`,
    lines,
  );
};

const hostedZone: PricingRule = (resource) =>
  priced(`zone ${stringOf(resource.config.name) ?? ''}`.trim(), [
    {
      component: 'hosted zone-month',
      quantity: 1,
      priceKey: PRICE.route53ZoneMonth,
      global: true,
      note: 'queries not estimated',
    },
  ]);

const webAcl: PricingRule = (resource, context) => {
  const rules = blocks(resource.config.rule).length;
  const requests = context.assumptions.waf.requestsMillionPerMonth;
  return priced(`web ACL, ${plural(rules, 'rule')}`, [
    { component: 'web ACL-month', quantity: 1, priceKey: PRICE.wafWebAclMonth },
    { component: `rules (${rules})`, quantity: rules, priceKey: PRICE.wafRuleMonth },
    {
      component: `requests (${requests}M)`,
      quantity: requests,
      priceKey: PRICE.wafRequestsMillion,
      assumption: 'waf.requestsMillionPerMonth',
    },
  ]);
};

/** Scrape interval in seconds from a Prometheus scrape configuration (`scrape_interval: 30s`). */
export function scrapeIntervalSeconds(configuration: string): number | undefined {
  const match = /scrape_interval:\s*["']?(\d+)(s|m)\b/.exec(configuration);
  if (!match) return undefined;
  return Number(match[1]) * (match[2] === 'm' ? 60 : 1);
}

const prometheusWorkspace: PricingRule = (resource, context) => {
  const { activeSeries, storageGiB, querySamplesBillionPerMonth } = context.assumptions.prometheus;
  const scrapers = context.stack
    .referencing('aws_prometheus_scraper', resource.address)
    .map((scraper) => scrapeIntervalSeconds(stringOf(scraper.config.scrape_configuration) ?? ''))
    .filter((seconds): seconds is number => seconds !== undefined);
  // Prometheus's default scrape interval when no scraper of the stack says otherwise.
  const interval = scrapers.length > 0 ? Math.min(...scrapers) : 60;
  const samples = (activeSeries * context.hours * 3600) / interval;
  return priced(`${activeSeries.toLocaleString('en-US')} series every ${interval} s`, [
    {
      component: `samples ingested (${(samples / 1e6).toFixed(1)}M)`,
      quantity: samples / 1e7,
      priceKey: PRICE.ampSamples10m,
      assumption: 'prometheus.activeSeries',
      ...(scrapers.length === 0 ? { note: 'no scraper in the stack: 60 s interval assumed' } : {}),
    },
    {
      component: `storage (${storageGiB} GB)`,
      quantity: storageGiB,
      priceKey: PRICE.ampStorageGbMonth,
      assumption: 'prometheus.storageGiB',
    },
    {
      component: `query samples (${querySamplesBillionPerMonth}B)`,
      quantity: querySamplesBillionPerMonth,
      priceKey: PRICE.ampQuerySamplesBillion,
      assumption: 'prometheus.querySamplesBillionPerMonth',
    },
  ]);
};

const prometheusScraper: PricingRule = (_resource, context) =>
  priced('managed collector', [
    {
      component: 'collector-hours',
      quantity: context.hours,
      priceKey: PRICE.ampCollectorHour,
      note: 'the per-sample collection charge is not estimated (rate not found)',
    },
  ]);

const snsTopic: PricingRule = (resource, context) => {
  if (booleanOf(resource.config.fifo_topic) === true) {
    return unpriced('FIFO topics are not in the price tables');
  }
  const publishes = context.assumptions.sns.publishesPerTopicPerMonth;
  return priced('standard topic', [
    {
      component: `publishes (${publishes.toLocaleString('en-US')})`,
      quantity: publishes / 1e6,
      priceKey: PRICE.snsRequestsMillion,
      assumption: 'sns.publishesPerTopicPerMonth',
    },
  ]);
};

const snsSubscription: PricingRule = (resource, context) => {
  const protocol = stringOf(resource.config.protocol) ?? '';
  const publishes = context.assumptions.sns.publishesPerTopicPerMonth;
  if (protocol === 'email' || protocol === 'email-json') {
    return priced(`${protocol} subscription`, [
      {
        component: `e-mail deliveries (${publishes.toLocaleString('en-US')})`,
        quantity: publishes / 1e5,
        priceKey: PRICE.snsEmail100k,
        assumption: 'sns.publishesPerTopicPerMonth',
      },
    ]);
  }
  if (protocol === 'http' || protocol === 'https') {
    return priced(`${protocol} subscription`, [
      {
        component: `HTTP deliveries (${publishes.toLocaleString('en-US')})`,
        quantity: publishes / 1e6,
        priceKey: PRICE.snsHttpMillion,
        assumption: 'sns.publishesPerTopicPerMonth',
      },
    ]);
  }
  if (['sqs', 'lambda', 'firehose'].includes(protocol)) {
    return free(`deliveries to ${protocol} cost nothing on the SNS side`);
  }
  return unpriced(`${protocol || 'unknown'} deliveries are not in the price tables`);
};

// ---- storage, registry, CI ----------------------------------------------------------------------

const s3Bucket: PricingRule = (resource, context) => {
  const gib = context.assumptions.s3.storageGiBPerBucket;
  return priced('S3 Standard', [
    {
      component: `storage (${gib} GB)`,
      quantity: gib,
      priceKey: PRICE.s3StandardGbMonth,
      assumption: 's3.storageGiBPerBucket',
      note: 'requests not estimated',
    },
  ]);
};

const ecrRepository: PricingRule = (_resource, context) => {
  const gib = context.assumptions.ecr.storageGiBPerRepository;
  return priced('private repository', [
    {
      component: `image storage (${gib} GB)`,
      quantity: gib,
      priceKey: PRICE.ecrStorageGbMonth,
      assumption: 'ecr.storageGiBPerRepository',
    },
  ]);
};

const codebuildProject: PricingRule = (resource, context) => {
  const environment = block(resource.config.environment);
  const computeType = stringOf(environment?.compute_type);
  const type = stringOf(environment?.type) ?? 'LINUX_CONTAINER';
  if (!computeType) return unpriced('no literal environment.compute_type');
  if (type !== 'LINUX_CONTAINER')
    return unpriced(`${type} build environments are not in the price tables`);
  const minutes = context.assumptions.codebuild.buildMinutesPerProjectPerMonth;
  return priced(`${computeType}, Linux`, [
    {
      component: `build minutes (${minutes.toLocaleString('en-US')})`,
      quantity: minutes,
      priceKey: codebuildMinuteKey(computeType),
      assumption: 'codebuild.buildMinutesPerProjectPerMonth',
    },
  ]);
};

/** Pricing rules of the billable resource types. */
export const PRICING_RULES: Readonly<Record<string, PricingRule>> = {
  aws_eks_cluster: eksCluster,
  aws_eks_node_group: eksNodeGroup,
  aws_launch_template: launchTemplate,
  aws_eks_addon: eksAddon,
  aws_nat_gateway: natGateway,
  aws_eip: elasticIp,
  aws_vpc_endpoint: vpcEndpoint,
  aws_lb: loadBalancer,
  aws_db_instance: dbInstance,
  helm_release: helmRelease,
  aws_kms_key: kmsKey,
  aws_cloudwatch_metric_alarm: metricAlarm,
  aws_cloudwatch_dashboard: dashboard,
  aws_cloudwatch_log_group: logGroup,
  aws_route53_zone: hostedZone,
  aws_route53_health_check: healthCheck,
  aws_wafv2_web_acl: webAcl,
  aws_prometheus_workspace: prometheusWorkspace,
  aws_prometheus_scraper: prometheusScraper,
  aws_sns_topic: snsTopic,
  aws_sns_topic_subscription: snsSubscription,
  aws_s3_bucket: s3Bucket,
  aws_ecr_repository: ecrRepository,
  aws_codebuild_project: codebuildProject,
};

const NO_CHARGE = 'no charge of its own';
const S3_CONFIG = 'configuration of its bucket, which is priced';
const K8S_OBJECT = 'a Kubernetes object: it runs on the priced nodes';
const HCP_TERRAFORM =
  'an HCP Terraform object: HCP Terraform bills its own plan (per managed resource), not estimated';

/** Resource types that cost nothing of their own, with the reason shown in the report. */
export const FREE_TYPES: Readonly<Record<string, string>> = {
  aws_acm_certificate: 'public ACM certificates are free',
  aws_acm_certificate_validation: 'a Terraform wait for DNS validation: nothing is created',
  aws_autoscaling_attachment: NO_CHARGE,
  aws_codebuild_webhook: 'no charge of its own; the builds it starts are priced on the project',
  aws_cloudwatch_query_definition:
    'saved queries are free; queries bill per GB scanned (not estimated)',
  aws_db_parameter_group: NO_CHARGE,
  aws_db_subnet_group: NO_CHARGE,
  aws_default_security_group: NO_CHARGE,
  aws_ecr_lifecycle_policy: NO_CHARGE,
  aws_eks_access_entry: NO_CHARGE,
  aws_eks_access_policy_association: NO_CHARGE,
  aws_eks_pod_identity_association: NO_CHARGE,
  aws_flow_log: 'its records bill as ingestion on the destination log group',
  aws_iam_openid_connect_provider: 'IAM is free',
  aws_iam_policy: 'IAM is free',
  aws_iam_role: 'IAM is free',
  aws_iam_role_policy: 'IAM is free',
  aws_iam_role_policy_attachment: 'IAM is free',
  aws_iam_service_linked_role: 'IAM is free',
  aws_internet_gateway: 'no charge of its own (data transfer out is not estimated)',
  aws_kms_alias: NO_CHARGE,
  aws_kms_grant: NO_CHARGE,
  aws_lb_listener: 'billed through the load balancer (hours and LCUs)',
  aws_lb_target_group: 'billed through the load balancer (hours and LCUs)',
  aws_prometheus_alert_manager_definition:
    'no charge of its own; its notifications go through SNS, priced on the topic',
  aws_prometheus_rule_group_namespace:
    'rule evaluations bill as query samples on the workspace (its query assumption)',
  aws_route: NO_CHARGE,
  aws_route53_record:
    'records are free; alias queries to AWS resources are free, other queries are not estimated',
  aws_route_table: NO_CHARGE,
  aws_route_table_association: NO_CHARGE,
  aws_s3_bucket_lifecycle_configuration: S3_CONFIG,
  aws_s3_bucket_ownership_controls: S3_CONFIG,
  aws_s3_bucket_policy: S3_CONFIG,
  aws_s3_bucket_public_access_block: S3_CONFIG,
  aws_s3_bucket_server_side_encryption_configuration: S3_CONFIG,
  aws_s3_bucket_versioning: `${S3_CONFIG} (noncurrent versions count in its storage assumption)`,
  aws_security_group: NO_CHARGE,
  aws_sns_topic_policy: 'configuration of its topic, which is priced',
  aws_subnet: NO_CHARGE,
  aws_vpc: NO_CHARGE,
  aws_vpc_security_group_egress_rule: NO_CHARGE,
  aws_vpc_security_group_ingress_rule: NO_CHARGE,
  aws_wafv2_web_acl_association: NO_CHARGE,
  aws_wafv2_web_acl_logging_configuration:
    'its logs bill as ingestion on the destination log group',
  kubernetes_cluster_role_binding_v1: K8S_OBJECT,
  kubernetes_cluster_role_v1: K8S_OBJECT,
  kubernetes_namespace_v1: K8S_OBJECT,
  kubernetes_role_binding_v1: K8S_OBJECT,
  kubernetes_role_v1: K8S_OBJECT,
  kubernetes_service_account_v1: K8S_OBJECT,
  kubernetes_storage_class_v1: `${K8S_OBJECT}; volumes bill where they are created`,
  terraform_data:
    'Terraform bookkeeping (the deployed-image marker): a tag on an existing image adds no storage',
  tfe_project: HCP_TERRAFORM,
  tfe_variable: HCP_TERRAFORM,
  tfe_workspace: HCP_TERRAFORM,
  tfe_workspace_settings: HCP_TERRAFORM,
};

/** The resource types the catalogue knows: priced by a rule, or free. */
export function knownTypes(): string[] {
  return [...Object.keys(PRICING_RULES), ...Object.keys(FREE_TYPES)].sort();
}
