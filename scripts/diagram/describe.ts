/**
 * Plain-words labels for a module node, computed from the resources it holds: "VPC 10.30.0.0/16,
 * 3 AZs, 3 NAT", "EKS 1.33, 3 × m7i.large (max 6)", "RDS PostgreSQL 17, multi-AZ". Each describer
 * recognises one main resource type and consumes the resources that belong to it; minor resources
 * (route tables, rules, attachments, policies) fold into the module silently, and anything new and
 * unrecognised still shows up as a count, so the labels follow the code without being edited.
 */
import { addressTokens, type TerraformItem } from './terraform-items';
import {
  block,
  blocks,
  findKeys,
  helmValues,
  literal,
  literalNumber,
  ofType,
  plural,
} from './values';

interface Describer {
  /** The describer runs when the module holds at least one item of this type. */
  readonly trigger: string;
  /** Types it accounts for, so they are not counted again by the fallback. */
  readonly consumes: readonly string[];
  describe(items: readonly TerraformItem[]): string[];
}

/** Never worth a word on the picture: plumbing that only makes a main resource work. */
const MINOR_TYPES: readonly RegExp[] = [
  /^aws_(route|route_table|route_table_association|main_route_table_association)$/,
  /^aws_(default_)?(security_group|network_acl)(_rule)?$/,
  /^aws_vpc_security_group_(ingress|egress)_rule$/,
  /^aws_iam_(role_policy|role_policy_attachment|policy|policy_attachment|instance_profile)$/,
  /^aws_kms_(alias|grant)$/,
  /^aws_s3_bucket_.+$/,
  /^aws_lb_(listener_rule|listener_certificate|target_group_attachment)$/,
  /^aws_autoscaling_attachment$/,
  /^aws_acm_certificate_validation$/,
  /^aws_eks_(access_entry|access_policy_association|pod_identity_association)$/,
  /^aws_db_(parameter_group|subnet_group|option_group)$/,
  /^aws_cloudwatch_log_(resource_policy|subscription_filter)$/,
  /^aws_sns_topic_(subscription|policy)$/,
  /^aws_ecr_(lifecycle_policy|repository_policy)$/,
  /^aws_wafv2_web_acl_logging_configuration$/,
  /^aws_secretsmanager_secret_(version|rotation|policy)$/,
  /^aws_eip$/,
  /^time_sleep$/,
  /^null_resource$/,
];

/** Security-relevant supporting resources, summed up on a last line ("3 KMS keys · 2 IAM roles"). */
const SUPPORTING: ReadonlyArray<readonly [type: string, singular: string, pluralForm: string]> = [
  ['aws_kms_key', 'KMS key', 'KMS keys'],
  ['aws_iam_role', 'IAM role', 'IAM roles'],
  ['aws_cloudwatch_log_group', 'log group', 'log groups'],
];

const ENGINES: Record<string, string> = {
  postgres: 'PostgreSQL',
  mysql: 'MySQL',
  mariadb: 'MariaDB',
  'aurora-postgresql': 'Aurora PostgreSQL',
  'aurora-mysql': 'Aurora MySQL',
};

/** Resources of `type` whose configuration references `target` (`${target.address.`). */
function referencing(
  items: readonly TerraformItem[],
  type: string,
  target: TerraformItem,
): TerraformItem[] {
  return ofType(items, type).filter((item) => addressTokens(item.config).has(target.address));
}

function vpc(items: readonly TerraformItem[]): string[] {
  const lines: string[] = [];
  const subnets = ofType(items, 'aws_subnet');
  const zones = new Set(
    subnets.map((subnet) => literal(subnet.config.availability_zone)).filter(Boolean),
  );
  // Subnet tiers from their construct ids: `public-0`, `private-1` → public, private.
  // Listed from the edge inwards: public, private, then any other tier by name.
  const rank = (tier: string): number => {
    const position = ['public', 'private'].indexOf(tier);
    return position < 0 ? 2 : position;
  };
  const tiers = [
    ...new Set(subnets.map((subnet) => (subnet.path.at(-1) ?? '').replace(/-\d+$/, ''))),
  ].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const nats = ofType(items, 'aws_nat_gateway').length;
  for (const network of ofType(items, 'aws_vpc')) {
    const parts = [`VPC ${literal(network.config.cidr_block) ?? '(IPAM)'}`];
    if (zones.size > 0) parts.push(plural(zones.size, 'AZ'));
    parts.push(nats > 0 ? `${nats} NAT` : 'no NAT');
    lines.push(parts.join(', '));
  }
  if (tiers.length > 0) lines.push(`subnets: ${tiers.join(' · ')}`);
  const extras: string[] = [];
  if (ofType(items, 'aws_flow_log').length > 0) extras.push('flow logs');
  for (const endpoint of ofType(items, 'aws_vpc_endpoint')) {
    const service = String(endpoint.config.service_name ?? '')
      .split('.')
      .at(-1);
    const kind = literal(endpoint.config.vpc_endpoint_type)?.toLowerCase() ?? 'interface';
    if (service) extras.push(`${service.toUpperCase()} ${kind} endpoint`);
  }
  if (extras.length > 0) lines.push(extras.join(' · '));
  return lines;
}

