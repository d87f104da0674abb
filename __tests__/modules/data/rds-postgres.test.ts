import { TerraformOutput } from 'cdktf';
import { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import { DbParameterGroup } from '@cdktf/provider-aws/lib/db-parameter-group';
import { RdsPostgres, type RdsPostgresProps } from '../../../modules/data/rds-postgres';
import { onlyResource, resourcesOf, synthConstructs } from '../../helpers/synth';

const prodProps: RdsPostgresProps = {
  identifier: 'hello-prod-db',
  engineMajorVersion: '17',
  instanceClass: 'db.m7g.large',
  dbSubnetGroupName: 'hello-prod-db',
  vpcId: 'vpc-123',
  allowedSecurityGroupIds: ['sg-nodes'],
};

const devProps: RdsPostgresProps = {
  ...prodProps,
  identifier: 'hello-dev-db',
  instanceClass: 'db.t4g.micro',
  multiAz: false,
  deletionProtection: false,
  backupRetentionDays: 1,
  skipFinalSnapshot: true,
  performanceInsights: false,
  monitoringIntervalSeconds: 0,
  logRetentionDays: 30,
};

function synth(props: RdsPostgresProps) {
  return synthConstructs((scope) => {
    const db = new RdsPostgres(scope, 'db', props);
    new TerraformOutput(scope, 'secret', { value: db.masterSecretArn });
    new TerraformOutput(scope, 'endpoint', { value: db.endpoint });
    new TerraformOutput(scope, 'port', { value: db.port });
    new TerraformOutput(scope, 'database', { value: db.databaseName });
  });
}

describe('RdsPostgres', () => {
  const prod = synth(prodProps);
  const dev = synth(devProps);
  const prodDb = onlyResource(prod.json, 'aws_db_instance');
  const devDb = onlyResource(dev.json, 'aws_db_instance');

  it('pins only the major version and lets minor versions upgrade', () => {
    expect(prod.synthesized).toHaveResourceWithProperties(DbInstance, {
      engine: 'postgres',
      engine_version: '17',
      auto_minor_version_upgrade: true,
    });
    expect(() => synth({ ...prodProps, engineMajorVersion: '17.4' })).toThrow(/major version/);
  });

  it('never puts a password in the configuration: RDS manages it in Secrets Manager with a CMK', () => {
    expect(prodDb.manage_master_user_password).toBe(true);
    expect(prodDb.password).toBeUndefined();
    expect(prodDb.password_wo).toBeUndefined();
    expect(String(prodDb.master_user_secret_kms_key_id)).toContain('aws_kms_key.db_secret-key');
    expect(prodDb.username).toBe('app_admin');
    expect(prodDb.db_name).toBe('app');
    expect(prod.json.output?.secret?.value).toMatch(/master_user_secret\[0\]\.secret_arn/);
  });

  it('encrypts gp3 storage with its own key, autoscales it and stays private', () => {
    expect(prod.synthesized).toHaveResourceWithProperties(DbInstance, {
      storage_type: 'gp3',
      storage_encrypted: true,
      allocated_storage: 20,
      max_allocated_storage: 100,
      publicly_accessible: false,
      iam_database_authentication_enabled: true,
      copy_tags_to_snapshot: true,
      db_subnet_group_name: 'hello-prod-db',
    });
    expect(String(prodDb.kms_key_id)).toContain('aws_kms_key.db_storage-key');
    // Two customer-managed keys: storage (and Performance Insights, logs), and the master secret.
    const keys = resourcesOf(prod.json, 'aws_kms_key');
    expect(
      Object.keys(keys)
        .map((name) => name.replace(/_[0-9A-F]{8}$/, ''))
        .sort(),
    ).toEqual(['db_secret-key', 'db_storage-key']);
    for (const key of Object.values(keys)) {
      expect(key.enable_key_rotation).toBe(true);
    }
    expect(() => synth({ ...prodProps, allocatedStorageGiB: 200 })).toThrow(/below/);
  });

  it('forces TLS and logs slow statements, DDL and connections through the parameter group', () => {
    expect(prod.synthesized).toHaveResourceWithProperties(DbParameterGroup, {
      family: 'postgres17',
    });
    const group = onlyResource(prod.json, 'aws_db_parameter_group');
    const parameters = Object.fromEntries(
      (group.parameter as { name: string; value: string }[]).map((p) => [p.name, p.value]),
    );
    expect(parameters).toMatchObject({
      'rds.force_ssl': '1',
      log_min_duration_statement: '1000',
      log_statement: 'ddl',
      log_connections: '1',
    });
    expect(String(prodDb.parameter_group_name)).toContain('aws_db_parameter_group.');
  });

  it('admits 5432 only from the allowed security groups, with descriptions', () => {
    const rules = Object.values(resourcesOf(prod.json, 'aws_vpc_security_group_ingress_rule'));
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({
      referenced_security_group_id: 'sg-nodes',
      from_port: 5432,
      to_port: 5432,
      ip_protocol: 'tcp',
    });
    expect(rules[0]!.description).toBeTruthy();
    expect(rules[0]!.cidr_ipv4).toBeUndefined();
    const sg = onlyResource(prod.json, 'aws_security_group');
    expect(sg.ingress).toBeUndefined();
    expect(sg.egress).toBeUndefined();
    expect(resourcesOf(prod.json, 'aws_vpc_security_group_egress_rule')).toEqual({});
  });

  it('is production grade by default: multi-AZ, protected, backed up, snapshotted, observed', () => {
    expect(prodDb).toMatchObject({
      multi_az: true,
      deletion_protection: true,
      backup_retention_period: 14,
      skip_final_snapshot: false,
      final_snapshot_identifier: 'hello-prod-db-final-${formatdate("YYYYMMDDhhmmss", timestamp())}',
      delete_automated_backups: false,
      lifecycle: { ignore_changes: ['final_snapshot_identifier'] },
      performance_insights_enabled: true,
      performance_insights_retention_period: 7,
      monitoring_interval: 60,
      enabled_cloudwatch_logs_exports: ['postgresql', 'upgrade'],
    });
    expect(String(prodDb.performance_insights_kms_key_id)).toContain('aws_kms_key.db_storage-key');
    expect(String(prodDb.monitoring_role_arn)).toContain('aws_iam_role.db_monitoring-role');
    const attachment = onlyResource(prod.json, 'aws_iam_role_policy_attachment');
    expect(String(attachment.policy_arn)).toContain('service-role/AmazonRDSEnhancedMonitoringRole');
  });

  it('names each final snapshot after its instance and creation time, so destroys never collide', () => {
    // What Terraform makes of the name at two creations of an instance with one identifier.
    const evaluated = (createdAt: Date) =>
      String(prodDb.final_snapshot_identifier).replace(
        '${formatdate("YYYYMMDDhhmmss", timestamp())}',
        createdAt.toISOString().replace(/[-:T]/g, '').slice(0, 14),
      );
    const first = evaluated(new Date('2026-11-29T21:04:05Z'));
    const second = evaluated(new Date('2027-01-10T08:00:00Z'));
    expect(first).toBe('hello-prod-db-final-20261129210405');
    expect(second).not.toBe(first);
    // RDS snapshot identifiers: a letter first, then letters, digits and single hyphens.
    for (const name of [first, second]) {
      expect(name).toMatch(/^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{0,254}$/);
    }
  });

  it('keeps automated backups after deletion unless told otherwise', () => {
    expect(prodDb.delete_automated_backups).toBe(false);
    const disposable = synthConstructs(
      (scope) => new RdsPostgres(scope, 'db', { ...prodProps, deleteAutomatedBackups: true }),
    );
    expect(onlyResource(disposable.json, 'aws_db_instance').delete_automated_backups).toBe(true);
  });

  it('is cheap and disposable when dev config says so', () => {
    expect(devDb).toMatchObject({
      instance_class: 'db.t4g.micro',
      multi_az: false,
      deletion_protection: false,
      backup_retention_period: 1,
      skip_final_snapshot: true,
      performance_insights_enabled: false,
      monitoring_interval: 0,
    });
    expect(devDb.final_snapshot_identifier).toBeUndefined();
    expect(devDb.performance_insights_kms_key_id).toBeUndefined();
    expect(devDb.monitoring_role_arn).toBeUndefined();
    expect(resourcesOf(dev.json, 'aws_iam_role')).toEqual({});
    // Still encrypted, private and TLS-only in dev.
    expect(devDb.storage_encrypted).toBe(true);
    expect(devDb.publicly_accessible).toBe(false);
  });

  it('pre-creates encrypted, expiring log groups for the exports before the instance', () => {
    const groups = Object.entries(resourcesOf(prod.json, 'aws_cloudwatch_log_group'));
    expect(groups.map(([, group]) => group.name).sort()).toEqual([
      '/aws/rds/instance/hello-prod-db/postgresql',
      '/aws/rds/instance/hello-prod-db/upgrade',
    ]);
    for (const [groupName, group] of groups) {
      expect(String(group.kms_key_id)).toContain('aws_kms_key.db_storage-key');
      expect(group.retention_in_days).toBe(365);
      expect(prodDb.depends_on).toContain(`aws_cloudwatch_log_group.${groupName}`);
    }
    const devGroups = Object.values(resourcesOf(dev.json, 'aws_cloudwatch_log_group'));
    expect(devGroups).toHaveLength(2);
    for (const group of devGroups) {
      expect(group.retention_in_days).toBe(30);
    }
  });

  it('exposes endpoint, port and database name', () => {
    const outputs = prod.json.output ?? {};
    expect(outputs.endpoint?.value).toMatch(/aws_db_instance\..+\.address/);
    expect(outputs.port?.value).toMatch(/aws_db_instance\..+\.port/);
    expect(outputs.database?.value).toBe('app');
  });
});
