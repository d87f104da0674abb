import {
  costAssumptionsSchema,
  DEFAULT_COST_ASSUMPTIONS,
  type CostAssumptionsInput,
} from '../../config/cost-assumptions';
import { ProjectConfigError, loadConfig } from '../../config';
import { projectConfig } from '../../config/environments';
import type { TerraformJson } from '../../policy/types';
import {
  eksSupportHours,
  FREE_TYPES,
  kubernetesQuantityGb,
  PRICING_RULES,
  referencedAddress,
  scrapeIntervalSeconds,
} from '../../scripts/cost/catalogue';
import { estimateCosts, estimateStack, providerRegions } from '../../scripts/cost/estimate';
import type { PricedResource, StackEstimate } from '../../scripts/cost/model';
import { EU_WEST_1 } from '../../scripts/cost/prices/eu-west-1';
import { GLOBAL } from '../../scripts/cost/prices/global';
import {
  ebsVolumeKey,
  ec2InstanceKey,
  PRICE,
  rdsInstanceKey,
  rdsStorageKey,
} from '../../scripts/cost/prices/keys';
import { US_EAST_1 } from '../../scripts/cost/prices/us-east-1';

type Resources = Record<string, Record<string, Record<string, unknown>>>;

/** eu-west-1 unit price of a key (the test fails loudly when the key is missing). */
const eu = (key: string): number => {
  const entry = EU_WEST_1.prices[key];
  if (!entry) throw new Error(`no eu-west-1 price ${key}`);
  return entry.usd;
};

function stack(
  resources: Resources,
  options: {
    assumptions?: CostAssumptionsInput;
    asOf?: string;
    providers?: { alias?: string; region: string }[];
  } = {},
): StackEstimate {
  const json: TerraformJson = {
    provider: { aws: options.providers ?? [{ region: 'eu-west-1' }] },
    resource: resources,
  };
  const assumptions = costAssumptionsSchema.parse(options.assumptions ?? {});
  return estimateStack('prod-infra', 'prod', json, {
    asOf: options.asOf ?? '2026-11-29',
    assumptionsFor: () => assumptions,
  });
}

function pricedOne(estimate: StackEstimate, address: string): PricedResource {
  expect(estimate.unpriced).toEqual([]);
  const found = estimate.resources.find((resource) => resource.address === address);
  if (!found) throw new Error(`${address} not priced (free: ${JSON.stringify(estimate.free)})`);
  return found;
}

const unpricedReason = (estimate: StackEstimate, address: string): string | undefined =>
  estimate.unpriced.find((resource) => resource.address === address)?.reason;

const freeReason = (estimate: StackEstimate, address: string): string | undefined =>
  estimate.free.find((resource) => resource.address === address)?.reason;

/** Types with a pricing test below; compared with the catalogue's rules at the end. */
const covered = new Set<string>();
function forType(type: string, body: () => void): void {
  covered.add(type);
  describe(type, body);
}

forType('aws_eks_cluster', () => {
  const cluster = (extra: Record<string, unknown> = {}) => ({
    aws_eks_cluster: { c: { name: 'hello-prod', version: '1.33', ...extra } },
  });

  it('bills standard support before the end of standard support', () => {
    const resource = pricedOne(stack(cluster(), { asOf: '2026-05-01' }), 'aws_eks_cluster.c');
    expect(resource.lines).toHaveLength(1);
    expect(resource.lines[0]?.priceKey).toBe(PRICE.eksStandardHour);
    expect(resource.monthly).toBeCloseTo(73, 6);
  });

  it('bills extended support once it ended (1.33: 2026-07-29), at six times the rate', () => {
    const resource = pricedOne(stack(cluster(), { asOf: '2026-11-29' }), 'aws_eks_cluster.c');
    expect(resource.lines.map((line) => line.priceKey)).toEqual([PRICE.eksExtendedHour]);
    expect(resource.monthly).toBeCloseTo(438, 6);
    expect(resource.spec).toBe('Kubernetes 1.33, extended support');
  });

  it('splits a month that crosses the end of standard support', () => {
    // 14 days (336 h) standard from 2026-07-15, then 394 h extended.
    const resource = pricedOne(stack(cluster(), { asOf: '2026-07-15' }), 'aws_eks_cluster.c');
    expect(resource.lines.map((line) => line.quantity)).toEqual([336, 394]);
    expect(resource.monthly).toBeCloseTo(336 * 0.1 + 394 * 0.6, 6);
    expect(resource.lines[1]?.note).toContain('standard support for 1.33 ends 2026-07-29');
  });

  it('prices at the standard rate when extended support is turned off', () => {
    const off = cluster({ upgrade_policy: { support_type: 'STANDARD' } });
    const resource = pricedOne(stack(off, { asOf: '2026-11-29' }), 'aws_eks_cluster.c');
    expect(resource.monthly).toBeCloseTo(73, 6);
    expect(resource.lines[0]?.note).toContain('upgrade_policy STANDARD');
  });

  it('says so when the calendar has no dates for the version (1.36)', () => {
    const hours = eksSupportHours('1.36', new Date('2026-11-29T00:00:00Z'), 730);
    expect(hours).toMatchObject({ standard: 730, extended: 0 });
    expect(hours.note).toContain('no end-of-standard-support date for 1.36');
  });

  it('leaves a cluster without a literal version unpriced', () => {
    const estimate = stack({ aws_eks_cluster: { c: { name: 'x' } } });
    expect(unpricedReason(estimate, 'aws_eks_cluster.c')).toContain(
      'no literal Kubernetes version',
    );
  });
});

