import { z } from 'zod';
import { SHUTDOWN_MARGIN_SECONDS } from '../modules/app/app-values';
import { cidrContains, cidrsOverlap, parseCidr } from '../modules/core/ipv4';
import { costAssumptionsSchema } from './cost-assumptions';
import {
  clusterComponentVersions,
  DEFAULT_KUBERNETES_VERSION,
  kubernetesSupportFinding,
} from './kubernetes-versions';

/**
 * The typed, validated environment configuration: the one place environments differ.
 * Every optional field documents its default; defaults are secure and production-grade unless a
 * field says it is a cost knob, and prod-only invariants are enforced below (see `prodInvariants`).
 */

export const ENVIRONMENT_NAMES = ['dev', 'staging', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

/**
 * Kubernetes minor versions EKS supports (standard or extended support); CKV_AWS_339 checks the
 * cluster against this list. Keep it current: drop a version when EKS ends its extended support,
 * add one when EKS releases it (https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html).
 */
export const SUPPORTED_KUBERNETES_VERSIONS = ['1.32', '1.33', '1.34', '1.35', '1.36'] as const;

/** PostgreSQL majors RDS offers; the engine version is pinned to the major only. */
export const SUPPORTED_POSTGRES_MAJORS = ['15', '16', '17'] as const;

/** CloudWatch Logs' allowed retention values. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

const DOMAIN = /^(?=.{1,253}$)(?!-)([a-z0-9-]{1,63}(?<!-)\.)+[a-z]{2,63}$/;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

const domainName = z
  .string()
  .regex(DOMAIN, 'must be a lower-case DNS name like "example.com" (labels of a-z, 0-9 and "-")');

const cidr = z.string().superRefine((value, ctx) => {
  try {
    parseCidr(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

const retentionDays = z
  .number()
  .int()
  .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
    message: `must be one of CloudWatch's retention values: ${LOG_RETENTION_DAYS.join(', ')}`,
  });

const kubernetesQuantity = z
  .string()
  .regex(
    /^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|k|M|G)?$/,
    'must be a Kubernetes quantity like "250m" or "256Mi"',
  );

const iamRoleArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, 'must be an IAM role ARN');

const backendSchema = z.discriminatedUnion('type', [
  z.object({
    type: z
      .literal('local')
      .describe('State files next to the repository (default; fine for a laptop, not for a team).'),
  }),
  z.object({
    type: z
      .literal('s3')
      .describe(
        'The bootstrap state bucket; one key per stack; S3-native locking (`use_lockfile`).',
      ),
    bucket: z
      .string()
      .min(3)
      .max(63)
      .optional()
      .describe("Bucket name. Default: the project's bootstrap state bucket."),
    region: z
      .string()
      .regex(REGION, 'must be an AWS region like "eu-west-1"')
      .optional()
      .describe('Region of the bucket. Default: the bootstrap region.'),
    keyPrefix: z
      .string()
      .regex(/^[\w./-]*$/)
      .default('stacks')
      .describe('Prefix for the state keys.'),
  }),
  z.object({
    type: z
      .literal('cloud')
      .describe(
        'Terraform Cloud / HCP Terraform: one workspace per stack, `<workspacePrefix>-<stack>`.',
      ),
    organization: z.string().min(1).describe('HCP Terraform organization (must exist).'),
    workspacePrefix: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, 'may contain only letters, digits, "-" and "_"')
      .optional()
      .describe('Workspace name prefix. Default: the project name.'),
    project: z
      .string()
      .min(1)
      .default('Default Project')
      .describe('HCP Terraform project the workspaces live in.'),
    hostname: domainName
      .default('app.terraform.io')
      .describe('HCP Terraform host; set it for Terraform Enterprise.'),
  }),
]);

const nodeGroupSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,30}$/, 'must be lower-case letters, digits and "-"')
      .describe('Node group name, unique in the environment.'),
    instanceTypes: z
      .array(z.string().regex(/^[a-z0-9-]+\.[a-z0-9]+$/, 'must be an EC2 instance type'))
      .min(1)
      .describe('EC2 instance types; more than one widens Spot capacity.'),
    capacityType: z
      .enum(['ON_DEMAND', 'SPOT'])
      .default('ON_DEMAND')
      .describe('SPOT is a cost knob for non-prod.'),
    minSize: z.number().int().min(0).describe('Fewest nodes.'),
    maxSize: z.number().int().min(1).describe('Most nodes.'),
    desiredSize: z
      .number()
      .int()
      .min(0)
      .describe('Nodes at creation; minSize ≤ desiredSize ≤ maxSize.'),
    diskSizeGiB: z
      .number()
      .int()
      .min(20)
      .max(1000)
      .default(50)
      .describe('Root volume size in GiB.'),
  })
  .superRefine((group, ctx) => {
    if (group.minSize > group.desiredSize || group.desiredSize > group.maxSize) {
      ctx.addIssue({
        code: 'custom',
        path: ['desiredSize'],
        message: `must satisfy minSize (${group.minSize}) <= desiredSize (${group.desiredSize}) <= maxSize (${group.maxSize})`,
      });
    }
  });

const rdsSchema = z.object({
  mode: z.literal('rds'),
  engineMajorVersion: z
    .enum(SUPPORTED_POSTGRES_MAJORS)
    .describe('PostgreSQL major version only, so minor auto-upgrades cause no drift.'),
  instanceClass: z
    .string()
    .regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, 'must be an RDS instance class like "db.t4g.micro"')
    .describe('RDS instance class, e.g. "db.t4g.micro".'),
  allocatedStorageGiB: z
    .number()
    .int()
    .min(20)
    .max(65536)
    .default(20)
    .describe('Initial storage in GiB.'),
  maxAllocatedStorageGiB: z
    .number()
    .int()
    .min(20)
    .max(65536)
    .default(100)
    .describe('Storage autoscaling limit in GiB.'),
  multiAz: z.boolean().default(true).describe('A standby in a second AZ.'),
  deletionProtection: z
    .boolean()
    .default(true)
    .describe('Refuse deletion of the instance until turned off.'),
  backupRetentionDays: z
    .number()
    .int()
    .min(0)
    .max(35)
    .default(14)
    .describe('Days of automated backups.'),
  skipFinalSnapshot: z
    .boolean()
    .default(false)
    .describe(
      'Skip the final snapshot on destroy (off: a final snapshot is taken, named after the instance and its creation time so a second destroy never collides with the first).',
    ),
  deleteAutomatedBackups: z
    .boolean()
    .default(false)
    .describe(
      'Delete the automated backups with the instance (off: they stay for `backupRetentionDays`, so a deleted database can still be restored to a point in time). Prod must keep them.',
    ),
  performanceInsights: z
    .boolean()
    .default(true)
    .describe('Performance Insights (7 days free retention).'),
  monitoringIntervalSeconds: z
    .union([
      z.literal(0),
      z.literal(1),
      z.literal(5),
      z.literal(10),
      z.literal(15),
      z.literal(30),
      z.literal(60),
    ])
    .default(60)
    .describe('Enhanced monitoring interval in seconds; 0 turns it off.'),
  databaseName: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,62}$/)
    .default('app')
    .describe('Database the app uses.'),
});

const inClusterDatabaseSchema = z.object({
  mode: z
    .literal('in-cluster')
    .describe('CloudNativePG in the cluster: the cheap option for disposable environments.'),
  instances: z
    .number()
    .int()
    .min(1)
    .max(5)
    .default(1)
    .describe('PostgreSQL instances (1 = no replica).'),
  storageGiB: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(10)
    .describe('Volume size per instance in GiB.'),
  backups: z
    .boolean()
    .default(false)
    .describe('Backups (they need an object store; see docs/modules/data.md).'),
});

const thresholdsSchema = z.object({
  alb5xxCount: z
    .number()
    .positive()
    .default(10)
    .describe('ALB-generated 5xx responses per 5 minutes.'),
  target5xxCount: z
    .number()
    .positive()
    .default(10)
    .describe('Target (app) 5xx responses per 5 minutes.'),
  targetP99Seconds: z
    .number()
    .positive()
    .default(1)
    .describe('Target p99 response time in seconds.'),
  rdsCpuPercent: z.number().min(1).max(100).default(80).describe('RDS CPU percent.'),
  rdsFreeStorageGiB: z
    .number()
    .positive()
    .default(5)
    .describe('RDS free storage in GiB below which to alarm.'),
  rdsFreeableMemoryMiB: z
    .number()
    .positive()
    .default(256)
    .describe('RDS freeable memory in MiB below which to alarm.'),
  rdsConnections: z
    .number()
    .int()
    .positive()
    .default(80)
    .describe('RDS connections above which to alarm.'),
  podRestarts: z.number().int().positive().default(3).describe('Container restarts per 5 minutes.'),
  nodeCpuPercent: z.number().min(1).max(100).default(80).describe('Node CPU percent.'),
});

/** CodeBuild compute types a runner project may use (Linux containers). */
export const CODEBUILD_COMPUTE_TYPES = [
  'BUILD_GENERAL1_SMALL',
  'BUILD_GENERAL1_MEDIUM',
  'BUILD_GENERAL1_LARGE',
] as const;

const ciRunnerSchema = z.discriminatedUnion('type', [
  z.object({
    type: z
      .literal('github-hosted')
      .describe(
        'GitHub-hosted runners: only for environments whose Kubernetes API is reachable from the internet, or that CI never applies (`local` backend).',
      ),
    label: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be a runner label like "ubuntu-24.04"')
      .default('ubuntu-24.04')
      .describe('`runs-on` label of the hosted runner.'),
  }),
  z.object({
    type: z
      .literal('codebuild')
      .describe(
        "An AWS CodeBuild-hosted GitHub Actions runner in the environment's private subnets (reaches a private cluster endpoint).",
      ),
    connectionArn: z
      .string()
      .regex(
        /^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[0-9a-f-]{36}$/,
        'must be the ARN of an AWS CodeConnections connection to GitHub',
      )
      .describe(
        'ARN of the CodeConnections GitHub connection, created once by hand in the console (docs/deploying.md, "Runners").',
      ),
    computeType: z
      .enum(CODEBUILD_COMPUTE_TYPES)
      .default('BUILD_GENERAL1_MEDIUM')
      .describe('CodeBuild compute type (MEDIUM: 4 vCPU, 7 GB; enough for synth and terraform).'),
    image: z
      .string()
      .regex(/^[\w./:-]{1,255}$/, 'must be a CodeBuild image like "aws/codebuild/standard:7.0"')
      .default('aws/codebuild/amazonlinux-x86_64-standard:5.0')
      .describe('CodeBuild image the runner starts in (it needs bash, git, jq and the AWS CLI).'),
  }),
]);

const ciSchema = z.object({
  runner: ciRunnerSchema
    .default({ type: 'github-hosted', label: 'ubuntu-24.04' })
    .describe(
      "Where the environment's deploy, pre-approval plan and drift jobs run; pull-request plans always run on GitHub-hosted runners.",
    ),
});

const environmentSchema = z.object({
  accountId: z
    .string()
    .regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
    .optional()
    .describe(
      'AWS account the environment must deploy into (guards against the wrong credentials).',
    ),
  region: z
    .string()
    .regex(REGION, 'must be an AWS region like "eu-west-1"')
    .describe('AWS region of every regional resource of the environment.'),
  azCount: z
    .number()
    .int()
    .min(2, 'must be 2 or 3')
    .max(3, 'must be 2 or 3')
    .describe('2 (cheap) or 3 (production) availability zones.'),
  availabilityZones: z
    .array(
      z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/, 'must be an AZ name like "eu-west-1a"'),
    )
    .optional()
    .describe(
      "Zone names to use. Default: `<region>a`, `b`, `c` (first `azCount`). Set them when a region's letters differ or an AZ lacks an instance type; deliberately not a data source, whose values are unknown at synth and would make subnet counts dynamic.",
    ),
  network: z.object({
    vpcCidr: cidr.describe(
      'VPC CIDR, /16 to /20, from a private range; must not overlap other environments.',
    ),
    natMode: z
      .enum(['single', 'per-az'])
      .default('per-az')
      .describe('`per-az` (default; survives an AZ outage) or `single` (a cost knob for dev).'),
  }),
  dns: z.object({
    domainName: domainName.describe('The Route 53 zone\'s domain, e.g. "example.com".'),
    hostedZone: z
      .enum(['lookup', 'create'])
      .default('lookup')
      .describe('`lookup` an existing public hosted zone by name (default) or `create` one.'),
    appHost: domainName.describe(
      'Fully qualified host the API is served on; must be inside `domainName`.',
    ),
    subjectAlternativeNames: z
      .array(domainName)
      .default([])
      .describe('Extra names on the certificate.'),
  }),
  backend: backendSchema
    .default({ type: 'local' })
    .describe("Where the environment's stacks keep their Terraform state."),
  tags: z
    .record(z.string().regex(/^[\w.:/=+@ -]{1,128}$/), z.string().max(256))
    .default({})
    .describe(
      'Extra tags for every resource (the project/environment/managed-by/repository tags are automatic).',
    ),
  eks: z.object({
    kubernetesVersion: z
      .enum(SUPPORTED_KUBERNETES_VERSIONS)
      .default(DEFAULT_KUBERNETES_VERSION)
      .describe(
        'Kubernetes minor version of the cluster; node groups and the pinned add-on versions (config/kubernetes-versions.ts) follow it. Synth warns 60 days before its end of EKS standard support and fails after it unless `allowExtendedSupport`. EKS upgrades one minor version at a time.',
      ),
    allowExtendedSupport: z
      .boolean()
      .default(false)
      .describe(
        "Let the cluster stay on a version past its end of standard support (EKS extended support: $0.60 instead of $0.10 per cluster-hour); sets the cluster's upgrade policy to EXTENDED. Off: synth fails past the end of standard support, and the upgrade policy is STANDARD (EKS upgrades the control plane itself then).",
      ),
    publicAccessCidrs: z
      .array(cidr)
      .default([])
      .describe('CIDRs allowed to reach the public API endpoint; empty = private endpoint only.'),
    adminRoleArns: z
      .array(iamRoleArn)
      .default([])
      .describe(
        'IAM roles that administer the cluster (the bootstrap deploy role is always added).',
      ),
    nodeGroups: z.array(nodeGroupSchema).min(1).describe('Managed node groups.'),
    deletionProtection: z
      .boolean()
      .default(true)
      .describe('Refuse `DeleteCluster` until turned off.'),
  }),
  database: z
    .discriminatedUnion('mode', [rdsSchema, inClusterDatabaseSchema])
    .describe('`rds` (managed, for staging and prod) or `in-cluster` (CloudNativePG, cheap).'),
  ingress: z.object({
    nodePort: z
      .number()
      .int()
      .min(30000)
      .max(32767)
      .default(30080)
      .describe('NodePort of the NGINX ingress controller; the ALB targets it.'),
  }),
  loadBalancer: z.object({
    waf: z
      .boolean()
      .default(true)
      .describe('AWS WAF with managed rule groups in front of the ALB.'),
    deletionProtection: z
      .boolean()
      .default(true)
      .describe('Refuse deletion of the load balancer until turned off.'),
    dualStack: z.boolean().default(false).describe('Serve IPv6 too (AAAA record).'),
    accessLogRetentionDays: z
      .number()
      .int()
      .min(1)
      .max(3650)
      .default(90)
      .describe('Days to keep ALB access logs.'),
  }),
  app: z.object({
    namespace: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/)
      .default('sample-app')
      .describe('Kubernetes namespace of the API.'),
    replicas: z.object({
      min: z
        .number()
        .int()
        .min(2, 'must be at least 2 (one pod per zone survives a zone loss)')
        .describe('At least 2 so a node or zone loss never takes the API down.'),
      max: z.number().int().min(2).describe('Most replicas the autoscaler may run.'),
    }),
    resources: z.object({
      requests: z.object({
        cpu: kubernetesQuantity.describe('CPU the scheduler reserves per API pod.'),
        memory: kubernetesQuantity.describe('Memory the scheduler reserves per API pod.'),
      }),
      limits: z.object({
        cpu: kubernetesQuantity.describe('CPU an API pod may use (throttled above).'),
        memory: kubernetesQuantity.describe('Memory an API pod may use (killed above).'),
      }),
    }),
    logLevel: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])
      .default('info')
      .describe('API log level.'),
    timezone: z
      .string()
      .default('UTC')
      .refine((zone) => isIanaZone(zone), {
        message: 'must be an IANA time zone like "Europe/Paris"',
      })
      .describe('IANA zone whose calendar date is "today" for birthdays.'),
    drainDelaySeconds: z
      .number()
      .int()
      .min(1)
      .max(120)
      .default(10)
      .describe(
        "Seconds a terminating pod keeps serving so the load balancer and NGINX drop it first: the preStop sleep, then the API's drain delay after SIGTERM. At least 1 (the kubelet's sleep action rejects 0).",
      ),
    terminationGracePeriodSeconds: z
      .number()
      .int()
      .min(5)
      .max(600)
      .default(40)
      .describe(
        'At least 2 × drainDelaySeconds + 5: the preStop sleep, the drain after SIGTERM, then 5 s of shutdown work before SIGKILL.',
      ),
  }),
  monitoring: z.object({
    alarmEmails: z
      .array(z.email('must be an e-mail address'))
      .default([])
      .describe('Who gets alarm e-mails (SNS subscriptions; each must confirm).'),
    logRetentionDays: retentionDays
      .default(365)
      .describe('Days to keep log groups (flow logs, EKS, containers).'),
    managedPrometheus: z
      .boolean()
      .default(true)
      .describe('Amazon Managed Service for Prometheus with an agentless scraper.'),
    prometheusOperator: z
      .boolean()
      .default(false)
      .describe('A Prometheus operator runs in the cluster (use a ServiceMonitor).'),
    otelEndpoint: z
      .url({
        protocol: /^https?$/,
        error: 'must be an http(s) URL of an OTLP/HTTP collector, e.g. http://collector:4318',
      })
      .refine((url) => !/:4317(\/|$)/.test(url), {
        message: 'port 4317 is OTLP/gRPC; the API exports OTLP/HTTP (usually :4318)',
      })
      .optional()
      .describe(
        'OTLP/HTTP collector endpoint for traces (e.g. http://collector:4318); unset = tracing off.',
      ),
    thresholds: thresholdsSchema.prefault({}),
  }),
  ci: ciSchema
    .prefault({})
    .describe('GitHub Actions for this environment: which runner its CI jobs use.'),
  costAssumptions: costAssumptionsSchema
    .prefault({})
    .describe('Usage assumptions of `npm run cost` (config/cost-assumptions.ts).'),
});

