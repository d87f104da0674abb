import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { BackendConfig } from '../config';
import { configureBackend, type BackendContext } from './backend';

export interface ProjectStackProps {
  readonly backend: BackendConfig;
  readonly backendContext: BackendContext;
  readonly region: string;
  /** When set, the AWS provider refuses credentials of any other account. */
  readonly accountId?: string;
  /** Tags every AWS resource of the stack gets through the provider's `default_tags`. */
  readonly tags: Record<string, string>;
}

/**
 * Base of every stack: its backend, and an AWS provider that tags everything it creates and can
 * only act on the intended account.
 */
export class ProjectStack extends TerraformStack {
  public readonly awsProvider: AwsProvider;

  constructor(scope: Construct, id: string, props: ProjectStackProps) {
    super(scope, id);
    configureBackend(this, props.backend, props.backendContext);
    this.awsProvider = new AwsProvider(this, 'aws', {
      region: props.region,
      allowedAccountIds: props.accountId ? [props.accountId] : undefined,
      defaultTags: [{ tags: props.tags }],
    });
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