function eks(items: readonly TerraformItem[]): string[] {
  const lines: string[] = [];
  const templates = ofType(items, 'aws_launch_template');
  const groups = ofType(items, 'aws_eks_node_group').map((group) => {
    const scaling = block(group.config.scaling_config);
    const desired = literalNumber(scaling.desired_size);
    const max = literalNumber(scaling.max_size);
    const fromGroup = Array.isArray(group.config.instance_types)
      ? literal(group.config.instance_types[0])
      : undefined;
    const tokens = addressTokens(group.config.launch_template);
    const template = templates.find((candidate) => tokens.has(candidate.address));
    const instanceType = fromGroup ?? literal(template?.config.instance_type) ?? 'nodes';
    const spot = literal(group.config.capacity_type) === 'SPOT' ? ' spot' : '';
    const range =
      max !== undefined && desired !== undefined && max > desired ? ` (max ${max})` : '';
    return `${desired ?? '?'} × ${instanceType}${spot}${range}`;
  });
  for (const cluster of ofType(items, 'aws_eks_cluster')) {
    const version = literal(cluster.config.version);
    lines.push([`EKS ${version ?? ''}`.trim(), ...groups].join(', '));
    const details: string[] = [];
    const addons = ofType(items, 'aws_eks_addon').length;
    if (addons > 0) details.push(plural(addons, 'add-on'));
    const endpoint = block(cluster.config.vpc_config);
    if (endpoint.endpoint_public_access === false) details.push('private API');
    if (blocks(cluster.config.encryption_config).length > 0) details.push('secrets encrypted');
    if (details.length > 0) lines.push(details.join(' · '));
  }
  return lines;
}

function database(items: readonly TerraformItem[]): string[] {
  return ofType(items, 'aws_db_instance').flatMap((instance) => {
    const engine = literal(instance.config.engine) ?? 'database';
    const major = literal(instance.config.engine_version)?.split('.')[0];
    const availability = instance.config.multi_az === true ? 'multi-AZ' : 'single-AZ';
    const size = [
      literal(instance.config.instance_class),
      literalNumber(instance.config.allocated_storage) !== undefined
        ? `${literalNumber(instance.config.allocated_storage)} GB`
        : undefined,
    ].filter(Boolean);
    return [
      `RDS ${[ENGINES[engine] ?? engine, major].filter(Boolean).join(' ')}, ${availability}`,
      size.join(', '),
    ].filter((line) => line.length > 0);
  });
}

function loadBalancer(items: readonly TerraformItem[]): string[] {
  return ofType(items, 'aws_lb').flatMap((lb) => {
    const type = literal(lb.config.load_balancer_type) ?? 'application';
    const name = type === 'network' ? 'NLB' : type === 'gateway' ? 'GWLB' : 'ALB';
    const listeners = referencing(items, 'aws_lb_listener', lb);
    const secure = listeners.filter((listener) =>
      ['HTTPS', 'TLS'].includes(literal(listener.config.protocol) ?? ''),
    );
    const features: string[] = [];
    if (secure.some((listener) => listener.config.certificate_arn !== undefined))
      features.push('ACM');
    if (referencing(items, 'aws_wafv2_web_acl_association', lb).length > 0) features.push('WAF');
    const ports = (secure.length > 0 ? secure : listeners)
      .map((listener) => literalNumber(listener.config.port))
      .filter((port): port is number => port !== undefined)
      .sort((a, b) => a - b)
      .map((port) => `:${port}`);
    const first = [name, lb.config.internal === true ? '(internal)' : '', ...ports]
      .filter(Boolean)
      .join(' ');
    const redirects = listeners
      .filter((listener) =>
        blocks(listener.config.default_action).some((action) => action.type === 'redirect'),
      )
      .map((listener) => `:${literal(listener.config.port) ?? '?'} → https`);
    const lines = [
      [features.length > 0 ? `${first} (${features.join(', ')})` : first, ...redirects].join(', '),
    ];
    const targets = ofType(items, 'aws_lb_target_group').map((group) => {
      const kind = literal(group.config.target_type) ?? 'instance';
      return `→ ${kind === 'instance' ? 'nodes' : kind} :${literal(group.config.port) ?? '?'}`;
    });
    const accessLogs = block(lb.config.access_logs).enabled === true ? ['access logs to S3'] : [];
    if (targets.length + accessLogs.length > 0) lines.push([...targets, ...accessLogs].join(' · '));
    return lines;
  });
}

