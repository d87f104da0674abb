import { Aspects, Testing } from 'cdktf';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import {
  ApplyPermissionsBoundary,
  deployBoundaryPolicyArn,
} from '../../../modules/account/permissions-boundary';
import { resourcesOf } from '../../helpers/synth';
import type { TerraformJson } from '../../../policy/types';

describe('deploy permissions boundary', () => {
  it('computes the boundary ARN other stacks attach to the roles they create', () => {
    expect(deployBoundaryPolicyArn('aws', '111122223333', 'hello')).toBe(
      'arn:aws:iam::111122223333:policy/hello-github-deploy-boundary',
    );
  });

  it('ApplyPermissionsBoundary sets the boundary only on roles that have none', () => {
    const json = JSON.parse(
      Testing.synthScope((scope) => {
        new IamRole(scope, 'plain', { name: 'hello-dev-plain', assumeRolePolicy: '{}' });
        new IamRole(scope, 'own', {
          name: 'hello-dev-own',
          assumeRolePolicy: '{}',
          permissionsBoundary: 'arn:aws:iam::111122223333:policy/other',
        });
        Aspects.of(scope).add(
          new ApplyPermissionsBoundary(
            'arn:aws:iam::111122223333:policy/hello-github-deploy-boundary',
          ),
        );
      }),
    ) as TerraformJson;
    const roles = Object.values(resourcesOf(json, 'aws_iam_role'));
    expect(roles.find((r) => r.name === 'hello-dev-plain')?.permissions_boundary).toBe(
      'arn:aws:iam::111122223333:policy/hello-github-deploy-boundary',
    );
    expect(roles.find((r) => r.name === 'hello-dev-own')?.permissions_boundary).toBe(
      'arn:aws:iam::111122223333:policy/other',
    );
  });
});