const nodeGroup = (config: Record<string, unknown> = {}) => ({
  cluster_name: '${aws_eks_cluster.c.name}',
  instance_types: ['m7i.large'],
  scaling_config: { desired_size: 3, max_size: 6, min_size: 3 },
  launch_template: { id: '${aws_launch_template.lt.id}', version: '1' },
  ...config,
});

forType('aws_eks_node_group', () => {
  it('bills desired nodes × the first instance type × 730 h', () => {
    const resource = pricedOne(
      stack({ aws_eks_node_group: { ng: nodeGroup() } }),
      'aws_eks_node_group.ng',
    );
    expect(resource.lines).toHaveLength(1);
    expect(resource.lines[0]?.quantity).toBe(3 * 730);
    expect(resource.monthly).toBeCloseTo(3 * 730 * eu(ec2InstanceKey('m7i.large')), 6);
    expect(resource.spec).toBe('3 × m7i.large (max 6)');
  });

  it('prices Spot at on-demand with a note, or with the configured discount', () => {
    const spot = {
      aws_eks_node_group: {
        ng: nodeGroup({ capacity_type: 'SPOT', instance_types: ['t3.large', 't3a.large'] }),
      },
    };
    const atOnDemand = pricedOne(stack(spot), 'aws_eks_node_group.ng');
    expect(atOnDemand.monthly).toBeCloseTo(3 * 730 * eu(ec2InstanceKey('t3.large')), 6);
    expect(atOnDemand.lines[0]?.note).toContain('Spot priced at on-demand');
    expect(atOnDemand.lines[0]?.note).toContain(
      'priced as t3.large, the first of t3.large, t3a.large',
    );
    const discounted = pricedOne(
      stack(spot, { assumptions: { spotDiscountPercent: 60 } }),
      'aws_eks_node_group.ng',
    );
    expect(discounted.monthly).toBeCloseTo(atOnDemand.monthly * 0.4, 6);
    expect(discounted.lines[0]?.unitPrice).toBeCloseTo(eu(ec2InstanceKey('t3.large')) * 0.4, 9);
  });

  it('adds the default root volumes when there is no launch template', () => {
    const resource = pricedOne(
      stack({
        aws_eks_node_group: { ng: nodeGroup({ launch_template: undefined, disk_size: 40 }) },
      }),
      'aws_eks_node_group.ng',
    );
    expect(resource.lines).toHaveLength(2);
    expect(resource.lines[1]?.quantity).toBe(120);
    expect(resource.lines[1]?.priceKey).toBe(ebsVolumeKey('gp3'));
  });

  it('is unpriced when the instance type has no price in the region', () => {
    const estimate = stack({
      aws_eks_node_group: { ng: nodeGroup({ instance_types: ['x9z.huge'] }) },
    });
    expect(unpricedReason(estimate, 'aws_eks_node_group.ng')).toBe(
      'no price "ec2.x9z.huge" in the eu-west-1 table (scripts/cost/prices/)',
    );
    expect(estimate.monthly).toBe(0);
  });
});

