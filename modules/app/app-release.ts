import { Construct } from 'constructs';
import type { ITerraformDependable } from 'cdktf';
import { Release } from '@cdktf/provider-helm/lib/release';
import type { AppValues } from './app-values';
import { helmValues } from '../core/helm-values';

/** stakater's chart repository and the chart version whose schema the tests validate against. */
export const STAKATER_REPOSITORY = 'https://stakater.github.io/stakater-charts';
export const STAKATER_APPLICATION_CHART = 'application';
export const STAKATER_APPLICATION_VERSION = '9.2.0';

export interface AppReleaseProps {
  /** Namespace of the release (pass the namespace module's `name`; it is not created here). */
  readonly namespace: string;
  /** Chart values from `buildAppValues`; `applicationName` is also the release name. */
  readonly values: AppValues;
  /** Chart version. Default: `9.2.0`, the version of the vendored schema. */
  readonly chartVersion?: string;
  /**
   * Seconds Helm waits for the migration hook and the rollout before rolling back.
   * Default: 600. Must exceed the migration Job's `activeDeadlineSeconds`.
   */
  readonly timeoutSeconds?: number;
  /** Release revisions kept for `helm rollback`. Default: 10. */
  readonly maxHistory?: number;
  /**
   * What must exist first: at least the ServiceAccounts with their Pod Identity associations and
   * policies (the migration hook and the API pods run as them), and in `in-cluster` mode the
   * database release whose secret the pods read. Default: none.
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * The API as a Helm release of stakater's `application` chart. `atomic` rolls a failed upgrade
 * (failed migration hook, pods never ready) back to the previous revision, `wait` makes the apply
 * follow the rollout, and `cleanup_on_fail` removes resources a failed upgrade created.
 */
export class AppRelease extends Construct {
  /** Helm release name. */
  public readonly name: string;
  /** Namespace of the release. */
  public readonly namespace: string;
  /** Release status reported by Helm (e.g. `deployed`). */
  public readonly status: string;

  constructor(scope: Construct, id: string, props: AppReleaseProps) {
    super(scope, id);
    const timeout = props.timeoutSeconds ?? 600;
    const migrationDeadline = props.values.extraObjects.migrate.spec.activeDeadlineSeconds;
    if (migrationDeadline >= timeout) {
      throw new Error(
        `the migration Job's activeDeadlineSeconds (${migrationDeadline}) must be below the ` +
          `release timeout (${timeout}), or Helm gives up before the Job does`,
      );
    }
    const release = new Release(this, 'release', {
      name: props.values.applicationName,
      namespace: props.namespace,
      createNamespace: false,
      repository: STAKATER_REPOSITORY,
      chart: STAKATER_APPLICATION_CHART,
      version: props.chartVersion ?? STAKATER_APPLICATION_VERSION,
      values: [helmValues(props.values)],
      atomic: true,
      wait: true,
      waitForJobs: true,
      cleanupOnFail: true,
      timeout,
      maxHistory: props.maxHistory ?? 10,
      dependsOn: props.dependsOn,
    });
    this.name = release.name;
    this.namespace = release.namespace;
    this.status = release.status;
  }
}
