import { Construct } from 'constructs';
import type { ITerraformDependable } from 'cdktf';
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
   * The database secret the pods may read: the RDS-managed master user secret, for the migration
   * Job only. Default: not set (no secret access).
   */
  readonly databaseSecret?: {
    /** ARN of the Secrets Manager secret. */
    readonly secretArn: string;
    /** ARN of the KMS key that encrypts the secret. */
    readonly kmsKeyArn: string;
  };
  /**
   * The database user the pods may log in as with RDS IAM authentication (`rds-db:connect` on
   * that user of that instance only): the API. Default: not set (no database login).
   */
  readonly databaseIamUser?: {
    /** The instance's `db-...` resource id (DbiResourceId, an infra output). */
    readonly instanceResourceId: string;
    /** The PostgreSQL role, e.g. `hello_api`. */
    readonly username: string;
  };
}

/**
 * A Kubernetes ServiceAccount of the app, created by Terraform so it exists before any Helm hook
 * runs, bound through EKS Pod Identity to an IAM role that may do only what `databaseSecret` and
 * `databaseIamUser` grant (nothing when neither is set). One per workload: the API logs in to
 * the database with IAM, only the migration Job reads the master secret.
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
  /**
   * The Pod Identity association and the role's policies: pods started before these exist get no
   * (or too few) credentials, so releases whose pods use this ServiceAccount depend on them.
   */
  public readonly ready: ITerraformDependable[];

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

    const policies: ITerraformDependable[] = [];
    if (props.databaseSecret) {
      const access = new DataAwsIamPolicyDocument(this, 'database-secret', {
        statement: [
          {
            sid: 'ReadDatabaseSecret',
            effect: 'Allow',
            actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
            resources: [props.databaseSecret.secretArn],
          },
          {
            sid: 'DecryptThroughSecretsManager',
            effect: 'Allow',
            actions: ['kms:Decrypt'],
            resources: [props.databaseSecret.kmsKeyArn],
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
      policies.push(
        new IamRolePolicy(this, 'database-secret-policy', {
          name: 'read-database-secret',
          role: role.name,
          policy: access.json,
        }),
      );
    }

    if (props.databaseIamUser) {
      const { instanceResourceId, username } = props.databaseIamUser;
      const connect = new DataAwsIamPolicyDocument(this, 'database-connect', {
        statement: [
          {
            sid: 'ConnectAsDatabaseUser',
            effect: 'Allow',
            actions: ['rds-db:connect'],
            resources: [
              `arn:${partition}:rds-db:${region}:${accountId}:dbuser:${instanceResourceId}/${username}`,
            ],
          },
        ],
      });
      policies.push(
        new IamRolePolicy(this, 'database-connect-policy', {
          name: 'connect-as-database-user',
          role: role.name,
          policy: connect.json,
        }),
      );
    }

    const association = new EksPodIdentityAssociation(this, 'pod-identity', {
      clusterName: props.clusterName,
      namespace: serviceAccount.metadata.namespace,
      serviceAccount: serviceAccount.metadata.name,
      roleArn: role.arn,
    });

    this.name = serviceAccount.metadata.name;
    this.namespace = serviceAccount.metadata.namespace;
    this.roleArn = role.arn;
    this.roleName = role.name;
    this.ready = [association, ...policies];
  }
}
