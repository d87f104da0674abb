import { GithubOidc } from '../../../modules/account/github-oidc';
import { Network } from '../../../modules/network/network';
import { ClusterAutoscalerIdentity } from '../../../modules/cluster/cluster-autoscaler-identity';
import { clusterAutoscalerDiscoveryTags } from '../../../modules/cluster/eks-node-group';
import { evaluate, fakeStack } from '../../../policy/engine';
import { synthContext } from '../../helpers/synth';
import type { PolicyRule, StackContext } from '../../../policy/types';
import { iamRules, policyStatements } from '../../../policy/rules/iam';

const rule = (id: string): PolicyRule => {
  const found = iamRules.find((r) => r.id === id);
  if (!found) throw new Error(`no rule ${id}`);
  return found;
};
const checkRole = (id: string, stack: StackContext, name = 'r') => {
  const role = stack.resources('aws_iam_role').find((r) => r.name === name);
  if (!role) throw new Error(`no role ${name}`);
  return rule(id).check(role, stack);
};

const GITHUB_PROVIDER =
  'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com';
const githubTrust = (sub: unknown, test = 'StringLike') =>
  JSON.stringify({
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: GITHUB_PROVIDER },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
          ...(sub === undefined
            ? {}
            : { [test]: { 'token.actions.githubusercontent.com:sub': sub } }),
        },
      },
    ],
  });
const roleStack = (
  assumeRolePolicy: string,
  extra: Record<string, Record<string, Record<string, unknown>>> = {},
) =>
  fakeStack({ aws_iam_role: { r: { name: 'r', assume_role_policy: assumeRolePolicy } }, ...extra });

const githubOidc = (env: string) =>
  synthContext(
    (scope) =>
      new GithubOidc(scope, 'github', {
        namePrefix: 'hello',
        repository: 'acme/hello-platform',
        deployEnvironments:
          env === 'prod'
            ? [
                { name: 'staging', clusterName: 'hello-staging' },
                { name: 'prod', clusterName: 'hello-prod' },
              ]
            : [{ name: 'dev', clusterName: 'hello-dev' }],
        stateBucketArn: 'arn:aws:s3:::hello-tfstate',
        stateKmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/state',
        ecrRepositoryArn: 'arn:aws:ecr:eu-west-1:111122223333:repository/hello/api',
        ecrKmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/ecr',
      }),
    env,
  );

describe('policyStatements', () => {
  it('reads literal JSON, data documents and gives up on other expressions', () => {
    const stack = fakeStack({});
    expect(policyStatements(githubTrust('repo:a/b:pull_request'), stack)?.[0]).toMatchObject({
      effect: 'Allow',
      actions: ['sts:AssumeRoleWithWebIdentity'],
      principals: [{ type: 'Federated', identifiers: [GITHUB_PROVIDER] }],
    });
    expect(policyStatements('${jsonencode(local.policy)}', stack)).toBeUndefined();
    expect(policyStatements('${data.aws_iam_policy_document.missing.json}', stack)).toBeUndefined();
    const withData = {
      ...stack,
      json: {
        data: {
          aws_iam_policy_document: {
            d: {
              statement: [
                {
                  effect: 'Deny',
                  actions: ['s3:*'],
                  principals: [{ type: '*', identifiers: ['*'] }],
                },
              ],
            },
          },
        },
      },
    };
    expect(policyStatements('${data.aws_iam_policy_document.d.json}', withData)?.[0]).toMatchObject(
      {
        effect: 'Deny',
        actions: ['s3:*'],
      },
    );
  });
});

