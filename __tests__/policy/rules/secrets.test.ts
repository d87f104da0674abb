import { EksCluster } from '../../../modules/cluster/eks-cluster';
import { ingressEndpoint } from '../../../modules/edge/ingress-endpoint';
import { LoadBalancer } from '../../../modules/edge/load-balancer';
import { RdsPostgres } from '../../../modules/data/rds-postgres';
import { synthContext } from '../../helpers/synth';
import { evaluate, fakeStack } from '../../../policy/engine';
import { findLiteralSecrets, secretsRules } from '../../../policy/rules/secrets';

const failures = (resources: Parameters<typeof fakeStack>[0]) =>
  evaluate(secretsRules, fakeStack(resources)).filter((r) => r.status === 'fail');

describe('HP_SECRETS_1 no literal secrets', () => {
  it('passes on every resource of the EKS, RDS and load balancer modules', () => {
    const context = synthContext((scope) => {
      new EksCluster(scope, 'eks', {
        clusterName: 'hello-prod',
        kubernetesVersion: '1.33',
        subnetIds: ['subnet-a'],
        adminPrincipalArns: ['arn:aws:iam::111122223333:role/deploy'],
        nodeGroups: [
          { name: 'g', instanceTypes: ['m7i.large'], minSize: 1, maxSize: 2, desiredSize: 1 },
        ],
      });
      new RdsPostgres(scope, 'db', {
        identifier: 'hello-prod-db',
        engineMajorVersion: '17',
        instanceClass: 'db.t4g.micro',
        dbSubnetGroupName: 'db',
        vpcId: 'vpc-1',
        allowedSecurityGroupIds: ['sg-nodes'],
      });
      new LoadBalancer(scope, 'lb', {
        namePrefix: 'hello-prod',
        vpcId: 'vpc-1',
        publicSubnetIds: ['subnet-a'],
        certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/abc',
        ingress: ingressEndpoint(30080),
        nodeSecurityGroupId: 'sg-nodes',
        nodeGroupAsgNames: ['asg'],
        zoneId: 'Z1',
        hostName: 'api.example.com',
      });
    });
    const results = evaluate(secretsRules, context);
    expect(results.length).toBeGreaterThan(50);
    expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
  });

  it('fails on a literal database password', () => {
    const found = failures({
      aws_db_instance: {
        db: { username: 'admin', password: 'hunter2hunter2', manage_master_user_password: false },
      },
    });
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain('password');
  });

  it('passes when the password is a reference or managed', () => {
    expect(
      failures({
        aws_db_instance: {
          ref: { password: '${random_password.db.result}' },
          managed: {
            manage_master_user_password: true,
            master_user_secret_kms_key_id: 'arn:aws:kms:eu-west-1:111122223333:key/abc',
            password_wo_version: 1,
          },
        },
      }),
    ).toEqual([]);
  });

  it('fails on literal secret strings, Secrets Manager values, SSM SecureStrings and Kubernetes secret data', () => {
    expect(
      failures({
        aws_secretsmanager_secret_version: { v: { secret_string: '{"password":"p4ss"}' } },
      }),
    ).toHaveLength(1);
    expect(
      failures({
        aws_ssm_parameter: { p: { name: '/app/db', type: 'SecureString', value: 'p4ss' } },
      }),
    ).toHaveLength(1);
    expect(
      failures({ aws_ssm_parameter: { p: { name: '/app/host', type: 'String', value: 'db' } } }),
    ).toEqual([]);
    expect(
      failures({ kubernetes_secret_v1: { s: { data: { url: 'postgres://u:p@h/db' } } } }),
    ).toHaveLength(1);
    expect(failures({ kubernetes_secret_v1: { s: { data: { url: '${var.url}' } } } })).toEqual([]);
  });

  it('finds name/value pairs (env vars, Helm set) and secrets inside YAML values documents', () => {
    expect(
      findLiteralSecrets({
        set: [
          { name: 'auth.password', value: 'p4ss' },
          { name: 'replicas', value: '2' },
        ],
      }),
    ).toEqual(['set[0]{name=auth.password}.value']);
    expect(
      findLiteralSecrets({
        env: [
          { name: 'DB_PASSWORD_SECRET_ARN', value: 'arn:aws:secretsmanager:x' },
          { name: 'API_TOKEN', value: 't0k' },
        ],
      }),
    ).toEqual(['env[1]{name=API_TOKEN}.value']);
    expect(
      findLiteralSecrets({ values: ['image:\n  tag: abc\nauth:\n  postgresPassword: s3cret\n'] }),
    ).toEqual(['values[0]<document>.auth.postgresPassword']);
  });

  it('does not flag references to secrets, flags, ARNs, IAM condition keys or annotations', () => {
    expect(
      findLiteralSecrets({
        secret_name: 'app-db',
        existingSecret: 'app-db',
        master_user_secret_kms_key_id: 'key',
        automount_service_account_token: 'false',
        secret_arn: 'arn:aws:secretsmanager:eu-west-1:1:secret:x',
        token: '${data.aws_eks_cluster_auth.c.token}',
        policy: '{"Statement":[{"Condition":{"StringEquals":{"secretsmanager:SecretId":"x"}}}]}',
        annotations: { 'vault.hashicorp.com/agent-inject-secret': 'db' },
        description: 'Reads the database secret',
      }),
    ).toEqual([]);
  });
});
