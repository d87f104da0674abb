import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { TerraformOutput } from 'cdktf';
import { EncryptedLogGroup } from '../../../modules/core/encrypted-log-group';
import { synthConstructs } from '../../helpers/synth';

const key = 'arn:aws:kms:eu-west-1:111122223333:key/logs';

describe('EncryptedLogGroup', () => {
  it('encrypts with the given key and keeps events 365 days by default (prod-like)', () => {
    const { synthesized } = synthConstructs(
      (scope) =>
        new EncryptedLogGroup(scope, 'logs', {
          name: '/aws/eks/hello-prod/cluster',
          kmsKeyArn: key,
        }),
    );
    expect(synthesized).toHaveResourceWithProperties(CloudwatchLogGroup, {
      name: '/aws/eks/hello-prod/cluster',
      kms_key_id: key,
      retention_in_days: 365,
    });
  });

  it('accepts a shorter retention for cheap environments (dev-like)', () => {
    const { synthesized } = synthConstructs(
      (scope) =>
        new EncryptedLogGroup(scope, 'logs', { name: '/x', kmsKeyArn: key, retentionInDays: 30 }),
    );
    expect(synthesized).toHaveResourceWithProperties(CloudwatchLogGroup, { retention_in_days: 30 });
  });

  it('exposes the name and ARN as references to the group', () => {
    const { json } = synthConstructs((scope) => {
      const group = new EncryptedLogGroup(scope, 'logs', { name: '/x', kmsKeyArn: key });
      new TerraformOutput(scope, 'name', { value: group.name });
      new TerraformOutput(scope, 'arn', { value: group.arn });
    });
    expect(json.output?.name?.value).toMatch(
      /^\$\{aws_cloudwatch_log_group\.logs_group_\w+\.name\}$/,
    );
    expect(json.output?.arn?.value).toMatch(
      /^\$\{aws_cloudwatch_log_group\.logs_group_\w+\.arn\}$/,
    );
  });
});
