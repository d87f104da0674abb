import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { AlarmTopic, type AlarmTopicProps } from '../../../modules/observability/alarm-topic';
import { onlyResource, resourcesOf, synthConstructs } from '../../helpers/synth';
import type { TerraformJson } from '../../../policy/types';

function synth(props: AlarmTopicProps, withProvider = false) {
  return synthConstructs((scope) => {
    const provider = withProvider
      ? new AwsProvider(scope, 'use1', { region: 'us-east-1', alias: 'use1' })
      : undefined;
    new AlarmTopic(scope, 'alarms', { ...props, provider });
  });
}

interface Statement {
  sid?: string;
  effect?: string;
  principals?: { type: string; identifiers: string[] }[];
  actions?: string[];
  condition?: { test: string; variable: string; values: string[] }[];
}

/** Statements of the data.aws_iam_policy_document whose logical name contains `name`. */
function policyStatements(json: TerraformJson, name: string): Statement[] {
  const docs = json.data?.['aws_iam_policy_document'] ?? {};
  const match = Object.entries(docs).filter(([logical]) => logical.includes(name));
  expect(match).toHaveLength(1);
  return (match[0]?.[1] as { statement: Statement[] }).statement;
}

describe('AlarmTopic', () => {
  const prod: AlarmTopicProps = {
    namePrefix: 'hello-prod',
    alarmEmails: ['oncall@example.com', 'platform@example.com'],
    allowManagedPrometheus: true,
  };
  const dev: AlarmTopicProps = { namePrefix: 'hello-dev', alarmEmails: ['dev@example.com'] };

  it('encrypts the topic with its own customer-managed key', () => {
    const { synthesized, json } = synth(prod);
    expect(synthesized).toHaveResourceWithProperties(SnsTopic, { name: 'hello-prod-alarms' });
    const topic = onlyResource(json, 'aws_sns_topic');
    expect(topic.kms_master_key_id).toMatch(/^\$\{aws_kms_key\..+\.arn\}$/);
    expect(onlyResource(json, 'aws_kms_key')).toMatchObject({ enable_key_rotation: true });
  });

  it('subscribes every configured address by e-mail', () => {
    const { json } = synth(prod);
    const subs = Object.values(resourcesOf(json, 'aws_sns_topic_subscription'));
    expect(subs.map((s) => [s.protocol, s.endpoint])).toEqual([
      ['email', 'oncall@example.com'],
      ['email', 'platform@example.com'],
    ]);
    const devSubs = synth(dev).synthesized;
    expect(devSubs).toHaveResourceWithProperties(SnsTopicSubscription, {
      endpoint: 'dev@example.com',
    });
  });

  it('rejects something that is not an e-mail address', () => {
    expect(() => synth({ namePrefix: 'hello-dev', alarmEmails: ['not-an-address'] })).toThrow(
      /not an e-mail address/,
    );
  });

  it('lets only this account CloudWatch alarms publish, over TLS', () => {
    const statements = policyStatements(synth(dev).json, 'alarms_policy');
    const cw = statements.find((s) => s.sid === 'CloudWatchAlarmsPublish');
    expect(cw?.principals).toEqual([
      { type: 'Service', identifiers: ['cloudwatch.amazonaws.com'] },
    ]);
    expect(cw?.actions).toEqual(['sns:Publish']);
    expect(cw?.condition?.map((c) => c.variable).sort()).toEqual([
      'aws:SourceAccount',
      'aws:SourceArn',
    ]);
    expect(cw?.condition?.find((c) => c.variable === 'aws:SourceArn')?.values[0]).toMatch(
      /:cloudwatch:.*:alarm:\*$/,
    );
    const deny = statements.find((s) => s.sid === 'DenyInsecureTransport');
    expect(deny?.effect).toBe('Deny');
    // Dev does not run AMP: no statement for it.
    expect(statements.some((s) => s.sid === 'ManagedPrometheusPublish')).toBe(false);
  });

  it('grants AMP publish and key use only when asked', () => {
    const prodJson = synth(prod).json;
    const amp = policyStatements(prodJson, 'alarms_policy').find(
      (s) => s.sid === 'ManagedPrometheusPublish',
    );
    expect(amp?.principals?.[0]?.identifiers).toEqual(['aps.amazonaws.com']);
    expect(amp?.condition?.find((c) => c.variable === 'aws:SourceArn')?.values[0]).toMatch(
      /:aps:.*:workspace\/\*$/,
    );
    const keyPrincipals = (json: TerraformJson) =>
      policyStatements(json, 'key_policy')
        .flatMap((s) => s.principals ?? [])
        .filter((p) => p.type === 'Service')
        .flatMap((p) => p.identifiers);
    expect(keyPrincipals(prodJson).sort()).toEqual([
      'aps.amazonaws.com',
      'cloudwatch.amazonaws.com',
    ]);
    expect(keyPrincipals(synth(dev).json)).toEqual(['cloudwatch.amazonaws.com']);
  });

  it('creates every resource and data source with the given provider', () => {
    const { json } = synth(dev, true);
    const blocks = [
      ...Object.values(json.resource ?? {}).flatMap((byName) => Object.values(byName)),
      ...Object.values(json.data ?? {}).flatMap((byName) => Object.values(byName)),
    ];
    expect(blocks.length).toBeGreaterThan(5);
    for (const block of blocks) expect(block.provider).toBe('aws.use1');
  });
});
