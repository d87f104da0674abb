import type { Construct } from 'constructs';
import { EncryptedLogGroup } from '../../../modules/core/encrypted-log-group';
import { Network, type NetworkProps } from '../../../modules/network/network';
import { evaluate, fakeStack } from '../../../policy/engine';
import { synthContext } from '../../helpers/synth';
import type { PolicyRule, StackContext } from '../../../policy/types';
import { cloudwatchRules } from '../../../policy/rules/cloudwatch';

const rule = (id: string): PolicyRule => {
  const found = cloudwatchRules.find((r) => r.id === id);
  if (!found) throw new Error(`no rule ${id}`);
  return found;
};
const check = (id: string, stack: StackContext) => {
  const group = stack.resources('aws_cloudwatch_log_group')[0];
  if (!group) throw new Error('no log group');
  return rule(id).check(group, stack);
};
const groupStack = (config: Record<string, unknown>) =>
  fakeStack({ aws_cloudwatch_log_group: { g: { name: '/x', ...config } } });

const network = (props: Partial<NetworkProps>) => (scope: Construct) =>
  new Network(scope, 'network', {
    namePrefix: 'hello-dev',
    cidr: '10.10.0.0/16',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    clusterName: 'hello-dev',
    ...props,
  });

describe('CloudWatch rules', () => {
  it('CKV_AWS_158 requires a KMS key', () => {
    expect(
      check('CKV_AWS_158', groupStack({ kms_key_id: '${aws_kms_key.k.arn}' })),
    ).toBeUndefined();
    expect(check('CKV_AWS_158', groupStack({}))).toMatch(/no kms_key_id/);
    expect(check('CKV_AWS_158', groupStack({ kms_key_id: '' }))).toMatch(/no kms_key_id/);
  });

  it.each([
    [365, undefined],
    [3653, undefined],
    [30, /30, below 365/],
    [0, /never expires/],
    [undefined, /never expires/],
  ])('CKV_AWS_338 with retention %s', (days, expected) => {
    const result = check(
      'CKV_AWS_338',
      groupStack(days === undefined ? {} : { retention_in_days: days }),
    );
    if (expected === undefined) expect(result).toBeUndefined();
    else expect(result).toMatch(expected);
  });

  it('the EncryptedLogGroup module passes with its defaults (prod)', () => {
    const context = synthContext(
      (scope) =>
        new EncryptedLogGroup(scope, 'logs', {
          name: '/x',
          kmsKeyArn: 'arn:aws:kms:eu-west-1:1:key/k',
        }),
    );
    const results = evaluate(cloudwatchRules, context);
    expect(results).toHaveLength(cloudwatchRules.length);
    expect(results.every((r) => r.status === 'pass')).toBe(true);
  });

  it('the Network flow-log group passes in prod and fails retention only with 30 days (dev, needs a waiver)', () => {
    const prod = evaluate(cloudwatchRules, synthContext(network({}), 'prod'));
    expect(prod.filter((r) => r.status !== 'pass')).toEqual([]);
    expect(prod).toHaveLength(cloudwatchRules.length);

    const dev = evaluate(
      cloudwatchRules,
      synthContext(network({ flowLogRetentionDays: 30 }), 'dev'),
    );
    expect(dev.filter((r) => r.status === 'fail').map((r) => r.ruleId)).toEqual(['CKV_AWS_338']);
    const waived = evaluate(
      cloudwatchRules,
      synthContext(network({ flowLogRetentionDays: 30 }), 'dev'),
      [
        {
          ruleId: 'CKV_AWS_338',
          environment: 'dev',
          address: /^aws_cloudwatch_log_group\./,
          reason: 'dev keeps logs 30 days',
        },
      ],
    );
    expect(waived.map((r) => r.status).sort()).toEqual(['pass', 'waived']);
  });
});