const quotasSchema = z.object({
  elasticIpsPerRegion: z
    .number()
    .int()
    .min(1)
    .default(5)
    .describe(
      'Elastic IP addresses one account may hold in one region (the AWS default is 5; Service Quotas code L-0263D0A3). Each NAT gateway holds one, so synth adds up the NAT gateways of every environment in the same account and region against it. Raise it after a quota increase; lower it by the addresses held outside this project.',
    ),
});

export const projectSchema = z.object({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9-]{1,11}$/, 'must be 2-12 lower-case letters, digits or "-"')
    .describe('Short project name, the first part of every resource name.'),
  repository: z
    .string()
    .regex(
      /^[A-Za-z0-9-]+\/[A-Za-z0-9_.-]+$/,
      'must be a GitHub repository like "acme/hello-platform"',
    )
    .describe('GitHub repository "owner/name" whose workflows may assume the OIDC roles.'),
  bootstrap: z.object({
    accountId: z
      .string()
      .regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
      .optional()
      .describe('AWS account of the bootstrap stack (guards against the wrong credentials).'),
    region: z
      .string()
      .regex(REGION, 'must be an AWS region like "eu-west-1"')
      .describe('Region of the state bucket, the image registry and the account-wide roles.'),
    stateBucketName: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
        'must be a valid S3 bucket name (3-63 lower-case characters)',
      )
      .describe('Globally unique S3 bucket for Terraform state.'),
    backend: backendSchema
      .default({ type: 'local' })
      .describe('Backend of the bootstrap stack itself (local at first: it creates the bucket).'),
    tags: z
      .record(z.string(), z.string())
      .default({})
      .describe('Extra tags for the bootstrap resources.'),
    costAssumptions: costAssumptionsSchema
      .prefault({})
      .describe(
        'Usage assumptions of `npm run cost` for the bootstrap stack (config/cost-assumptions.ts).',
      ),
    manageAutoScalingServiceLinkedRole: z
      .boolean()
      .default(true)
      .describe(
        "Create the account's `AWSServiceRoleForAutoScaling`, which launches the EKS nodes and holds a grant on their volume key (a fresh account has none until some Auto Scaling group exists). An account that already has it: import it once (docs/modules/account.md) or set this to false.",
      ),
  }),
  quotas: quotasSchema
    .prefault({})
    .describe('Service quotas the environments share per account and region.'),
  environments: z
    .record(z.enum(ENVIRONMENT_NAMES), environmentSchema)
    .describe('One entry per environment; every environment has the same fields.'),
});

