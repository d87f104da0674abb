import { TerraformStack, type TerraformProvider } from 'cdktf';
import type { Construct } from 'constructs';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';

/** Account id and partition of the credentials a stack runs with (resolved at plan time). */
export interface AwsAccount {
  readonly accountId: string;
  readonly partition: string;
}

/**
 * The stack's account id and partition, from ONE pair of data sources per stack: every module
 * builds ARNs from them, and a lookup per module would add a data source (and an API call at
 * plan time) for each. Both are the same for every provider alias of the stack's account. The
 * data sources sit directly on the stack, like other stack plumbing.
 */
export function awsAccount(scope: Construct, provider?: TerraformProvider): AwsAccount {
  // A construct pinned to another provider alias (e.g. us-east-1) keeps its lookups on that
  // provider, so everything it synthesizes uses the provider it was given.
  if (provider) {
    return {
      accountId: new DataAwsCallerIdentity(scope, 'caller', { provider }).accountId,
      partition: new DataAwsPartition(scope, 'partition', { provider }).partition,
    };
  }
  const stack = TerraformStack.of(scope);
  const caller = stack.node.tryFindChild('aws-account-caller') as DataAwsCallerIdentity | undefined;
  const partition = stack.node.tryFindChild('aws-account-partition') as
    DataAwsPartition | undefined;
  return {
    accountId: (caller ?? new DataAwsCallerIdentity(stack, 'aws-account-caller')).accountId,
    partition: (partition ?? new DataAwsPartition(stack, 'aws-account-partition')).partition,
  };
}
