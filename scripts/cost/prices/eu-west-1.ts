/**
 * List prices in eu-west-1 (Europe, Ireland), USD, on-demand, Linux, before tax and free tiers.
 * Update a figure together with its `read` day and evidence; see docs/cost.md.
 */
import {
  codebuildMinuteKey,
  ebsVolumeKey,
  ec2InstanceKey,
  PRICE,
  rdsInstanceKey,
  rdsStorageKey,
} from './keys';
import { NOTES, price, SOURCES, thirdParty, unconfirmed } from './sources';
import type { RegionPriceTable } from './types';

export const EU_WEST_1: RegionPriceTable = {
  region: 'eu-west-1',
  prices: {
    [PRICE.eksStandardHour]: price(0.1, 'cluster-hour', SOURCES.eks, 'aws', NOTES.eksBlog),
    [PRICE.eksExtendedHour]: price(0.6, 'cluster-hour', SOURCES.eks, 'aws', NOTES.eksBlog),

    [ec2InstanceKey('t3.large')]: unconfirmed(0.0912, 'instance-hour', SOURCES.ec2),
    [ec2InstanceKey('t3a.large')]: unconfirmed(0.0816, 'instance-hour', SOURCES.ec2),
    [ec2InstanceKey('m7i.large')]: unconfirmed(
      0.1124,
      'instance-hour',
      SOURCES.ec2,
      'us-east-1 lists $0.1008 (seen in several third-party price tables)',
    ),
    [ebsVolumeKey('gp3')]: unconfirmed(
      0.088,
      'GB-month',
      SOURCES.ebs,
      'baseline 3,000 IOPS and 125 MB/s included',
    ),
    [ebsVolumeKey('gp2')]: unconfirmed(0.11, 'GB-month', SOURCES.ebs),

    [PRICE.natHour]: thirdParty(
      0.048,
      'gateway-hour',
      SOURCES.vpc,
      'cloudpipelines.pages.dev (2026) gives ~$0.048-0.052 for Ireland, Frankfurt and London; the Ireland figure itself is from the AWS list as known to the author',
    ),
    [PRICE.natGb]: thirdParty(
      0.048,
      'GB processed',
      SOURCES.vpc,
      'as the hourly rate; data transfer out to the internet is extra and not estimated',
    ),
    [PRICE.publicIpv4Hour]: thirdParty(
      0.005,
      'address-hour',
      SOURCES.vpc,
      'cloudburn.io (2026): $0.005 per public IPv4 address-hour, in use or idle, every region',
    ),
    [PRICE.interfaceEndpointHour]: unconfirmed(
      0.011,
      'endpoint-AZ-hour',
      SOURCES.privateLink,
      'plus $0.01/GB processed, not estimated',
    ),

    [PRICE.albHour]: unconfirmed(0.0252, 'ALB-hour', SOURCES.elb),
    [PRICE.albLcuHour]: unconfirmed(0.008, 'LCU-hour', SOURCES.elb),

    [rdsInstanceKey('postgres', 'db.t4g.small')]: unconfirmed(
      0.036,
      'instance-hour',
      SOURCES.rdsPostgres,
      'single-AZ; us-east-1 lists $0.032 (infratally.com, 2026)',
    ),
    [rdsInstanceKey('postgres', 'db.m7g.large')]: unconfirmed(
      0.184,
      'instance-hour',
      SOURCES.rdsPostgres,
      'single-AZ; the least certain figure of this table: check it first',
    ),
    [rdsStorageKey('gp3')]: unconfirmed(
      0.127,
      'GB-month',
      SOURCES.rdsPostgres,
      'single-AZ; us-east-1 lists $0.115 (usage.ai, 2026); backup storage up to the DB size is free',
    ),
    [rdsStorageKey('gp2')]: unconfirmed(0.127, 'GB-month', SOURCES.rdsPostgres, 'single-AZ'),
    [PRICE.rdsPerformanceInsightsFreeTier]: price(
      0,
      'instance-month',
      SOURCES.rdsPostgres,
      'unconfirmed',
      '7 days of Performance Insights history are free; longer retention is not in this table',
    ),

    [PRICE.kmsKeyMonth]: unconfirmed(
      1,
      'key-month',
      SOURCES.kms,
      'each rotated key version adds $1/month for its first two rotations',
    ),
    [PRICE.kmsRequests10k]: unconfirmed(0.03, '10,000 requests', SOURCES.kms, NOTES.noFreeTier),

    [PRICE.alarmStandardMetric]: unconfirmed(
      0.1,
      'alarm metric-month',
      SOURCES.cloudwatch,
      NOTES.noFreeTier,
    ),
    [PRICE.alarmHighResolutionMetric]: unconfirmed(0.3, 'alarm metric-month', SOURCES.cloudwatch),
    [PRICE.dashboardMonth]: thirdParty(
      3,
      'dashboard-month',
      SOURCES.cloudwatch,
      'factualminds.com (2026): $3 per dashboard; the first 3 per account are free (not subtracted)',
    ),
    [PRICE.logsIngestionGb]: unconfirmed(
      0.57,
      'GB ingested',
      SOURCES.cloudwatch,
      'standard and vended logs (flow logs, WAF), first tier; us-east-1 lists $0.50 (factualminds.com, 2026)',
    ),
    [PRICE.logsStorageGbMonth]: unconfirmed(
      0.03,
      'GB-month',
      SOURCES.cloudwatch,
      'billed on compressed bytes',
    ),
    [PRICE.containerInsightsObservationsMillion]: unconfirmed(
      0.21,
      'million observations',
      SOURCES.cloudwatch,
      'Container Insights with enhanced observability is tiered per observation (seen: aws-observability/observability-best-practices#123); the rate is the first tier',
    ),

    [PRICE.wafWebAclMonth]: unconfirmed(5, 'web ACL-month', SOURCES.waf),
    [PRICE.wafRuleMonth]: unconfirmed(
      1,
      'rule-month',
      SOURCES.waf,
      'a managed rule group counts as one rule; Bot Control, ATP and ACFP groups cost extra',
    ),
    [PRICE.wafRequestsMillion]: unconfirmed(0.6, 'million requests', SOURCES.waf),

    [PRICE.ampSamples10m]: unconfirmed(
      0.9,
      '10M samples ingested',
      SOURCES.prometheus,
      'first 2 billion samples a month',
    ),
    [PRICE.ampStorageGbMonth]: unconfirmed(0.03, 'GB-month', SOURCES.prometheus),
    [PRICE.ampQuerySamplesBillion]: unconfirmed(0.1, 'billion samples queried', SOURCES.prometheus),
    [PRICE.ampCollectorHour]: unconfirmed(
      0.04,
      'collector-hour',
      SOURCES.prometheus,
      'the page says collectors are billed per hour and per sample collected; the per-sample rate was not found and is not estimated',
    ),

    [PRICE.snsRequestsMillion]: unconfirmed(
      0.5,
      'million publishes',
      SOURCES.sns,
      NOTES.noFreeTier,
    ),
    [PRICE.snsEmail100k]: unconfirmed(2, '100,000 e-mails', SOURCES.sns, NOTES.noFreeTier),
    [PRICE.snsHttpMillion]: unconfirmed(0.6, 'million HTTP(S) deliveries', SOURCES.sns),

    [PRICE.s3StandardGbMonth]: unconfirmed(
      0.023,
      'GB-month',
      SOURCES.s3,
      'S3 Standard, first 50 TB; requests not estimated',
    ),
    [PRICE.ecrStorageGbMonth]: unconfirmed(0.1, 'GB-month', SOURCES.ecr),

    [codebuildMinuteKey('BUILD_GENERAL1_SMALL')]: unconfirmed(
      0.005,
      'build-minute',
      SOURCES.codebuild,
      'Linux, on-demand',
    ),
    [codebuildMinuteKey('BUILD_GENERAL1_MEDIUM')]: unconfirmed(
      0.01,
      'build-minute',
      SOURCES.codebuild,
      'Linux, on-demand',
    ),
    [codebuildMinuteKey('BUILD_GENERAL1_LARGE')]: unconfirmed(
      0.02,
      'build-minute',
      SOURCES.codebuild,
      'Linux, on-demand',
    ),
  },
};
