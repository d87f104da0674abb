/**
 * Typed values for the API's release of the stakater `application` chart (9.2.0). Pure data: no
 * cdktf constructs, so it can be unit-tested and validated against the chart's JSON schema.
 *
 * Chart semantics this builder relies on (checked against the chart's templates and unit tests):
 * - `deployment.env` / `job.jobs.<n>.env` are maps of `NAME: {value} | {valueFrom}` objects.
 * - The pod selector is `app.kubernetes.io/name: <applicationName>` plus
 *   `application.stakater.com/workload-class: serving` (Jobs get `...: batch`, so the serving
 *   NetworkPolicy, PDB and topology spread never select migration pods).
 * - `ingress.hosts[].paths[].servicePort` is rendered as `port.name`, so it must be a port name.
 * - With `rbac.serviceAccount.create: false` and a `name`, the Deployment uses that name, and so
 *   does every Job under `job.jobs` (its template has no per-Job ServiceAccount). The migration
 *   Job needs its own ServiceAccount (only it may read the master secret), so it is a plain Job
 *   manifest under `extraObjects`, which the chart renders into the same release (Helm honours its
 *   hook annotations) after `tpl` (so no value may contain `{{`) and with the chart's labels
 *   merged into its metadata.
 * - `pdb.minAvailable` wins over `maxUnavailable`, so it is nulled to use the latter.
 */

/** The port the API listens on (its `PORT`), the container port and the Service port. */
export const APP_PORT = 8000;
/** Name of the container and Service port; the Ingress backend refers to it by this name. */
export const APP_PORT_NAME = 'http';
export const READINESS_PATH = '/health/ready';
export const LIVENESS_PATH = '/health/live';
export const METRICS_PATH = '/metrics';
/** Key of the migration Job under `extraObjects`; its name is `<applicationName>-migrate`. */
export const MIGRATION_JOB_NAME = 'migrate';

/** Kubernetes `resources` of one container. */
export interface ContainerResources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

/**
 * Where the database is. `rds`: both connect with libpq variables; the API logs in as `user` with
 * an RDS IAM token (`DB_IAM_AUTH=true`), and only the migration Job reads the master user's
 * credentials from the RDS-managed Secrets Manager secret (`DB_SECRET_ARN`); no password in
 * Terraform or in a pod spec. `in-cluster`: the CloudNativePG operator's generated secret holds
 * the app user's connection URI, for both.
 */
export type AppDatabase =
  | {
      readonly mode: 'rds';
      /** RDS endpoint address (an infra output). */
      readonly host: string;
      /** RDS port as a string (an infra output; env values are strings anyway). */
      readonly port: string;
      /** Database name. */
      readonly name: string;
      /** The database role the API logs in as with IAM authentication (created by a migration). */
      readonly user: string;
      /** ARN of the RDS-managed master user secret; only the migration Job reads it. */
      readonly secretArn: string;
      /** libpq `sslmode`. Default: `verify-full` (certificate and host name are verified). */
      readonly sslMode?: 'verify-full' | 'verify-ca';
      /** Path of the RDS CA bundle inside the image. Default: not set (the API's own default). */
      readonly sslRootCertFile?: string;
      /** AWS region for the SDK (`AWS_REGION`). Default: not set (the SDK's own resolution). */
      readonly region?: string;
    }
  | {
      readonly mode: 'in-cluster';
      /** Secret the CloudNativePG operator generates, `<cluster>-app`. */
      readonly secretName: string;
      /** Key holding the connection string. Default: `uri`. */
      readonly secretKey?: string;
    };

/** A NetworkPolicy peer (`from` entry), in Kubernetes' own shape. */
export interface NetworkPolicyPeer {
  readonly namespaceSelector?: { readonly matchLabels: Record<string, string> };
  readonly podSelector?: { readonly matchLabels: Record<string, string> };
  readonly ipBlock?: { readonly cidr: string; readonly except?: string[] };
}

