import { z } from 'zod';
import { cidrContains, cidrsOverlap, parseCidr } from '../modules/core/ipv4';
import { costAssumptionsSchema } from './cost-assumptions';

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
    /** State files next to the repository (default; fine for a laptop, not for a team). */
    type: z.literal('local'),
  }),
  z.object({
    /** The bootstrap state bucket; one key per stack; S3-native locking (`use_lockfile`). */
    type: z.literal('s3'),
    /** Bucket name. Default: the project's bootstrap state bucket. */
    bucket: z.string().min(3).max(63).optional(),
    /** Region of the bucket. Default: the bootstrap region. */
    region: z.string().regex(REGION, 'must be an AWS region like "eu-west-1"').optional(),
    /** Prefix for the state keys. Default: "stacks". */
    keyPrefix: z
      .string()
      .regex(/^[\w./-]*$/)
      .default('stacks'),
  }),
  z.object({
    /** Terraform Cloud / HCP Terraform: one workspace per stack, `<workspacePrefix>-<stack>`. */
    type: z.literal('cloud'),
    organization: z.string().min(1),
    /** Workspace name prefix. Default: the project name. */
    workspacePrefix: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, 'may contain only letters, digits, "-" and "_"')
      .optional(),
    /** HCP Terraform project the workspaces live in. Default: "Default Project". */
    project: z.string().min(1).default('Default Project'),
    /** Default: app.terraform.io (set for Terraform Enterprise). */
    hostname: domainName.default('app.terraform.io'),
  }),
]);

const nodeGroupSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, 'must be lower-case letters, digits and "-"'),
    instanceTypes: z
      .array(z.string().regex(/^[a-z0-9-]+\.[a-z0-9]+$/, 'must be an EC2 instance type'))
      .min(1),
    /** Default: ON_DEMAND. SPOT is a cost knob for non-prod. */
    capacityType: z.enum(['ON_DEMAND', 'SPOT']).default('ON_DEMAND'),
    minSize: z.number().int().min(0),
    maxSize: z.number().int().min(1),
    desiredSize: z.number().int().min(0),
    /** Root volume size. Default: 50 GiB. */
    diskSizeGiB: z.number().int().min(20).max(1000).default(50),
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
  /** PostgreSQL major version only, so minor auto-upgrades cause no drift. */
  engineMajorVersion: z.enum(SUPPORTED_POSTGRES_MAJORS),
  instanceClass: z
    .string()
    .regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, 'must be an RDS instance class like "db.t4g.micro"'),
  /** Default: 20 GiB. */
  allocatedStorageGiB: z.number().int().min(20).max(65536).default(20),
  /** Storage autoscaling limit. Default: 100 GiB. */
  maxAllocatedStorageGiB: z.number().int().min(20).max(65536).default(100),
  /** Default: true (standby in a second AZ). */
  multiAz: z.boolean().default(true),
  /** Default: true. */
  deletionProtection: z.boolean().default(true),
  /** Default: 14 days. */
  backupRetentionDays: z.number().int().min(0).max(35).default(14),
  /** Default: false (take a final snapshot on destroy). */
  skipFinalSnapshot: z.boolean().default(false),
  /** Default: true. */
  performanceInsights: z.boolean().default(true),
  /** Enhanced monitoring interval; 0 turns it off. Default: 60 s. */
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
    .default(60),
  /** Database the app uses. Default: "app". */
  databaseName: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,62}$/)
    .default('app'),
});

const inClusterDatabaseSchema = z.object({
  /** CloudNativePG in the cluster: the cheap option for disposable environments. */
  mode: z.literal('in-cluster'),
  /** PostgreSQL instances (1 = no replica). Default: 1. */
  instances: z.number().int().min(1).max(5).default(1),
  /** Volume size per instance. Default: 10 GiB. */
  storageGiB: z.number().int().min(1).max(1000).default(10),
  /** Default: false (backups need an object store; see docs). */
  backups: z.boolean().default(false),
});