export type ProjectConfigInput = z.input<typeof projectSchema>;
export type ProjectConfig = z.output<typeof projectSchema>;
export type EnvironmentConfig = ProjectConfig['environments'][EnvironmentName] & {
  readonly name: EnvironmentName;
};
export type BackendConfig = z.output<typeof backendSchema>;

function isIanaZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Cross-field rules zod's per-field schemas cannot express; each issue names its field path. */
export function crossFieldIssues(
  config: ProjectConfig,
  /** The day Kubernetes support is judged on. Default: now. */
  today: string | Date = new Date(),
): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const envs = Object.entries(config.environments) as [
    EnvironmentName,
    ProjectConfig['environments'][EnvironmentName],
  ][];

  for (const [name, env] of envs) {
    const at = (...path: (string | number)[]) => ['environments', name, ...path];
    const prefix = parseCidr(env.network.vpcCidr).prefixLength;
    if (prefix < 16 || prefix > 20) {
      issues.push({
        path: at('network', 'vpcCidr'),
        message: `prefix /${prefix} must be between /16 and /20 (room for 3 tiers × ${env.azCount} AZs)`,
      });
    }
    if (!isPrivateRange(env.network.vpcCidr)) {
      issues.push({
        path: at('network', 'vpcCidr'),
        message: 'must be inside a private range (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16)',
      });
    }
    for (const host of [env.dns.appHost, ...env.dns.subjectAlternativeNames]) {
      if (host !== env.dns.domainName && !host.endsWith(`.${env.dns.domainName}`)) {
        issues.push({
          path: at('dns', host === env.dns.appHost ? 'appHost' : 'subjectAlternativeNames'),
          message: `"${host}" is not inside the zone "${env.dns.domainName}"`,
        });
      }
    }
    if (env.availabilityZones) {
      if (env.availabilityZones.length !== env.azCount) {
        issues.push({
          path: at('availabilityZones'),
          message: `lists ${env.availabilityZones.length} zones but azCount is ${env.azCount}`,
        });
      }
      env.availabilityZones.forEach((zone, index) => {
        if (!zone.startsWith(env.region))
          issues.push({
            path: at('availabilityZones', index),
            message: `"${zone}" is not in region ${env.region}`,
          });
      });
      if (new Set(env.availabilityZones).size !== env.availabilityZones.length) {
        issues.push({ path: at('availabilityZones'), message: 'lists a zone twice' });
      }
    }
    if (env.app.replicas.max < env.app.replicas.min) {
      issues.push({
        path: at('app', 'replicas', 'max'),
        message: `must be >= replicas.min (${env.app.replicas.min})`,
      });
    }
    // preStop sleep, then the API's own drain after SIGTERM, then its shutdown work.
    const minimumGrace = 2 * env.app.drainDelaySeconds + SHUTDOWN_MARGIN_SECONDS;
    if (env.app.terminationGracePeriodSeconds < minimumGrace) {
      issues.push({
        path: at('app', 'terminationGracePeriodSeconds'),
        message: `must be at least 2 × drainDelaySeconds + ${SHUTDOWN_MARGIN_SECONDS} (${minimumGrace}) so in-flight requests can finish`,
      });
    }
    if (
      env.database.mode === 'rds' &&
      env.database.maxAllocatedStorageGiB < env.database.allocatedStorageGiB
    ) {
      issues.push({
        path: at('database', 'maxAllocatedStorageGiB'),
        message: `must be >= allocatedStorageGiB (${env.database.allocatedStorageGiB})`,
      });
    }
    const names = env.eks.nodeGroups.map((group) => group.name);
    names.forEach((groupName, index) => {
      if (names.indexOf(groupName) !== index) {
        issues.push({
          path: at('eks', 'nodeGroups', index, 'name'),
          message: `duplicate node group name "${groupName}"`,
        });
      }
    });
    if (!clusterComponentVersions(env.eks.kubernetesVersion)) {
      issues.push({
        path: at('eks', 'kubernetesVersion'),
        message: `Kubernetes ${env.eks.kubernetesVersion} has no pinned add-on versions in config/kubernetes-versions.ts (CLUSTER_COMPONENT_VERSIONS): add a row or pick a version that has one`,
      });
    }
    const support = kubernetesSupportFinding(
      env.eks.kubernetesVersion,
      today,
      env.eks.allowExtendedSupport,
    );
    if (support?.level === 'error') {
      issues.push({ path: at('eks', 'kubernetesVersion'), message: support.message });
    }
    if (name === 'prod')
      issues.push(...prodInvariants(env).map((issue) => ({ ...issue, path: at(...issue.path) })));
    issues.push(...ciIssues(config, env).map((issue) => ({ ...issue, path: at(...issue.path) })));
  }

  // One `tfc` stack with one tfe provider serves every cloud-backend environment.
  const hostnames = [
    ...new Set(
      envs.flatMap(([, env]) => (env.backend.type === 'cloud' ? [env.backend.hostname] : [])),
    ),
  ];
  if (hostnames.length > 1) {
    const [name] = envs.find(
      ([, env]) => env.backend.type === 'cloud' && env.backend.hostname !== hostnames[0],
    )!;
    issues.push({
      path: ['environments', name, 'backend', 'hostname'],
      message: `all cloud backends must use one hostname (${hostnames.join(' vs ')})`,
    });
  }

  // Environments may be peered or share a transit gateway later: their VPCs must not overlap.
  for (let i = 0; i < envs.length; i++) {
    for (let j = i + 1; j < envs.length; j++) {
      const [a, envA] = envs[i]!;
      const [b, envB] = envs[j]!;
      if (cidrsOverlap(envA.network.vpcCidr, envB.network.vpcCidr)) {
        issues.push({
          path: ['environments', b, 'network', 'vpcCidr'],
          message: `${envB.network.vpcCidr} overlaps environments.${a}.network.vpcCidr (${envA.network.vpcCidr})`,
        });
      }
    }
  }
  issues.push(...elasticIpIssues(config, envs));
  return issues;
}

