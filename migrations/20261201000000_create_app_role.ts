import type { Knex } from 'knex';

/**
 * The role the API logs in as in `rds` mode (RDS IAM authentication). The infrastructure grants
 * `rds-db:connect` for exactly this user name: keep it equal to APP_DATABASE_USER in
 * stacks/names.ts (a test compares them).
 */
export const APP_ROLE = 'hello_api';

/**
 * The statements of up() for a given role name (tests run them for throwaway roles too).
 * `iamRole` is the role whose members RDS authenticates with IAM tokens: `rds_iam` on RDS,
 * absent elsewhere (tests name a stand-in).
 *
 * - The role is created only if missing, and only by a user that may create roles (the RDS master
 *   user, a superuser). The CloudNativePG app user may not: in `in-cluster` mode the API keeps
 *   logging in as that user, so the step is skipped with a notice instead of failing.
 * - Roles belong to the whole server, not to one database, and the advisory lock of the migrator
 *   only serialises migrators of one database: a concurrent creation elsewhere is tolerated.
 * - Privileges: CONNECT, USAGE on the schema, and SELECT/INSERT/UPDATE on `users`: what the API's
 *   queries need (read, upsert). No DELETE, no DDL, owns nothing; later migrations grant what new
 *   code needs on new tables, in the same migration that creates them.
 * - Every statement is idempotent, so re-running the migration changes nothing.
 */
export function createAppRoleSql(role: string, iamRole = 'rds_iam'): string {
  return `
DO $app_role$
DECLARE
  app_role constant name := ${quoteLiteral(role)};
  iam_role constant name := ${quoteLiteral(iamRole)};
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = app_role) THEN
    IF NOT EXISTS (
      SELECT FROM pg_catalog.pg_roles
      WHERE rolname = current_user AND (rolsuper OR rolcreaterole)
    ) THEN
      RAISE NOTICE 'role % not created: % may not create roles (expected in in-cluster mode, '
        'where the API logs in as the database owner)', app_role, current_user;
      RETURN;
    END IF;
    BEGIN
      EXECUTE format(
        'CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS',
        app_role);
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL; -- created meanwhile by a migrator of another database on this server
    END;
  END IF;

  EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), app_role);
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), app_role);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE ON TABLE %I.users TO %I', current_schema(), app_role);
  -- Databases created before PostgreSQL 15 (or upgraded from it) let every role create tables
  -- in public; nothing but migrations should. A no-op (with a warning) for non-owners.
  EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM PUBLIC', current_schema());

  -- RDS: membership of rds_iam makes the role log in with IAM tokens (and only with them).
  IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = iam_role)
     AND NOT pg_has_role(app_role, iam_role, 'MEMBER') THEN
    BEGIN
      EXECUTE format('GRANT %I TO %I', iam_role, app_role);
    EXCEPTION WHEN unique_violation THEN
      NULL; -- granted meanwhile by a migrator of another database on this server
    END;
  END IF;
END
$app_role$`;
}

/**
 * Reverses the grants in this database. The role itself stays: it belongs to the server and may
 * hold privileges in other databases; without grants here it can do nothing in this one.
 */
export function dropAppRoleGrantsSql(role: string): string {
  return `
DO $app_role$
DECLARE
  app_role constant name := ${quoteLiteral(role)};
BEGIN
  IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = app_role) THEN
    EXECUTE format('REVOKE ALL ON TABLE %I.users FROM %I', current_schema(), app_role);
    EXECUTE format('REVOKE ALL ON SCHEMA %I FROM %I', current_schema(), app_role);
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM %I', current_database(), app_role);
  END IF;
END
$app_role$`;
}

function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

export async function up(knex: Knex): Promise<void> {
  await knex.raw(createAppRoleSql(APP_ROLE));
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(dropAppRoleGrantsSql(APP_ROLE));
}
