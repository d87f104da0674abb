import {
  GithubRunner,
  RUNNER_BUILD_TIMEOUT_MINUTES,
  type GithubRunnerProps,
} from '../../../modules/cluster/github-runner';
import { onlyResource, resourcesOf, synthConstructs } from '../../helpers/synth';
import type { TerraformJson } from '../../../policy/types';

const CONNECTION =
  'arn:aws:codeconnections:eu-west-1:111122223333:connection/6f1c2a8e-3b7d-4e59-9c0a-2d4f8e1b7a63';
const base: GithubRunnerProps = {
  projectName: 'hello-prod-github-runner',
  repository: 'acme/hello-platform',
  connectionArn: CONNECTION,
  vpcId: 'vpc-1',
  subnetIds: ['subnet-a', 'subnet-b', 'subnet-c'],
  clusterSecurityGroupId: 'sg-cluster',
};

const synth = (props: GithubRunnerProps = base) =>
  synthConstructs((scope) => new GithubRunner(scope, 'runner', props)).json;

interface Statement {
  sid?: string;
  actions?: string[];
  resources?: string[];
  condition?: { test: string; variable: string; values: string[] }[];
}
const statements = (json: TerraformJson, name: string): Statement[] => {
  const entry = Object.entries(json.data?.aws_iam_policy_document ?? {}).find(([key]) =>
    key.startsWith(`runner_${name}_`),
  );
  if (!entry) throw new Error(`no document ${name}`);
  return entry[1].statement as Statement[];
};

describe('GithubRunner', () => {
  const json = synth();

  it('is a CodeBuild project in the private subnets, reached through a WORKFLOW_JOB_QUEUED webhook', () => {
    const project = onlyResource(json, 'aws_codebuild_project');
    expect(project).toMatchObject({
      name: 'hello-prod-github-runner',
      build_timeout: RUNNER_BUILD_TIMEOUT_MINUTES,
      source: {
        type: 'GITHUB',
        location: 'https://github.com/acme/hello-platform.git',
        auth: { type: 'CODECONNECTIONS', resource: CONNECTION },
      },
      artifacts: { type: 'NO_ARTIFACTS' },
      environment: {
        type: 'LINUX_CONTAINER',
        compute_type: 'BUILD_GENERAL1_MEDIUM',
        privileged_mode: false,
      },
      vpc_config: { vpc_id: 'vpc-1', subnets: base.subnetIds },
    });
    expect(String(project.encryption_key)).toMatch(/^\$\{aws_kms_key\.runner_key_/);
    const webhook = onlyResource(json, 'aws_codebuild_webhook');
    expect(webhook.project_name).toMatch(/aws_codebuild_project\.runner_project_\w+\.name/);
    expect(webhook.filter_group).toEqual([
      { filter: [{ type: 'EVENT', pattern: 'WORKFLOW_JOB_QUEUED' }] },
    ]);
  });

  it('opens HTTPS from the runner to the cluster security group, and only HTTPS out', () => {
    const ingress = Object.values(resourcesOf(json, 'aws_vpc_security_group_ingress_rule'));
    expect(ingress).toHaveLength(1);
    expect(ingress[0]).toMatchObject({
      security_group_id: 'sg-cluster',
      ip_protocol: 'tcp',
      from_port: 443,
      to_port: 443,
    });
    expect(String(ingress[0]?.referenced_security_group_id)).toMatch(
      /aws_security_group\.runner_security-group_\w+\.id/,
    );
    const egress = Object.values(resourcesOf(json, 'aws_vpc_security_group_egress_rule'));
    expect(egress.map((rule) => [rule.ip_protocol, rule.from_port, rule.to_port])).toEqual([
      ['tcp', 443, 443],
    ]);
    const project = onlyResource(json, 'aws_codebuild_project');
    expect(JSON.stringify(project.vpc_config)).toMatch(/runner_security-group_/);
  });

  it('gives the runner role logs, its key, VPC interfaces and the connection: no other AWS rights', () => {
    const role = onlyResource(json, 'aws_iam_role');
    expect(role.name).toBe('hello-prod-github-runner');
    expect(resourcesOf(json, 'aws_iam_role_policy_attachment')).toEqual({});
    const [trust] = statements(json, 'trust');
    expect(JSON.stringify(trust)).toContain('codebuild.amazonaws.com');
    expect(trust?.condition?.find((c) => c.variable === 'aws:SourceArn')?.values[0]).toMatch(
      /:codebuild:.+:project\/hello-prod-github-runner$/,
    );
    const policy = statements(json, 'policy-document');
    expect(policy.map((s) => s.sid)).toEqual([
      'BuildLogs',
      'Key',
      'VpcNetworkInterfaces',
      'NetworkInterfaceInTheseSubnets',
      'GithubConnection',
    ]);
    const actions = policy.flatMap((s) => s.actions ?? []);
    expect(
      actions.filter((a) => !/^(logs|kms|ec2|codeconnections|codestar-connections):/.test(a)),
    ).toEqual([]);
    expect(actions.some((a) => a.startsWith('sts:') || a.includes('*:*'))).toBe(false);
    const bySid = new Map(policy.map((s) => [s.sid, s]));
    expect(bySid.get('GithubConnection')?.resources).toEqual([CONNECTION]);
    const subnets = bySid
      .get('NetworkInterfaceInTheseSubnets')
      ?.condition?.find((c) => c.variable === 'ec2:Subnet')?.values;
    expect(subnets).toHaveLength(3);
    expect(subnets?.[0]).toMatch(/:subnet\/subnet-a$/);
    // Wildcard resources only for the EC2 calls that take none.
    const wildcard = policy.filter((s) => s.resources?.includes('*')).map((s) => s.sid);
    expect(wildcard).toEqual(['VpcNetworkInterfaces']);
  });

  it('writes its build logs to a KMS-encrypted group that expires', () => {
    const group = onlyResource(json, 'aws_cloudwatch_log_group');
    expect(group).toMatchObject({ name: '/aws/codebuild/hello-prod-github-runner' });
    expect(String(group.kms_key_id)).toMatch(/aws_kms_key\.runner_key_/);
    expect(group.retention_in_days).toBe(365);
  });

  it('rejects a bad project name, no subnets and an impossible timeout', () => {
    expect(() => synth({ ...base, projectName: 'bad name' })).toThrow(/project name/);
    expect(() => synth({ ...base, subnetIds: [] })).toThrow(/subnet/);
    expect(() => synth({ ...base, buildTimeoutMinutes: 3000 })).toThrow(/5-2160/);
  });
});
