import { Construct } from 'constructs';
import type { ITerraformDependable } from 'cdktf';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import { DbParameterGroup } from '@cdktf/provider-aws/lib/db-parameter-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { EncryptedLogGroup } from '../core/encrypted-log-group';
import { cloudWatchLogsGrant, KmsKey } from '../core/kms-key';
import { NameLimits, resourceName } from '../core/naming';
import { awsAccount } from '../core/aws-account';

export type RdsLogExport = 'postgresql' | 'upgrade' | 'iam-db-auth-error';

export interface RdsPostgresProps {
  /** DB instance identifier, e.g. `hello-prod-db` (also prefixes the IAM role, keys, SG). */
  readonly identifier: string;
  /**
   * PostgreSQL major version, e.g. `17`. Only the major is pinned and minor upgrades are
   * automatic, so AWS's minor upgrades never show up as drift.
   */
  readonly engineMajorVersion: string;
  /** Instance class, e.g. `db.t4g.micro` (dev) or `db.m7g.large` (prod). */
  readonly instanceClass: string;
  /** Initial storage. Default: 20 GiB (the gp3 minimum). */
  readonly allocatedStorageGiB?: number;
  /** Storage autoscaling ceiling. Default: 100 GiB. */
  readonly maxAllocatedStorageGiB?: number;
  /** DB subnet group over the database subnets (from the network module). */
  readonly dbSubnetGroupName: string;
  readonly vpcId: string;
  /** Security groups admitted on 5432 (the EKS node security group); nothing else is. */
  readonly allowedSecurityGroupIds: string[];
  /** Default: `app`. */
  readonly databaseName?: string;
  /** Default: `app_admin`; its password lives only in Secrets Manager. */
  readonly masterUsername?: string;
  /** Standby in a second AZ. Default: true (dev turns it off to halve the cost). */
  readonly multiAz?: boolean;
  /** Default: true (dev turns it off to stay disposable). */
  readonly deletionProtection?: boolean;
  /** Days of automated backups (point-in-time recovery window). Default: 14. */
  readonly backupRetentionDays?: number;
  /**
   * Skip the snapshot on delete. Default: false: a final snapshot named
   * `<identifier>-final-<creation time>` is taken. The name is fixed when the instance is created
   * (later plans ignore it), so each instance's final snapshot has its own name and destroying a
   * re-created instance never collides with an earlier final snapshot.
   */
  readonly skipFinalSnapshot?: boolean;
  /**
   * Delete the automated backups together with the instance. Default: false: they are kept for
   * the retention period, so a deleted instance can still be restored to a point in time (the
   * provider's own default deletes them).
   */
  readonly deleteAutomatedBackups?: boolean;
  /** Performance Insights (7 days, free tier) encrypted with the storage key. Default: true. */
  readonly performanceInsights?: boolean;
  /** Enhanced monitoring interval, 0 to turn it off. Default: 60 seconds. */
  readonly monitoringIntervalSeconds?: 0 | 1 | 5 | 10 | 15 | 30 | 60;
  /** Logs exported to CloudWatch. Default: `['postgresql', 'upgrade']`. */
  readonly logExports?: RdsLogExport[];
  /** Retention of the exported log groups. Default: 365 days. */
  readonly logRetentionDays?: number;
}

/**
 * Name of the final snapshot: the identifier and the creation time (UTC, to the second), e.g.
 * `hello-prod-postgres-final-20261129210405`. Snapshot identifiers allow letters, digits and
 * hyphens, up to 255 characters.
 */
export function finalSnapshotIdentifier(identifier: string): string {
  return `${identifier}-final-\${formatdate("YYYYMMDDhhmmss", timestamp())}`;
}

/**
 * A PostgreSQL RDS instance that never sees a password in Terraform: RDS manages the master
 * password in Secrets Manager (encrypted with its own key), TLS is forced by the parameter group,
 * storage is KMS-encrypted gp3 with autoscaling, IAM database authentication is on, and only the
 * given security groups may connect.
 */
