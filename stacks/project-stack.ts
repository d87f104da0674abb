import { Aspects, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { BackendConfig, EnvironmentConfig, ProjectConfig } from '../config';
import {
  ApplyPermissionsBoundary,
  deployBoundaryPolicyArn,
} from '../modules/account/permissions-boundary';
import { configureBackend, type BackendContext } from './backend';
import { awsAccount } from '../modules/core/aws-account';
import { moduleDomainOf } from '../modules/domains';

export interface ProjectStackProps {
  readonly backend: BackendConfig;
  readonly backendContext: BackendContext;
  readonly region: string;
  /** When set, the AWS provider refuses credentials of any other account. */
  readonly accountId?: string;
  /** Tags every AWS resource of the stack gets through the provider's `default_tags`. */
  readonly tags: Record<string, string>;
  /**
   * Name prefix of a deploy permissions boundary (`<project>` for the account boundary,
   * `<project>-<env>` for an environment's). When set, every IAM role of the stack carries that
   * boundary: the deploy role may only create roles that do, so a role it creates can never hold
   * more than the deploy role itself. Default: no boundary (bootstrap).
   */
  readonly deployBoundaryPrefix?: string;
}

/**
 * Base of every stack: its backend, and an AWS provider that tags everything it creates and can
 * only act on the intended account.
 */
export class ProjectStack extends TerraformStack {
  public readonly awsProvider: AwsProvider;
  /** Account id and partition of the credentials in use (resolved at plan time). */
  public readonly accountId: string;
  public readonly partition: string;

  constructor(scope: Construct, id: string, props: ProjectStackProps) {
    super(scope, id);
    configureBackend(this, props.backend, props.backendContext);
    this.awsProvider = new AwsProvider(this, 'aws', {
      region: props.region,
      allowedAccountIds: props.accountId ? [props.accountId] : undefined,
      defaultTags: [{ tags: props.tags }],
    });
    this.accountId = awsAccount(this).accountId;
    this.partition = awsAccount(this).partition;
    if (props.deployBoundaryPrefix !== undefined) {
      const boundary = deployBoundaryPolicyArn(
        this.partition,
        this.accountId,
        props.deployBoundaryPrefix,
      );
      Aspects.of(this).add(new ApplyPermissionsBoundary(boundary));
    }
  }

  /**
   * The stack's Terraform JSON, plus `"//": { "modules": { <construct id>: <domain> } }`: which
   * folder of modules/ each top-level module comes from. Terraform ignores `//` keys; the diagram
   * reads them to group modules the way the source tree does.
   */
  override toTerraform(): Record<string, unknown> {
    const json = super.toTerraform() as Record<string, unknown> & {
      '//'?: Record<string, unknown>;
    };
    const modules: Record<string, string> = {};
    for (const child of this.node.children) {
      const domain = moduleDomainOf(child);
      if (domain) modules[child.node.id] = domain;
    }
    json['//'] = { ...json['//'], modules };
    return json;
  }

  /** ARN of an IAM role of this account, by name. */
  roleArn(name: string): string {
    return `arn:${this.partition}:iam::${this.accountId}:role/${name}`;
  }
}

/** The tags every resource carries (config tags may add to them, never replace these). */
export function standardTags(
  project: string,
  environment: string,
  repository: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ...extra,
    Project: project,
    Environment: environment,
    ManagedBy: 'cdktf',
    Repository: repository,
  };
}

/** Base settings of an environment's stacks: its backend, region, account, tags and IAM boundary. */
export function environmentStackProps(
  config: ProjectConfig,
  env: EnvironmentConfig,
  backendContext: BackendContext,
): ProjectStackProps {
  return {
    backend: env.backend,
    backendContext,
    region: env.region,
    accountId: env.accountId,
    tags: standardTags(config.name, env.name, config.repository, env.tags),
    // The environment's own boundary: its deploy role may only create roles that carry it.
    deployBoundaryPrefix: `${config.name}-${env.name}`,
  };
}

/** Base settings of the per-account stacks (bootstrap, tfc): the bootstrap region and backend. */
export function accountStackProps(
  config: ProjectConfig,
  backendContext: BackendContext,
): ProjectStackProps {
  return {
    backend: config.bootstrap.backend,
    backendContext,
    region: config.bootstrap.region,
    accountId: config.bootstrap.accountId,
    tags: standardTags(config.name, 'account', config.repository, config.bootstrap.tags),
  };
}