const thresholdsSchema = z.object({
  /** ALB-generated 5xx responses per 5 minutes. Default: 10. */
  alb5xxCount: z.number().positive().default(10),
  /** Target (app) 5xx responses per 5 minutes. Default: 10. */
  target5xxCount: z.number().positive().default(10),
  /** Target p99 response time in seconds. Default: 1. */
  targetP99Seconds: z.number().positive().default(1),
  /** RDS CPU percent. Default: 80. */
  rdsCpuPercent: z.number().min(1).max(100).default(80),
  /** RDS free storage in GiB below which to alarm. Default: 5. */
  rdsFreeStorageGiB: z.number().positive().default(5),
  /** RDS freeable memory in MiB below which to alarm. Default: 256. */
  rdsFreeableMemoryMiB: z.number().positive().default(256),
  /** RDS connections above which to alarm. Default: 80. */
  rdsConnections: z.number().int().positive().default(80),
  /** Container restarts per 5 minutes. Default: 3. */
  podRestarts: z.number().int().positive().default(3),
  /** Node CPU percent. Default: 80. */
  nodeCpuPercent: z.number().min(1).max(100).default(80),
});

const environmentSchema = z.object({
  /** AWS account the environment must deploy into (guards against the wrong credentials). */
  accountId: z
    .string()
    .regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
    .optional(),
  region: z.string().regex(REGION, 'must be an AWS region like "eu-west-1"'),
  /** 2 (cheap) or 3 (production) availability zones. */
  azCount: z.number().int().min(2, 'must be 2 or 3').max(3, 'must be 2 or 3'),
  /**
   * Zone names to use. Default: `<region>a`, `b`, `c` (first `azCount`). Set them when a region's
   * letters differ or an AZ lacks an instance type; deliberately not a data source, whose values
   * are unknown at synth and would make subnet counts dynamic.
   */
  availabilityZones: z
    .array(
      z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/, 'must be an AZ name like "eu-west-1a"'),
    )
    .optional(),
  network: z.object({
    /** VPC CIDR, /16 to /20, from a private range; must not overlap other environments. */
    vpcCidr: cidr,
    /** `per-az` (default; survives an AZ outage) or `single` (a cost knob for dev). */
    natMode: z.enum(['single', 'per-az']).default('per-az'),
  }),
  dns: z.object({
    /** The Route 53 zone's domain, e.g. "example.com". */
    domainName,
    /** `lookup` an existing public hosted zone by name (default) or `create` one. */
    hostedZone: z.enum(['lookup', 'create']).default('lookup'),
    /** Fully qualified host the API is served on; must be inside `domainName`. */
    appHost: domainName,
    /** Extra names on the certificate. Default: none. */
    subjectAlternativeNames: z.array(domainName).default([]),
  }),
  backend: backendSchema.default({ type: 'local' }),
  /** Extra tags for every resource (the project/environment/managed-by/repository tags are automatic). */
  tags: z.record(z.string().regex(/^[\w.:/=+@ -]{1,128}$/), z.string().max(256)).default({}),
  eks: z.object({
    kubernetesVersion: z.enum(SUPPORTED_KUBERNETES_VERSIONS),
    /** CIDRs allowed to reach the public API endpoint; empty = private endpoint only. Default: []. */
    publicAccessCidrs: z.array(cidr).default([]),
    /** IAM roles that administer the cluster (the bootstrap deploy role is always added). */
    adminRoleArns: z.array(iamRoleArn).default([]),
    nodeGroups: z.array(nodeGroupSchema).min(1),
    /** Refuse `DeleteCluster` until turned off. Default: true. */
    deletionProtection: z.boolean().default(true),
  }),
  database: z.discriminatedUnion('mode', [rdsSchema, inClusterDatabaseSchema]),
  ingress: z.object({
    /** NodePort of the NGINX ingress controller; the ALB targets it. Default: 30080. */
    nodePort: z.number().int().min(30000).max(32767).default(30080),
  }),
  loadBalancer: z.object({
    /** AWS WAF with managed rule groups in front of the ALB. Default: true. */
    waf: z.boolean().default(true),
    /** Default: true. */
    deletionProtection: z.boolean().default(true),
    /** Serve IPv6 too (AAAA record). Default: false. */
    dualStack: z.boolean().default(false),
    /** Days to keep ALB access logs. Default: 90. */
    accessLogRetentionDays: z.number().int().min(1).max(3650).default(90),
  }),
  app: z.object({
    /** Kubernetes namespace of the API. Default: "sample-app". */
    namespace: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/)
      .default('sample-app'),
    /** Image tag deployed when CI does not set `image_tag`. */
    imageTag: z.string().regex(/^[\w][\w.-]{0,127}$/, 'must be a valid image tag'),
    replicas: z.object({
      /** At least 2 so a node or zone loss never takes the API down. */
      min: z.number().int().min(2, 'must be at least 2 (one pod per zone survives a zone loss)'),
      max: z.number().int().min(2),
    }),
    resources: z.object({
      requests: z.object({ cpu: kubernetesQuantity, memory: kubernetesQuantity }),
      limits: z.object({ cpu: kubernetesQuantity, memory: kubernetesQuantity }),
    }),
    /** Default: "info". */
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
    /** IANA zone whose calendar date is "today" for birthdays. Default: "UTC". */
    timezone: z
      .string()
      .default('UTC')
      .refine((zone) => isIanaZone(zone), {
        message: 'must be an IANA time zone like "Europe/Paris"',
      }),
    /** Seconds a terminating pod keeps serving so the load balancer deregisters it. Default: 10. */
    drainDelaySeconds: z.number().int().min(0).max(120).default(10),
    /** At least 2 × drainDelaySeconds + 5: the drain, then as long again for in-flight work. Default: 40. */
    terminationGracePeriodSeconds: z.number().int().min(5).max(600).default(40),
  }),
  monitoring: z.object({
    /** Who gets alarm e-mails (SNS subscriptions; each must confirm). */
    alarmEmails: z.array(z.email('must be an e-mail address')).default([]),
    /** Retention for log groups (flow logs, EKS, containers). Default: 365 days. */
    logRetentionDays: retentionDays.default(365),
    /** Amazon Managed Service for Prometheus with an agentless scraper. Default: true. */
    managedPrometheus: z.boolean().default(true),
    /** A Prometheus operator runs in the cluster (use a ServiceMonitor). Default: false. */
    prometheusOperator: z.boolean().default(false),
    /** OTLP/HTTP collector endpoint for traces (e.g. http://collector:4318); unset = tracing off. */
    otelEndpoint: z
      .url({
        protocol: /^https?$/,
        error: 'must be an http(s) URL of an OTLP/HTTP collector, e.g. http://collector:4318',
      })
      .refine((url) => !/:4317(\/|$)/.test(url), {
        message: 'port 4317 is OTLP/gRPC; the API exports OTLP/HTTP (usually :4318)',
      })
      .optional(),
    thresholds: thresholdsSchema.prefault({}),
  }),
  /** Usage assumptions of `npm run cost` (./cost-assumptions.ts). Default: every default there. */
  costAssumptions: costAssumptionsSchema.prefault({}),
});

