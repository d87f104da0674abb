import { KmsKey } from '../../../modules/core/kms-key';
import { StateBucket } from '../../../modules/account/state-bucket';
import { evaluate, fakeStack } from '../../../policy/engine';
import { synthContext } from '../../helpers/synth';
import type { PolicyRule, StackContext } from '../../../policy/types';
import { kmsRules } from '../../../policy/rules/kms';

const rule = (id: string): PolicyRule => {
  const found = kmsRules.find((r) => r.id === id);
  if (!found) throw new Error(`no rule ${id}`);
  return found;
};
const check = (id: string, stack: StackContext) => {
  const key = stack.resources('aws_kms_key')[0];
  if (!key) throw new Error('no key');
  return rule(id).check(key, stack);
};
const keyStack = (config: Record<string, unknown>) => fakeStack({ aws_kms_key: { k: config } });
const policy = (principal: unknown, effect = 'Allow') =>
  JSON.stringify({
    Statement: [{ Effect: effect, Principal: principal, Action: 'kms:*', Resource: '*' }],
  });

describe('KMS rules', () => {
  it('CKV_AWS_7 passes with rotation and fails without it', () => {
    expect(check('CKV_AWS_7', keyStack({ enable_key_rotation: true }))).toBeUndefined();
    expect(check('CKV_AWS_7', keyStack({}))).toMatch(/enable_key_rotation/);
    expect(check('CKV_AWS_7', keyStack({ enable_key_rotation: false }))).toMatch(
      /enable_key_rotation/,
    );
  });

  it('CKV_AWS_7 does not apply to asymmetric keys, which cannot rotate', () => {
    expect(check('CKV_AWS_7', keyStack({ customer_master_key_spec: 'RSA_2048' }))).toEqual({
      status: 'not-applicable',
      reason: 'RSA_2048 keys cannot rotate automatically',
    });
  });

  it('CKV_AWS_33 fails when the key policy allows "*"', () => {
    expect(check('CKV_AWS_33', keyStack({ policy: policy('*') }))).toMatch(/principal "\*"/);
    expect(check('CKV_AWS_33', keyStack({ policy: policy({ AWS: ['*'] }) }))).toMatch(
      /principal "\*"/,
    );
  });

  it('CKV_AWS_33 passes for account principals, deny statements and the default policy', () => {
    expect(
      check('CKV_AWS_33', keyStack({ policy: policy({ AWS: 'arn:aws:iam::1:root' }) })),
    ).toBeUndefined();
    expect(check('CKV_AWS_33', keyStack({ policy: policy('*', 'Deny') }))).toBeUndefined();
    expect(check('CKV_AWS_33', keyStack({}))).toBeUndefined();
  });

  it('CKV_AWS_33 fails when the policy cannot be read', () => {
    expect(check('CKV_AWS_33', keyStack({ policy: '${jsonencode(local.p)}' }))).toMatch(
      /cannot be read/,
    );
  });

  it.each(['prod', 'dev'])('the KmsKey and StateBucket modules pass every KMS rule (%s)', (env) => {
    const context = synthContext((scope) => {
      new KmsKey(scope, 'logs', {
        alias: 'hello-logs',
        description: 'logs',
        serviceGrants: [{ principal: 'logs.eu-west-1.amazonaws.com' }],
      });
      new StateBucket(scope, 'state', { bucketName: 'hello-tfstate' });
    }, env);
    const results = evaluate(kmsRules, context);
    expect(results).toHaveLength(2 * kmsRules.length);
    expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
  });
});
