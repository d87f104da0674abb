import { RdsPostgres, type RdsPostgresProps } from '../../../modules/data/rds-postgres';
import { synthContext } from '../../helpers/synth';
import { evaluate, fakeStack } from '../../../policy/engine';
import type { PolicyRule, StackContext } from '../../../policy/types';
import { rdsRules } from '../../../policy/rules/rds';

const rule = (id: string): PolicyRule => {
  const found = rdsRules.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no rule ${id}`);
  return found;
};
const statuses = (id: string, stack: StackContext) =>
  evaluate([rule(id)], stack).map((result) => result.status);

const goodInstance = {
  engine: 'postgres',
  storage_encrypted: true,
  publicly_accessible: false,
  multi_az: true,
  iam_database_authentication_enabled: true,
  performance_insights_enabled: true,
  performance_insights_kms_key_id: '${aws_kms_key.k.arn}',
  monitoring_interval: 60,
  monitoring_role_arn: '${aws_iam_role.m.arn}',
  deletion_protection: true,
  backup_retention_period: 14,
  enabled_cloudwatch_logs_exports: ['postgresql', 'upgrade'],
  parameter_group_name: '${aws_db_parameter_group.pg.name}',
  delete_automated_backups: false,
  skip_final_snapshot: false,
  final_snapshot_identifier: 'db-final-${formatdate("YYYYMMDDhhmmss", timestamp())}',
  lifecycle: { ignore_changes: ['final_snapshot_identifier'] },
};
const goodGroup = { family: 'postgres17', parameter: [{ name: 'rds.force_ssl', value: '1' }] };

const db = (
  overrides: Record<string, unknown>,
  env = 'prod',
  group: Record<string, unknown> = goodGroup,
) =>
  fakeStack(
    {
      aws_db_instance: { db: { ...goodInstance, ...overrides } },
      aws_db_parameter_group: { pg: group },
    },
    env,
  );

const moduleProps: RdsPostgresProps = {
  identifier: 'hello-prod-db',
  engineMajorVersion: '17',
  instanceClass: 'db.m7g.large',
  dbSubnetGroupName: 'hello-prod-db',
  vpcId: 'vpc-1',
  allowedSecurityGroupIds: ['sg-nodes'],
};

describe('RDS policy rules', () => {
  it('every rule passes on the module: prod defaults in prod, cheap settings in dev', () => {
    const prod = synthContext((scope) => new RdsPostgres(scope, 'db', moduleProps), 'prod');
    const dev = synthContext(
      (scope) =>
        new RdsPostgres(scope, 'db', {
          ...moduleProps,
          multiAz: false,
          deletionProtection: false,
          backupRetentionDays: 1,
          skipFinalSnapshot: true,
          performanceInsights: false,
          monitoringIntervalSeconds: 0,
        }),
      'dev',
    );
    expect(evaluate(rdsRules, prod)).toHaveLength(rdsRules.length);
    expect(evaluate(rdsRules, prod).filter((r) => r.status !== 'pass')).toEqual([]);
    // Dev turns Performance Insights off: its encryption rule then has nothing to look at.
    expect(
      evaluate(rdsRules, dev)
        .filter((r) => r.status !== 'pass')
        .map((r) => [r.ruleId, r.status]),
    ).toEqual([['CKV_AWS_354', 'not-applicable']]);
  });

  it('the good fake instance passes every rule', () => {
    const results = evaluate(rdsRules, db({}));
    expect(results).toHaveLength(rdsRules.length);
    expect(results.every((r) => r.status === 'pass')).toBe(true);
  });

  it.each([
    ['CKV_AWS_16', { storage_encrypted: false }],
    ['CKV_AWS_17', { publicly_accessible: true }],
    ['CKV_AWS_157', { multi_az: false }],
    ['CKV_AWS_161', { iam_database_authentication_enabled: undefined }],
    ['CKV_AWS_353', { performance_insights_enabled: false }],
    ['CKV_AWS_354', { performance_insights_kms_key_id: undefined }],
    ['CKV_AWS_118', { monitoring_interval: 0 }],
    ['CKV_AWS_118', { monitoring_role_arn: undefined }],
    ['CKV_AWS_293', { deletion_protection: false }],
    ['CKV_AWS_133', { backup_retention_period: 0 }],
    ['CKV_AWS_133', { backup_retention_period: 3 }],
    ['CKV_AWS_129', { enabled_cloudwatch_logs_exports: ['postgresql'] }],
    ['CKV2_AWS_69', { parameter_group_name: undefined }],
    ['CKV2_AWS_69', { parameter_group_name: 'default.postgres17' }],
  ])('%s fails on %j in prod', (id, overrides) => {
    expect(statuses(id, db(overrides))).toEqual(['fail']);
  });

  it('prod-only requirements do not apply to dev; baseline ones do', () => {
    const cheap = {
      multi_az: false,
      deletion_protection: false,
      performance_insights_enabled: false,
      monitoring_interval: 0,
      backup_retention_period: 1,
    };
    for (const id of ['CKV_AWS_157', 'CKV_AWS_293', 'CKV_AWS_353', 'CKV_AWS_118']) {
      expect(statuses(id, db(cheap, 'dev'))).toEqual([]);
    }
    expect(statuses('CKV_AWS_133', db(cheap, 'dev'))).toEqual(['pass']);
    expect(statuses('CKV_AWS_133', db({ backup_retention_period: 0 }, 'dev'))).toEqual(['fail']);
    expect(statuses('CKV_AWS_16', db({ storage_encrypted: false }, 'dev'))).toEqual(['fail']);
  });

  it('CKV_AWS_354 does not apply to instances without Performance Insights (not a pass)', () => {
    expect(
      statuses(
        'CKV_AWS_354',
        db({ performance_insights_enabled: false, performance_insights_kms_key_id: undefined }),
      ),
    ).toEqual(['not-applicable']);
  });

  it.each(['CKV_AWS_129', 'CKV2_AWS_69'])(
    '%s: another engine is not applicable, an unset or computed engine is not evaluated; neither passes',
    (id) => {
      const noExports = { enabled_cloudwatch_logs_exports: [], parameter_group_name: undefined };
      const mysql = evaluate([rule(id)], db({ engine: 'mysql', ...noExports }));
      expect(mysql.map((r) => [r.status, r.message])).toEqual([
        ['not-applicable', 'engine mysql is not PostgreSQL'],
      ]);
      for (const engine of [undefined, '', '${var.engine}']) {
        const unknown = evaluate([rule(id)], db({ engine, ...noExports }));
        expect(unknown.map((r) => r.status)).toEqual(['not-evaluated']);
        expect(unknown[0]?.message).toMatch(/cannot tell whether this is PostgreSQL/);
      }
      expect(statuses(id, db({ engine: 'postgres', ...noExports }))).toEqual(['fail']);
    },
  );

  it('CKV2_AWS_69 reads the referenced parameter group', () => {
    expect(statuses('CKV2_AWS_69', db({}, 'prod', { parameter: [] }))).toEqual(['fail']);
    expect(
      statuses('CKV2_AWS_69', db({}, 'prod', { parameter: { name: 'rds.force_ssl', value: '0' } })),
    ).toEqual(['fail']);
    expect(
      statuses(
        'CKV2_AWS_69',
        db({ parameter_group_name: 'custom-pg' }, 'prod', { ...goodGroup, name: 'custom-pg' }),
      ),
    ).toEqual(['pass']);
    expect(
      statuses('CKV2_AWS_69', db({ engine: 'mysql', parameter_group_name: undefined })),
    ).toEqual(['not-applicable']);
  });

  it('HP_RDS_1 fails in prod when automated backups go with the instance (the provider default)', () => {
    expect(statuses('HP_RDS_1', db({}))).toEqual(['pass']);
    expect(statuses('HP_RDS_1', db({ delete_automated_backups: undefined }))).toEqual(['fail']);
    expect(statuses('HP_RDS_1', db({ delete_automated_backups: true }))).toEqual(['fail']);
    expect(statuses('HP_RDS_1', db({ delete_automated_backups: true }, 'staging'))).toEqual([]);
  });

  it('HP_RDS_2 fails on a fixed final snapshot name, and on a timestamp that drifts every plan', () => {
    expect(statuses('HP_RDS_2', db({}))).toEqual(['pass']);
    expect(
      rule('HP_RDS_2').check(
        db({ final_snapshot_identifier: 'hello-prod-db-final-snapshot' }).resources(
          'aws_db_instance',
        )[0]!,
        db({}),
      ),
    ).toMatch(/second destroy fails/);
    expect(statuses('HP_RDS_2', db({ lifecycle: undefined }))).toEqual(['fail']);
    expect(statuses('HP_RDS_2', db({ final_snapshot_identifier: undefined }))).toEqual(['fail']);
    expect(
      statuses('HP_RDS_2', db({ skip_final_snapshot: true, final_snapshot_identifier: undefined })),
    ).toEqual(['pass']);
  });
});
