import { TerraformOutput } from 'cdktf';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import {
  GITHUB_ROLE_SESSION_SECONDS,
  GithubOidc,
  type GithubOidcProps,
} from '../../../modules/account/github-oidc';
import { resourcesOf, synthConstructs } from '../../helpers/synth';
import type { TerraformJson } from '../../../policy/types';

const base: GithubOidcProps = {
  namePrefix: 'hello',
  repository: 'acme/hello-platform',
  deployEnvironments: [
    { name: 'dev', clusterName: 'hello-dev' },
    { name: 'prod', clusterName: 'hello-prod' },
  ],
  stateBucketArn: 'arn:aws:s3:::hello-tfstate',
  stateKmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/state',
  ecrRepositoryArn: 'arn:aws:ecr:eu-west-1:111122223333:repository/hello/api',
  ecrKmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/ecr',
};

function synth(props: GithubOidcProps) {
  return synthConstructs((scope) => {
    const oidc = new GithubOidc(scope, 'github', props);
    new TerraformOutput(scope, 'provider_arn', { value: oidc.providerArn });
    new TerraformOutput(scope, 'deploy_role_arns', { value: oidc.deployRoleArns });
  });
}

interface Statement {
  sid?: string;
  effect?: string;
  actions?: string[];
  not_actions?: string[];
  resources?: string[];
  not_resources?: string[];
  principals?: { type: string; identifiers: string[] }[];
  condition?: { test: string; variable: string; values: string[] }[];
}
function doc(json: TerraformJson, name: string): Statement[] {
  const entry = Object.entries(json.data?.aws_iam_policy_document ?? {}).find(([key]) =>
    key.startsWith(`github_${name}_`),
  );
  if (!entry) throw new Error(`no policy document ${name}`);
  return entry[1].statement as Statement[];
}
function role(json: TerraformJson, name: string): Record<string, unknown> {
  const found = Object.values(resourcesOf(json, 'aws_iam_role')).find((r) => r.name === name);
  if (!found) throw new Error(`no role ${name}`);
  return found;
}
const condition = (statement: Statement | undefined, variable: string) =>
  statement?.condition?.find((c) => c.variable === variable);
const subjects = (json: TerraformJson, trust: string) =>
  condition(doc(json, trust)[0], 'token.actions.githubusercontent.com:sub');