/** NAT gateways (one Elastic IP each) an environment creates. */
export function natGatewayCount(env: Pick<EnvironmentConfig, 'azCount' | 'network'>): number {
  return env.network.natMode === 'single' ? 1 : env.azCount;
}

/**
 * Environments in one account and region share its Elastic IP quota. Environments without an
 * `accountId` deploy into whatever account the credentials reach, taken here as one account.
 */
function elasticIpIssues(
  config: ProjectConfig,
  envs: [EnvironmentName, ProjectConfig['environments'][EnvironmentName]][],
): { path: (string | number)[]; message: string }[] {
  const quota = config.quotas.elasticIpsPerRegion;
  const groups = new Map<string, [EnvironmentName, number][]>();
  for (const [name, env] of envs) {
    const key = `${env.accountId ?? 'the deploying account'} ${env.region}`;
    groups.set(key, [...(groups.get(key) ?? []), [name, natGatewayCount(env)]]);
  }
  const issues: { path: (string | number)[]; message: string }[] = [];
  for (const [where, members] of groups) {
    const total = members.reduce((sum, [, count]) => sum + count, 0);
    if (total <= quota) continue;
    const [last] = members[members.length - 1]!;
    issues.push({
      path: ['environments', last, 'network', 'natMode'],
      message:
        `the NAT gateways of ${members.map(([name, count]) => `${name} (${count})`).join(', ')} in ${where} need ${total} Elastic IPs, ` +
        `over the quota of ${quota} (quotas.elasticIpsPerRegion): request an increase of Service Quotas code L-0263D0A3 ` +
        `and raise quotas.elasticIpsPerRegion, use natMode "single" outside prod, or move an environment to another region or account`,
    });
  }
  return issues;
}

