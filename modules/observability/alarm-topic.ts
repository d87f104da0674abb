import { Construct } from 'constructs';
import { TerraformDataSource, TerraformResource, type TerraformProvider } from 'cdktf';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { KmsKey, type KmsServiceGrant } from '../core/kms-key';
import { NameLimits, resourceName } from '../core/naming';
import { awsAccount } from '../core/aws-account';

export interface AlarmTopicProps {
  /** `<project>-<env>`, e.g. `hello-prod`. */
  readonly namePrefix: string;
  /** What the topic carries, used in names: `<namePrefix>-<purpose>`. Default: `alarms`. */
  readonly purpose?: string;
  /**
   * Addresses that get every alarm and recovery by e-mail. Each address must confirm the
   * subscription from the message AWS sends. Default: none (alarms still show in the console).
   */
  readonly alarmEmails?: string[];
  /**
   * Let Amazon Managed Service for Prometheus alert manager workspaces of this account and region
   * publish (topic policy and key policy). Default: false, only CloudWatch alarms may publish.
   */
  readonly allowManagedPrometheus?: boolean;
  /**
   * Provider to create everything with, for a copy of the topic in another region (alarm actions
   * must target a topic in the alarm's own region). Default: the stack's default AWS provider.
   */
  readonly provider?: TerraformProvider;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** What the owning account may do; IAM policies then decide which of its principals may. */
const OWNER_ACTIONS = [
  'sns:GetTopicAttributes',
  'sns:SetTopicAttributes',
  'sns:AddPermission',
  'sns:RemovePermission',
  'sns:DeleteTopic',
  'sns:Subscribe',
  'sns:ListSubscriptionsByTopic',
  'sns:Publish',
];

/**
 * The SNS topic alarms page through: encrypted with its own customer-managed key (the AWS-managed
 * `alias/aws/sns` key cannot be used by CloudWatch), e-mail subscriptions, and a topic policy that
 * lets only this account's CloudWatch alarms (and, when enabled, its AMP alert managers) publish.
 */
export class AlarmTopic extends Construct {
  public readonly topicArn: string;
  public readonly topicName: string;
  /** ARN of the key that encrypts the topic. */
  public readonly kmsKeyArn: string;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const purpose = props.purpose ?? 'alarms';
    const name = resourceName(props.namePrefix, purpose, 256);
    // With a provider of another region, the lookups run on that provider (and its region).
    const { accountId, partition, region } = awsAccount(this, props.provider);
    const allowAmp = props.allowManagedPrometheus ?? false;

    // CloudWatch (and AMP) publish as themselves, so their service principals need the key to
    // encrypt the message: GenerateDataKey + Decrypt, nothing else.
    const publisherKeyActions = ['kms:Decrypt', 'kms:GenerateDataKey*'];
    const serviceGrants: KmsServiceGrant[] = [
      { principal: 'cloudwatch.amazonaws.com', actions: publisherKeyActions },
      ...(allowAmp ? [{ principal: 'aps.amazonaws.com', actions: publisherKeyActions }] : []),
    ];
    const key = new KmsKey(this, 'key', {
      alias: resourceName(props.namePrefix, purpose, NameLimits.kmsAlias),
      description: `Encrypts SNS topic ${name}`,
      serviceGrants,
      provider: props.provider,
    });

    const topic = new SnsTopic(this, 'topic', {
      name,
      displayName: name,
      kmsMasterKeyId: key.arn,
    });

    const sourceAccount = {
      test: 'StringEquals',
      variable: 'aws:SourceAccount',
      values: [accountId],
    };
    const policy = new DataAwsIamPolicyDocument(this, 'policy', {
      statement: [
        {
          sid: 'AccountManages',
          principals: [{ type: 'AWS', identifiers: [`arn:${partition}:iam::${accountId}:root`] }],
          actions: OWNER_ACTIONS,
          resources: [topic.arn],
        },
        {
          sid: 'CloudWatchAlarmsPublish',
          principals: [{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com'] }],
          actions: ['sns:Publish'],
          resources: [topic.arn],
          condition: [
            sourceAccount,
            {
              test: 'ArnLike',
              variable: 'aws:SourceArn',
              values: [`arn:${partition}:cloudwatch:${region}:${accountId}:alarm:*`],
            },
          ],
        },
        ...(allowAmp
          ? [
              {
                sid: 'ManagedPrometheusPublish',
                principals: [{ type: 'Service', identifiers: ['aps.amazonaws.com'] }],
                actions: ['sns:Publish', 'sns:GetTopicAttributes'],
                resources: [topic.arn],
                condition: [
                  sourceAccount,
                  {
                    test: 'ArnLike',
                    variable: 'aws:SourceArn',
                    values: [`arn:${partition}:aps:${region}:${accountId}:workspace/*`],
                  },
                ],
              },
            ]
          : []),
        {
          sid: 'DenyInsecureTransport',
          effect: 'Deny',
          principals: [{ type: 'AWS', identifiers: ['*'] }],
          actions: ['sns:Publish'],
          resources: [topic.arn],
          condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
        },
      ],
    });
    new SnsTopicPolicy(this, 'topic-policy', { arn: topic.arn, policy: policy.json });

    (props.alarmEmails ?? []).forEach((email, index) => {
      if (!EMAIL.test(email)) throw new Error(`alarm e-mail "${email}" is not an e-mail address`);
      new SnsTopicSubscription(this, `email-${index}`, {
        topicArn: topic.arn,
        protocol: 'email',
        endpoint: email,
      });
    });

    // KmsKey has no provider option, so pin everything created here (its resources included).
    const provider = props.provider;
    if (provider) {
      for (const child of this.node.findAll()) {
        if (child instanceof TerraformResource || child instanceof TerraformDataSource) {
          child.provider = provider;
        }
      }
    }

    this.topicArn = topic.arn;
    this.topicName = topic.name;
    this.kmsKeyArn = key.arn;
  }
}