export const projectSchema = z.object({
  /** Short project name, the first part of every resource name. */
  name: z
    .string()
    .regex(/^[a-z][a-z0-9-]{1,11}$/, 'must be 2-12 lower-case letters, digits or "-"'),
  /** GitHub repository "owner/name" whose workflows may assume the OIDC roles. */
  repository: z
    .string()
    .regex(
      /^[A-Za-z0-9-]+\/[A-Za-z0-9_.-]+$/,
      'must be a GitHub repository like "acme/hello-platform"',
    ),
  bootstrap: z.object({
    accountId: z
      .string()
      .regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
      .optional(),
    region: z.string().regex(REGION, 'must be an AWS region like "eu-west-1"'),
    /** Globally unique S3 bucket for Terraform state. */
    stateBucketName: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
        'must be a valid S3 bucket name (3-63 lower-case characters)',
      ),
    /** Backend of the bootstrap stack itself. Default: local (it creates the bucket). */
    backend: backendSchema.default({ type: 'local' }),
    /** GitHub environments whose jobs may assume the deploy role. Default: `release` plus the environment names. */
    deployEnvironments: z.array(z.string().min(1)).optional(),
    tags: z.record(z.string(), z.string()).default({}),
    /** Usage assumptions of `npm run cost` for the bootstrap stack (./cost-assumptions.ts). */
    costAssumptions: costAssumptionsSchema.prefault({}),
  }),
  environments: z.record(z.enum(ENVIRONMENT_NAMES), environmentSchema),
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
    const minimumGrace = 2 * env.app.drainDelaySeconds + 5;
    if (env.app.terminationGracePeriodSeconds < minimumGrace) {
      issues.push({
        path: at('app', 'terminationGracePeriodSeconds'),
        message: `must be at least 2 × drainDelaySeconds + 5 (${minimumGrace}) so in-flight requests can finish`,
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
    if (name === 'prod')
      issues.push(...prodInvariants(env).map((issue) => ({ ...issue, path: at(...issue.path) })));
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