function aliasRecords(items: readonly TerraformItem[]): string[] {
  const names = ofType(items, 'aws_route53_record')
    .filter((record) => blocks(record.config.alias).length > 0)
    .map((record) => literal(record.config.name))
    .filter((name): name is string => name !== undefined);
  const unique = [...new Set(names)];
  return unique.length > 0 ? [`DNS alias ${unique.join(', ')}`] : [];
}

function zones(items: readonly TerraformItem[]): string[] {
  return ofType(items, 'aws_route53_zone').map((zone) => {
    const name = literal(zone.config.name) ?? 'zone';
    const kind = zone.config.private_zone === true ? 'private ' : '';
    return `Route 53 ${kind}zone ${name}${zone.mode === 'data' ? ' (existing)' : ''}`;
  });
}

function certificates(items: readonly TerraformItem[]): string[] {
  return ofType(items, 'aws_acm_certificate').map((certificate) => {
    const validation = literal(certificate.config.validation_method);
    return `ACM ${literal(certificate.config.domain_name) ?? 'certificate'}${
      validation ? ` (${validation}-validated)` : ''
    }`;
  });
}

function webAcls(items: readonly TerraformItem[]): string[] {
  return ofType(items, 'aws_wafv2_web_acl').map(
    (acl) => `WAF web ACL, ${plural(blocks(acl.config.rule).length, 'rule')}`,
  );
}

function buckets(items: readonly TerraformItem[]): string[] {
  return ofType(items, 'aws_s3_bucket').map((bucket) => {
    const features: string[] = [];
    const versioning = referencing(items, 'aws_s3_bucket_versioning', bucket).some(
      (entry) => block(entry.config.versioning_configuration).status === 'Enabled',
    );
    if (versioning) features.push('versioned');
    const encryption = JSON.stringify(
      referencing(items, 'aws_s3_bucket_server_side_encryption_configuration', bucket).map(
        (entry) => entry.config,
      ),
    );
    if (encryption.includes('aws:kms')) features.push('KMS');
    const name = literal(bucket.config.bucket) ?? literal(bucket.config.bucket_prefix) ?? '';
    return `S3 ${name}${features.length > 0 ? ` (${features.join(', ')})` : ''}`.trim();
  });
}

function repositories(items: readonly TerraformItem[]): string[] {
  return ofType(items, 'aws_ecr_repository').map((repository) => {
    const features: string[] = [];
    if (literal(repository.config.image_tag_mutability) === 'IMMUTABLE') features.push('immutable');
    if (block(repository.config.image_scanning_configuration).scan_on_push === true)
      features.push('scan on push');
    return `ECR ${literal(repository.config.name) ?? ''}${
      features.length > 0 ? ` (${features.join(', ')})` : ''
    }`;
  });
}

/** `oci://ghcr.io/nginx/charts` → `nginx`; `https://stakater.github.io/...` → `stakater`. */
function chartOwner(repository: string | undefined): string | undefined {
  if (!repository) return undefined;
  const match = /^[a-z]+:\/\/([^/]+)\/?([^/]*)/.exec(repository);
  if (!match) return undefined;
  const [, host = '', first = ''] = match;
  if (host.endsWith('.github.io')) return host.slice(0, -'.github.io'.length);
  return first || host;
}

