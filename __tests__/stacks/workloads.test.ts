import { loadConfig } from '../../config';
import { projectConfig } from '../../config/environments';
import { ingressEndpoint } from '../../modules/edge/ingress-endpoint';
import { RDS_CA_BUNDLE_PATH } from '../../stacks/names';
import { synthPlatform, type SynthesizedStack } from '../helpers/app-synth';
import { chartSchemaErrors } from '../helpers/chart-reference';
import { readFileSync } from 'node:fs';
import path from 'node:path';

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

describe('the image', () => {
  it('ships the RDS CA bundle where the release points PGSSLROOTCERT', () => {
    const dockerfile = readFileSync(path.resolve(__dirname, '../../Dockerfile'), 'utf8');
    expect(dockerfile).toContain(RDS_CA_BUNDLE_PATH);
  });
});
