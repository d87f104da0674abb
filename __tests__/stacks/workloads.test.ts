import { loadConfig } from '../../config';
import { projectConfig } from '../../config/environments';
import { ingressEndpoint } from '../../modules/edge/ingress-endpoint';
import { RDS_CA_BUNDLE_PATH } from '../../stacks/names';
import { synthPlatform, type SynthesizedStack } from '../helpers/app-synth';
import { chartSchemaErrors } from '../helpers/chart-reference';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { clusterComponentVersions } from '../../config/kubernetes-versions';
import { IMAGE_TAG_PATTERN } from '../../stacks/workloads-stack';

type Values = Record<string, unknown> & {
  deployment: { env: Record<string, { value?: string; valueFrom?: unknown }> } & Record<
    string,
    unknown
  >;
};

function releases(
  stack: SynthesizedStack,
): Record<string, { chart: string; values: string[] } & Record<string, unknown>> {
  return (stack.json.resource?.helm_release ?? {}) as Record<
    string,
    { chart: string; values: string[] } & Record<string, unknown>
  >;
}

function releaseValues(stack: SynthesizedStack, chart: string): Values {
  const found = Object.values(releases(stack)).filter((release) => release.chart === chart);
  expect(found).toHaveLength(1);
  return JSON.parse(found[0]!.values[0]!) as Values;
}

// The repository's config (dev in-cluster, staging/prod rds) plus a variant with dev on RDS,
// so both database modes are checked in more than one environment.
const platforms = [
  ['repository config', synthPlatform()],
  [
    'dev on rds',
    synthPlatform(
      loadConfig({
        ...projectConfig,
        environments: {
          ...projectConfig.environments,
          dev: {
            ...projectConfig.environments.dev!,
            database: {
              mode: 'rds',
              engineMajorVersion: '17',
              instanceClass: 'db.t4g.micro',
              multiAz: false,
            },
          },
        },
      }),
      'dev',
    ),
  ],
] as const;

const cases = platforms.flatMap(([label, platform]) =>
  platform.stacks
    .filter((stack) => stack.name.endsWith('-workloads'))
    .map((stack) => [`${label}: ${stack.name}`, platform, stack] as const),
);

