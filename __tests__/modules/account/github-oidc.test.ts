import { TerraformOutput } from 'cdktf';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { GithubOidc, type GithubOidcProps } from '../../../modules/account/github-oidc';
import { resourcesOf, synthConstructs } from '../../helpers/synth';
import type { TerraformJson } from '../../../policy/types';

const base: GithubOidcProps = {
  namePrefix: 'hello',
  repository: 'acme/hello-platform',
  stateBucketArn: 'arn:aws:s3:::hello-tfstate',
  stateKmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/state',
  ecrRepositoryArn: 'arn:aws:ecr:eu-west-1:111122223333:repository/hello/api',
  ecrKmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/ecr',
};

function synth(props: GithubOidcProps) {
  return synthConstructs((scope) => {
    const oidc = new GithubOidc(scope, 'github', props);
    new TerraformOutput(scope, 'provider_arn', { value: oidc.providerArn });
    new TerraformOutput(scope, 'deploy_role_arn', { value: oidc.deployRoleArn });
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

describe('GithubOidc', () => {
  const dev = synth(base);
  const prod = synth({ ...base, deployEnvironments: ['production'], deployBranch: 'release' });

  it('creates the GitHub OIDC provider for the STS audience', () => {
    expect(dev.synthesized).toHaveResourceWithProperties(IamOpenidConnectProvider, {
      url: 'https://token.actions.githubusercontent.com',
      client_id_list: ['sts.amazonaws.com'],
    });
    expect(dev.json.output?.provider_arn?.value).toMatch(/aws_iam_openid_connect_provider\./);
  });

  it('reuses an existing provider instead of creating a second one', () => {
    const existing = 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com';
    const { json } = synth({ ...base, providerArn: existing });
    expect(resourcesOf(json, 'aws_iam_openid_connect_provider')).toEqual({});
    expect(json.output?.provider_arn?.value).toBe(existing);
    expect(doc(json, 'plan-trust')[0]?.principals?.[0]?.identifiers).toEqual([existing]);
  });

  it('trusts the plan role for pull requests and branches of this repository only', () => {
    const [statement] = doc(dev.json, 'plan-trust');
    expect(statement?.actions).toEqual(['sts:AssumeRoleWithWebIdentity']);
    expect(statement?.principals?.[0]?.type).toBe('Federated');
    expect(condition(statement, 'token.actions.githubusercontent.com:aud')).toEqual({
      test: 'StringEquals',
      variable: 'token.actions.githubusercontent.com:aud',
      values: ['sts.amazonaws.com'],
    });
    expect(condition(statement, 'token.actions.githubusercontent.com:sub')).toEqual({
      test: 'StringLike',
      variable: 'token.actions.githubusercontent.com:sub',
      values: [
        'repo:acme/hello-platform:pull_request',
        'repo:acme/hello-platform:ref:refs/heads/*',
      ],
    });
  });

  it('trusts the deploy role for the deploy branch (dev) and listed environments (prod) only', () => {
    const devSub = condition(
      doc(dev.json, 'deploy-trust')[0],
      'token.actions.githubusercontent.com:sub',
    );
    expect(devSub).toEqual({
      test: 'StringEquals',
      variable: 'token.actions.githubusercontent.com:sub',
      values: ['repo:acme/hello-platform:ref:refs/heads/main'],
    });
    const prodSub = condition(
      doc(prod.json, 'deploy-trust')[0],
      'token.actions.githubusercontent.com:sub',
    );
    expect(prodSub?.values).toEqual([
      'repo:acme/hello-platform:ref:refs/heads/release',
      'repo:acme/hello-platform:environment:production',
    ]);
    expect(prodSub?.values.join()).not.toMatch(/pull_request|\*/);
  });

  it('limits sessions to one hour', () => {
    expect(role(dev.json, 'hello-github-plan').max_session_duration).toBe(3600);
    expect(role(dev.json, 'hello-github-deploy').max_session_duration).toBe(3600);
  });

  it('gives plan ReadOnlyAccess, read-only state and denies data reads', () => {
    const attachments = Object.values(resourcesOf(dev.json, 'aws_iam_role_policy_attachment'));
    const planAttachment = attachments.find((a) => String(a.role).includes('plan-role'));
    expect(planAttachment?.policy_arn).toMatch(/:iam::aws:policy\/ReadOnlyAccess$/);
    const statements = doc(dev.json, 'plan-policy');
    const bySid = new Map(statements.map((s) => [s.sid, s]));
    expect(bySid.get('ReadStateObjects')?.resources).toEqual(['arn:aws:s3:::hello-tfstate/*']);
    expect(bySid.get('DecryptState')?.resources).toEqual([base.stateKmsKeyArn]);
    // Plans run with -lock=false: no write of any kind to the state bucket.
    const allowed = statements.filter((s) => s.effect === 'Allow').flatMap((s) => s.actions ?? []);
    expect(allowed.some((action) => /Put|Delete/.test(action))).toBe(false);
    expect(bySid.get('DenyObjectReadsOutsideState')).toMatchObject({
      effect: 'Deny',
      not_resources: ['arn:aws:s3:::hello-tfstate/*'],
    });
    expect(bySid.get('DenyDataReads')?.actions).toContain('secretsmanager:GetSecretValue');
    expect(bySid.get('DenyDecryptOutsideState')?.not_resources).toEqual([base.stateKmsKeyArn]);
  });

  it('bounds the admin deploy role with a boundary that blocks privilege escalation', () => {
    const deploy = role(dev.json, 'hello-github-deploy');
    expect(deploy.permissions_boundary).toMatch(
      /^\$\{aws_iam_policy\.github_deploy-boundary_\w+\.arn\}$/,
    );
    const attachments = Object.values(resourcesOf(dev.json, 'aws_iam_role_policy_attachment'));
    expect(attachments.find((a) => String(a.role).includes('deploy-role'))?.policy_arn).toMatch(
      /:iam::aws:policy\/AdministratorAccess$/,
    );

    const bySid = new Map(doc(dev.json, 'deploy-boundary-document').map((s) => [s.sid, s]));
    expect(bySid.get('DenyLongLivedCredentials')?.actions).toEqual(
      expect.arrayContaining(['iam:CreateUser', 'iam:CreateAccessKey']),
    );
    expect(bySid.get('DenyBoundaryRemoval')?.actions).toEqual([
      'iam:DeleteRolePermissionsBoundary',
    ]);
    const protectedIam = bySid.get('DenyChangesToGithubAccess');
    expect(protectedIam?.not_actions).toEqual(['iam:Get*', 'iam:List*']);
    expect(protectedIam?.resources?.join()).toMatch(/role\/hello-github-deploy/);
    expect(protectedIam?.resources?.join()).toMatch(/role\/hello-github-plan/);
    expect(protectedIam?.resources?.join()).toMatch(/policy\/hello-github-deploy-boundary/);
    const sameBoundary = bySid.get('DenyRolesWithoutThisBoundary');
    expect(sameBoundary?.actions).toContain('iam:CreateRole');
    expect(sameBoundary?.condition?.[0]).toMatchObject({
      test: 'StringNotEquals',
      variable: 'iam:PermissionsBoundary',
    });
    expect(sameBoundary?.condition?.[0]?.values[0]).toMatch(
      /:policy\/hello-github-deploy-boundary$/,
    );
    expect(bySid.get('DenyForeignRoles')?.not_resources?.[0]).toMatch(/:role\/hello-\*$/);
    expect(bySid.get('DenyBootstrapStoreDestruction')?.resources).toEqual([
      base.stateBucketArn,
      base.ecrRepositoryArn,
    ]);
    expect(bySid.get('DenyBootstrapKeyDestruction')?.resources).toEqual([
      base.stateKmsKeyArn,
      base.ecrKmsKeyArn,
    ]);
  });

  it.each([
    ['no owner', { repository: 'hello-platform' }, /owner\/name/],
    ['a wildcard repository', { repository: 'acme/*' }, /owner\/name/],
    ['a wildcard owner', { repository: '*/hello' }, /owner\/name/],
    ['a nested path', { repository: 'acme/hello/x' }, /owner\/name/],
    ['a dot repository', { repository: 'acme/..' }, /owner\/name/],
    ['a wildcard branch', { deployBranch: 'release/*' }, /plain branch/],
    ['a colon in an environment', { deployEnvironments: ['prod:x'] }, /plain branch/],
  ])('rejects %s', (_name, override, message) => {
    expect(() => synth({ ...base, ...override })).toThrow(message);
  });
});
