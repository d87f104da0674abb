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
  vpcFlowLogs: amount.default(5).describe('VPC flow logs (all traffic, 1-minute aggregation).'),
  eksControlPlane: amount.default(3).describe('EKS control-plane logs, audit included.'),
  containerApplication: amount
    .default(2)
    .describe('Container stdout/stderr (Container Insights `application`).'),
  containerNode: amount
    .default(0.5)
    .describe('Node and kubelet logs (Container Insights `dataplane`, `host`).'),
  containerPerformance: amount
    .default(0)
    .describe(
      'Container Insights `performance` events. With enhanced observability they are billed as observations (see containerInsights), not as ingestion.',
    ),
  database: amount.default(0.5).describe('RDS PostgreSQL and upgrade logs.'),
  waf: amount.default(2).describe('WAF request logs.'),
  other: amount.default(1).describe('Any other log group.'),
});

export const costAssumptionsSchema = z.object({
  spotDiscountPercent: z
    .number()
    .min(0)
    .max(90)
    .default(0)
    .describe(
      'Discount of Spot over on-demand, in percent; 0 prices Spot nodes at on-demand (an upper bound: Spot prices move by the hour) and the line says so.',
    ),
  nat: z
    .object({
      processedGiBPerMonth: amount
        .default(100)
        .describe('GiB through all NAT gateways of the environment per month, split evenly.'),
    })
    .prefault({}),
  loadBalancer: z
    .object({
      averageLcus: amount
        .default(1)
        .describe('Average load balancer capacity units per hour of each ALB.'),
    })
    .prefault({}),
  waf: z
    .object({
      requestsMillionPerMonth: amount
        .default(10)
        .describe('Requests each web ACL inspects per month, in millions.'),
    })
    .prefault({}),
  logs: z
    .object({
      ingestionGiBPerMonth: logIngestionSchema.prefault({}),
      rdsEnhancedMonitoringGiBPerMonth: amount
        .default(0.5)
        .describe('RDS enhanced monitoring (the RDSOSMetrics log group) per instance.'),
    })
    .prefault({}),
  containerInsights: z
    .object({
      observationsMillionPerNodeMonth: amount
        .default(30)
        .describe('Container Insights observations per node per month, in millions.'),
    })
    .prefault({}),
  prometheus: z
    .object({
      activeSeries: amount.default(1000).describe('Active series the scraper collects.'),
      storageGiB: amount.default(1).describe('Stored metrics, GiB.'),
      querySamplesBillionPerMonth: amount
        .default(1)
        .describe('Query samples processed per month, in billions.'),
    })
    .prefault({}),
  kms: z
    .object({
      requestsPerKeyPerMonth: amount.default(10_000).describe('API requests per key per month.'),
    })
    .prefault({}),
  sns: z
    .object({
      publishesPerTopicPerMonth: amount
        .default(1000)
        .describe('Messages published to each topic per month.'),
    })
    .prefault({}),
  s3: z
    .object({
      storageGiBPerBucket: amount
        .default(5)
        .describe('Objects stored per bucket, GiB (S3 Standard).'),
    })
    .prefault({}),
  ecr: z
    .object({
      storageGiBPerRepository: amount.default(5).describe('Images stored per repository, GiB.'),
    })
    .prefault({}),
  codebuild: z
    .object({
      buildMinutesPerProjectPerMonth: amount
        .default(1000)
        .describe('Build minutes per CodeBuild project per month.'),
    })
    .prefault({}),
});

export type CostAssumptionsInput = z.input<typeof costAssumptionsSchema>;
export type CostAssumptions = z.output<typeof costAssumptionsSchema>;

/** Every assumption at its default. */
export const DEFAULT_COST_ASSUMPTIONS: CostAssumptions = costAssumptionsSchema.parse({});