describe.each(cases)('%s', (_label, platform, workloads) => {
  const infra = platform.stack(`${workloads.environment}-infra`);
  const env = loadConfig().environments[workloads.environment as 'dev'];

  it('points the ALB target group at exactly the ingress controller NodePort and health path', () => {
    const groups = Object.values(
      (infra.json.resource?.aws_lb_target_group ?? {}) as Record<
        string,
        { port: number; health_check: { path: string } }
      >,
    );
    expect(groups).toHaveLength(1);
    const controller = releaseValues(workloads, 'nginx-ingress').controller as {
      service: { type: string; httpPort: { nodePort: number } };
      healthStatus: boolean;
      healthStatusURI: string;
    };
    const expected = ingressEndpoint(env!.ingress.nodePort);
    expect(controller.service.type).toBe('NodePort');
    expect(controller.healthStatus).toBe(true);
    expect({ port: groups[0]!.port, path: groups[0]!.health_check.path }).toEqual({
      port: expected.nodePort,
      path: expected.healthPath,
    });
    expect({
      port: controller.service.httpPort.nodePort,
      path: controller.healthStatusURI,
    }).toEqual({
      port: expected.nodePort,
      path: expected.healthPath,
    });
  });

  it('releases the API with values the chart schema accepts', () => {
    const values = releaseValues(workloads, 'application');
    expect(chartSchemaErrors(values)).toEqual([]);
  });

  it('passes database settings for its mode, never a password', () => {
    const values = releaseValues(workloads, 'application');
    const environment = values.deployment.env;
    const text = JSON.stringify(values);
    expect(text).not.toMatch(/password/i);
    if (infra.json.resource?.aws_db_instance) {
      expect(environment.DB_SECRET_ARN?.value).toMatch(/^\$\{data\.terraform_remote_state\./);
      expect(environment.PGHOST?.value).toMatch(/^\$\{data\.terraform_remote_state\./);
      expect(environment.PGSSLMODE).toEqual({ value: 'verify-full' });
      expect(environment.PGSSLROOTCERT).toEqual({ value: RDS_CA_BUNDLE_PATH });
      expect(environment.DATABASE_URL).toBeUndefined();
    } else {
      expect(environment.DATABASE_URL).toEqual({
        valueFrom: { secretKeyRef: { name: 'hello-api-db-app', key: 'uri' } },
      });
      expect(environment.DB_SECRET_ARN).toBeUndefined();
      expect(Object.values(releases(workloads)).map((release) => release.chart)).toEqual(
        expect.arrayContaining(['cloudnative-pg', 'cluster']),
      );
    }
  });

  it('deploys the image tag from the image_tag variable', () => {
    const image = (
      releaseValues(workloads, 'application').deployment as unknown as {
        image: { tag: string; repository: string };
      }
    ).image;
    expect(image.tag).toBe('${var.image_tag}');
    expect(image.repository).toMatch(/\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/hello\/api$/);
  });
});

describe.each(cases)('%s: autoscaling and ordering', (_label, platform, workloads) => {
  const infra = platform.stack(`${workloads.environment}-infra`);
  const env = loadConfig().environments[workloads.environment as 'dev']!;
  const helm = Object.entries(releases(workloads));

  it('installs the Cluster Autoscaler of the cluster minor version, finding the node groups by tag', () => {
    const values = releaseValues(workloads, 'cluster-autoscaler') as unknown as {
      image: { tag: string };
      autoDiscovery: { clusterName: string; tags: string[] };
      rbac: { serviceAccount: { name: string } };
    };
    expect(values.image.tag).toBe(
      clusterComponentVersions(env.eks.kubernetesVersion)!.clusterAutoscalerImageTag,
    );
    const groups = Object.values(infra.json.resource?.aws_eks_node_group ?? {});
    expect(groups.length).toBeGreaterThan(0);
    for (const group of groups) {
      const tags = group.tags as Record<string, string>;
      expect(values.autoDiscovery.tags).toEqual(
        Object.entries(tags).map(([key, value]) => `${key}=${value}`),
      );
    }
    // Its Pod Identity association (infra stack) names the ServiceAccount the chart creates.
    const associations = Object.values(
      infra.json.resource?.aws_eks_pod_identity_association ?? {},
    ).filter((association) => association.service_account === values.rbac.serviceAccount.name);
    expect(associations).toHaveLength(1);
    expect(associations[0]!.namespace).toBe('kube-system');
  });

  it('releases the API only after its Pod Identity, the ingress controller and the image marker', () => {
    const [, api] = helm.find(([, release]) => release.chart === 'application')!;
    const waits = api.depends_on as string[];
    const associations = Object.keys(
      workloads.json.resource?.aws_eks_pod_identity_association ?? {},
    );
    const rolePolicies = Object.keys(workloads.json.resource?.aws_iam_role_policy ?? {});
    expect(associations.length).toBeGreaterThan(0);
    for (const name of associations) {
      expect(waits).toContain(`aws_eks_pod_identity_association.${name}`);
    }
    for (const name of rolePolicies) expect(waits).toContain(`aws_iam_role_policy.${name}`);
    const nginx = helm.find(([, release]) => release.chart === 'nginx-ingress')!;
    expect(waits).toContain(`helm_release.${nginx[0]}`);
    const markers = Object.entries(workloads.json.resource?.terraform_data ?? {});
    expect(markers).toHaveLength(1);
    expect(waits).toContain(`terraform_data.${markers[0]![0]}`);
    expect(JSON.stringify(markers[0]![1])).toContain(
      `deployed-${workloads.environment}-\${var.image_tag}`,
    );
  });
});

describe('the image_tag variable', () => {
  const workloads = platforms[0][1].stack('prod-workloads');
  const variable = workloads.json.variable?.image_tag as {
    default?: unknown;
    nullable: boolean;
    validation: { condition: string; error_message: string }[];
  };

  it('has no default, and accepts only a commit SHA or a release version', () => {
    expect('default' in variable).toBe(false);
    expect(variable.nullable).toBe(false);
    expect(variable.validation).toHaveLength(1);
    expect(variable.validation[0]!.condition).toBe(
      `\${can(regex("${IMAGE_TAG_PATTERN}", var.image_tag))}`,
    );
    expect(variable.validation[0]!.error_message).toMatch(/TF_VAR_image_tag/);
    const pattern = new RegExp(IMAGE_TAG_PATTERN);
    expect(pattern.test('0123456789abcdef0123456789abcdef01234567')).toBe(true);
    expect(pattern.test('1.4.2')).toBe(true);
    for (const bad of ['latest-prod', 'latest', '', '0123456', '1.4', 'v1.4.2']) {
      expect([bad, pattern.test(bad)]).toEqual([bad, false]);
    }
  });

  // Terraform itself judges the variable: runs where a terraform binary is on the PATH.
  const terraform = spawnSync('terraform', ['version'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!terraform)('makes terraform plan fail without a tag or with a wrong one', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'image-tag-'));
    try {
      writeFileSync(
        path.join(dir, 'main.tf.json'),
        JSON.stringify({ variable: { image_tag: variable }, output: workloads.json.output }),
      );
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        CHECKPOINT_DISABLE: '1',
        TF_IN_AUTOMATION: '1',
      };
      delete env.TF_VAR_image_tag;
      const run = (...args: string[]) =>
        spawnSync('terraform', [`-chdir=${dir}`, ...args, '-no-color'], { encoding: 'utf8', env });
      expect(run('init', '-input=false', '-backend=false').status).toBe(0);
      const missing = run('plan', '-input=false');
      expect(missing.status).not.toBe(0);
      expect(missing.stderr).toMatch(/No value for required variable[\s\S]*image_tag/);
      const latest = run('plan', '-input=false', '-var', 'image_tag=latest-prod');
      expect(latest.status).not.toBe(0);
      expect(latest.stderr.replace(/\s+/g, ' ')).toContain(
        'set TF_VAR_image_tag=$(git rev-parse HEAD)',
      );
      const sha = run('plan', '-input=false', '-var', `image_tag=${'a'.repeat(40)}`);
      expect(sha.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the image', () => {
  it('ships the RDS CA bundle where the release points PGSSLROOTCERT', () => {
    const dockerfile = readFileSync(path.resolve(__dirname, '../../Dockerfile'), 'utf8');
    expect(dockerfile).toContain(RDS_CA_BUNDLE_PATH);
  });
});
