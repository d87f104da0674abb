import { EksPodIdentityAssociation } from '@cdktf/provider-aws/lib/eks-pod-identity-association';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import {
  AppServiceAccount,
  type AppServiceAccountProps,
} from '../../../modules/app/app-service-account';
import { onlyResource, resourcesOf, synthConstructs } from '../../helpers/synth';
import type { TerraformJson } from '../../../policy/types';

const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1';
const kmsKeyArn = 'arn:aws:kms:eu-west-1:123456789012:key/k-1';
const inCluster: AppServiceAccountProps = {
  namePrefix: 'hello-dev',
  name: 'hello-api',
  namespace: 'sample-app',
  clusterName: 'hello-dev',
};
/** rds mode, the migration Job: reads the master secret. */
const rds: AppServiceAccountProps = {
  ...inCluster,
  name: 'hello-api-migrate',
  namePrefix: 'hello-prod',
  clusterName: 'hello-prod',
  databaseSecret: { secretArn, kmsKeyArn },
};
/** rds mode, the API: logs in as its database user with IAM authentication. */
const rdsApi: AppServiceAccountProps = {
  ...inCluster,
  namePrefix: 'hello-prod',
  clusterName: 'hello-prod',
  databaseIamUser: { instanceResourceId: 'db-ABCDEFGHIJKLMNOP', username: 'hello_api' },
};

function synth(props: AppServiceAccountProps) {
  return synthConstructs((scope) => new AppServiceAccount(scope, 'sa', props));
}

type Statement = Record<string, unknown>;
/** Statements of the policy document whose logical name starts with `sa_<name>_`. */
const document = (json: TerraformJson, name: string): Statement[] => {
  const documents = json.data?.aws_iam_policy_document ?? {};
  const key = Object.keys(documents).find((candidate) => candidate.startsWith(`sa_${name}_`));
  const doc = key ? (documents[key] as { statement: Statement[] }) : undefined;
  if (!doc) throw new Error(`no policy document ${name}`);
  return doc.statement;
};

describe('AppServiceAccount', () => {
  it('creates the ServiceAccount in the namespace without an automounted token', () => {
    const { synthesized, json } = synth(rds);
    expect(synthesized).toHaveResourceWithProperties(ServiceAccountV1, {
      automount_service_account_token: false,
    });
    expect(onlyResource(json, 'kubernetes_service_account_v1')).toMatchObject({
      metadata: { name: 'hello-api-migrate', namespace: 'sample-app' },
    });
  });

  it('lets only EKS Pod Identity of this account and cluster assume the role', () => {
    const { json } = synth(rds);
    const [statement] = document(json, 'trust');
    expect(statement?.principals).toEqual([
      { type: 'Service', identifiers: ['pods.eks.amazonaws.com'] },
    ]);
    expect(statement?.actions).toEqual(['sts:AssumeRole', 'sts:TagSession']);
    const conditions = statement?.condition as { variable: string; values: string[] }[];
    expect(conditions.map((c) => c.variable)).toEqual(['aws:SourceAccount', 'aws:SourceArn']);
    expect(conditions[1]?.values[0]).toMatch(/:cluster\/hello-prod$/);
    const role = onlyResource(json, 'aws_iam_role');
    expect(role.name).toBe('hello-prod-hello-api-migrate-pods');
    expect(role.assume_role_policy).toMatch(
      /^\$\{data\.aws_iam_policy_document\.sa_trust_\w+\.json\}$/,
    );
  });

  it('associates the ServiceAccount with the role through EKS Pod Identity', () => {
    const { synthesized, json } = synth(rds);
    expect(synthesized).toHaveResourceWithProperties(EksPodIdentityAssociation, {
      cluster_name: 'hello-prod',
    });
    const association = onlyResource(json, 'aws_eks_pod_identity_association');
    expect(association.namespace).toMatch(
      /^\$\{kubernetes_service_account_v1\.\S+\.metadata\[0\]\.namespace\}$/,
    );
    expect(association.service_account).toMatch(
      /^\$\{kubernetes_service_account_v1\.\S+\.metadata\[0\]\.name\}$/,
    );
    expect(association.role_arn).toMatch(/^\$\{aws_iam_role\.sa_role_\w+\.arn\}$/);
  });

  it('with databaseSecret: may read only that secret and decrypt only through Secrets Manager', () => {
    const { json } = synth(rds);
    const statements = document(json, 'database-secret');
    expect(statements).toHaveLength(2);
    expect(statements[0]).toMatchObject({
      actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      resources: [secretArn],
    });
    expect(statements[1]).toMatchObject({ actions: ['kms:Decrypt'], resources: [kmsKeyArn] });
    const [viaService] = statements[1]?.condition as { variable: string; values: string[] }[];
    expect(viaService?.variable).toBe('kms:ViaService');
    expect(viaService?.values[0]).toMatch(/^secretsmanager\..+\.amazonaws\.com$/);
    const actions = statements.flatMap((s) => s.actions as string[]);
    expect(actions.some((a) => a.includes('*'))).toBe(false);
    expect(Object.keys(resourcesOf(json, 'aws_iam_role_policy'))).toHaveLength(1);
    expect(JSON.stringify(json)).not.toContain('rds-db:connect');
  });

  it('with databaseIamUser: may rds-db:connect as that user of that instance only, read no secret', () => {
    const { json } = synth(rdsApi);
    const statements = document(json, 'database-connect');
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ effect: 'Allow', actions: ['rds-db:connect'] });
    const resources = statements[0]?.resources as string[];
    expect(resources).toHaveLength(1);
    expect(resources[0]).toMatch(
      /^arn:\$\{data\.aws_partition\.[\w-]+\.partition\}:rds-db:\$\{data\.aws_region\.[\w-]+\.region\}:\$\{data\.aws_caller_identity\.[\w-]+\.account_id\}:dbuser:db-ABCDEFGHIJKLMNOP\/hello_api$/,
    );
    expect(Object.keys(resourcesOf(json, 'aws_iam_role_policy'))).toHaveLength(1);
    expect(JSON.stringify(json)).not.toMatch(/secretsmanager:|kms:Decrypt/);
  });

  it('exposes the association and every policy for dependsOn (pods need them at start)', () => {
    const both = synthConstructs((scope) => {
      const account = new AppServiceAccount(scope, 'sa', { ...rdsApi, ...rds });
      expect(account.ready).toHaveLength(3);
      return account;
    });
    expect(Object.keys(resourcesOf(both.json, 'aws_iam_role_policy'))).toHaveLength(2);
    synthConstructs((scope) => {
      expect(new AppServiceAccount(scope, 'sa', inCluster).ready).toHaveLength(1);
    });
  });

  it('in-cluster mode: the role has no permissions at all', () => {
    const { json } = synth(inCluster);
    expect(resourcesOf(json, 'aws_iam_role_policy')).toEqual({});
    expect(resourcesOf(json, 'aws_iam_role_policy_attachment')).toEqual({});
    expect(onlyResource(json, 'aws_iam_role').managed_policy_arns).toBeUndefined();
    expect(Object.keys(resourcesOf(json, 'aws_eks_pod_identity_association'))).toHaveLength(1);
  });
});