export interface AppValuesInput {
  /** Name of every chart resource and the pods' `app.kubernetes.io/name` label. */
  readonly applicationName: string;
  /** ECR repository URL (an infra/bootstrap output). */
  readonly imageRepository: string;
  /** Image tag, normally the `image_tag` Terraform variable's token. */
  readonly imageTag: string;
  /** Public host name the Ingress answers for. */
  readonly host: string;
  /** The API's ServiceAccount Terraform created (with its IAM role); the chart never creates one. */
  readonly serviceAccountName: string;
  /** The migration Job's own ServiceAccount (created by Terraform, with its own IAM role). */
  readonly migrationServiceAccountName: string;
  readonly database: AppDatabase;
  /** Where the ingress controller runs: the only source admitted to the API port. */
  readonly ingressController: {
    readonly namespace: string;
    readonly podLabels: Record<string, string>;
  };
  /** Ingress class. Default: `nginx`. */
  readonly ingressClassName?: string;
  /*
   * The next six come from the environment config, which owns their defaults and limits
   * (config/schema.ts: at least 2 replicas, max ≥ min, a drain of at least 1 s, a grace period of
   * at least 2 × drain + SHUTDOWN_MARGIN_SECONDS), so they are required here.
   */
  /** HPA on CPU; `deployment.replicas` is left null for the HPA to own. */
  readonly autoscaling: {
    readonly minReplicas: number;
    readonly maxReplicas: number;
    /** Average CPU utilisation target in percent. Default: 70. */
    readonly targetCpuUtilization?: number;
  };
  readonly resources: ContainerResources;
  /**
   * Seconds the pod waits after it is marked terminating: the preStop sleep, and the API's
   * `SHUTDOWN_DRAIN_DELAY_MS` after SIGTERM. Covers the time NGINX needs to drop the endpoint.
   */
  readonly drainDelaySeconds: number;
  readonly terminationGracePeriodSeconds: number;
  /** API `LOG_LEVEL`. */
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  /** API `APP_TIMEZONE` (IANA zone defining "today"). */
  readonly timezone: string;
  /**
   * `operator: true` when the Prometheus operator's CRDs exist (a ServiceMonitor is created);
   * otherwise pods carry `prometheus.io/*` scrape annotations. Default: `{ operator: false }`.
   */
  readonly prometheus?: { readonly operator: boolean };
  /** Extra sources allowed to scrape `/metrics` on the API port. Default: none. */
  readonly metricsScrapeFrom?: NetworkPolicyPeer[];
  /** OpenTelemetry export; the `OTEL_*` variables are only set when given. Default: off. */
  readonly otel?: { readonly endpoint: string; readonly serviceName?: string };
  /** UID/GID the containers run as (the `node` user of the Node.js images). Default: 1000. */
  readonly runAsUser?: number;
  readonly migration?: {
    /** Full migration command (the container's `command`). Default: `node dist/api/migrate.js`. */
    readonly command?: string[];
    /** Default: 300 (must stay below the release timeout). */
    readonly activeDeadlineSeconds?: number;
    /** Retries of a failed migration pod. Default: 1. */
    readonly backoffLimit?: number;
  };
}

/** One `env` entry of the chart: a literal or a Kubernetes `valueFrom` source. */
export type EnvEntry =
  | { readonly value: string }
  | {
      readonly valueFrom: {
        readonly secretKeyRef?: { readonly name: string; readonly key: string };
        readonly fieldRef?: { readonly fieldPath: string };
      };
    };

export interface HttpProbe {
  readonly enabled: boolean;
  readonly httpGet: { readonly path: string; readonly port: string };
  readonly initialDelaySeconds: number;
  readonly periodSeconds: number;
  readonly timeoutSeconds: number;
  readonly successThreshold: number;
  readonly failureThreshold: number;
}

export interface PodSecurityContext {
  readonly runAsNonRoot: true;
  readonly runAsUser: number;
  readonly runAsGroup: number;
  readonly seccompProfile: { readonly type: 'RuntimeDefault' };
}

export interface ContainerSecurityContext extends PodSecurityContext {
  readonly readOnlyRootFilesystem: true;
  readonly allowPrivilegeEscalation: false;
  readonly privileged: false;
  readonly capabilities: { readonly drop: ['ALL'] };
}

/** Pod-level settings of the API Deployment (the migration Job has the same hardening). */
export interface PodValues {
  readonly env: Record<string, EnvEntry>;
  readonly resources: ContainerResources;
  readonly securityContext: PodSecurityContext;
  readonly containerSecurityContext: ContainerSecurityContext;
  readonly automountServiceAccountToken: boolean;
  readonly enableServiceLinks: false;
}

/** One `env` entry of a plain Kubernetes container (the Job manifest is not templated by the chart). */
export type ContainerEnvVar = { readonly name: string } & EnvEntry;

