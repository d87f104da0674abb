/**
 * List prices in us-east-1 (US East, N. Virginia), USD, on-demand, Linux, before tax and free
 * tiers. The stacks put the Route 53 health-check alarm, its SNS topic and KMS key here; the rest
 * is priced too so an environment can move to this region. See docs/cost.md.
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

export const US_EAST_1: RegionPriceTable = {
  region: 'us-east-1',
  prices: {
    [PRICE.eksStandardHour]: price(0.1, 'cluster-hour', SOURCES.eks, 'aws', NOTES.eksBlog),
    [PRICE.eksExtendedHour]: price(0.6, 'cluster-hour', SOURCES.eks, 'aws', NOTES.eksBlog),

    [ec2InstanceKey('t3.large')]: unconfirmed(
      0.0832,
      'instance-hour',
      SOURCES.ec2,
      'the same figure appears in several third-party price tables',
    ),
    [ec2InstanceKey('t3a.large')]: unconfirmed(0.0752, 'instance-hour', SOURCES.ec2),
    [ec2InstanceKey('m7i.large')]: unconfirmed(
      0.1008,
      'instance-hour',
      SOURCES.ec2,
      'the same figure appears in several third-party price tables',
    ),
    [ebsVolumeKey('gp3')]: unconfirmed(
      0.08,
      'GB-month',
      SOURCES.ebs,
      'baseline 3,000 IOPS and 125 MB/s included',
    ),
    [ebsVolumeKey('gp2')]: unconfirmed(0.1, 'GB-month', SOURCES.ebs),

    [PRICE.natHour]: thirdParty(
      0.045,
      'gateway-hour',
      SOURCES.vpc,
      'cloudburn.io and basavytix.com (2026): $0.045 per hour',
    ),
    [PRICE.natGb]: thirdParty(
      0.045,
      'GB processed',
      SOURCES.vpc,
      'cloudburn.io and basavytix.com (2026): $0.045 per GB; data transfer out is extra and not estimated',
    ),
    [PRICE.publicIpv4Hour]: thirdParty(
      0.005,
      'address-hour',
      SOURCES.vpc,
      'cloudburn.io (2026): $0.005 per public IPv4 address-hour',
    ),
    [PRICE.interfaceEndpointHour]: unconfirmed(
      0.01,
      'endpoint-AZ-hour',
      SOURCES.privateLink,
      'plus $0.01/GB processed, not estimated',
    ),

    [PRICE.albHour]: unconfirmed(0.0225, 'ALB-hour', SOURCES.elb),
    [PRICE.albLcuHour]: unconfirmed(0.008, 'LCU-hour', SOURCES.elb),

    [rdsInstanceKey('postgres', 'db.t4g.small')]: thirdParty(
      0.032,
      'instance-hour',
      SOURCES.rdsPostgres,
      'infratally.com (2026): $0.032 single-AZ, $0.064 Multi-AZ',
    ),
    [rdsInstanceKey('postgres', 'db.m7g.large')]: unconfirmed(
      0.168,
      'instance-hour',
      SOURCES.rdsPostgres,
      'single-AZ',
    ),
    [rdsStorageKey('gp3')]: thirdParty(
      0.115,
      'GB-month',
      SOURCES.rdsPostgres,
      'usage.ai (2026): $0.115 per GB-month gp3; backup storage up to the DB size is free',
    ),
    [rdsStorageKey('gp2')]: unconfirmed(0.115, 'GB-month', SOURCES.rdsPostgres, 'single-AZ'),
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
    [PRICE.logsIngestionGb]: thirdParty(
      0.5,
      'GB ingested',
      SOURCES.cloudwatch,
      'factualminds.com (2026): $0.50 per GB; vended logs (flow logs, WAF) share the first tier',
    ),
    [PRICE.logsStorageGbMonth]: thirdParty(
      0.03,
      'GB-month',
      SOURCES.cloudwatch,
      'codingprotocols.com (2026): $0.03 per GB-month; billed on compressed bytes',
    ),
    [PRICE.containerInsightsObservationsMillion]: unconfirmed(
      0.21,
      'million observations',
      SOURCES.cloudwatch,
      'tiered per observation (seen: aws-observability/observability-best-practices#123); first tier',
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
