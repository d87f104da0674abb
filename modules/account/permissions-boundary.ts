import type { IConstruct } from 'constructs';
import type { IAspect } from 'cdktf';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { resourceName } from '../core/naming';

/*
 * The deploy role's permissions boundary, seen from the stacks it applies: the bootstrap stack
 * creates the policy (GithubOidc); every other stack computes its ARN and puts it on each role.
 */

/** Name of the deploy role's permissions boundary policy. */
export function deployBoundaryPolicyName(namePrefix: string): string {
  return resourceName(namePrefix, 'github-deploy-boundary', 128);
}

/**
 * ARN of the deploy boundary, computable in any stack of the account (e.g. from
 * `DataAwsCallerIdentity`/`DataAwsPartition`) without a cross-stack reference.
 */
export function deployBoundaryPolicyArn(
  partition: string,
  accountId: string,
  namePrefix: string,
): string {
  return `arn:${partition}:iam::${accountId}:policy/${deployBoundaryPolicyName(namePrefix)}`;
}

/**
 * The deploy role may only create or change roles that carry its boundary. Add this aspect to every
 * stack the deploy role applies: it sets the boundary on each `aws_iam_role` that has none.
 */
export class ApplyPermissionsBoundary implements IAspect {
  constructor(private readonly boundaryArn: string) {}

  visit(node: IConstruct): void {
    if (node instanceof IamRole && node.permissionsBoundaryInput === undefined) {
      node.permissionsBoundary = this.boundaryArn;
    }
  }
}
