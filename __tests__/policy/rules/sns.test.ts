import { AlarmTopic } from '../../../modules/observability/alarm-topic';
import { synthContext } from '../../helpers/synth';
import { evaluate, fakeStack } from '../../../policy/engine';
import type { PolicyRule, StackContext } from '../../../policy/types';
import { snsRules } from '../../../policy/rules/sns';

const rule = (id: string): PolicyRule => {
  const found = snsRules.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no rule ${id}`);
  return found;
};
const results = (id: string, stack: StackContext) => evaluate([rule(id)], stack);
const topic = (config: Record<string, unknown>) => fakeStack({ aws_sns_topic: { t: config } });

describe('SNS policy rules', () => {
  it('CKV_AWS_26 fails an unencrypted topic and passes one with a KMS key', () => {
    const [bad] = results('CKV_AWS_26', topic({ name: 'plain' }));
    expect(bad).toMatchObject({ status: 'fail', message: 'no kms_master_key_id' });
    expect(results('CKV_AWS_26', topic({ name: 'x', kms_master_key_id: '' }))[0]?.status).toBe(
      'fail',
    );
    expect(
      results('CKV_AWS_26', topic({ kms_master_key_id: '${aws_kms_key.k.arn}' }))[0]?.status,
    ).toBe('pass');
  });

  it('HP_SNS_1 fails the AWS-managed key and passes a customer-managed one', () => {
    expect(results('HP_SNS_1', topic({ kms_master_key_id: 'alias/aws/sns' }))[0]).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('alias/aws/sns'),
    });
    expect(
      results('HP_SNS_1', topic({ kms_master_key_id: 'arn:aws:kms:eu-west-1:1:alias/aws/sns' }))[0]
        ?.status,
    ).toBe('fail');
    expect(
      results('HP_SNS_1', topic({ kms_master_key_id: '${aws_kms_key.k.arn}' }))[0]?.status,
    ).toBe('pass');
    // Without any key this rule has nothing to judge (CKV_AWS_26 fails the topic): not a pass.
    expect(results('HP_SNS_1', topic({ name: 'plain' }))[0]).toMatchObject({
      status: 'not-applicable',
      message: expect.stringContaining('CKV_AWS_26') as string,
    });
  });

  it('every SNS rule passes on the AlarmTopic module (dev and prod)', () => {
    for (const env of ['dev', 'prod']) {
      const stack = synthContext(
        (scope) =>
          new AlarmTopic(scope, 'alarms', {
            namePrefix: `hello-${env}`,
            alarmEmails: ['oncall@example.com'],
            allowManagedPrometheus: env === 'prod',
          }),
        env,
      );
      const all = evaluate(snsRules, stack);
      expect(all).toHaveLength(snsRules.length);
      expect(all.filter((r) => r.status !== 'pass')).toEqual([]);
    }
  });
});