forType('aws_launch_template', () => {
  const template = {
    block_device_mappings: [
      { device_name: '/dev/xvda', ebs: { volume_size: 50, volume_type: 'gp3', encrypted: 'true' } },
    ],
  };

  it('bills its EBS volumes once per node of the node groups that use it', () => {
    const resource = pricedOne(
      stack({ aws_launch_template: { lt: template }, aws_eks_node_group: { ng: nodeGroup() } }),
      'aws_launch_template.lt',
    );
    expect(resource.lines).toHaveLength(1);
    expect(resource.lines[0]?.quantity).toBe(150);
    expect(resource.monthly).toBeCloseTo(150 * eu(ebsVolumeKey('gp3')), 6);
    expect(resource.spec).toBe('3 × 50 GB gp3');
  });

  it('costs nothing when no node group uses it, and says so', () => {
    const resource = pricedOne(
      stack({ aws_launch_template: { lt: template } }),
      'aws_launch_template.lt',
    );
    expect(resource.monthly).toBe(0);
    expect(resource.lines[0]?.note).toBe('no node group of this stack uses the template');
  });

  it('is free without volumes of its own', () => {
    const estimate = stack({ aws_launch_template: { lt: { name_prefix: 'x' } } });
    expect(freeReason(estimate, 'aws_launch_template.lt')).toContain('no EBS volume');
  });
});

forType('aws_eks_addon', () => {
  it('bills Container Insights observations per node for the CloudWatch observability add-on', () => {
    const estimate = stack({
      aws_eks_addon: {
        obs: { addon_name: 'amazon-cloudwatch-observability' },
        dns: { addon_name: 'coredns' },
      },
      aws_eks_node_group: { ng: nodeGroup() },
    });
    const resource = pricedOne(estimate, 'aws_eks_addon.obs');
    expect(resource.lines[0]?.quantity).toBe(3 * 30);
    expect(resource.monthly).toBeCloseTo(90 * eu(PRICE.containerInsightsObservationsMillion), 6);
    expect(freeReason(estimate, 'aws_eks_addon.dns')).toContain('run on the priced nodes');
  });
});

forType('helm_release', () => {
  it('bills the CloudNativePG cluster volumes and leaves other charts free', () => {
    const values = JSON.stringify({ cluster: { instances: 2, storage: { size: '20Gi' } } });
    const estimate = stack({
      helm_release: {
        db: {
          chart: 'cluster',
          repository: 'https://cloudnative-pg.github.io/charts',
          values: [values],
        },
        app: {
          chart: 'application',
          repository: 'https://stakater.github.io/stakater-charts',
          values: ['{}'],
        },
      },
    });
    const resource = pricedOne(estimate, 'helm_release.db');
    expect(resource.lines[0]?.quantity).toBe(40);
    expect(resource.monthly).toBeCloseTo(40 * eu(ebsVolumeKey('gp3')), 6);
    expect(freeReason(estimate, 'helm_release.app')).toContain('nodes');
  });

  it('reads Kubernetes quantities', () => {
    expect(kubernetesQuantityGb('10Gi')).toBe(10);
    expect(kubernetesQuantityGb('512Mi')).toBe(0.5);
    expect(kubernetesQuantityGb('1Ti')).toBe(1024);
    expect(kubernetesQuantityGb('ten')).toBeUndefined();
  });
});

forType('aws_nat_gateway', () => {
  it('bills gateway-hours and splits the GB processed over the gateways', () => {
    const estimate = stack(
      { aws_nat_gateway: { a: { subnet_id: 'x' }, b: { subnet_id: 'y' } } },
      { assumptions: { nat: { processedGiBPerMonth: 300 } } },
    );
    for (const address of ['aws_nat_gateway.a', 'aws_nat_gateway.b']) {
      const resource = pricedOne(estimate, address);
      expect(resource.lines.map((line) => line.quantity)).toEqual([730, 150]);
      expect(resource.lines[1]?.assumption).toBe('nat.processedGiBPerMonth');
      expect(resource.monthly).toBeCloseTo(730 * eu(PRICE.natHour) + 150 * eu(PRICE.natGb), 6);
    }
    expect(estimate.monthly).toBeCloseTo(2 * 730 * 0.048 + 300 * 0.048, 6);
  });
});

forType('aws_eip', () => {
  it('bills the public IPv4 address-hours', () => {
    const resource = pricedOne(stack({ aws_eip: { ip: { domain: 'vpc' } } }), 'aws_eip.ip');
    expect(resource.monthly).toBeCloseTo(730 * 0.005, 6);
  });
});