/** What a Helm release is, in words, and a few facts from its values. */
export function describeRelease(release: TerraformItem): string[] {
  const chart = literal(release.config.chart) ?? 'chart';
  const repository = literal(release.config.repository);
  const version = literal(release.config.version);
  const values = helmValues(release);
  const owner = chartOwner(repository);
  const chartRef = `${owner ? `${owner}/` : ''}${chart}${version ? ` ${version}` : ''}`;

  const facts: string[] = [];
  const autoscaling = findKeys(values, /^autoscaling$/).find(
    (entry): entry is Record<string, unknown> =>
      typeof entry === 'object' &&
      entry !== null &&
      (entry as { enabled?: unknown }).enabled === true,
  );
  const replicas = findKeys(values, /^(replicas|replicaCount)$/)
    .map(literalNumber)
    .find((count) => count !== undefined);
  const instances = findKeys(values, /^instances$/)
    .map(literalNumber)
    .find((count) => count !== undefined);
  if (autoscaling) {
    facts.push(
      `${literal(autoscaling.minReplicas) ?? '?'}-${literal(autoscaling.maxReplicas) ?? '?'} pods`,
    );
  } else if (instances !== undefined) {
    facts.push(plural(instances, 'instance'));
  } else if (replicas !== undefined) {
    facts.push(plural(replicas, 'pod'));
  }
  const nodePort = findKeys(values, /^nodePort$/)
    .map(literalNumber)
    .find((port) => port !== undefined);
  if (nodePort !== undefined) facts.push(`NodePort ${nodePort}`);

  let title = literal(release.config.name) ?? chart;
  const isCnpg = (repository ?? '').includes('cloudnative-pg');
  if (/ingress/.test(chart)) {
    title = /nginx/.test(chart) ? 'NGINX ingress' : 'Ingress controller';
  } else if (isCnpg && chart === 'cloudnative-pg') {
    title = 'CloudNativePG operator';
  } else if (isCnpg || values.type === 'postgresql') {
    const major = findKeys(values, /^postgresql$/)
      .map(literal)
      .find(Boolean);
    title = `${['PostgreSQL', major].filter(Boolean).join(' ')} (CloudNativePG)`;
  }
  return [`${title}${facts.length > 0 ? `, ${facts.join(', ')}` : ''}`, chartRef];
}

function releases(items: readonly TerraformItem[]): string[] {
  return ofType(items, 'helm_release').flatMap(describeRelease);
}

function namespaces(items: readonly TerraformItem[]): string[] {
  return [
    ...ofType(items, 'kubernetes_namespace_v1'),
    ...ofType(items, 'kubernetes_namespace'),
  ].map((namespace) => {
    const metadata = block(namespace.config.metadata);
    const labels = (metadata.labels ?? {}) as Record<string, unknown>;
    const enforce = literal(labels['pod-security.kubernetes.io/enforce']);
    return `Namespace ${literal(metadata.name) ?? ''}${enforce ? ` (PSA ${enforce})` : ''}`;
  });
}

function storageClasses(items: readonly TerraformItem[]): string[] {
  return [
    ...ofType(items, 'kubernetes_storage_class_v1'),
    ...ofType(items, 'kubernetes_storage_class'),
  ].map((storageClass) => {
    const metadata = block(storageClass.config.metadata);
    const parameters = (storageClass.config.parameters ?? {}) as Record<string, unknown>;
    const annotations = (metadata.annotations ?? {}) as Record<string, unknown>;
    const features = [
      literal(parameters.type),
      literal(parameters.encrypted) === 'true' ? 'encrypted' : undefined,
      literal(annotations['storageclass.kubernetes.io/is-default-class']) === 'true'
        ? 'default'
        : undefined,
    ].filter(Boolean);
    return `StorageClass ${literal(metadata.name) ?? ''}${
      features.length > 0 ? ` (${features.join(', ')})` : ''
    }`;
  });
}

function serviceAccounts(items: readonly TerraformItem[]): string[] {
  const podIdentity = ofType(items, 'aws_eks_pod_identity_association').length > 0;
  return [
    ...ofType(items, 'kubernetes_service_account_v1'),
    ...ofType(items, 'kubernetes_service_account'),
  ].map(
    (account) =>
      `ServiceAccount ${literal(block(account.config.metadata).name) ?? ''}${
        podIdentity ? ' + Pod Identity role' : ''
      }`,
  );
}