describe('IAM rules', () => {
  describe('CKV_AWS_358', () => {
    it('passes a trust pinned to one repository', () => {
      expect(
        checkRole(
          'CKV_AWS_358',
          roleStack(githubTrust(['repo:acme/app:pull_request', 'repo:acme/app:ref:refs/heads/*'])),
        ),
      ).toBeUndefined();
    });

    it.each([
      ['no sub condition', undefined, /without a `sub` condition/],
      ['any repository', 'repo:*', /not pinned/],
      ['any repository of the owner', 'repo:acme/*', /not pinned/],
      [
        'a wildcard owner',
        ['repo:acme/app:ref:refs/heads/main', 'repo:*/app:pull_request'],
        /not pinned/,
      ],
      ['everything', '*', /not pinned/],
    ])('fails on %s', (_name, sub, message) => {
      expect(checkRole('CKV_AWS_358', roleStack(githubTrust(sub)))).toMatch(message);
    });

    it('ignores roles that do not trust GitHub', () => {
      const ec2 = JSON.stringify({
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'ec2.amazonaws.com' },
            Action: 'sts:AssumeRole',
          },
        ],
      });
      expect(checkRole('CKV_AWS_358', roleStack(ec2))).toEqual({
        status: 'not-applicable',
        reason: 'the role does not trust GitHub Actions',
      });
    });

    it('does not evaluate a trust policy it cannot read (unless it names GitHub: then it fails)', () => {
      expect(checkRole('CKV_AWS_358', roleStack('${jsonencode(local.trust)}'))).toEqual({
        status: 'not-evaluated',
        reason: 'trust policy cannot be read statically',
      });
      expect(
        checkRole(
          'CKV_AWS_358',
          roleStack('${replace(local.t, "x", "token.actions.githubusercontent.com")}'),
        ),
      ).toMatch(/mentions GitHub but cannot be read/);
    });

    it('recognizes a provider created in the stack by its URL', () => {
      const stack = fakeStack({
        aws_iam_openid_connect_provider: {
          gh: { url: 'https://token.actions.githubusercontent.com' },
        },
        aws_iam_role: {
          r: {
            assume_role_policy: JSON.stringify({
              Statement: [
                {
                  Effect: 'Allow',
                  Principal: { Federated: '${aws_iam_openid_connect_provider.gh.arn}' },
                  Action: 'sts:AssumeRoleWithWebIdentity',
                },
              ],
            }),
          },
        },
      });
      expect(checkRole('CKV_AWS_358', stack)).toMatch(/without a `sub` condition/);
    });
  });

  describe('CKV_AWS_60', () => {
    it('fails when anyone may assume the role, passes for a service principal', () => {
      const open = JSON.stringify({
        Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }],
      });
      expect(checkRole('CKV_AWS_60', roleStack(open))).toMatch(/principal "\*"/);
      const star = JSON.stringify({
        Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }],
      });
      expect(checkRole('CKV_AWS_60', roleStack(star))).toMatch(/principal "\*"/);
      expect(
        checkRole('CKV_AWS_60', roleStack(githubTrust('repo:a/b:pull_request'))),
      ).toBeUndefined();
    });
  });

  describe('HP_IAM_1', () => {
    const admin = () => ({
      aws_iam_role_policy_attachment: {
        a: {
          role: '${aws_iam_role.r.name}',
          policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess',
        },
      },
    });
    const trust = githubTrust('repo:a/b:ref:refs/heads/main');

    it('does not apply to roles without AdministratorAccess', () => {
      expect(checkRole('HP_IAM_1', roleStack(trust))).toEqual({
        status: 'not-applicable',
        reason: 'no AdministratorAccess attached',
      });
    });

    it('fails on AdministratorAccess without a boundary (attachment or managed_policy_arns)', () => {
      expect(checkRole('HP_IAM_1', roleStack(trust, admin()))).toMatch(
        /without a permissions boundary/,
      );
      const inline = fakeStack({
        aws_iam_role: {
          r: {
            assume_role_policy: trust,
            managed_policy_arns: ['arn:aws:iam::aws:policy/AdministratorAccess'],
          },
        },
      });
      expect(checkRole('HP_IAM_1', inline)).toMatch(/without a permissions boundary/);
    });

    it('fails on a boundary in the stack that allows escalation', () => {
      const stack = fakeStack({
        aws_iam_role: {
          r: { assume_role_policy: trust, permissions_boundary: '${aws_iam_policy.b.arn}' },
        },
        aws_iam_policy: {
          b: {
            policy: JSON.stringify({
              Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
            }),
          },
        },
        ...admin(),
      });
      expect(checkRole('HP_IAM_1', stack)).toMatch(
        /too weak: IAM users.*boundary removal.*same boundary/,
      );
    });

    it('does not evaluate an external boundary it cannot inspect (not a pass)', () => {
      const stack = fakeStack({
        aws_iam_role: {
          r: { assume_role_policy: trust, permissions_boundary: 'arn:aws:iam::1:policy/b' },
        },
        ...admin(),
      });
      expect(checkRole('HP_IAM_1', stack)).toEqual({
        status: 'not-evaluated',
        reason:
          'permissions boundary arn:aws:iam::1:policy/b is managed outside this stack; its statements cannot be read',
      });
    });
  });

  describe('HP_IAM_2', () => {
    const admin = {
      aws_iam_role_policy_attachment: {
        a: {
          role: '${aws_iam_role.r.name}',
          policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess',
        },
      },
    };
    const subjectsTrust = (...subs: string[]) => githubTrust(subs);

    it('passes an admin role trusted by exactly one GitHub environment', () => {
      const stack = roleStack(subjectsTrust('repo:a/b:environment:prod'), admin);
      expect(checkRole('HP_IAM_2', stack)).toBeUndefined();
    });

    it('fails the old deploy role: the main branch ref next to the environments', () => {
      const stack = roleStack(
        subjectsTrust(
          'repo:a/b:ref:refs/heads/main',
          'repo:a/b:environment:dev',
          'repo:a/b:environment:prod',
        ),
        admin,
      );
      expect(checkRole('HP_IAM_2', stack)).toMatch(/non-environment subjects: repo:a\/b:ref/);
    });

    it('fails one admin role shared by several environments', () => {
      const stack = roleStack(
        subjectsTrust('repo:a/b:environment:dev', 'repo:a/b:environment:prod'),
        admin,
      );
      expect(checkRole('HP_IAM_2', stack)).toMatch(/2 GitHub environments/);
    });

    it('does not apply to read-only roles trusted by pull requests', () => {
      expect(checkRole('HP_IAM_2', roleStack(subjectsTrust('repo:a/b:pull_request')))).toEqual({
        status: 'not-applicable',
        reason: 'the role holds no AdministratorAccess',
      });
    });
  });

  it.each(['prod', 'account'])(
    'the GithubOidc module passes every IAM rule, admin deploy role included (%s)',
    (env) => {
      const context = githubOidc(env);
      const results = evaluate(iamRules, context);
      expect(results.filter((r) => r.status === 'fail' || r.status === 'not-evaluated')).toEqual(
        [],
      );
      // Every role of the module is checked: plan, plan-main, release and the deploy roles.
      expect(results.filter((r) => r.ruleId === 'HP_IAM_1')).toHaveLength(env === 'prod' ? 5 : 4);
      expect(results.filter((r) => r.ruleId === 'HP_IAM_2')).toHaveLength(env === 'prod' ? 5 : 4);
    },
  );

  it('HP_IAM_1 catches the deploy role if its boundary is dropped', () => {
    const context = githubOidc('prod');
    const deploy = context
      .resources('aws_iam_role')
      .find((r) => r.config.name === 'hello-prod-github-deploy');
    if (!deploy) throw new Error('no deploy role');
    const withoutBoundary = {
      ...deploy,
      config: { ...deploy.config, permissions_boundary: undefined },
    };
    expect(rule('HP_IAM_1').check(withoutBoundary, context)).toMatch(
      /without a permissions boundary/,
    );
  });

  it('the Network flow-log role passes every IAM rule', () => {
    const context = synthContext(
      (scope) =>
        new Network(scope, 'network', {
          namePrefix: 'hello-prod',
          cidr: '10.30.0.0/16',
          availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
          clusterName: 'hello-prod',
        }),
    );
    const results = evaluate(iamRules, context);
    expect(results).toHaveLength(iamRules.length);
    // A service role: the GitHub and admin rules do not concern it.
    expect(results.map((r) => [r.ruleId, r.status])).toEqual([
      ['HP_IAM_3', 'not-applicable'],
      ['CKV_AWS_358', 'not-applicable'],
      ['CKV_AWS_60', 'pass'],
      ['HP_IAM_1', 'not-applicable'],
      ['HP_IAM_2', 'not-applicable'],
    ]);
  });

  describe('HP_IAM_3: Auto Scaling writes only on tagged groups', () => {
    const policyStack = (statement: Record<string, unknown>) =>
      fakeStack({
        aws_iam_role_policy: {
          p: {
            role: 'r',
            policy: JSON.stringify({ Version: '2012-10-17', Statement: [statement] }),
          },
        },
      });
    const scale = {
      Effect: 'Allow',
      Action: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
      Resource: '*',
    };
    const check = (statement: Record<string, unknown>) =>
      evaluate([rule('HP_IAM_3')], policyStack(statement)).map((result) => result.status);

    it('fails scaling rights on every group of the account', () => {
      expect(check(scale)).toEqual(['fail']);
      expect(check({ ...scale, Action: 'autoscaling:*' })).toEqual(['fail']);
    });

    it('passes with a tag condition and on named groups; read-only statements are not its concern', () => {
      expect(
        check({
          ...scale,
          Condition: {
            StringEquals: { 'aws:ResourceTag/k8s.io/cluster-autoscaler/hello-prod': 'owned' },
          },
        }),
      ).toEqual(['pass']);
      expect(
        check({
          ...scale,
          Resource:
            'arn:aws:autoscaling:eu-west-1:111122223333:autoScalingGroup:*:autoScalingGroupName/eks-general',
        }),
      ).toEqual(['pass']);
      expect(check({ Effect: 'Allow', Action: 'autoscaling:Describe*', Resource: '*' })).toEqual([
        'not-applicable',
      ]);
    });

    it('passes on the Cluster Autoscaler identity module', () => {
      const context = synthContext(
        (scope) =>
          new ClusterAutoscalerIdentity(scope, 'ca', {
            namePrefix: 'hello-prod',
            clusterName: 'hello-prod',
            discoveryTags: clusterAutoscalerDiscoveryTags('hello-prod'),
          }),
      );
      const results = evaluate([rule('HP_IAM_3')], context);
      expect(results).toHaveLength(1);
      expect(results[0]?.status).toBe('pass');
    });
  });
});
