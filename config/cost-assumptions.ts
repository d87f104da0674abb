import { z } from 'zod';

/**
 * Usage assumptions of the cost estimate (`npm run cost`): what the synthesized stacks cannot say
 * (traffic, log volume, stored bytes). Each field documents its default; set any of them per
 * environment under `environments.<env>.costAssumptions` (or `bootstrap.costAssumptions` for the
 * per-account stack). They only feed the estimate: nothing deployed reads them.
 */

const amount = z.number().min(0);

/** Monthly CloudWatch Logs ingestion per log group, by what the group holds (GiB). */
const logIngestionSchema = z.object({
  /** VPC flow logs (all traffic, 1-minute aggregation). Default: 5 GiB. */
  vpcFlowLogs: amount.default(5),
  /** EKS control-plane logs, audit included. Default: 3 GiB. */
  eksControlPlane: amount.default(3),
  /** Container stdout/stderr (Container Insights `application`). Default: 2 GiB. */
  containerApplication: amount.default(2),
  /** Node and kubelet logs (Container Insights `dataplane`, `host`). Default: 0.5 GiB. */
  containerNode: amount.default(0.5),
  /**
   * Container Insights `performance` events. With enhanced observability they are billed as
   * observations (see containerInsights), not as ingestion. Default: 0 GiB.
   */
  containerPerformance: amount.default(0),
  /** RDS PostgreSQL and upgrade logs. Default: 0.5 GiB. */
  database: amount.default(0.5),
  /** WAF request logs. Default: 2 GiB. */
  waf: amount.default(2),
  /** Any other log group. Default: 1 GiB. */
  other: amount.default(1),
});

export const costAssumptionsSchema = z.object({
  /**
   * Discount of Spot over on-demand, in percent. Default: 0, i.e. Spot nodes are priced at
   * on-demand (an upper bound; Spot prices move by the hour) and the line says so.
   */
  spotDiscountPercent: z.number().min(0).max(90).default(0),
  nat: z
    .object({
      /** GiB through all NAT gateways of the environment per month, split evenly. Default: 100. */
      processedGiBPerMonth: amount.default(100),
    })
    .prefault({}),
  loadBalancer: z
    .object({
      /** Average load balancer capacity units per hour of each ALB. Default: 1. */
      averageLcus: amount.default(1),
    })
    .prefault({}),
  waf: z
    .object({
      /** Requests each web ACL inspects per month, in millions. Default: 10. */
      requestsMillionPerMonth: amount.default(10),
    })
    .prefault({}),
  logs: z
    .object({
      ingestionGiBPerMonth: logIngestionSchema.prefault({}),
      /** RDS enhanced monitoring (the RDSOSMetrics log group) per instance. Default: 0.5 GiB. */
      rdsEnhancedMonitoringGiBPerMonth: amount.default(0.5),
    })
    .prefault({}),
  containerInsights: z
    .object({
      /** Container Insights observations per node per month, in millions. Default: 30. */
      observationsMillionPerNodeMonth: amount.default(30),
    })
    .prefault({}),
  prometheus: z
    .object({
      /** Active series the scraper collects. Default: 1,000. */
      activeSeries: amount.default(1000),
      /** Stored metrics, GiB. Default: 1. */
      storageGiB: amount.default(1),
      /** Query samples processed per month, in billions. Default: 1. */
      querySamplesBillionPerMonth: amount.default(1),
    })
    .prefault({}),
  kms: z
    .object({
      /** API requests per key per month. Default: 10,000. */
      requestsPerKeyPerMonth: amount.default(10_000),
    })
    .prefault({}),
  sns: z
    .object({
      /** Messages published to each topic per month. Default: 1,000. */
      publishesPerTopicPerMonth: amount.default(1000),
    })
    .prefault({}),
  s3: z
    .object({
      /** Objects stored per bucket, GiB (S3 Standard). Default: 5. */
      storageGiBPerBucket: amount.default(5),
    })
    .prefault({}),
  ecr: z
    .object({
      /** Images stored per repository, GiB. Default: 5. */
      storageGiBPerRepository: amount.default(5),
    })
    .prefault({}),
  codebuild: z
    .object({
      /** Build minutes per CodeBuild project per month. Default: 1,000. */
      buildMinutesPerProjectPerMonth: amount.default(1000),
    })
    .prefault({}),
});

export type CostAssumptionsInput = z.input<typeof costAssumptionsSchema>;
export type CostAssumptions = z.output<typeof costAssumptionsSchema>;

/** Every assumption at its default. */
export const DEFAULT_COST_ASSUMPTIONS: CostAssumptions = costAssumptionsSchema.parse({});