function prometheus(items: readonly TerraformItem[]): string[] {
  const parts = ['Managed Prometheus'];
  const scrapers = ofType(items, 'aws_prometheus_scraper').length;
  if (scrapers > 0) parts.push(scrapers === 1 ? 'scraper' : plural(scrapers, 'scraper'));
  const extras: string[] = [];
  if (ofType(items, 'aws_prometheus_rule_group_namespace').length > 0) extras.push('alert rules');
  if (ofType(items, 'aws_prometheus_alert_manager_definition').length > 0)
    extras.push('Alertmanager');
  return [parts.join(' + '), ...(extras.length > 0 ? [extras.join(' · ')] : [])];
}

function healthChecks(items: readonly TerraformItem[]): string[] {
  return ofType(items, 'aws_route53_health_check').map((check) => {
    const fqdn = literal(check.config.fqdn);
    const path = literal(check.config.resource_path) ?? '';
    const scheme = literalNumber(check.config.port) === 443 ? 'https' : 'http';
    return fqdn ? `Route 53 health check ${scheme}://${fqdn}${path}` : 'Route 53 health check';
  });
}

function topics(items: readonly TerraformItem[]): string[] {
  return ofType(items, 'aws_sns_topic').map((topic) => {
    const protocols = [
      ...new Set(
        referencing(items, 'aws_sns_topic_subscription', topic)
          .map((subscription) => literal(subscription.config.protocol))
          .filter((protocol): protocol is string => protocol !== undefined),
      ),
    ];
    const encrypted = topic.config.kms_master_key_id !== undefined ? ' (KMS)' : '';
    const to = protocols.length > 0 ? ` → ${protocols.join(', ')}` : '';
    return `SNS ${literal(topic.config.name) ?? 'topic'}${encrypted}${to}`;
  });
}

function counted(type: string, singular: string, pluralForm?: string): Describer {
  return {
    trigger: type,
    consumes: [type],
    describe: (items) => [plural(ofType(items, type).length, singular, pluralForm)],
  };
}

