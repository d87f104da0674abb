import { Construct } from 'constructs';
import { IamServiceLinkedRole } from '@cdktf/provider-aws/lib/iam-service-linked-role';

/** The Auto Scaling service, whose service-linked role launches every node of every cluster. */
export const AUTOSCALING_SERVICE = 'autoscaling.amazonaws.com';
export const AUTOSCALING_SERVICE_LINKED_ROLE = 'AWSServiceRoleForAutoScaling';

export interface ServiceLinkedRoleProps {
  /** Service principal, e.g. `autoscaling.amazonaws.com`. */
  readonly awsServiceName: string;
  /** Why the role is managed here. */
  readonly description: string;
}

/**
 * An account's service-linked role for one AWS service, created up front. AWS creates these
 * lazily (the Auto Scaling one when the first Auto Scaling group is made), so anything that must
 * reference the role before then, such as a KMS grant to it, fails in a fresh account.
 *
 * An account that already has the role imports it into the stack's state once (see
 * docs/modules/account.md), or leaves it out through config.
 */
export class ServiceLinkedRole extends Construct {
  public readonly roleArn: string;
  public readonly roleName: string;
  /** Terraform address of the role, for the `terraform import` command in the docs. */
  public readonly resourceAddress: string;

  constructor(scope: Construct, id: string, props: ServiceLinkedRoleProps) {
    super(scope, id);
    const role = new IamServiceLinkedRole(this, 'role', {
      awsServiceName: props.awsServiceName,
      description: props.description,
    });
    this.roleArn = role.arn;
    this.roleName = role.name;
    this.resourceAddress = `aws_iam_service_linked_role.${role.friendlyUniqueId}`;
  }
}
