/**
 * Price keys: the names the pricing rules (../catalogue.ts) look up in the region tables. A rule
 * asking for a key a table lacks makes its resource "unpriced", never silently free.
 */
export const PRICE = {
  eksStandardHour: 'eks.cluster-hour.standard',
  eksExtendedHour: 'eks.cluster-hour.extended',
  natHour: 'vpc.nat-gateway.hour',
  natGb: 'vpc.nat-gateway.gb-processed',
  publicIpv4Hour: 'vpc.public-ipv4.hour',
  interfaceEndpointHour: 'vpc.interface-endpoint.hour',
  albHour: 'elb.alb.hour',
  albLcuHour: 'elb.alb.lcu-hour',
  kmsKeyMonth: 'kms.key-month',
  kmsRequests10k: 'kms.requests-10k',
  alarmStandardMetric: 'cloudwatch.alarm.standard-metric-month',
  alarmHighResolutionMetric: 'cloudwatch.alarm.high-resolution-metric-month',
  dashboardMonth: 'cloudwatch.dashboard-month',
  logsIngestionGb: 'cloudwatch.logs.ingestion-gb',
  logsStorageGbMonth: 'cloudwatch.logs.storage-gb-month',
  containerInsightsObservationsMillion: 'cloudwatch.container-insights.observations-million',
  route53ZoneMonth: 'route53.hosted-zone-month',
  route53HealthCheckAwsMonth: 'route53.health-check.aws-endpoint-month',
  route53HealthCheckNonAwsMonth: 'route53.health-check.non-aws-endpoint-month',
  route53HealthCheckFeatureAwsMonth: 'route53.health-check.optional-feature.aws-endpoint-month',
  route53HealthCheckFeatureNonAwsMonth:
    'route53.health-check.optional-feature.non-aws-endpoint-month',
  wafWebAclMonth: 'waf.web-acl-month',
  wafRuleMonth: 'waf.rule-month',
  wafRequestsMillion: 'waf.requests-million',
  ampSamples10m: 'amp.samples-ingested-10m',
  ampStorageGbMonth: 'amp.storage-gb-month',
  ampQuerySamplesBillion: 'amp.query-samples-billion',
  ampCollectorHour: 'amp.collector-hour',
  snsRequestsMillion: 'sns.requests-million',
  snsEmail100k: 'sns.email-100k',
  snsHttpMillion: 'sns.http-million',
  s3StandardGbMonth: 's3.standard.gb-month',
  ecrStorageGbMonth: 'ecr.storage-gb-month',
  rdsPerformanceInsightsFreeTier: 'rds.performance-insights.free-tier',
} as const;

/** EC2 Linux on-demand instance-hour of an instance type (`ec2.m7i.large`). */
export const ec2InstanceKey = (instanceType: string): string => `ec2.${instanceType}`;

/** EBS volume GB-month of a volume type (`ebs.gp3`). */
export const ebsVolumeKey = (volumeType: string): string => `ebs.${volumeType}`;

/** RDS single-AZ instance-hour of an engine and class (`rds.postgres.db.m7g.large`). */
export const rdsInstanceKey = (engine: string, instanceClass: string): string =>
  `rds.${engine}.${instanceClass}`;

/** RDS single-AZ storage GB-month of a storage type (`rds.storage.gp3`). */
export const rdsStorageKey = (storageType: string): string => `rds.storage.${storageType}`;

/** CodeBuild build-minute of a Linux compute type (`codebuild.BUILD_GENERAL1_SMALL`). */
export const codebuildMinuteKey = (computeType: string): string => `codebuild.${computeType}`;