/** The migration Job as a plain `batch/v1` manifest (see the module comment for why). */
export interface MigrationJobManifest {
  readonly apiVersion: 'batch/v1';
  readonly kind: 'Job';
  readonly metadata: {
    readonly name: string;
    readonly labels: Record<string, string>;
    readonly annotations: Record<string, string>;
  };
  readonly spec: {
    readonly backoffLimit: number;
    readonly activeDeadlineSeconds: number;
    readonly template: {
      readonly metadata: { readonly labels: Record<string, string> };
      readonly spec: {
        readonly serviceAccountName: string;
        readonly automountServiceAccountToken: boolean;
        readonly enableServiceLinks: false;
        readonly restartPolicy: 'Never';
        readonly securityContext: PodSecurityContext;
        readonly containers: [
          {
            readonly name: string;
            readonly image: string;
            readonly imagePullPolicy: string;
            readonly command: string[];
            readonly env: ContainerEnvVar[];
            readonly resources: ContainerResources;
            readonly securityContext: ContainerSecurityContext;
            readonly volumeMounts: { readonly name: string; readonly mountPath: string }[];
          },
        ];
        readonly volumes: {
          readonly name: string;
          readonly emptyDir: { readonly sizeLimit: string };
        }[];
      };
    };
  };
}

/** The values this project sets; everything else keeps the chart's defaults. */
export interface AppValues {
  readonly applicationName: string;
  readonly deployment: PodValues & {
    readonly enabled: true;
    readonly replicas: null;
    readonly reloadOnChange: false;
    readonly strategy: {
      readonly type: 'RollingUpdate';
      readonly rollingUpdate: { readonly maxSurge: string; readonly maxUnavailable: number };
    };
    readonly image: {
      readonly repository: string;
      readonly tag: string;
      readonly pullPolicy: string;
    };
    readonly ports: {
      readonly containerPort: number;
      readonly name: string;
      readonly protocol: 'TCP';
    }[];
    readonly startupProbe: HttpProbe;
    readonly readinessProbe: HttpProbe;
    readonly livenessProbe: HttpProbe;
    readonly terminationGracePeriodSeconds: number;
    readonly lifecycle: { readonly preStop: { readonly sleep: { readonly seconds: number } } };
    readonly topologySpreadConstraints: Record<string, unknown>[];
    readonly volumes: Record<string, { readonly emptyDir: { readonly sizeLimit: string } }>;
    readonly volumeMounts: Record<string, { readonly mountPath: string }>;
    readonly additionalPodAnnotations: Record<string, string> | null;
  };
  readonly service: {
    readonly enabled: true;
    readonly type: 'ClusterIP';
    readonly ports: {
      readonly port: number;
      readonly name: string;
      readonly protocol: 'TCP';
      readonly targetPort: string;
    }[];
  };
  readonly ingress: {
    readonly enabled: true;
    readonly ingressClassName: string;
    readonly hosts: {
      readonly host: string;
      readonly paths: {
        readonly path: string;
        readonly pathType: 'Prefix';
        readonly servicePort: string;
      }[];
    }[];
  };
  readonly rbac: {
    readonly enabled: true;
    readonly serviceAccount: { readonly create: false; readonly name: string };
  };
  readonly autoscaling: {
    readonly enabled: true;
    readonly minReplicas: number;
    readonly maxReplicas: number;
    readonly metrics: Record<string, unknown>[];
  };
  readonly pdb: {
    readonly enabled: true;
    readonly minAvailable: null;
    readonly maxUnavailable: number;
  };
  readonly serviceMonitor: {
    readonly enabled: boolean;
    readonly endpoints?: {
      readonly port: string;
      readonly path: string;
      readonly interval: string;
    }[];
  };
  readonly networkPolicy: {
    readonly enabled: true;
    readonly ingress: {
      readonly from: NetworkPolicyPeer[];
      readonly ports: { readonly protocol: 'TCP'; readonly port: number }[];
    }[];
  };
  /** Rendered by the chart into the release; `migrate` is the pre-install/pre-upgrade hook. */
  readonly extraObjects: { readonly migrate: MigrationJobManifest };
}

const DEFAULT_MIGRATION_COMMAND = ['node', 'dist/api/migrate.js'];
/**
 * Seconds left for the API's own shutdown work after the drain delay, before SIGKILL. The config
 * schema requires `terminationGracePeriodSeconds >= 2 × drainDelaySeconds + SHUTDOWN_MARGIN_SECONDS`.
 */
export const SHUTDOWN_MARGIN_SECONDS = 5;
const TMP_SIZE_LIMIT = '64Mi';