/**
 * What synth should print without failing: Kubernetes versions close to (or, when allowed,
 * past) their end of standard support. Each names its field path.
 */
export function configWarnings(
  config: ProjectConfig,
  today: string | Date = new Date(),
): { path: (string | number)[]; message: string }[] {
  return (
    Object.entries(config.environments) as [
      EnvironmentName,
      ProjectConfig['environments'][EnvironmentName],
    ][]
  ).flatMap(([name, env]) => {
    const finding = kubernetesSupportFinding(
      env.eks.kubernetesVersion,
      today,
      env.eks.allowExtendedSupport,
    );
    return finding?.level === 'warning'
      ? [{ path: ['environments', name, 'eks', 'kubernetesVersion'], message: finding.message }]
      : [];
  });
}

/**
 * CI can only deploy what its runner can reach, and one project lives in one AWS account: the
 * image registry and the GitHub roles are created once, by the bootstrap stack, in the bootstrap
 * account, and every environment pulls its images from there.
 */
function ciIssues(
  config: ProjectConfig,
  env: ProjectConfig['environments'][EnvironmentName],
): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const { runner } = env.ci;
  // CI never applies or drift-checks a `local` environment (its state lives on one machine).
  if (runner.type === 'github-hosted' && env.backend.type !== 'local') {
    const cidrs = env.eks.publicAccessCidrs;
    const openToInternet = cidrs.some((range) => parseCidr(range).prefixLength === 0);
    if (!openToInternet) {
      issues.push({
        path: ['ci', 'runner'],
        message:
          cidrs.length === 0
            ? 'GitHub-hosted runners cannot reach a private Kubernetes API endpoint: use { type: "codebuild", connectionArn } (a runner inside the VPC)'
            : `GitHub-hosted runners cannot reach a Kubernetes API endpoint open only to ${cidrs.join(', ')}: use { type: "codebuild", connectionArn } (a runner inside the VPC)`,
      });
    }
  }
  const bootstrapAccount = config.bootstrap.accountId;
  if (env.accountId && bootstrapAccount && env.accountId !== bootstrapAccount) {
    issues.push({
      path: ['accountId'],
      message: `must equal bootstrap.accountId (${bootstrapAccount}): the image registry and the GitHub roles live in the bootstrap account, so every environment deploys into it`,
    });
  }
  if (runner.type === 'codebuild') {
    const connectionAccount = runner.connectionArn.split(':')[4];
    const expected = env.accountId ?? bootstrapAccount;
    if (expected && connectionAccount !== expected) {
      issues.push({
        path: ['ci', 'runner', 'connectionArn'],
        message: `is in account ${connectionAccount}, not the environment's account ${expected}`,
      });
    }
  }
  return issues;
}