describe('GithubOidc', () => {
  const { json, synthesized } = synth(base);

  it('creates the GitHub OIDC provider for the STS audience', () => {
    expect(synthesized).toHaveResourceWithProperties(IamOpenidConnectProvider, {
      url: 'https://token.actions.githubusercontent.com',
      client_id_list: ['sts.amazonaws.com'],
    });
    expect(json.output?.provider_arn?.value).toMatch(/aws_iam_openid_connect_provider\./);
  });

  it('reuses an existing provider instead of creating a second one', () => {
    const existing = 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com';
    const reused = synth({ ...base, providerArn: existing }).json;
    expect(resourcesOf(reused, 'aws_iam_openid_connect_provider')).toEqual({});
    expect(reused.output?.provider_arn?.value).toBe(existing);
    expect(doc(reused, 'plan-trust')[0]?.principals?.[0]?.identifiers).toEqual([existing]);
  });

  it('creates exactly the plan, plan-main, release and one deploy role per environment', () => {
    const names = Object.values(resourcesOf(json, 'aws_iam_role')).map((r) => r.name);
    expect(names.sort()).toEqual([
      'hello-dev-github-deploy',
      'hello-github-plan',
      'hello-github-plan-main',
      'hello-github-release',
      'hello-prod-github-deploy',
    ]);
    expect(Object.keys(json.output?.deploy_role_arns?.value as object).sort()).toEqual([
      'dev',
      'prod',
    ]);
  });

  it('trusts every role for one exact subject of this repository, audience sts.amazonaws.com', () => {
    const expected: Record<string, string> = {
      'plan-trust': 'repo:acme/hello-platform:pull_request',
      'plan-main-trust': 'repo:acme/hello-platform:ref:refs/heads/main',
      'release-trust': 'repo:acme/hello-platform:environment:release',
      'deploy-dev-trust': 'repo:acme/hello-platform:environment:dev',
      'deploy-prod-trust': 'repo:acme/hello-platform:environment:prod',
    };
    for (const [trust, subject] of Object.entries(expected)) {
      const [statement] = doc(json, trust);
      expect(statement?.actions).toEqual(['sts:AssumeRoleWithWebIdentity']);
      expect(statement?.principals?.[0]?.type).toBe('Federated');
      expect(condition(statement, 'token.actions.githubusercontent.com:aud')?.values).toEqual([
        'sts.amazonaws.com',
      ]);
      expect([trust, subjects(json, trust)]).toEqual([
        trust,
        {
          test: 'StringEquals',
          variable: 'token.actions.githubusercontent.com:sub',
          values: [subject],
        },
      ]);
    }
  });

  it('never lets a branch or tag ref, or another environment, assume a deploy role', () => {
    for (const env of ['dev', 'prod']) {
      const values = subjects(json, `deploy-${env}-trust`)?.values ?? [];
      expect(values).toHaveLength(1);
      expect(values.join()).not.toMatch(/ref:|pull_request|\*/);
    }
    // The plan role: pull requests only, not every branch push.
    expect(subjects(json, 'plan-trust')?.values.join()).not.toMatch(/refs\/heads/);
  });

  it('gives each role the session length its workflow jobs request', () => {
    expect(role(json, 'hello-github-plan').max_session_duration).toBe(
      GITHUB_ROLE_SESSION_SECONDS.plan,
    );
    expect(role(json, 'hello-github-plan-main').max_session_duration).toBe(
      GITHUB_ROLE_SESSION_SECONDS.planMain,
    );
    expect(role(json, 'hello-github-release').max_session_duration).toBe(
      GITHUB_ROLE_SESSION_SECONDS.release,
    );
    expect(role(json, 'hello-prod-github-deploy').max_session_duration).toBe(
      GITHUB_ROLE_SESSION_SECONDS.deploy,
    );
    // Deploys outlive the one hour GitHub's OIDC credentials last by default.
    expect(GITHUB_ROLE_SESSION_SECONDS.deploy).toBeGreaterThan(3600);
  });

  it('gives both plan roles ReadOnlyAccess, read-only state and denies data reads', () => {
    for (const key of ['plan', 'plan-main']) {
      const attachments = Object.entries(resourcesOf(json, 'aws_iam_role_policy_attachment'))
        .filter(([address]) => address.startsWith(`github_${key}-read-only_`))
        .map(([, a]) => String(a.policy_arn));
      expect(attachments).toHaveLength(1);
      expect(attachments[0]).toMatch(/:iam::aws:policy\/ReadOnlyAccess$/);
      const statements = doc(json, `${key}-policy`);
      const bySid = new Map(statements.map((s) => [s.sid, s]));
      expect(bySid.get('ReadStateObjects')?.resources).toEqual(['arn:aws:s3:::hello-tfstate/*']);
      expect(bySid.get('DecryptState')?.resources).toEqual([base.stateKmsKeyArn]);
      // Plans run with -lock=false: no write of any kind to the state bucket.
      const allowed = statements
        .filter((s) => s.effect === 'Allow')
        .flatMap((s) => s.actions ?? []);
      expect(allowed.some((action) => /Put|Delete/.test(action))).toBe(false);
      expect(bySid.get('DenyObjectReadsOutsideState')).toMatchObject({
        effect: 'Deny',
        not_resources: ['arn:aws:s3:::hello-tfstate/*'],
      });
      expect(bySid.get('DenyDataReads')?.actions).toContain('secretsmanager:GetSecretValue');
    }
  });

  it('lets the release role push and retag images in its repository, nothing else', () => {
    const statements = doc(json, 'release-policy');
    expect(statements.map((s) => s.sid)).toEqual(['RegistryLogin', 'PushAndRetag']);
    expect(statements[0]?.actions).toEqual(['ecr:GetAuthorizationToken']);
    expect(statements[1]?.resources).toEqual([base.ecrRepositoryArn]);
    expect(statements[1]?.actions).toEqual(
      expect.arrayContaining(['ecr:PutImage', 'ecr:BatchGetImage', 'ecr:CompleteLayerUpload']),
    );
    expect(statements.flatMap((s) => s.actions ?? []).every((a) => a.startsWith('ecr:'))).toBe(
      true,
    );
    expect(
      Object.keys(resourcesOf(json, 'aws_iam_role_policy_attachment')).some((k) =>
        k.startsWith('github_release'),
      ),
    ).toBe(false);
  });

  it('bounds each admin deploy role with its own environment boundary', () => {
    const policies = Object.entries(resourcesOf(json, 'aws_iam_policy'));
    expect(policies.map(([, p]) => p.name).sort()).toEqual([
      'hello-dev-github-deploy-boundary',
      'hello-github-deploy-boundary',
      'hello-prod-github-deploy-boundary',
    ]);
    for (const env of ['dev', 'prod']) {
      const deploy = role(json, `hello-${env}-github-deploy`);
      expect(deploy.permissions_boundary).toMatch(
        new RegExp(`^\\$\\{aws_iam_policy\\.github_deploy-${env}-boundary_\\w+\\.arn\\}$`),
      );
      const admin = Object.entries(resourcesOf(json, 'aws_iam_role_policy_attachment')).filter(
        ([address]) => address.startsWith(`github_deploy-${env}-admin_`),
      );
      expect(admin).toHaveLength(1);
      expect(String(admin[0]?.[1].policy_arn)).toMatch(/:iam::aws:policy\/AdministratorAccess$/);
    }
  });

  it('keeps the prod deploy boundary free of escalation and of the other environments', () => {
    const bySid = new Map(doc(json, 'deploy-prod-boundary-document').map((s) => [s.sid, s]));
    expect(bySid.get('DenyLongLivedCredentials')?.actions).toEqual(
      expect.arrayContaining(['iam:CreateUser', 'iam:CreateAccessKey']),
    );
    expect(bySid.get('DenyBoundaryRemoval')?.actions).toEqual([
      'iam:DeleteRolePermissionsBoundary',
    ]);
    const protectedIam = bySid.get('DenyChangesToGithubAccess')?.resources?.join() ?? '';
    for (const name of [
      'role/hello-github-plan',
      'role/hello-github-plan-main',
      'role/hello-github-release',
      'role/hello-dev-github-deploy',
      'role/hello-prod-github-deploy',
      'policy/hello-github-deploy-boundary',
      'policy/hello-dev-github-deploy-boundary',
      'policy/hello-prod-github-deploy-boundary',
    ]) {
      expect(protectedIam).toContain(`:${name}`);
    }
    const sameBoundary = bySid.get('DenyRolesWithoutThisBoundary');
    expect(sameBoundary?.actions).toContain('iam:CreateRole');
    expect(sameBoundary?.condition?.[0]?.values).toHaveLength(1);
    expect(sameBoundary?.condition?.[0]?.values[0]).toMatch(
      /:policy\/hello-prod-github-deploy-boundary$/,
    );
    // Only its own environment's roles may be passed, assumed or re-trusted.
    expect(bySid.get('DenyForeignRoles')?.not_resources).toEqual([
      expect.stringMatching(/:role\/hello-prod-\*$/),
    ]);
    // Off dev's cluster (where an access entry could make it admin) and dev's tagged resources.
    expect(bySid.get('DenyOtherEnvironmentClusters')?.actions).toEqual(['eks:*']);
    expect(bySid.get('DenyOtherEnvironmentClusters')?.resources).toEqual([
      expect.stringMatching(/:eks:\*:.+:cluster\/hello-dev$/),
      expect.stringMatching(/:eks:\*:.+:\*\/hello-dev\/\*$/),
    ]);
    expect(bySid.get('DenyOtherEnvironmentResources')?.condition).toEqual([
      { test: 'StringEquals', variable: 'aws:ResourceTag/Environment', values: ['dev'] },
    ]);
    expect(bySid.get('DenyTaggingAsOtherEnvironment')?.condition).toEqual([
      { test: 'StringEquals', variable: 'aws:RequestTag/Environment', values: ['dev'] },
    ]);
    expect(bySid.get('DenyBootstrapStoreDestruction')?.resources).toEqual([
      base.stateBucketArn,
      base.ecrRepositoryArn,
    ]);
  });

  it('lets the account boundary (Terraform Cloud runs) create roles under the environment boundaries', () => {
    const bySid = new Map(doc(json, 'deploy-boundary-document').map((s) => [s.sid, s]));
    const accepted = bySid.get('DenyRolesWithoutThisBoundary')?.condition?.[0]?.values ?? [];
    expect(accepted).toHaveLength(3);
    expect(accepted.join()).toMatch(/policy\/hello-github-deploy-boundary/);
    expect(accepted.join()).toMatch(/policy\/hello-prod-github-deploy-boundary/);
    expect(bySid.has('DenyOtherEnvironmentResources')).toBe(false);
    expect(bySid.get('DenyForeignRoles')?.not_resources?.[0]).toMatch(/:role\/hello-\*$/);
  });

  it.each([
    ['no owner', { repository: 'hello-platform' }, /owner\/name/],
    ['a wildcard repository', { repository: 'acme/*' }, /owner\/name/],
    ['a wildcard owner', { repository: '*/hello' }, /owner\/name/],
    ['a nested path', { repository: 'acme/hello/x' }, /owner\/name/],
    ['a dot repository', { repository: 'acme/..' }, /owner\/name/],
    ['a wildcard branch', { mainBranch: 'release/*' }, /plain branch/],
    [
      'a colon in an environment',
      { deployEnvironments: [{ name: 'prod:x', clusterName: 'c' }] },
      /plain branch/,
    ],
    [
      'an environment named like the release environment',
      { deployEnvironments: [{ name: 'release', clusterName: 'c' }] },
      /unique/,
    ],
  ])('rejects %s', (_name, override, message) => {
    expect(() => synth({ ...base, ...override } as GithubOidcProps)).toThrow(message);
  });
});
