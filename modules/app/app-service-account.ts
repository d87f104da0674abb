import { Construct } from 'constructs';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { EksPodIdentityAssociation } from '@cdktf/provider-aws/lib/eks-pod-identity-association';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { NameLimits, resourceName } from '../core/naming';
import { awsAccount } from '../core/aws-account';

export interface AppServiceAccountProps {
  /** `<project>-<env>` prefix for the IAM role name, e.g. `hello-prod`. */
  readonly namePrefix: string;
  /** ServiceAccount name, e.g. `hello-api`. */
  readonly name: string;
  /** Namespace the ServiceAccount lives in (pass the namespace module's `name`). */
  readonly namespace: string;
  /** EKS cluster name (an infra output); the role can only be used by this cluster's pods. */
  readonly clusterName: string;
  /**
   * The database secret the pods may read (`rds` mode: the RDS-managed master user secret).
   * Default: not set, and the role gets no permissions at all (`in-cluster` mode).
   */
  readonly database?: {
    /** ARN of the Secrets Manager secret. */
    readonly secretArn: string;
    /** ARN of the KMS key that encrypts the secret. */
    readonly kmsKeyArn: string;
  };
}

/**
 * The app's Kubernetes ServiceAccount, created by Terraform so it exists before any Helm hook
 * runs, bound through EKS Pod Identity to an IAM role that may only read the database secret and
 * decrypt it through Secrets Manager.
 */
export class AppServiceAccount extends Construct {
  /** ServiceAccount name (a reference, so releases using it wait for it). */
  public readonly name: string;
  /** Namespace of the ServiceAccount. */
  public readonly namespace: string;
  /** ARN of the pods' IAM role. */
  public readonly roleArn: string;
  /** Name of the pods' IAM role. */
  public readonly roleName: string;

  constructor(scope: Construct, id: string, props: AppServiceAccountProps) {
    super(scope, id);
    const { accountId, partition, region } = awsAccount(this);

    const serviceAccount = new ServiceAccountV1(this, 'service-account', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: {
          'app.kubernetes.io/name': props.name,
          'app.kubernetes.io/managed-by': 'terraform',
        },
      },
      // Pods opt in explicitly when they need a token (Pod Identity in rds mode).
      automountServiceAccountToken: false,
    });

    const clusterArn = `arn:${partition}:eks:${region}:${accountId}:cluster/` + props.clusterName;
    const trust = new DataAwsIamPolicyDocument(this, 'trust', {
      statement: [
        {
          sid: 'EksPodIdentity',
          effect: 'Allow',
          principals: [{ type: 'Service', identifiers: ['pods.eks.amazonaws.com'] }],
          actions: ['sts:AssumeRole', 'sts:TagSession'],
          condition: [
            { test: 'StringEquals', variable: 'aws:SourceAccount', values: [accountId] },
            { test: 'ArnEquals', variable: 'aws:SourceArn', values: [clusterArn] },
          ],
        },
      ],
    });
    const role = new IamRole(this, 'role', {
      name: resourceName(props.namePrefix, `${props.name}-pods`, NameLimits.iamRoleName),
      description: `Pods of ${props.namespace}/${props.name} (EKS Pod Identity)`,
      assumeRolePolicy: trust.json,
    });

    if (props.database) {
      const access = new DataAwsIamPolicyDocument(this, 'database-secret', {
        statement: [
          {
            sid: 'ReadDatabaseSecret',
            effect: 'Allow',
            actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
            resources: [props.database.secretArn],
          },
          {
            sid: 'DecryptThroughSecretsManager',
            effect: 'Allow',
            actions: ['kms:Decrypt'],
            resources: [props.database.kmsKeyArn],
            condition: [
              {
                test: 'StringEquals',
                variable: 'kms:ViaService',
                values: [`secretsmanager.${region}.amazonaws.com`],
              },
            ],
          },
        ],
      });
      new IamRolePolicy(this, 'database-secret-policy', {
        name: 'read-database-secret',
        role: role.name,
        policy: access.json,
      });
    }

    new EksPodIdentityAssociation(this, 'pod-identity', {
      clusterName: props.clusterName,
      namespace: serviceAccount.metadata.namespace,
      serviceAccount: serviceAccount.metadata.name,
      roleArn: role.arn,
    });

    this.name = serviceAccount.metadata.name;
    this.namespace = serviceAccount.metadata.namespace;
    this.roleArn = role.arn;
    this.roleName = role.name;
  }
}
