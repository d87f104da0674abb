import { asList, isExpression, notApplicable, notEvaluated } from '../engine';
import type { CheckVerdict, PolicyRule, ResourceRef, StackContext } from '../types';

const isProd = (stack: StackContext) => stack.environment === 'prod';

/** Days of automated backups prod needs at least (a week of point-in-time recovery). */
export const PROD_MIN_BACKUP_DAYS = 7;

/**
 * For PostgreSQL-only rules: undefined when the instance runs PostgreSQL, else the verdict to
 * report. An unset engine (a read replica or a snapshot restore inherits it) or an expression
 * cannot be told apart statically: not evaluated, never a pass.
 */
function unlessPostgres(resource: ResourceRef): CheckVerdict | undefined {
  const engine = resource.config.engine;
  if (engine === undefined || engine === null || engine === '' || isExpression(engine)) {
    return notEvaluated(
      `engine is ${engine === undefined || engine === null || engine === '' ? 'not set' : `the expression ${String(engine)}`}: cannot tell whether this is PostgreSQL`,
    );
  }
  return String(engine).startsWith('postgres')
    ? undefined
    : notApplicable(`engine ${String(engine)} is not PostgreSQL`);
}

/** The `aws_db_parameter_group` an instance uses: by reference, or by literal name. */
function parameterGroupOf(resource: ResourceRef, stack: StackContext): ResourceRef | undefined {
  const name = resource.config.parameter_group_name;
  if (typeof name !== 'string') return undefined;
  const reference = /^\$\{(aws_db_parameter_group\.[^.}]+)\.(name|id)\}$/.exec(name);
  const groups = stack.resources('aws_db_parameter_group');
  if (reference) return groups.find((group) => group.address === reference[1]);
  return groups.find((group) => group.config.name === name);
}

/** `ignore_changes` of a resource, as attribute names. */
function ignoredChanges(resource: ResourceRef): string[] {
  const lifecycle = asList(resource.config.lifecycle)[0];
  const ignored = lifecycle?.ignore_changes;
  return Array.isArray(ignored) ? ignored.map(String) : ignored === 'all' ? ['all'] : [];
}