forType('aws_vpc_endpoint', () => {
  it('leaves gateway endpoints free and bills interface endpoints per AZ-hour', () => {
    const estimate = stack({
      aws_vpc_endpoint: {
        s3: { vpc_endpoint_type: 'Gateway', service_name: 'com.amazonaws.eu-west-1.s3' },
        ecr: { vpc_endpoint_type: 'Interface', subnet_ids: ['a', 'b'] },
      },
    });
    expect(freeReason(estimate, 'aws_vpc_endpoint.s3')).toContain('gateway endpoints');
    expect(pricedOne(estimate, 'aws_vpc_endpoint.ecr').monthly).toBeCloseTo(
      2 * 730 * eu(PRICE.interfaceEndpointHour),
      6,
    );
  });
});

forType('aws_lb', () => {
  it('bills ALB-hours, LCU-hours and one public IPv4 per AZ when internet-facing', () => {
    const estimate = stack(
      {
        aws_lb: {
          public: { load_balancer_type: 'application', internal: false, subnets: ['a', 'b', 'c'] },
          private: { internal: true, subnets: ['a', 'b'] },
        },
      },
      { assumptions: { loadBalancer: { averageLcus: 2 } } },
    );
    const internetFacing = pricedOne(estimate, 'aws_lb.public');
    expect(internetFacing.lines.map((line) => line.quantity)).toEqual([730, 1460, 2190]);
    expect(internetFacing.monthly).toBeCloseTo(
      730 * eu(PRICE.albHour) + 1460 * eu(PRICE.albLcuHour) + 2190 * 0.005,
      6,
    );
    expect(pricedOne(estimate, 'aws_lb.private').lines).toHaveLength(2);
  });

  it('leaves network load balancers unpriced', () => {
    const estimate = stack({ aws_lb: { nlb: { load_balancer_type: 'network' } } });
    expect(unpricedReason(estimate, 'aws_lb.nlb')).toContain('network load balancers');
  });
});

forType('aws_db_instance', () => {
  const db = (extra: Record<string, unknown> = {}) => ({
    aws_db_instance: {
      db: {
        engine: 'postgres',
        instance_class: 'db.m7g.large',
        allocated_storage: 50,
        max_allocated_storage: 500,
        storage_type: 'gp3',
        multi_az: true,
        performance_insights_enabled: true,
        performance_insights_retention_period: 7,
        monitoring_interval: 60,
        ...extra,
      },
    },
  });

  it('doubles class-hours and storage with Multi-AZ, keeps 7-day Performance Insights free', () => {
    const resource = pricedOne(stack(db()), 'aws_db_instance.db');
    expect(resource.lines.map((line) => [line.priceKey, line.quantity])).toEqual([
      [rdsInstanceKey('postgres', 'db.m7g.large'), 1460],
      [rdsStorageKey('gp3'), 100],
      [PRICE.rdsPerformanceInsightsFreeTier, 2],
      [PRICE.logsIngestionGb, 1],
    ]);
    expect(resource.lines[2]?.monthly).toBe(0);
    expect(resource.monthly).toBeCloseTo(
      1460 * eu(rdsInstanceKey('postgres', 'db.m7g.large')) + 100 * eu(rdsStorageKey('gp3')) + 0.57,
      6,
    );
    expect(resource.lines[1]?.note).toContain('autoscaling up to 500 GB is not priced');
    expect(resource.spec).toBe('db.m7g.large Multi-AZ, 50 GB gp3');
  });

  it('bills one instance and its storage when single-AZ', () => {
    const resource = pricedOne(
      stack(
        db({
          multi_az: false,
          instance_class: 'db.t4g.small',
          performance_insights_enabled: false,
          monitoring_interval: 0,
        }),
      ),
      'aws_db_instance.db',
    );
    expect(resource.lines).toHaveLength(2);
    expect(resource.monthly).toBeCloseTo(730 * 0.036 + 50 * 0.127, 6);
  });

  it('is unpriced with Performance Insights kept beyond the free 7 days, or an unknown class', () => {
    expect(
      unpricedReason(
        stack(db({ performance_insights_retention_period: 31 })),
        'aws_db_instance.db',
      ),
    ).toContain('retention of 31 days');
    expect(
      unpricedReason(stack(db({ instance_class: 'db.r8g.48xlarge' })), 'aws_db_instance.db'),
    ).toContain('no price "rds.postgres.db.r8g.48xlarge"');
  });
});