/** What production must always have, whatever someone edits. */
function prodInvariants(
  env: ProjectConfig['environments'][EnvironmentName],
): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  if (env.azCount !== 3)
    issues.push({ path: ['azCount'], message: 'prod must span 3 availability zones' });
  if (env.network.natMode !== 'per-az')
    issues.push({
      path: ['network', 'natMode'],
      message: 'prod needs a NAT gateway per AZ ("per-az")',
    });
  if (env.eks.publicAccessCidrs.some((range) => parseCidr(range).prefixLength === 0)) {
    issues.push({
      path: ['eks', 'publicAccessCidrs'],
      message: 'prod must not expose the Kubernetes API to 0.0.0.0/0',
    });
  }
  if (env.database.mode !== 'rds') {
    issues.push({
      path: ['database', 'mode'],
      message: 'prod must use "rds" (managed, multi-AZ, backed up)',
    });
  } else {
    if (!env.database.multiAz)
      issues.push({ path: ['database', 'multiAz'], message: 'prod database must be multi-AZ' });
    if (!env.database.deletionProtection)
      issues.push({
        path: ['database', 'deletionProtection'],
        message: 'prod database must have deletion protection',
      });
    if (env.database.skipFinalSnapshot)
      issues.push({
        path: ['database', 'skipFinalSnapshot'],
        message: 'prod database must keep a final snapshot',
      });
    if (env.database.deleteAutomatedBackups)
      issues.push({
        path: ['database', 'deleteAutomatedBackups'],
        message: 'prod database must keep its automated backups after deletion',
      });
    if (env.database.backupRetentionDays < 7)
      issues.push({
        path: ['database', 'backupRetentionDays'],
        message: 'prod database must keep backups for at least 7 days',
      });
  }
  if (!env.loadBalancer.waf)
    issues.push({ path: ['loadBalancer', 'waf'], message: 'prod load balancer must have WAF' });
  if (!env.loadBalancer.deletionProtection)
    issues.push({
      path: ['loadBalancer', 'deletionProtection'],
      message: 'prod load balancer must have deletion protection',
    });
  if (env.monitoring.alarmEmails.length === 0)
    issues.push({
      path: ['monitoring', 'alarmEmails'],
      message: 'prod alarms must notify at least one address',
    });
  return issues;
}

function isPrivateRange(range: string): boolean {
  return ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].some((privateRange) =>
    cidrContains(privateRange, range),
  );
}
