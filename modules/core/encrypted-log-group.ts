import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';

export interface EncryptedLogGroupProps {
  /** Full log group name, e.g. `/aws/eks/hello-prod/cluster`. */
  readonly name: string;
  /** ARN of the KMS key that encrypts the log data. Required: logs often hold personal data. */
  readonly kmsKeyArn: string;
  /**
   * Days to keep events. Must be one of CloudWatch's allowed values. Default: 365, long enough
   * for most audit needs (CKV_AWS_338) without keeping data forever.
   */
  readonly retentionInDays?: number;
}

/** A CloudWatch log group that is always KMS-encrypted and always expires its data. */
export class EncryptedLogGroup extends Construct {
  public readonly name: string;
  public readonly arn: string;
  /**
   * The log group itself, for `dependsOn`: a service that writes logs (EKS, RDS, an add-on) must
   * start after its group exists, or it creates an unencrypted group of its own first.
   */
  public readonly resource: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: EncryptedLogGroupProps) {
    super(scope, id);
    const group = new CloudwatchLogGroup(this, 'group', {
      name: props.name,
      kmsKeyId: props.kmsKeyArn,
      retentionInDays: props.retentionInDays ?? 365,
    });
    this.resource = group;
    this.name = group.name;
    this.arn = group.arn;
  }
}