forType('aws_kms_key', () => {
  it('bills the key-month and the assumed requests', () => {
    const resource = pricedOne(
      stack({ aws_kms_key: { k: { enable_key_rotation: true } } }),
      'aws_kms_key.k',
    );
    expect(resource.monthly).toBeCloseTo(1 + 0.03, 6);
    const busy = pricedOne(
      stack(
        { aws_kms_key: { k: {} } },
        { assumptions: { kms: { requestsPerKeyPerMonth: 1_000_000 } } },
      ),
      'aws_kms_key.k',
    );
    expect(busy.monthly).toBeCloseTo(1 + 3, 6);
  });
});

forType('aws_cloudwatch_metric_alarm', () => {
  it('bills per alarm metric: standard, metric math, high resolution, anomaly detection', () => {
    const estimate = stack({
      aws_cloudwatch_metric_alarm: {
        simple: { metric_name: 'CPUUtilization', period: 300 },
        math: {
          metric_query: [
            { id: 'a', metric: { metric_name: 'X', period: 60 } },
            { id: 'b', metric: { metric_name: 'Y', period: 60 } },
            { id: 'e', expression: 'a/b' },
          ],
        },
        fast: { metric_name: 'X', period: 10 },
        anomaly: {
          metric_query: [
            { id: 'm', metric: { metric_name: 'X', period: 300 } },
            { id: 'ad', expression: 'ANOMALY_DETECTION_BAND(m, 2)' },
          ],
        },
      },
    });
    const monthly = (name: string) =>
      pricedOne(estimate, `aws_cloudwatch_metric_alarm.${name}`).monthly;
    expect(monthly('simple')).toBeCloseTo(0.1, 9);
    expect(monthly('math')).toBeCloseTo(0.2, 9);
    expect(monthly('fast')).toBeCloseTo(0.3, 9);
    expect(monthly('anomaly')).toBeCloseTo(0.3, 9);
  });
});

forType('aws_cloudwatch_dashboard', () => {
  it('bills a dashboard-month', () => {
    expect(
      pricedOne(
        stack({ aws_cloudwatch_dashboard: { d: { dashboard_name: 'x' } } }),
        'aws_cloudwatch_dashboard.d',
      ).monthly,
    ).toBe(3);
  });
});

forType('aws_cloudwatch_log_group', () => {
  it('bills ingestion by what the group holds and storage for its retention', () => {
    const estimate = stack({
      aws_cloudwatch_log_group: {
        flow: { name: '/aws/x/flow', retention_in_days: 365 },
        eks: { name: '/aws/eks/hello-prod/cluster', retention_in_days: 30 },
        app: { name: '/aws/containerinsights/c/application', retention_in_days: 90 },
        forever: { name: 'custom' },
      },
      aws_flow_log: { f: { log_destination: '${aws_cloudwatch_log_group.flow.arn}' } },
    });
    const flow = pricedOne(estimate, 'aws_cloudwatch_log_group.flow');
    expect(flow.spec).toBe('vpcFlowLogs, 365 days');
    expect(flow.lines.map((line) => line.quantity)).toEqual([5, 60]);
    expect(flow.monthly).toBeCloseTo(5 * 0.57 + 60 * 0.03, 6);
    expect(pricedOne(estimate, 'aws_cloudwatch_log_group.eks').spec).toBe(
      'eksControlPlane, 30 days',
    );
    expect(pricedOne(estimate, 'aws_cloudwatch_log_group.app').lines[0]?.quantity).toBe(2);
    const forever = pricedOne(estimate, 'aws_cloudwatch_log_group.forever');
    expect(forever.lines[1]?.note).toContain('never expires');
    expect(freeReason(estimate, 'aws_flow_log.f')).toContain('destination log group');
  });
});

forType('aws_route53_zone', () => {
  it('bills a hosted zone-month from the non-regional table, whatever the region', () => {
    const estimate = stack(
      { aws_route53_zone: { z: { name: 'example.com' } } },
      { providers: [{ region: 'ap-southeast-2' }] },
    );
    const resource = pricedOne(estimate, 'aws_route53_zone.z');
    expect(resource.monthly).toBe(0.5);
    expect(resource.lines[0]?.priceTable).toBe('global');
  });
});

