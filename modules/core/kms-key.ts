import type { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey as AwsKmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { awsAccount } from './aws-account';

/** A service that may use the key through its own service principal (e.g. CloudWatch Logs). */
export interface KmsServiceGrant {
  /** Service principal, e.g. `logs.eu-west-1.amazonaws.com` or `sns.amazonaws.com`. */
  readonly principal: string;
  /** KMS actions the service needs. Default: encrypt/decrypt/re-encrypt/generate data key/describe. */
  readonly actions?: string[];
  /**
   * Optional `ArnLike` condition on `kms:EncryptionContext:aws:logs:arn` style keys, e.g.
   * `{ variable: 'kms:EncryptionContext:aws:logs:arn', values: ['arn:...:log-group:/aws/eks/*'] }`.
   */
  readonly condition?: {
    readonly test: string;
    readonly variable: string;
    readonly values: string[];
  };
}

/**
 * Lets CloudWatch Logs of `region` use the key only for the given log group ARN (a trailing `*`
 * allows a family of groups), as CloudWatch Logs' own encryption context names the group.
 */
export function cloudWatchLogsGrant(region: string, logGroupArn: string): KmsServiceGrant {
  return {
    principal: `logs.${region}.amazonaws.com`,
    condition: {
      test: logGroupArn.endsWith('*') ? 'ArnLike' : 'ArnEquals',
      variable: 'kms:EncryptionContext:aws:logs:arn',
      values: [logGroupArn],
    },
  };
}

export interface KmsKeyProps {
  /** Provider (alias) the key is created with. Default: the stack's default AWS provider. */
  readonly provider?: TerraformProvider;
  /** Alias without the `alias/` prefix, e.g. `hello-prod-logs`. */
  readonly alias: string;
  /** Human description shown in the console. */
  readonly description: string;
  /** Services allowed to use the key through their service principals. Default: none. */
  readonly serviceGrants?: KmsServiceGrant[];
  /** Days before a scheduled deletion happens (7-30). Default: 30, the longest safety window. */
  readonly deletionWindowInDays?: number;
}

const DEFAULT_SERVICE_ACTIONS = [
  'kms:Encrypt*',
  'kms:Decrypt*',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
  'kms:Describe*',
];

/**
 * A customer-managed KMS key with yearly rotation on and a key policy that keeps the account in
 * control (IAM policies decide who may use it) plus explicit grants for the services that encrypt
 * with it. One key per concern keeps blast radius and audit trails small.
 */
export class KmsKey extends Construct {
  /** ARN of the key, for `kms_key_id`/`kms_key_arn` arguments. */
  public readonly arn: string;
  /** Key id. */
  public readonly keyId: string;
  /** `alias/<alias>`. */
  public readonly aliasName: string;

  constructor(scope: Construct, id: string, props: KmsKeyProps) {
    super(scope, id);
    const account = awsAccount(this, props.provider);

    const policy = new DataAwsIamPolicyDocument(this, 'policy', {
      provider: props.provider,
      statement: [
        {
          sid: 'AccountAdministers',
          effect: 'Allow',
          principals: [
            {
              type: 'AWS',
              identifiers: [`arn:${account.partition}:iam::${account.accountId}:root`],
            },
          ],
          actions: ['kms:*'],
          resources: ['*'],
        },
        ...(props.serviceGrants ?? []).map((grant, index) => ({
          sid: `ServiceUse${index}`,
          effect: 'Allow',
          principals: [{ type: 'Service', identifiers: [grant.principal] }],
          actions: grant.actions ?? DEFAULT_SERVICE_ACTIONS,
          resources: ['*'],
          condition: grant.condition
            ? [
                {
                  test: grant.condition.test,
                  variable: grant.condition.variable,
                  values: grant.condition.values,
                },
              ]
            : undefined,
        })),
      ],
    });

    const key = new AwsKmsKey(this, 'key', {
      provider: props.provider,
      description: props.description,
      enableKeyRotation: true,
      deletionWindowInDays: props.deletionWindowInDays ?? 30,
      policy: policy.json,
    });
    this.aliasName = `alias/${props.alias}`;
    new KmsAlias(this, 'alias', {
      provider: props.provider,
      name: this.aliasName,
      targetKeyId: key.keyId,
    });
    this.arn = key.arn;
    this.keyId = key.keyId;
  }
}