export class RdsPostgres extends Construct {
  /** Host name of the instance (no port). */
  public readonly endpoint: string;
  public readonly port: number;
  public readonly databaseName: string;
  /** Secrets Manager secret holding `{username, password}` of the master user (rotated by RDS). */
  public readonly masterSecretArn: string;
  /** KMS key of that secret: readers need `kms:Decrypt` on it. */
  public readonly secretKmsKeyArn: string;
  public readonly securityGroupId: string;
  public readonly instanceIdentifier: string;
  public readonly instanceArn: string;
  /** `db-...` resource id, the part of `rds-db:connect` ARNs for IAM database authentication. */
  public readonly instanceResourceId: string;

  constructor(scope: Construct, id: string, props: RdsPostgresProps) {
    super(scope, id);
    if (!/^\d+$/.test(props.engineMajorVersion)) {
      throw new Error(
        `engineMajorVersion must be a major version like "17", got "${props.engineMajorVersion}"`,
      );
    }
    const allocated = props.allocatedStorageGiB ?? 20;
    const maxAllocated = props.maxAllocatedStorageGiB ?? 100;
    if (maxAllocated < allocated) {
      throw new Error(
        `maxAllocatedStorageGiB (${maxAllocated}) is below allocatedStorageGiB (${allocated})`,
      );
    }

    const name = props.identifier;
    const { accountId, partition, region } = awsAccount(this);
    const logExports = props.logExports ?? ['postgresql', 'upgrade'];
    const logGroupPrefix = `/aws/rds/instance/${name}/`;

    // Data at rest: storage, Performance Insights and the exported logs.
    const storageKey = new KmsKey(this, 'storage-key', {
      alias: `${name}-storage`,
      description: `Storage, Performance Insights and logs of RDS instance ${name}`,
      serviceGrants: [
        cloudWatchLogsGrant(
          region,
          `arn:${partition}:logs:${region}:${accountId}:log-group:${logGroupPrefix}*`,
        ),
      ],
    });
    // A separate key for the master secret, so reading the secret can be granted without
    // granting the storage key.
    const secretKey = new KmsKey(this, 'secret-key', {
      alias: `${name}-master-secret`,
      description: `Master user secret of RDS instance ${name}`,
    });

    // RDS would create these itself on first export, unencrypted and kept forever.
    const logGroups = logExports.map(
      (logType) =>
        new EncryptedLogGroup(this, `log-${logType}`, {
          name: `${logGroupPrefix}${logType}`,
          kmsKeyArn: storageKey.arn,
          retentionInDays: props.logRetentionDays ?? 365,
        }),
    );

    const securityGroup = new SecurityGroup(this, 'security-group', {
      name: resourceName(name, 'db', NameLimits.securityGroupName),
      description: `PostgreSQL ${name}: 5432 from the application only`,
      vpcId: props.vpcId,
      tags: { Name: resourceName(name, 'db', NameLimits.securityGroupName) },
      // No egress rules: the database never opens connections.
    });
    props.allowedSecurityGroupIds.forEach((sourceId, index) => {
      new VpcSecurityGroupIngressRule(this, `ingress-${index}`, {
        securityGroupId: securityGroup.id,
        referencedSecurityGroupId: sourceId,
        ipProtocol: 'tcp',
        fromPort: 5432,
        toPort: 5432,
        description: 'PostgreSQL from an allowed application security group',
      });
    });

    const parameterGroup = new DbParameterGroup(this, 'parameters', {
      namePrefix: `${name}-pg${props.engineMajorVersion}-`,
      family: `postgres${props.engineMajorVersion}`,
      description: `PostgreSQL ${props.engineMajorVersion} settings of ${name}`,
      parameter: [
        // Plain-text connections are refused (CKV2_AWS_69).
        { name: 'rds.force_ssl', value: '1' },
        // Slow statements (>= 1 s) and DDL are logged for post-incident analysis.
        { name: 'log_min_duration_statement', value: '1000' },
        { name: 'log_statement', value: 'ddl' },
        { name: 'log_connections', value: '1' },
        { name: 'log_disconnections', value: '1' },
        { name: 'log_lock_waits', value: '1' },
        { name: 'log_temp_files', value: '0' },
      ],
      // A major upgrade needs a new family: create the new group before dropping the old one.
      lifecycle: { createBeforeDestroy: true },
    });

    const monitoringInterval = props.monitoringIntervalSeconds ?? 60;
    let monitoringRoleArn: string | undefined;
    const monitoringDependencies: ITerraformDependable[] = [];
    if (monitoringInterval > 0) {
      const role = new IamRole(this, 'monitoring-role', {
        name: resourceName(name, 'rds-monitoring', NameLimits.iamRoleName),
        description: `Enhanced monitoring of RDS instance ${name}`,
        assumeRolePolicy: new DataAwsIamPolicyDocument(this, 'monitoring-trust', {
          statement: [
            {
              principals: [{ type: 'Service', identifiers: ['monitoring.rds.amazonaws.com'] }],
              actions: ['sts:AssumeRole'],
              condition: [
                { test: 'StringEquals', variable: 'aws:SourceAccount', values: [accountId] },
              ],
            },
          ],
        }).json,
      });
      monitoringDependencies.push(
        new IamRolePolicyAttachment(this, 'monitoring-policy', {
          role: role.name,
          policyArn: `arn:${partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole`,
        }),
      );
      monitoringRoleArn = role.arn;
    }

    const performanceInsights = props.performanceInsights ?? true;
    const databaseName = props.databaseName ?? 'app';
    const skipFinalSnapshot = props.skipFinalSnapshot ?? false;
    const instance = new DbInstance(this, 'instance', {
      identifier: name,
      engine: 'postgres',
      engineVersion: props.engineMajorVersion,
      autoMinorVersionUpgrade: true,
      instanceClass: props.instanceClass,
      dbName: databaseName,
      username: props.masterUsername ?? 'app_admin',
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: secretKey.arn,
      iamDatabaseAuthenticationEnabled: true,
      parameterGroupName: parameterGroup.name,
      dbSubnetGroupName: props.dbSubnetGroupName,
      vpcSecurityGroupIds: [securityGroup.id],
      publiclyAccessible: false,
      port: 5432,
      storageType: 'gp3',
      allocatedStorage: allocated,
      maxAllocatedStorage: maxAllocated,
      storageEncrypted: true,
      kmsKeyId: storageKey.arn,
      multiAz: props.multiAz ?? true,
      deletionProtection: props.deletionProtection ?? true,
      backupRetentionPeriod: props.backupRetentionDays ?? 14,
      copyTagsToSnapshot: true,
      skipFinalSnapshot,
      finalSnapshotIdentifier: skipFinalSnapshot ? undefined : finalSnapshotIdentifier(name),
      deleteAutomatedBackups: props.deleteAutomatedBackups ?? false,
      performanceInsightsEnabled: performanceInsights,
      performanceInsightsKmsKeyId: performanceInsights ? storageKey.arn : undefined,
      performanceInsightsRetentionPeriod: performanceInsights ? 7 : undefined,
      monitoringInterval,
      monitoringRoleArn,
      enabledCloudwatchLogsExports: logExports,
      dependsOn: [...logGroups.map((group) => group.resource), ...monitoringDependencies],
      // The final snapshot's name takes the creation time (timestamp() changes on every plan):
      // kept from creation on, it differs for every instance that ever existed under this name.
      lifecycle: { ignoreChanges: ['final_snapshot_identifier'] },
    });

    this.endpoint = instance.address;
    this.port = instance.port;
    this.databaseName = databaseName;
    this.masterSecretArn = instance.masterUserSecret.get(0).secretArn;
    this.secretKmsKeyArn = secretKey.arn;
    this.securityGroupId = securityGroup.id;
    this.instanceIdentifier = instance.identifier;
    this.instanceArn = instance.arn;
    this.instanceResourceId = instance.resourceId;
  }
}