export const rdsRules: PolicyRule[] = [
  {
    id: 'HP_RDS_1',
    title: 'RDS instance keeps its automated backups after deletion (prod)',
    resourceTypes: ['aws_db_instance'],
    appliesTo: isProd,
    check: (resource) =>
      // The provider deletes them with the instance unless told otherwise.
      resource.config.delete_automated_backups === false
        ? undefined
        : 'delete_automated_backups is not false: deleting the instance also deletes its point-in-time backups',
  },
  {
    id: 'HP_RDS_2',
    title: 'RDS final snapshot name is unique per instance (a second destroy cannot collide)',
    resourceTypes: ['aws_db_instance'],
    check: (resource) => {
      if (resource.config.skip_final_snapshot === true) return undefined;
      const name = resource.config.final_snapshot_identifier;
      if (typeof name !== 'string' || name === '') {
        return 'final_snapshot_identifier is not set (destroy fails without skip_final_snapshot)';
      }
      if (!/\btimestamp\(\)/.test(name)) {
        return `final_snapshot_identifier "${name}" is the same for every instance of this name: the second destroy fails on the first snapshot`;
      }
      const ignored = ignoredChanges(resource);
      return ignored.includes('final_snapshot_identifier') || ignored.includes('all')
        ? undefined
        : 'final_snapshot_identifier uses timestamp() without ignore_changes: every plan shows a change';
    },
  },
  {
    id: 'CKV_AWS_16',
    title: 'RDS storage is encrypted',
    resourceTypes: ['aws_db_instance'],
    check: (resource) =>
      resource.config.storage_encrypted === true ? undefined : 'storage_encrypted is not true',
  },
  {
    id: 'CKV_AWS_17',
    title: 'RDS instance is not publicly accessible',
    resourceTypes: ['aws_db_instance'],
    check: (resource) =>
      resource.config.publicly_accessible === true ? 'publicly_accessible is true' : undefined,
  },
  {
    id: 'CKV_AWS_157',
    title: 'RDS instance is multi-AZ (prod)',
    resourceTypes: ['aws_db_instance'],
    appliesTo: isProd,
    check: (resource) => (resource.config.multi_az === true ? undefined : 'multi_az is not true'),
  },
  {
    id: 'CKV_AWS_161',
    title: 'RDS instance has IAM database authentication enabled',
    resourceTypes: ['aws_db_instance'],
    check: (resource) =>
      resource.config.iam_database_authentication_enabled === true
        ? undefined
        : 'iam_database_authentication_enabled is not true',
  },
  {
    id: 'CKV_AWS_353',
    title: 'RDS instance has Performance Insights enabled (prod)',
    resourceTypes: ['aws_db_instance'],
    appliesTo: isProd,
    check: (resource) =>
      resource.config.performance_insights_enabled === true
        ? undefined
        : 'performance_insights_enabled is not true',
  },
  {
    id: 'CKV_AWS_354',
    title: 'RDS Performance Insights data is encrypted with a customer-managed KMS key',
    resourceTypes: ['aws_db_instance'],
    check: (resource) => {
      if (resource.config.performance_insights_enabled !== true) {
        return notApplicable('Performance Insights is off (nothing to encrypt)');
      }
      const key = resource.config.performance_insights_kms_key_id;
      return typeof key === 'string' && key !== ''
        ? undefined
        : 'Performance Insights is on without performance_insights_kms_key_id';
    },
  },
  {
    id: 'CKV_AWS_118',
    title: 'RDS instance has enhanced monitoring (prod)',
    resourceTypes: ['aws_db_instance'],
    appliesTo: isProd,
    check: (resource) => {
      const interval = Number(resource.config.monitoring_interval ?? 0);
      if (!(interval > 0)) return 'monitoring_interval is 0 or unset';
      return resource.config.monitoring_role_arn ? undefined : 'monitoring_role_arn is not set';
    },
  },
  {
    id: 'CKV_AWS_293',
    title: 'RDS instance has deletion protection (prod)',
    resourceTypes: ['aws_db_instance'],
    appliesTo: isProd,
    check: (resource) =>
      resource.config.deletion_protection === true ? undefined : 'deletion_protection is not true',
  },
  {
    id: 'CKV_AWS_133',
    title: `RDS instance keeps automated backups (prod: at least ${PROD_MIN_BACKUP_DAYS} days)`,
    resourceTypes: ['aws_db_instance'],
    check: (resource, stack) => {
      const days = Number(resource.config.backup_retention_period ?? 0);
      if (!(days > 0)) return 'backup_retention_period is 0 or unset';
      return isProd(stack) && days < PROD_MIN_BACKUP_DAYS
        ? `backup_retention_period is ${days}, prod needs at least ${PROD_MIN_BACKUP_DAYS}`
        : undefined;
    },
  },
  {
    id: 'CKV_AWS_129',
    title: 'RDS PostgreSQL exports its logs to CloudWatch',
    resourceTypes: ['aws_db_instance'],
    check: (resource) => {
      const notPostgres = unlessPostgres(resource);
      if (notPostgres) return notPostgres;
      const exports = resource.config.enabled_cloudwatch_logs_exports;
      const list = Array.isArray(exports) ? exports : [];
      const missing = ['postgresql', 'upgrade'].filter((type) => !list.includes(type));
      return missing.length === 0 ? undefined : `log exports missing: ${missing.join(', ')}`;
    },
  },
  {
    id: 'CKV2_AWS_69',
    title: 'RDS PostgreSQL parameter group forces TLS (rds.force_ssl = 1)',
    resourceTypes: ['aws_db_instance'],
    check: (resource, stack) => {
      const notPostgres = unlessPostgres(resource);
      if (notPostgres) return notPostgres;
      const group = parameterGroupOf(resource, stack);
      if (!group) {
        return 'no aws_db_parameter_group of this stack is used (the default group does not force TLS)';
      }
      const forceSsl = asList(group.config.parameter).find((p) => p.name === 'rds.force_ssl');
      if (!forceSsl || isExpression(forceSsl.value)) {
        return `${group.address} does not set rds.force_ssl`;
      }
      return String(forceSsl.value) === '1'
        ? undefined
        : `${group.address} sets rds.force_ssl = ${String(forceSsl.value)}`;
    },
  },
];
