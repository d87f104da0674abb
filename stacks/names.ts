import type { EnvironmentConfig, ProjectConfig } from '../config';
import { githubRoleName } from '../modules/account/github-oidc';

/**
 * Names that more than one stack (or a stack and the workflows, the Dockerfile or the docs) must
 * agree on, derived from config in one place. Environment
 * stacks compute bootstrap names instead of reading the bootstrap stack's state: the bootstrap
 * stack is applied once per account, often with another backend, and must not become a runtime
 * dependency of every plan.
 */
export const stackNames = {
  bootstrap: 'bootstrap',
  tfc: 'tfc',
  infra: (env: EnvironmentConfig) => `${env.name}-infra`,
  workloads: (env: EnvironmentConfig) => `${env.name}-workloads`,
} as const;

/** The API's Helm release, Deployment and Service name (Container Insights' `PodName` too). */
export const APP_NAME = 'hello-api';

/** `<project>-<env>`: the prefix of every resource name of an environment. */
export const envPrefix = (config: ProjectConfig, env: EnvironmentConfig): string =>
  `${config.name}-${env.name}`;

/** The EKS cluster of an environment. */
export const clusterName = (config: ProjectConfig, env: EnvironmentConfig): string =>
  envPrefix(config, env);

/** The ECR repository holding the API image (one per account, in the bootstrap region). */
export const ecrRepositoryName = (config: ProjectConfig): string => `${config.name}/api`;

/** The GitHub Actions roles created by the bootstrap stack (one deploy role per environment). */
export const githubRoleNames = (config: ProjectConfig) =>
  ({
    plan: githubRoleName.plan(config.name),
    planMain: githubRoleName.planMain(config.name),
    release: githubRoleName.release(config.name),
    deploy: (env: EnvironmentConfig) => githubRoleName.deploy(config.name, env.name),
  }) as const;

/** The CodeBuild project hosting an environment's GitHub Actions runners (`runs-on: codebuild-<it>-...`). */
export const ciRunnerProjectName = (config: ProjectConfig, env: EnvironmentConfig): string =>
  `${envPrefix(config, env)}-github-runner`;

/** Availability zones of an environment: configured names, or `<region>a`, `b`, `c`. */
export const availabilityZones = (env: EnvironmentConfig): string[] =>
  env.availabilityZones ??
  ['a', 'b', 'c'].slice(0, env.azCount).map((letter) => `${env.region}${letter}`);

/** The API's Kubernetes ServiceAccount (and the IAM role it is bound to). */
export const APP_SERVICE_ACCOUNT = 'hello-api';

/** The migration Job's ServiceAccount: the only identity that may read the RDS master secret. */
export const MIGRATION_SERVICE_ACCOUNT = 'hello-api-migrate';

/**
 * The database role the API logs in as with RDS IAM authentication; created by the migration
 * `migrations/20261201000000_create_app_role.ts` (a test keeps the two equal).
 */
export const APP_DATABASE_USER = 'hello_api';

/** Where the image keeps the RDS CA bundle it verifies the database certificate with (see Dockerfile). */
export const RDS_CA_BUNDLE_PATH = '/app/certs/rds-global-bundle.pem';

/** Namespaces of the shared controllers. */
export const INGRESS_NAMESPACE = 'nginx-ingress';
export const CNPG_OPERATOR_NAMESPACE = 'cnpg-system';

/** GitHub environment of the deploy workflow's image job (see .github/workflows/deploy.yml). */
export const RELEASE_ENVIRONMENT = 'release';

/** Where local state files live, relative to the repository root (see .gitignore and the workflows). */
export const LOCAL_STATE_DIR = 'terraform-state';
