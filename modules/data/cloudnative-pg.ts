import { Construct } from 'constructs';
import type { ITerraformDependable } from 'cdktf';
import { Release } from '@cdktf/provider-helm/lib/release';
import { helmValues } from '../core/helm-values';

export const CLOUDNATIVE_PG_REPOSITORY = 'https://cloudnative-pg.github.io/charts';
/** Operator chart 0.28.2 ships CloudNativePG 1.29.1. */
export const CLOUDNATIVE_PG_OPERATOR_VERSION = '0.28.2';
export const CLOUDNATIVE_PG_CLUSTER_VERSION = '0.6.0';

export interface CloudNativePgProps {
  /** Namespace of the operator, e.g. `cnpg-system` (pass a namespace module's `name`). */
  readonly operatorNamespace: string;
  /** Namespace of the database cluster: the app's namespace, where its secret is read. */
  readonly namespace: string;
  /** Cluster name; the operator writes the app credentials to the secret `<name>-app`. */
  readonly clusterName: string;
  /** StorageClass of the data volumes (the gp3 class). */
  readonly storageClass: string;
  /** PostgreSQL instances (1 primary + replicas). Default: 1, the cheap dev setting. */
  readonly instances?: number;
  /** Data volume size per instance. Default: `10Gi`. */
  readonly storageSize?: string;
  /** PostgreSQL major version. Default: `17`. */
  readonly postgresVersion?: string;
  /** Database created at bootstrap. Default: `app`. */
  readonly databaseName?: string;
  /** Owner role of that database, whose credentials go to `<name>-app`. Default: `app`. */
  readonly databaseOwner?: string;
  /** Resources of each PostgreSQL pod. Default: requests 100m / 256Mi, limits 1 CPU / 512Mi. */
  readonly resources?: {
    readonly requests: { readonly cpu: string; readonly memory: string };
    readonly limits: { readonly cpu: string; readonly memory: string };
  };
  /**
   * Barman backups (base backups + WAL) to S3. Default: off — the in-cluster database is the
   * disposable dev option; production uses RDS with automated backups. When on, the cluster's
   * ServiceAccount (named like the cluster) must be granted the bucket through Pod Identity.
   */
  readonly backups?: {
    readonly bucket: string;
    readonly region: string;
    /** Prefix inside the bucket. Default: `/<clusterName>`. */
    readonly path?: string;
    /** Default: `30d`. */
    readonly retentionPolicy?: string;
    /** Six-field cron schedule of base backups. Default: daily at 03:00. */
    readonly schedule?: string;
  };
  /** Operator chart version. Default: `0.28.2`. */
  readonly operatorChartVersion?: string;
  /** Cluster chart version. Default: `0.6.0`. */
  readonly clusterChartVersion?: string;
}

/**
 * In-cluster PostgreSQL for the `in-cluster` database mode: the CloudNativePG operator and one
 * `Cluster` through their Helm charts. The operator generates the app role's password and stores
 * it, with a ready-made connection URI (`uri`), in the secret `<clusterName>-app`; no password
 * ever passes through Terraform.
 */
export class CloudNativePg extends Construct {
  /** Name of the `Cluster` resource. */
  public readonly clusterName: string;
  /** Secret with the app credentials (`username`, `password`, `uri`, ...). */
  public readonly appSecretName: string;
  /** Key of the connection URI in that secret. */
  public readonly appSecretKey: string;
  /** Read-write service host of the primary. */
  public readonly host: string;
  /**
   * The cluster release, for `dependsOn`. Helm cannot wait for a `Cluster` to be ready; pods that
   * reference the secret before the operator writes it simply retry until it exists.
   */
  public readonly release: ITerraformDependable;

  constructor(scope: Construct, id: string, props: CloudNativePgProps) {
    super(scope, id);
    const instances = props.instances ?? 1;
    if (!Number.isInteger(instances) || instances < 1) {
      throw new Error(`instances must be a whole number >= 1, got ${instances}`);
    }

    const operator = new Release(this, 'operator', {
      name: 'cloudnative-pg',
      namespace: props.operatorNamespace,
      createNamespace: false,
      repository: CLOUDNATIVE_PG_REPOSITORY,
      chart: 'cloudnative-pg',
      version: props.operatorChartVersion ?? CLOUDNATIVE_PG_OPERATOR_VERSION,
      values: [
        helmValues({
          replicaCount: 1,
          // Bounded like every other container (the chart sets no resources at all).
          resources: {
            requests: { cpu: '100m', memory: '128Mi' },
            limits: { cpu: '500m', memory: '256Mi' },
          },
        }),
      ],
      atomic: true,
      // The cluster release needs the operator's CRDs and admission webhook to be serving.
      wait: true,
      cleanupOnFail: true,
      timeout: 600,
      maxHistory: 10,
    });

    const backups = props.backups
      ? {
          enabled: true,
          provider: 's3',
          s3: {
            bucket: props.backups.bucket,
            region: props.backups.region,
            path: props.backups.path ?? `/${props.clusterName}`,
            // Credentials come from the pod's IAM role, never from a static key secret.
            inheritFromIAMRole: true,
          },
          secret: { create: false },
          retentionPolicy: props.backups.retentionPolicy ?? '30d',
          scheduledBackups: [
            {
              name: 'daily-backup',
              schedule: props.backups.schedule ?? '0 0 3 * * *',
              backupOwnerReference: 'self',
              method: 'barmanObjectStore',
            },
          ],
        }
      : { enabled: false };

    const values = {
      type: 'postgresql',
      mode: 'standalone',
      version: { postgresql: props.postgresVersion ?? '17' },
      // Pins the Cluster's name, and with it the secret name the API reads.
      fullnameOverride: props.clusterName,
      cluster: {
        instances,
        storage: { size: props.storageSize ?? '10Gi', storageClass: props.storageClass },
        resources: props.resources ?? {
          requests: { cpu: '100m', memory: '256Mi' },
          limits: { cpu: '1', memory: '512Mi' },
        },
        initdb: {
          database: props.databaseName ?? 'app',
          owner: props.databaseOwner ?? 'app',
        },
        // No usable `postgres` superuser password exists at all.
        enableSuperuserAccess: false,
        // A PDB over a single instance would block every node drain.
        enablePDB: instances > 1,
        monitoring: { enabled: false },
      },
      backups,
    };

    const cluster = new Release(this, 'cluster', {
      name: props.clusterName,
      namespace: props.namespace,
      createNamespace: false,
      repository: CLOUDNATIVE_PG_REPOSITORY,
      chart: 'cluster',
      version: props.clusterChartVersion ?? CLOUDNATIVE_PG_CLUSTER_VERSION,
      values: [helmValues(values)],
      atomic: true,
      wait: true,
      cleanupOnFail: true,
      timeout: 900,
      maxHistory: 10,
      dependsOn: [operator],
    });

    this.clusterName = props.clusterName;
    this.appSecretName = `${props.clusterName}-app`;
    this.appSecretKey = 'uri';
    this.host = `${props.clusterName}-rw.${props.namespace}.svc`;
    this.release = cluster;
  }
}