/** Checked in order; the first lines of a label come from the first describers that match. */
const DESCRIBERS: readonly Describer[] = [
  {
    trigger: 'aws_vpc',
    consumes: [
      'aws_vpc',
      'aws_subnet',
      'aws_nat_gateway',
      'aws_internet_gateway',
      'aws_egress_only_internet_gateway',
      'aws_flow_log',
      'aws_vpc_endpoint',
    ],
    describe: vpc,
  },
  {
    trigger: 'aws_eks_cluster',
    consumes: [
      'aws_eks_cluster',
      'aws_eks_node_group',
      'aws_launch_template',
      'aws_eks_addon',
      'aws_iam_openid_connect_provider',
    ],
    describe: eks,
  },
  { trigger: 'aws_db_instance', consumes: ['aws_db_instance'], describe: database },
  {
    trigger: 'aws_lb',
    consumes: [
      'aws_lb',
      'aws_lb_listener',
      'aws_lb_target_group',
      'aws_wafv2_web_acl',
      'aws_wafv2_web_acl_association',
      'aws_s3_bucket',
    ],
    describe: loadBalancer,
  },
  { trigger: 'aws_route53_zone', consumes: ['aws_route53_zone'], describe: zones },
  { trigger: 'aws_route53_record', consumes: ['aws_route53_record'], describe: aliasRecords },
  { trigger: 'aws_acm_certificate', consumes: ['aws_acm_certificate'], describe: certificates },
  { trigger: 'aws_wafv2_web_acl', consumes: ['aws_wafv2_web_acl'], describe: webAcls },
  { trigger: 'aws_s3_bucket', consumes: ['aws_s3_bucket'], describe: buckets },
  { trigger: 'aws_ecr_repository', consumes: ['aws_ecr_repository'], describe: repositories },
  { trigger: 'helm_release', consumes: ['helm_release'], describe: releases },
  {
    trigger: 'kubernetes_namespace_v1',
    consumes: ['kubernetes_namespace_v1'],
    describe: namespaces,
  },
  { trigger: 'kubernetes_namespace', consumes: ['kubernetes_namespace'], describe: namespaces },
  {
    trigger: 'kubernetes_storage_class_v1',
    consumes: ['kubernetes_storage_class_v1'],
    describe: storageClasses,
  },
  {
    trigger: 'kubernetes_service_account_v1',
    consumes: ['kubernetes_service_account_v1'],
    describe: serviceAccounts,
  },
  {
    trigger: 'aws_prometheus_workspace',
    consumes: [
      'aws_prometheus_workspace',
      'aws_prometheus_scraper',
      'aws_prometheus_rule_group_namespace',
      'aws_prometheus_alert_manager_definition',
    ],
    describe: prometheus,
  },
  {
    trigger: 'aws_route53_health_check',
    consumes: ['aws_route53_health_check'],
    describe: healthChecks,
  },
  counted('aws_cloudwatch_metric_alarm', 'CloudWatch alarm'),
  counted('aws_cloudwatch_composite_alarm', 'composite alarm'),
  { trigger: 'aws_sns_topic', consumes: ['aws_sns_topic'], describe: topics },
  counted('aws_cloudwatch_dashboard', 'CloudWatch dashboard'),
  counted('aws_cloudwatch_query_definition', 'Logs Insights query', 'Logs Insights queries'),
  {
    trigger: 'aws_eks_addon',
    consumes: ['aws_eks_addon'],
    describe: (items) =>
      ofType(items, 'aws_eks_addon').map(
        (addon) => `EKS add-on ${literal(addon.config.addon_name) ?? ''}`,
      ),
  },
  {
    trigger: 'aws_iam_openid_connect_provider',
    consumes: ['aws_iam_openid_connect_provider'],
    describe: (items) =>
      ofType(items, 'aws_iam_openid_connect_provider').map((provider) => {
        const host = literal(provider.config.url)?.replace(/^https:\/\//, '');
        return `OIDC provider ${host ?? ''}`.trim();
      }),
  },
  counted('tfe_workspace', 'Terraform Cloud workspace'),
  counted('tfe_project', 'Terraform Cloud project'),
];

/** Plumbing or supporting resources (route tables, rules, KMS keys, roles, log groups). */
export function isSupportingType(type: string): boolean {
  return (
    MINOR_TYPES.some((pattern) => pattern.test(type)) ||
    SUPPORTING.some(([supporting]) => supporting === type)
  );
}

/** `aws_cloudwatch_metric_stream` → `cloudwatch metric stream`. */
function plainType(type: string): string {
  return type
    .replace(/^(aws|kubernetes|helm|tfe)_/, '')
    .replace(/_v\d+$/, '')
    .replace(/_/g, ' ');
}

/**
 * The label lines of a module node. Data sources only ever describe themselves through a describer
 * (an existing Route 53 zone); managed resources no describer knows are counted by type, and the
 * supporting KMS keys, IAM roles and log groups are summed up on the last line.
 */
export function describeModule(items: readonly TerraformItem[]): string[] {
  const lines: string[] = [];
  const consumed = new Set<string>();
  const present = new Set(items.map((item) => item.type));
  for (const describer of DESCRIBERS) {
    if (!present.has(describer.trigger) || consumed.has(describer.trigger)) continue;
    const unclaimed = items.filter((item) => !consumed.has(item.type));
    lines.push(...describer.describe(unclaimed));
    describer.consumes.forEach((type) => consumed.add(type));
  }

  const managed = items.filter((item) => item.mode === 'resource');
  const supportingTypes = new Set(SUPPORTING.map(([type]) => type));
  const unknown = new Map<string, number>();
  for (const item of managed) {
    if (consumed.has(item.type) || supportingTypes.has(item.type)) continue;
    if (MINOR_TYPES.some((pattern) => pattern.test(item.type))) continue;
    unknown.set(item.type, (unknown.get(item.type) ?? 0) + 1);
  }
  for (const [type, count] of [...unknown].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`${count} × ${plainType(type)}`);
  }

  const supporting = SUPPORTING.map(([type, singular, pluralForm]) => {
    const count = managed.filter((item) => item.type === type).length;
    return count > 0 ? plural(count, singular, pluralForm) : undefined;
  }).filter((entry): entry is string => entry !== undefined);
  if (supporting.length > 0) lines.push(supporting.join(' · '));

  if (lines.length === 0 && managed.length > 0) {
    // Only plumbing (e.g. a module of security group rules): say what it is made of.
    const byType = new Map<string, number>();
    managed.forEach((item) => byType.set(item.type, (byType.get(item.type) ?? 0) + 1));
    lines.push(
      [...byType]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([type, count]) => `${count} × ${plainType(type)}`)
        .join(' · '),
    );
  }
  return lines;
}