function assertWholeNumber(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name} must be a whole number >= ${min}, got ${value}`);
  }
}

/**
 * The database part of the environment. The server address is the same for the API and its
 * migration Job; in `rds` mode their credentials differ (IAM token vs master secret).
 */
function databaseEnv(
  database: AppDatabase,
  workload: 'api' | 'migration',
): Record<string, EnvEntry> {
  if (database.mode === 'in-cluster') {
    return {
      DATABASE_URL: {
        valueFrom: {
          secretKeyRef: { name: database.secretName, key: database.secretKey ?? 'uri' },
        },
      },
    };
  }
  const credentials: Record<string, EnvEntry> =
    workload === 'api'
      ? { PGUSER: { value: database.user }, DB_IAM_AUTH: { value: 'true' } }
      : { DB_SECRET_ARN: { value: database.secretArn } };
  return {
    PGHOST: { value: database.host },
    PGPORT: { value: database.port },
    PGDATABASE: { value: database.name },
    PGSSLMODE: { value: database.sslMode ?? 'verify-full' },
    ...(database.sslRootCertFile ? { PGSSLROOTCERT: { value: database.sslRootCertFile } } : {}),
    ...credentials,
    ...(database.region ? { AWS_REGION: { value: database.region } } : {}),
  };
}

function httpProbe(
  path: string,
  timing: { periodSeconds: number; failureThreshold: number },
): HttpProbe {
  return {
    enabled: true,
    httpGet: { path, port: APP_PORT_NAME },
    // The chart prints initialDelaySeconds unconditionally; an explicit 0 avoids an empty field.
    initialDelaySeconds: 0,
    periodSeconds: timing.periodSeconds,
    timeoutSeconds: 2,
    successThreshold: 1,
    failureThreshold: timing.failureThreshold,
  };
}

/** Builds the chart values for the API release from config and infra outputs. */
export function buildAppValues(input: AppValuesInput): AppValues {
  const drainDelay = input.drainDelaySeconds;
  const gracePeriod = input.terminationGracePeriodSeconds;
  const runAs = input.runAsUser ?? 1000;
  const resources = input.resources;
  const operator = input.prometheus?.operator ?? false;
  const migrationCommand = input.migration?.command ?? DEFAULT_MIGRATION_COMMAND;

  assertWholeNumber('runAsUser', runAs, 1);
  if (migrationCommand.length === 0) throw new Error('migration.command must not be empty');

  const podSecurityContext: PodSecurityContext = {
    runAsNonRoot: true,
    runAsUser: runAs,
    runAsGroup: runAs,
    seccompProfile: { type: 'RuntimeDefault' },
  };
  const containerSecurityContext: ContainerSecurityContext = {
    ...podSecurityContext,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: ['ALL'] },
  };

  const commonEnv: Record<string, EnvEntry> = {
    PORT: { value: String(APP_PORT) },
    LOG_LEVEL: { value: input.logLevel },
    APP_TIMEZONE: { value: input.timezone },
    SHUTDOWN_DRAIN_DELAY_MS: { value: String(drainDelay * 1000) },
    SHUTDOWN_GRACE_PERIOD_MS: {
      value: String((gracePeriod - drainDelay - SHUTDOWN_MARGIN_SECONDS) * 1000),
    },
    ...(input.otel
      ? {
          OTEL_EXPORTER_OTLP_ENDPOINT: { value: input.otel.endpoint },
          OTEL_SERVICE_NAME: { value: input.otel.serviceName ?? input.applicationName },
        }
      : {}),
  };

  const env = { ...commonEnv, ...databaseEnv(input.database, 'api') };
  const migrationEnv = { ...commonEnv, ...databaseEnv(input.database, 'migration') };

  // Pod Identity credentials are delivered through a projected token; only rds mode needs AWS.
  const needsAwsCredentials = input.database.mode === 'rds';
  const selectorLabels = {
    'app.kubernetes.io/name': input.applicationName,
    'application.stakater.com/workload-class': 'serving',
  };
  const spread = (topologyKey: string, whenUnsatisfiable: string) => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable,
    labelSelector: { matchLabels: selectorLabels },
    // Count only pods of the same revision, so a rolling update is never blocked by old pods.
    matchLabelKeys: ['pod-template-hash'],
  });

  const image = { repository: input.imageRepository, tag: input.imageTag };
  const scrapeRule = input.metricsScrapeFrom?.length
    ? [{ from: input.metricsScrapeFrom, ports: [{ protocol: 'TCP' as const, port: APP_PORT }] }]
    : [];

  return {
    applicationName: input.applicationName,
    deployment: {
      enabled: true,
      // Helm's null removes the key, so the HPA alone owns the replica count.
      replicas: null,
      reloadOnChange: false,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
      image: { ...image, pullPolicy: 'IfNotPresent' },
      ports: [{ containerPort: APP_PORT, name: APP_PORT_NAME, protocol: 'TCP' }],
      env,
      resources,
      securityContext: podSecurityContext,
      containerSecurityContext,
      automountServiceAccountToken: needsAwsCredentials,
      enableServiceLinks: false,
      startupProbe: httpProbe(READINESS_PATH, { periodSeconds: 2, failureThreshold: 30 }),
      readinessProbe: httpProbe(READINESS_PATH, { periodSeconds: 5, failureThreshold: 2 }),
      livenessProbe: httpProbe(LIVENESS_PATH, { periodSeconds: 10, failureThreshold: 3 }),
      terminationGracePeriodSeconds: gracePeriod,
      // The kubelet's own sleep action: no shell or sleep binary needed in the image.
      lifecycle: { preStop: { sleep: { seconds: drainDelay } } },
      topologySpreadConstraints: [
        spread('topology.kubernetes.io/zone', 'DoNotSchedule'),
        spread('kubernetes.io/hostname', 'ScheduleAnyway'),
      ],
      volumes: { tmp: { emptyDir: { sizeLimit: TMP_SIZE_LIMIT } } },
      volumeMounts: { tmp: { mountPath: '/tmp' } },
      additionalPodAnnotations: operator
        ? null
        : {
            'prometheus.io/scrape': 'true',
            'prometheus.io/port': String(APP_PORT),
            'prometheus.io/path': METRICS_PATH,
          },
    },
    service: {
      enabled: true,
      type: 'ClusterIP',
      ports: [{ port: APP_PORT, name: APP_PORT_NAME, protocol: 'TCP', targetPort: APP_PORT_NAME }],
    },
    ingress: {
      enabled: true,
      ingressClassName: input.ingressClassName ?? 'nginx',
      hosts: [
        {
          host: input.host,
          paths: [{ path: '/', pathType: 'Prefix', servicePort: APP_PORT_NAME }],
        },
      ],
    },
    rbac: { enabled: true, serviceAccount: { create: false, name: input.serviceAccountName } },
    autoscaling: {
      enabled: true,
      minReplicas: input.autoscaling.minReplicas,
      maxReplicas: input.autoscaling.maxReplicas,
      // Replaces the chart's default list, which also scales on memory.
      metrics: [
        {
          type: 'Resource',
          resource: {
            name: 'cpu',
            target: {
              type: 'Utilization',
              averageUtilization: input.autoscaling.targetCpuUtilization ?? 70,
            },
          },
        },
      ],
    },
    pdb: { enabled: true, minAvailable: null, maxUnavailable: 1 },
    serviceMonitor: operator
      ? { enabled: true, endpoints: [{ port: APP_PORT_NAME, path: METRICS_PATH, interval: '30s' }] }
      : { enabled: false },
    networkPolicy: {
      enabled: true,
      ingress: [
        {
          from: [
            {
              namespaceSelector: {
                matchLabels: { 'kubernetes.io/metadata.name': input.ingressController.namespace },
              },
              podSelector: { matchLabels: input.ingressController.podLabels },
            },
          ],
          ports: [{ protocol: 'TCP', port: APP_PORT }],
        },
        ...scrapeRule,
      ],
    },
    extraObjects: {
      migrate: {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: {
          name: `${input.applicationName}-${MIGRATION_JOB_NAME}`,
          labels: { 'app.kubernetes.io/component': 'migration' },
          annotations: {
            'helm.sh/hook': 'pre-install,pre-upgrade',
            'helm.sh/hook-weight': '-5',
            'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
          },
        },
        spec: {
          backoffLimit: input.migration?.backoffLimit ?? 1,
          activeDeadlineSeconds: input.migration?.activeDeadlineSeconds ?? 300,
          template: {
            metadata: {
              // Like the chart's own Jobs: never selected by the serving NetworkPolicy, PDB or spread.
              labels: {
                'app.kubernetes.io/name': input.applicationName,
                'app.kubernetes.io/component': 'migration',
                'application.stakater.com/workload-class': 'batch',
              },
            },
            spec: {
              serviceAccountName: input.migrationServiceAccountName,
              automountServiceAccountToken: needsAwsCredentials,
              enableServiceLinks: false,
              restartPolicy: 'Never',
              securityContext: podSecurityContext,
              containers: [
                {
                  name: MIGRATION_JOB_NAME,
                  image: `${image.repository}:${image.tag}`,
                  imagePullPolicy: 'IfNotPresent',
                  command: [...migrationCommand],
                  env: Object.entries(migrationEnv).map(([name, entry]) => ({ name, ...entry })),
                  resources,
                  securityContext: containerSecurityContext,
                  volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
                },
              ],
              volumes: [{ name: 'tmp', emptyDir: { sizeLimit: TMP_SIZE_LIMIT } }],
            },
          },
        },
      },
    },
  };
}
