import { TerraformVariable } from 'cdktf';
import { Release } from '@cdktf/provider-helm/lib/release';
import { AppRelease } from '../../../modules/app/app-release';
import { buildAppValues, type AppValuesInput } from '../../../modules/app/app-values';
import { onlyResource, synthConstructs } from '../../helpers/synth';
import { appSettingsOf } from '../../helpers/app-settings';

const input: AppValuesInput = {
  ...appSettingsOf('dev'),
  applicationName: 'hello-api',
  imageRepository: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/hello',
  imageTag: 'placeholder',
  host: 'api.example.com',
  serviceAccountName: 'hello-api',
  migrationServiceAccountName: 'hello-api-migrate',
  database: { mode: 'in-cluster', secretName: 'hello-db-app' },
  ingressController: {
    namespace: 'nginx-ingress',
    podLabels: { 'app.kubernetes.io/name': 'nginx-ingress' },
  },
};

/** Builds the release the way the workloads stack does: the tag is a Terraform variable. */
function synth(overrides: Partial<AppValuesInput> = {}, timeoutSeconds?: number) {
  const result = synthConstructs((scope) => {
    const imageTag = new TerraformVariable(scope, 'image_tag', { type: 'string', default: 'v1' });
    new AppRelease(scope, 'api', {
      namespace: 'sample-app',
      values: buildAppValues({ ...input, ...overrides, imageTag: imageTag.stringValue }),
      timeoutSeconds,
    });
  });
  const release = onlyResource(result.json, 'helm_release');
  return { ...result, release };
}

describe('AppRelease', () => {
  it('releases stakater/application 9.2.0 atomically, waiting, with bounded history', () => {
    const { synthesized } = synth();
    expect(synthesized).toHaveResourceWithProperties(Release, {
      name: 'hello-api',
      namespace: 'sample-app',
      repository: 'https://stakater.github.io/stakater-charts',
      chart: 'application',
      version: '9.2.0',
      atomic: true,
      wait: true,
      wait_for_jobs: true,
      cleanup_on_fail: true,
      timeout: 600,
      max_history: 10,
      create_namespace: false,
    });
  });

  it('passes the values as one JSON document whose image tag is the image_tag variable', () => {
    const { release } = synth();
    const values = release.values as string[];
    expect(values).toHaveLength(1);
    const parsed = JSON.parse(values[0] ?? '') as {
      deployment: { image: { tag: string } };
      extraObjects: {
        migrate: { spec: { template: { spec: { containers: Array<{ image: string }> } } } };
      };
    };
    expect(parsed.deployment.image.tag).toBe('${var.image_tag}');
    expect(parsed.extraObjects.migrate.spec.template.spec.containers[0]?.image).toBe(
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/hello:${var.image_tag}',
    );
  });

  it('depends on what it is given (ServiceAccount, database release)', () => {
    const { json } = synthConstructs((scope) => {
      const sa = new Release(scope, 'sa-stand-in', { name: 'x', chart: 'y' });
      new AppRelease(scope, 'api', {
        namespace: 'sample-app',
        values: buildAppValues(input),
        dependsOn: [sa],
      });
    });
    const app = Object.entries(json.resource?.helm_release ?? {}).find(([name]) =>
      name.startsWith('api_'),
    )?.[1];
    expect(app?.depends_on).toEqual([expect.stringMatching(/^helm_release\.sa-stand-in/)]);
  });

  it('refuses a timeout the migration Job could outlast', () => {
    expect(() => synth({ migration: { activeDeadlineSeconds: 600 } })).toThrow(/timeout/);
    expect(synth({ migration: { activeDeadlineSeconds: 200 } }, 300).release.timeout).toBe(300);
  });
});
