import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { TfcAwsOidc, tfcSubject, type TfcAwsOidcProps } from '../../../modules/tfc/tfc-aws-oidc';
import { onlyResource, resourcesOf, synthConstructs } from '../../helpers/synth';

const props: TfcAwsOidcProps = {
  organization: 'acme',
  project: 'hello-prod',
  workspaces: ['hello-prod-infra', 'hello-prod-workloads'],
  roleName: 'hello-prod-tfc-run',
  policyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'],
};

interface Statement {
  effect: string;
  actions: string[];
  principals: Array<{ type: string; identifiers: string[] }>;
  condition: Array<{ test: string; variable: string; values: string[] }>;
}

function trustStatement(json: ReturnType<typeof synthConstructs>['json']): Statement {
  const doc = onlyResource({ resource: json.data }, 'aws_iam_policy_document');
  return (doc.statement as Statement[])[0] as Statement;
}

describe('TfcAwsOidc', () => {
  it('creates an OIDC provider for app.terraform.io with the workload identity audience', () => {
    const { synthesized } = synthConstructs((scope) => new TfcAwsOidc(scope, 'tfc', props));
    expect(synthesized).toHaveResourceWithProperties(IamOpenidConnectProvider, {
      url: 'https://app.terraform.io',
      client_id_list: ['aws.workload.identity'],
    });
    expect(synthesized).toHaveResourceWithProperties(IamRole, {
      name: 'hello-prod-tfc-run',
      max_session_duration: 3600,
    });
  });

  it('trusts only run phases of the named workspaces in that organization and project', () => {
    const { json } = synthConstructs((scope) => new TfcAwsOidc(scope, 'tfc', props));
    const statement = trustStatement(json);
    expect(statement.actions).toEqual(['sts:AssumeRoleWithWebIdentity']);
    expect(statement.principals).toHaveLength(1);
    expect(statement.principals[0]?.type).toBe('Federated');
    expect(statement.principals[0]?.identifiers).toEqual([
      expect.stringMatching(/^\$\{aws_iam_openid_connect_provider\.[\w-]+\.arn\}$/),
    ]);
    const aud = statement.condition.find((c) => c.variable === 'app.terraform.io:aud');
    expect(aud).toEqual({
      test: 'StringEquals',
      variable: 'app.terraform.io:aud',
      values: ['aws.workload.identity'],
    });
    const sub = statement.condition.find((c) => c.variable === 'app.terraform.io:sub');
    expect(sub?.test).toBe('StringLike');
    expect(sub?.values).toEqual([
      'organization:acme:project:hello-prod:workspace:hello-prod-infra:run_phase:*',
      'organization:acme:project:hello-prod:workspace:hello-prod-workloads:run_phase:*',
    ]);
    // The only wildcard is the run phase: organization, project and workspace are literal.
    for (const value of sub?.values ?? []) {
      expect(value.replace(/:run_phase:\*$/, '')).not.toMatch(/[*?]/);
    }
    expect(statement.condition).toHaveLength(2);
  });

  it('attaches exactly the given policies, none by default', () => {
    const withPolicy = synthConstructs((scope) => new TfcAwsOidc(scope, 'tfc', props)).json;
    expect(Object.values(resourcesOf(withPolicy, 'aws_iam_role_policy_attachment'))).toEqual([
      expect.objectContaining({ policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess' }),
    ]);
    const bare = synthConstructs(
      (scope) => new TfcAwsOidc(scope, 'tfc', { ...props, policyArns: undefined }),
    ).json;
    expect(resourcesOf(bare, 'aws_iam_role_policy_attachment')).toEqual({});
  });

  it('reuses an existing provider and supports a Terraform Enterprise host', () => {
    const arn = 'arn:aws:iam::123456789012:oidc-provider/tfe.example.com';
    const { json } = synthConstructs(
      (scope) =>
        new TfcAwsOidc(scope, 'tfc', {
          ...props,
          hostname: 'tfe.example.com',
          existingProviderArn: arn,
        }),
    );
    expect(resourcesOf(json, 'aws_iam_openid_connect_provider')).toEqual({});
    const statement = trustStatement(json);
    expect(statement.principals[0]?.identifiers).toEqual([arn]);
    expect(statement.condition.map((c) => c.variable).sort()).toEqual([
      'tfe.example.com:aud',
      'tfe.example.com:sub',
    ]);
  });

  it('refuses wildcards and empty workspace lists that would widen the trust', () => {
    const build = (override: Partial<TfcAwsOidcProps>) => () =>
      synthConstructs((scope) => new TfcAwsOidc(scope, 'tfc', { ...props, ...override }));
    expect(build({ workspaces: ['hello-*'] })).toThrow(/literal name/);
    expect(build({ organization: 'acme:project:x' })).toThrow(/literal name/);
    expect(build({ project: '*' })).toThrow(/literal name/);
    expect(build({ workspaces: [] })).toThrow(/at least one workspace/);
  });

  it('spells the subject as HCP Terraform does', () => {
    expect(tfcSubject('o', 'p', 'w')).toBe('organization:o:project:p:workspace:w:run_phase:*');
  });
});