forType('aws_route53_health_check', () => {
  it('bills the check and each optional feature', () => {
    const estimate = stack({
      aws_route53_health_check: {
        https: { type: 'HTTPS', measure_latency: true, request_interval: 30 },
        basic: { type: 'HTTP', request_interval: 30 },
        fast: { type: 'HTTPS_STR_MATCH', request_interval: 10 },
      },
    });
    expect(pricedOne(estimate, 'aws_route53_health_check.https').monthly).toBe(2.5);
    expect(pricedOne(estimate, 'aws_route53_health_check.https').spec).toBe(
      'HTTPS + latency measurement',
    );
    expect(pricedOne(estimate, 'aws_route53_health_check.basic').monthly).toBe(0.5);
    expect(pricedOne(estimate, 'aws_route53_health_check.fast').monthly).toBe(3.5);
  });
});

forType('aws_wafv2_web_acl', () => {
  it('bills the web ACL, each rule and the assumed requests', () => {
    const rule = (name: string) => ({ name, statement: {} });
    const resource = pricedOne(
      stack({
        aws_wafv2_web_acl: {
          acl: { scope: 'REGIONAL', rule: [rule('a'), rule('b'), rule('c'), rule('d')] },
        },
      }),
      'aws_wafv2_web_acl.acl',
    );
    expect(resource.monthly).toBeCloseTo(5 + 4 + 10 * 0.6, 6);
    expect(resource.spec).toBe('web ACL, 4 rules');
  });
});

forType('aws_prometheus_workspace', () => {
  it('bills the samples of the active series at the scraper interval, storage and queries', () => {
    const estimate = stack({
      aws_prometheus_workspace: { ws: { alias: 'x' } },
      aws_prometheus_scraper: {
        s: {
          scrape_configuration: 'global:\n  scrape_interval: 30s\n',
          destination: [{ amp: [{ workspace_arn: '${aws_prometheus_workspace.ws.arn}' }] }],
        },
      },
    });
    const resource = pricedOne(estimate, 'aws_prometheus_workspace.ws');
    // 1,000 series every 30 s for 730 h = 87.6 million samples.
    expect(resource.lines[0]?.quantity).toBeCloseTo(8.76, 9);
    expect(resource.monthly).toBeCloseTo(8.76 * 0.9 + 0.03 + 0.1, 6);
    const alone = pricedOne(
      stack({ aws_prometheus_workspace: { ws: {} } }),
      'aws_prometheus_workspace.ws',
    );
    expect(alone.lines[0]?.quantity).toBeCloseTo(4.38, 9);
    expect(scrapeIntervalSeconds('scrape_interval: 2m')).toBe(120);
  });
});

forType('aws_prometheus_scraper', () => {
  it('bills collector-hours', () => {
    expect(
      pricedOne(stack({ aws_prometheus_scraper: { s: {} } }), 'aws_prometheus_scraper.s').monthly,
    ).toBeCloseTo(730 * eu(PRICE.ampCollectorHour), 6);
  });
});

forType('aws_sns_topic', () => {
  it('bills the assumed publishes; FIFO topics are unpriced', () => {
    const estimate = stack(
      { aws_sns_topic: { t: { name: 'alarms' }, fifo: { fifo_topic: true } } },
      { assumptions: { sns: { publishesPerTopicPerMonth: 2_000_000 } } },
    );
    expect(estimate.resources.find((r) => r.address === 'aws_sns_topic.t')?.monthly).toBeCloseTo(
      1,
      9,
    );
    expect(unpricedReason(estimate, 'aws_sns_topic.fifo')).toContain('FIFO');
  });
});

forType('aws_sns_topic_subscription', () => {
  it('bills e-mail and HTTP deliveries, leaves SQS free and other protocols unpriced', () => {
    const estimate = stack(
      {
        aws_sns_topic_subscription: {
          mail: { protocol: 'email' },
          hook: { protocol: 'https' },
          queue: { protocol: 'sqs' },
          sms: { protocol: 'sms' },
        },
      },
      { assumptions: { sns: { publishesPerTopicPerMonth: 100_000 } } },
    );
    expect(estimate.resources.find((r) => r.address.endsWith('.mail'))?.monthly).toBeCloseTo(2, 9);
    expect(estimate.resources.find((r) => r.address.endsWith('.hook'))?.monthly).toBeCloseTo(
      0.06,
      9,
    );
    expect(freeReason(estimate, 'aws_sns_topic_subscription.queue')).toContain('sqs');
    expect(unpricedReason(estimate, 'aws_sns_topic_subscription.sms')).toContain('sms');
  });
});

