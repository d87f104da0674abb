import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import {
  ContainerObservability,
  type ContainerObservabilityProps,
} from '../../../modules/observability/container-observability';
import { onlyResource, resourcesOf, synthConstructs } from '../../helpers/synth';
import type { TerraformJson } from '../../../policy/types';

const prod: ContainerObservabilityProps = {
  namePrefix: 'hello-prod',
  clusterName: 'hello-prod',
  addonVersion: 'v4.4.0-eksbuild.1',
};
const dev: ContainerObservabilityProps = {
  namePrefix: 'hello-dev',
  clusterName: 'hello-dev',
  logRetentionDays: 14,
};

function synth(props: ContainerObservabilityProps) {
  let module: ContainerObservability | undefined;
  const result = synthConstructs((scope) => {
    module = new ContainerObservability(scope, 'observability', props);
  });
  if (!module) throw new Error('not built');
  return { ...result, module };
}

interface Statement {
  principals?: { type: string; identifiers: string[] }[];
  actions?: string[];
  condition?: { test: string; variable: string; values: string[] }[];
}

/** Statements of the one policy document whose logical name contains `_<part>_`. */
function policyDoc(json: TerraformJson, part: string): Statement[] {
  const docs = json.data?.['aws_iam_policy_document'] ?? {};
  const match = Object.entries(docs).filter(([name]) => name.includes(`_${part}_`));
  expect(match).toHaveLength(1);
  return (match[0]?.[1] as { statement: Statement[] }).statement;
}

describe('ContainerObservability', () => {
  it('pre-creates the four Container Insights log groups, encrypted, with retention', () => {
    const { json } = synth(prod);
    const groups = Object.values(resourcesOf(json, 'aws_cloudwatch_log_group'));
    expect(groups.map((g) => g.name).sort()).toEqual([
      '/aws/containerinsights/hello-prod/application',
      '/aws/containerinsights/hello-prod/dataplane',
      '/aws/containerinsights/hello-prod/host',
      '/aws/containerinsights/hello-prod/performance',
    ]);
    for (const group of groups) {
      expect(group.kms_key_id).toMatch(/^\$\{aws_kms_key\..+\.arn\}$/);
      expect(group.retention_in_days).toBe(365);
    }
  });

  it('uses the configured retention (dev-like)', () => {
    const { synthesized, json } = synth(dev);
    expect(synthesized).toHaveResourceWithProperties(CloudwatchLogGroup, {
      name: '/aws/containerinsights/hello-dev/application',
      retention_in_days: 14,
    });
    const groups = Object.values(resourcesOf(json, 'aws_cloudwatch_log_group'));
    expect(groups).toHaveLength(4);
    for (const group of groups) {
      expect(group.retention_in_days).toBe(14);
    }
  });

  it('lets CloudWatch Logs use the key only for this cluster container insights groups', () => {
    const statements = policyDoc(synth(prod).json, 'logs-key_policy');
    const logs = statements.find((s) => s.principals?.[0]?.type === 'Service');
    expect(logs?.principals?.[0]?.identifiers[0]).toMatch(/^logs\..+\.amazonaws\.com$/);
    expect(logs?.condition).toEqual([
      {
        test: 'ArnLike',
        variable: 'kms:EncryptionContext:aws:logs:arn',
        values: [expect.stringMatching(/:log-group:\/aws\/containerinsights\/hello-prod\/\*$/)],
      },
    ]);
  });

  it('installs the add-on with Pod Identity for the agent service account, after its log groups', () => {
    const { synthesized, json } = synth(prod);
    expect(synthesized).toHaveResourceWithProperties(EksAddon, {
      cluster_name: 'hello-prod',
      addon_name: 'amazon-cloudwatch-observability',
      addon_version: 'v4.4.0-eksbuild.1',
      pod_identity_association: [
        {
          role_arn: expect.stringMatching(/^\$\{aws_iam_role\..+\.arn\}$/),
          service_account: 'cloudwatch-agent',
        },
      ],
    });
    const addon = onlyResource(json, 'aws_eks_addon');
    const dependsOn = addon.depends_on as string[];
    const groupAddresses = Object.keys(resourcesOf(json, 'aws_cloudwatch_log_group')).map(
      (name) => `aws_cloudwatch_log_group.${name}`,
    );
    expect(groupAddresses).toHaveLength(4);
    for (const address of groupAddresses) expect(dependsOn).toContain(address);
    expect(dependsOn.some((d) => d.startsWith('aws_iam_role_policy_attachment.'))).toBe(true);
  });

  it('trusts only EKS Pod Identity for this cluster agent service account', () => {
    const [trust] = policyDoc(synth(prod).json, 'trust');
    expect(trust?.principals).toEqual([
      { type: 'Service', identifiers: ['pods.eks.amazonaws.com'] },
    ]);
    expect(trust?.actions).toEqual(['sts:AssumeRole', 'sts:TagSession']);
    const conditions = Object.fromEntries(
      (trust?.condition ?? []).map((c) => [c.variable, c.values]),
    );
    expect(conditions).toMatchObject({
      'aws:RequestTag/eks-cluster-name': ['hello-prod'],
      'aws:RequestTag/kubernetes-namespace': ['amazon-cloudwatch'],
      'aws:RequestTag/kubernetes-service-account': ['cloudwatch-agent'],
    });
    expect(conditions['aws:SourceAccount']).toHaveLength(1);
  });

  it('grants the agent the CloudWatchAgentServerPolicy and nothing broader', () => {
    const { synthesized, json } = synth(dev);
    expect(synthesized).toHaveResourceWithProperties(IamRolePolicyAttachment, {
      policy_arn: expect.stringMatching(/:iam::aws:policy\/CloudWatchAgentServerPolicy$/),
    });
    expect(Object.keys(resourcesOf(json, 'aws_iam_role_policy_attachment'))).toHaveLength(1);
    expect(resourcesOf(json, 'aws_iam_role_policy')).toEqual({});
  });

  it('exposes the application log group for Logs Insights', () => {
    const { module } = synth(prod);
    expect(module.applicationLogGroupName).toMatch(/^\$\{TfToken/);
    expect(Object.keys(module.logGroupNames).sort()).toEqual([
      'application',
      'dataplane',
      'host',
      'performance',
    ]);
  });
});
