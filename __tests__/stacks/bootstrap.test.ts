import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Testing } from 'cdktf';
import { loadConfig } from '../../config';
import { projectConfig } from '../../config/environments';
import { buildPlatformApp } from '../../stacks/app';
import { synthPlatform } from '../helpers/app-synth';
import type { TerraformJson } from '../../policy/types';

const bootstrap = synthPlatform().stack('bootstrap');

describe('bootstrap: the Auto Scaling service-linked role', () => {
  const roles = Object.entries(bootstrap.json.resource?.aws_iam_service_linked_role ?? {});

  it('is created up front, so the KMS grant to it works in a fresh account', () => {
    expect(roles).toHaveLength(1);
    expect(roles[0]![1].aws_service_name).toBe('autoscaling.amazonaws.com');
    // Each environment's grant names exactly this role.
    const infra = synthPlatform().stack('prod-infra');
    const grants = Object.values(infra.json.resource?.aws_kms_grant ?? {});
    expect(grants.length).toBeGreaterThan(0);
    expect(
      grants.some((grant) =>
        String(grant.grantee_principal).endsWith(
          'role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling',
        ),
      ),
    ).toBe(true);
  });

  it('is left out for an account that already has it, when config says so', () => {
    const config = loadConfig({
      ...projectConfig,
      bootstrap: { ...projectConfig.bootstrap, manageAutoScalingServiceLinkedRole: false },
    });
    const app = buildPlatformApp({ config, environments: [], outdir: Testing.app().outdir });
    const json = JSON.parse(Testing.synth(app.bootstrap)) as TerraformJson;
    expect(json.resource?.aws_ecr_repository).toBeDefined();
    expect(json.resource?.aws_iam_service_linked_role).toBeUndefined();
  });

  it('is named in the documented import command by its real address', () => {
    const docs = readFileSync(path.resolve(__dirname, '../../docs/modules/account.md'), 'utf8');
    const app = buildPlatformApp({
      config: loadConfig(),
      environments: [],
      outdir: Testing.app().outdir,
    });
    const address = app.bootstrap.autoScalingServiceLinkedRole!.resourceAddress;
    expect(address).toBe(`aws_iam_service_linked_role.${roles[0]![0]}`);
    expect(docs).toContain(
      `terraform import ${address} arn:aws:iam::<account-id>:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
    );
  });
});

describe('bootstrap: the image repository', () => {
  it('keeps the images each environment runs, prod first (the end of the promotion chain)', () => {
    const policies = Object.values(bootstrap.json.resource?.aws_ecr_lifecycle_policy ?? {});
    expect(policies).toHaveLength(1);
    const rules = (
      JSON.parse(String(policies[0]!.policy)) as {
        rules: { selection: { tagPatternList?: string[] } }[];
      }
    ).rules;
    expect(rules.map((rule) => rule.selection.tagPatternList?.[0])).toEqual([
      '*.*.*',
      'deployed-prod-*',
      'deployed-staging-*',
      'deployed-dev-*',
      undefined,
      '*',
    ]);
  });
});