forType('aws_s3_bucket', () => {
  it('bills the assumed storage', () => {
    const resource = pricedOne(
      stack(
        { aws_s3_bucket: { b: { bucket: 'x' } } },
        { assumptions: { s3: { storageGiBPerBucket: 100 } } },
      ),
      'aws_s3_bucket.b',
    );
    expect(resource.monthly).toBeCloseTo(2.3, 9);
  });
});

forType('aws_ecr_repository', () => {
  it('bills the assumed image storage', () => {
    expect(
      pricedOne(stack({ aws_ecr_repository: { r: { name: 'x' } } }), 'aws_ecr_repository.r')
        .monthly,
    ).toBeCloseTo(0.5, 9);
  });
});

forType('aws_codebuild_project', () => {
  it('bills build minutes by compute type; other environments are unpriced', () => {
    const estimate = stack({
      aws_codebuild_project: {
        small: { environment: { compute_type: 'BUILD_GENERAL1_SMALL', type: 'LINUX_CONTAINER' } },
        arm: { environment: { compute_type: 'BUILD_GENERAL1_LARGE', type: 'ARM_CONTAINER' } },
      },
    });
    expect(estimate.resources.find((r) => r.address.endsWith('.small'))?.monthly).toBeCloseTo(5, 9);
    expect(unpricedReason(estimate, 'aws_codebuild_project.arm')).toContain('ARM_CONTAINER');
  });
});

describe('the catalogue', () => {
  it('has a pricing test above for every priced type', () => {
    const rules = Object.keys(PRICING_RULES).sort();
    expect(rules.length).toBeGreaterThanOrEqual(24);
    expect([...covered].sort()).toEqual(rules);
  });

  it('gives every free type a reason, and no type is both priced and free', () => {
    const free = Object.entries(FREE_TYPES);
    expect(free.length).toBeGreaterThanOrEqual(40);
    for (const [type, reason] of free) {
      expect(reason.length, type).toBeGreaterThan(10);
      expect(PRICING_RULES[type], type).toBeUndefined();
    }
  });

  it('lists an unknown type as unpriced and a free one as free', () => {
    const estimate = stack({ aws_iam_role: { r: {} }, aws_magic_box: { m: {} } });
    expect(freeReason(estimate, 'aws_iam_role.r')).toBe('IAM is free');
    expect(unpricedReason(estimate, 'aws_magic_box.m')).toBe(
      'no pricing rule or free entry for aws_magic_box',
    );
  });

  it('reads references', () => {
    expect(referencedAddress('${aws_launch_template.lt_1.id}')).toBe('aws_launch_template.lt_1');
    expect(referencedAddress('lt-123')).toBeUndefined();
  });
});

describe('regions and counts', () => {
  it('prices a resource in its provider alias region', () => {
    const estimate = stack(
      { aws_kms_key: { here: {}, there: { provider: 'aws.us_east_1' } } },
      { providers: [{ region: 'eu-west-1' }, { alias: 'us_east_1', region: 'us-east-1' }] },
    );
    expect(pricedOne(estimate, 'aws_kms_key.there').region).toBe('us-east-1');
    expect(pricedOne(estimate, 'aws_kms_key.there').lines[0]?.priceTable).toBe('us-east-1');
    expect(pricedOne(estimate, 'aws_kms_key.here').region).toBe('eu-west-1');
    expect(
      providerRegions({
        provider: { aws: [{ region: 'eu-west-1' }, { alias: 'x', region: 'us-east-1' }] },
      }),
    ).toEqual(
      new Map([
        ['aws', 'eu-west-1'],
        ['aws.x', 'us-east-1'],
      ]),
    );
  });

  it('leaves resources of a region without a table unpriced', () => {
    const estimate = stack({ aws_eip: { ip: {} } }, { providers: [{ region: 'ap-southeast-2' }] });
    expect(unpricedReason(estimate, 'aws_eip.ip')).toBe(
      'no price table for region ap-southeast-2 (scripts/cost/prices/)',
    );
  });

  it('multiplies by a literal count and notes one unknown at synth', () => {
    const estimate = stack({
      aws_eip: { many: { count: 3 }, each: { for_each: '${toset(var.x)}' } },
    });
    expect(pricedOne(estimate, 'aws_eip.many').monthly).toBeCloseTo(3 * 3.65, 6);
    expect(pricedOne(estimate, 'aws_eip.many').spec).toBe('3 × public IPv4 address');
    expect(pricedOne(estimate, 'aws_eip.each').lines[0]?.note).toContain('count/for_each unknown');
  });

  it('sums the unconfirmed part per environment and orders environments dev → prod → account', () => {
    const json: TerraformJson = {
      provider: { aws: [{ region: 'eu-west-1' }] },
      resource: { aws_eks_cluster: { c: { version: '1.33' } }, aws_eip: { ip: {} } },
    };
    const estimate = estimateCosts(
      {
        source: 'fixture',
        stacks: ['bootstrap', 'prod-infra', 'dev-infra'].map((name) => ({
          name,
          environment: name === 'bootstrap' ? 'account' : name.split('-')[0]!,
          dependencies: [],
          json,
        })),
      },
      { asOf: '2026-11-29' },
    );
    expect(estimate.environments.map((environment) => environment.name)).toEqual([
      'dev',
      'prod',
      'account',
    ]);
    const prod = estimate.environments[1]!;
    // The EKS rate is seen on an AWS page, the IPv4 one in a third-party article: both confirmed.
    expect(prod.monthly).toBeCloseTo(438 + 3.65, 6);
    expect(prod.unconfirmedMonthly).toBe(0);
    expect(estimate.unpricedTypes).toEqual([]);
  });

  it('rejects a malformed date', () => {
    expect(() => stack({}, { asOf: '29/11/2026' })).toThrow('invalid date');
  });
});

