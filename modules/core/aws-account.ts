import { TerraformStack, type TerraformProvider } from 'cdktf';
import type { Construct } from 'constructs';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';

/** Account id, partition and region of the credentials and provider a stack runs with (resolved at plan time). */
export interface AwsAccount {
  readonly accountId: string;
  readonly partition: string;
  /** Region of the provider (the stack's default one, or the one given); looked up on first use. */
  readonly region: string;
}

/**
 * The stack's account id, partition and region, from ONE data source each per stack: every module
 * builds ARNs from them, and a lookup per module would add a data source (and an API call at plan
 * time) for each. The data sources sit directly on the stack, like other stack plumbing.
 */
export function awsAccount(scope: Construct, provider?: TerraformProvider): AwsAccount {
  // A construct pinned to another provider alias (e.g. us-east-1) keeps its lookups on that
  // provider, so everything it synthesizes uses the provider it was given.
  const owner: Construct = provider ? scope : TerraformStack.of(scope);
  const prefix = provider ? '' : 'aws-account-';
  const lookup = <T extends Construct>(id: string, create: () => T): T =>
    (owner.node.tryFindChild(`${prefix}${id}`) as T | undefined) ?? create();
  const caller = lookup(
    'caller',
    () => new DataAwsCallerIdentity(owner, `${prefix}caller`, { provider }),
  );
  const partition = lookup(
    'partition',
    () => new DataAwsPartition(owner, `${prefix}partition`, { provider }),
  );
  return {
    accountId: caller.accountId,
    partition: partition.partition,
    get region(): string {
      return lookup('region', () => new DataAwsRegion(owner, `${prefix}region`, { provider }))
        .region;
    },
  };
}
