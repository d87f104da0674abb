import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey as AwsKmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { KmsKey, type KmsKeyProps } from '../../../modules/core/kms-key';
import { onlyResource, synthConstructs } from '../../helpers/synth';
import type { TerraformJson } from '../../../policy/types';

function synth(props: KmsKeyProps) {
  return synthConstructs((scope) => new KmsKey(scope, 'key', props));
}

interface Statement {
  sid: string;
  actions: string[];
  principals: { type: string; identifiers: string[] }[];
  condition?: { test: string; variable: string; values: string[] }[];
}
const statements = (json: TerraformJson): Statement[] =>
  Object.values(json.data?.aws_iam_policy_document ?? {})[0]?.statement as Statement[];

describe('KmsKey', () => {
  it('rotates yearly, keeps the longest deletion window and gets an alias', () => {
    const { synthesized, json } = synth({ alias: 'hello-prod-logs', description: 'logs' });
    expect(synthesized).toHaveResourceWithProperties(AwsKmsKey, {
      enable_key_rotation: true,
      deletion_window_in_days: 30,
      description: 'logs',
    });
    expect(synthesized).toHaveResourceWithProperties(KmsAlias, { name: 'alias/hello-prod-logs' });
    expect(onlyResource(json, 'aws_kms_alias').target_key_id).toMatch(
      /^\$\{aws_kms_key\.key_\w+\.key_id\}$/,
    );
    expect(onlyResource(json, 'aws_kms_key').policy).toMatch(
      /^\$\{data\.aws_iam_policy_document\.key_\w+\.json\}$/,
    );
  });

  it('lets only the account administer the key when no service is granted (dev-like)', () => {
    const policy = statements(synth({ alias: 'a', description: 'd' }).json);
    expect(policy).toHaveLength(1);
    expect(policy[0]?.sid).toBe('AccountAdministers');
    expect(policy[0]?.principals).toEqual([
      {
        type: 'AWS',
        identifiers: [
          expect.stringMatching(
            /^arn:\$\{data\.aws_partition\..*\}:iam::\$\{data\.aws_caller_identity\..*\.account_id\}:root$/,
          ),
        ],
      },
    ]);
  });

  it('grants services their actions with optional encryption-context conditions (prod-like)', () => {
    const policy = statements(
      synth({
        alias: 'hello-prod-logs',
        description: 'logs',
        deletionWindowInDays: 7,
        serviceGrants: [
          {
            principal: 'logs.eu-west-1.amazonaws.com',
            condition: {
              test: 'ArnLike',
              variable: 'kms:EncryptionContext:aws:logs:arn',
              values: ['arn:aws:logs:eu-west-1:111122223333:log-group:/aws/eks/*'],
            },
          },
          { principal: 'sns.amazonaws.com', actions: ['kms:Decrypt', 'kms:GenerateDataKey*'] },
        ],
      }).json,
    );
    expect(policy).toHaveLength(3);
    expect(policy[1]).toMatchObject({
      sid: 'ServiceUse0',
      principals: [{ type: 'Service', identifiers: ['logs.eu-west-1.amazonaws.com'] }],
      actions: expect.arrayContaining(['kms:Encrypt*', 'kms:Decrypt*', 'kms:GenerateDataKey*']),
      condition: [{ test: 'ArnLike', variable: 'kms:EncryptionContext:aws:logs:arn' }],
    });
    expect(policy[2]).toMatchObject({
      sid: 'ServiceUse1',
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    });
    expect(policy[2]?.condition).toBeUndefined();
    // No statement ever opens the key to every principal.
    expect(policy.flatMap((s) => s.principals.flatMap((p) => p.identifiers))).not.toContain('*');
  });

  it('honours a shorter deletion window', () => {
    expect(
      synth({ alias: 'a', description: 'd', deletionWindowInDays: 7 }).synthesized,
    ).toHaveResourceWithProperties(AwsKmsKey, { deletion_window_in_days: 7 });
  });
});