describe('price tables', () => {
  const tables = [EU_WEST_1, US_EAST_1, GLOBAL];

  it.each(tables.map((table) => [table.region, table] as const))(
    '%s: every entry has its unit, an AWS pricing page, the day read and its evidence',
    (_region, table) => {
      const entries = Object.entries(table.prices);
      expect(entries.length).toBeGreaterThanOrEqual(5);
      for (const [key, entry] of entries) {
        expect(entry.usd, key).toBeGreaterThanOrEqual(0);
        expect(entry.unit.length, key).toBeGreaterThan(0);
        expect(entry.source, key).toMatch(/^https:\/\/aws\.amazon\.com\/[a-z0-9/-]+\/$/);
        expect(entry.read, key).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(['aws', 'third-party', 'unconfirmed'], key).toContain(entry.evidence);
        if (entry.evidence !== 'aws') expect(entry.note, key).toBeTruthy();
      }
    },
  );

  it('prices the same things in both regions, so an environment can move', () => {
    expect(Object.keys(US_EAST_1.prices).sort()).toEqual(Object.keys(EU_WEST_1.prices).sort());
  });

  it('keeps Route 53 in the non-regional table only', () => {
    const route53 = Object.keys(GLOBAL.prices);
    expect(route53.every((key) => key.startsWith('route53.'))).toBe(true);
    expect(Object.keys(EU_WEST_1.prices).some((key) => key.startsWith('route53.'))).toBe(false);
  });

  it('uses the defaults of config/cost-assumptions.ts when an environment sets none', () => {
    expect(costAssumptionsSchema.parse({})).toEqual(DEFAULT_COST_ASSUMPTIONS);
    expect(DEFAULT_COST_ASSUMPTIONS.nat.processedGiBPerMonth).toBe(100);
    const partial = costAssumptionsSchema.parse({ logs: { ingestionGiBPerMonth: { waf: 9 } } });
    expect(partial.logs.ingestionGiBPerMonth).toMatchObject({ waf: 9, vpcFlowLogs: 5 });
    expect(costAssumptionsSchema.safeParse({ spotDiscountPercent: 120 }).success).toBe(false);
  });

  it('takes assumptions per environment from the config, and rejects a bad one by its field path', () => {
    const withProd = structuredClone(projectConfig);
    withProd.environments.prod!.costAssumptions = { nat: { processedGiBPerMonth: 700 } };
    const config = loadConfig(withProd);
    expect(config.environments.prod.costAssumptions.nat.processedGiBPerMonth).toBe(700);
    expect(config.environments.dev.costAssumptions).toEqual(DEFAULT_COST_ASSUMPTIONS);
    expect(config.bootstrap.costAssumptions).toEqual(DEFAULT_COST_ASSUMPTIONS);
    withProd.environments.prod!.costAssumptions = { nat: { processedGiBPerMonth: -1 } };
    expect(() => loadConfig(withProd)).toThrow(ProjectConfigError);
    expect(() => loadConfig(withProd)).toThrow(
      'environments.prod.costAssumptions.nat.processedGiBPerMonth',
    );
  });
});
