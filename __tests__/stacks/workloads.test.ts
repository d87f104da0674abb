import { loadConfig } from '../../config';
import { projectConfig } from '../../config/environments';
import { ingressEndpoint } from '../../modules/edge/ingress-endpoint';
import {
  APP_DATABASE_USER,
  APP_SERVICE_ACCOUNT,
  MIGRATION_SERVICE_ACCOUNT,
  RDS_CA_BUNDLE_PATH,
} from '../../stacks/names';
import { synthPlatform, type SynthesizedStack } from '../helpers/app-synth';
import {
  chartReferenceDir,
  chartSchema,
  chartSchemaErrors,
  hasChartSchema,
  REFERENCE_CHARTS,
  referenceChartOf,
  type ReferenceChart,
} from '../helpers/chart-reference';
import { checkValues, templateReads, type ValueRead } from '../helpers/helm-template-reads';
import { releaseValues as parseReleaseValues } from '../../policy/rules/chart-pods';
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

/** The migration Job's pod spec and container, from the `extraObjects` manifest. */
function migrationJob(values: Values): {
  serviceAccountName: string;
  env: Array<{ name: string; value?: string; valueFrom?: unknown }>;
} {
  const pod = (
    values.extraObjects as {
      migrate: {
        spec: {
          template: {
            spec: {
              serviceAccountName: string;
              containers: Array<{ env: Array<{ name: string; value?: string }> }>;
            };
          };
        };
      };
    }
  ).migrate.spec.template.spec;
  expect(pod.containers).toHaveLength(1);
  return { serviceAccountName: pod.serviceAccountName, env: pod.containers[0]!.env };
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

  it('passes database settings for its mode, never a password', () => {
    const values = releaseValues(workloads, 'application');
    const environment = values.deployment.env;
    const job = migrationJob(values);
    const jobEnvironment = Object.fromEntries(job.env.map(({ name, ...entry }) => [name, entry]));
    const text = JSON.stringify(values);
    expect(text).not.toMatch(/password/i);
    if (infra.json.resource?.aws_db_instance) {
      // The API: its own user, IAM authentication, no secret.
      expect(environment.PGUSER).toEqual({ value: APP_DATABASE_USER });
      expect(environment.DB_IAM_AUTH).toEqual({ value: 'true' });
      expect(environment.DB_SECRET_ARN).toBeUndefined();
      // The migration Job: the master secret.
      expect(jobEnvironment.DB_SECRET_ARN?.value).toMatch(/^\$\{data\.terraform_remote_state\./);
      expect(jobEnvironment.PGUSER).toBeUndefined();
      for (const env of [environment, jobEnvironment]) {
        expect(env.PGHOST?.value).toMatch(/^\$\{data\.terraform_remote_state\./);
        expect(env.PGSSLMODE).toEqual({ value: 'verify-full' });
        expect(env.PGSSLROOTCERT).toEqual({ value: RDS_CA_BUNDLE_PATH });
        expect(env.DATABASE_URL).toBeUndefined();
      }
    } else {
      for (const env of [environment, jobEnvironment]) {
        expect(env.DATABASE_URL).toEqual({
          valueFrom: { secretKeyRef: { name: 'hello-api-db-app', key: 'uri' } },
        });
        expect(env.DB_SECRET_ARN).toBeUndefined();
      }
      expect(Object.values(releases(workloads)).map((release) => release.chart)).toEqual(
        expect.arrayContaining(['cloudnative-pg', 'cluster']),
      );
    }
  });

  it('gives the API and the migration Job each its own ServiceAccount and Pod Identity role', () => {
    const values = releaseValues(workloads, 'application');
    expect((values.rbac as { serviceAccount: { name: string } }).serviceAccount.name).toMatch(
      /^\$\{kubernetes_service_account_v1\.service-account_\w+\.metadata\[0\]\.name\}$/,
    );
    expect(migrationJob(values).serviceAccountName).toMatch(
      /^\$\{kubernetes_service_account_v1\.migration-service-account_\w+\.metadata\[0\]\.name\}$/,
    );
    const accounts = Object.values(
      (workloads.json.resource?.kubernetes_service_account_v1 ?? {}) as Record<
        string,
        { metadata: { name: string } }
      >,
    ).map((account) => account.metadata.name);
    expect(accounts.sort()).toEqual([APP_SERVICE_ACCOUNT, MIGRATION_SERVICE_ACCOUNT].sort());

    const policies = (workloads.json.resource?.aws_iam_role_policy ?? {}) as Record<
      string,
      { role: string; policy: string }
    >;
    const documents = (workloads.json.data?.aws_iam_policy_document ?? {}) as Record<
      string,
      { statement: Array<{ actions: string[]; resources: string[] }> }
    >;
    const grants = Object.entries(policies).map(([name, policy]) => {
      const document = /aws_iam_policy_document\.([\w-]+)\.json/.exec(policy.policy)?.[1] ?? '';
      return {
        name,
        actions: (documents[document]?.statement ?? []).flatMap((statement) => statement.actions),
        resources: (documents[document]?.statement ?? []).flatMap((s) => s.resources),
      };
    });
    if (infra.json.resource?.aws_db_instance) {
      expect(grants).toHaveLength(2);
      const api = grants.find((grant) => grant.name.startsWith('service-account_'));
      const migration = grants.find((grant) => grant.name.startsWith('migration-service-account_'));
      expect(api?.actions).toEqual(['rds-db:connect']);
      expect(api?.resources).toEqual([
        expect.stringMatching(
          new RegExp(
            `:dbuser:\\$\\{data\\.terraform_remote_state\\.[^}]+\\}/${APP_DATABASE_USER}$`,
          ),
        ),
      ]);
      expect(migration?.actions).toEqual([
        'secretsmanager:GetSecretValue',
        'secretsmanager:DescribeSecret',
        'kms:Decrypt',
      ]);
    } else {
      expect(grants).toEqual([]);
    }
  });

  it('installs the API release only after both Pod Identity associations and their policies', () => {
    const app = Object.values(releases(workloads)).find((r) => r.chart === 'application');
    const dependsOn = (app?.depends_on ?? []) as string[];
    const associations = Object.keys(
      workloads.json.resource?.aws_eks_pod_identity_association ?? {},
    );
    expect(associations).toHaveLength(2);
    for (const name of associations) {
      expect(dependsOn).toContain(`aws_eks_pod_identity_association.${name}`);
    }
    for (const name of Object.keys(workloads.json.resource?.aws_iam_role_policy ?? {})) {
      expect(dependsOn).toContain(`aws_iam_role_policy.${name}`);
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
    expect(associations[0]!.namespace).toBe('cluster-autoscaler');
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

/** What the templates of each reference chart read, worked out once per chart. */
const readsByChart = new Map<ReferenceChart, ValueRead[]>();
function chartReads(chart: ReferenceChart): ValueRead[] {
  let reads = readsByChart.get(chart);
  if (!reads) {
    reads = templateReads(path.join(chartReferenceDir(chart), 'templates'));
    readsByChart.set(chart, reads);
  }
  return reads;
}

/** Every helm_release of every synthesized workloads stack, with its chart and merged values. */
const allReleases = cases.flatMap(([label, , stack]) =>
  Object.entries(releases(stack)).map(([name, release]) => ({
    label: `${label} ${name}`,
    chart: referenceChartOf(release),
    values: parseReleaseValues(release.values),
  })),
);

describe('Helm values of every release, against the chart it installs', () => {
  it('knows the chart of every release, and every chart is released somewhere', () => {
    // 3 environments x (API + ingress controller + cluster autoscaler) + dev's CloudNativePG
    // pair + the dev-on-rds variant's API, ingress controller and cluster autoscaler.
    expect(allReleases).toHaveLength(14);
    expect(allReleases.filter((release) => release.chart === undefined)).toEqual([]);
    expect(new Set(allReleases.map((release) => release.chart))).toEqual(
      new Set(Object.keys(REFERENCE_CHARTS)),
    );
  });

  // The cluster-autoscaler chart ships no values.schema.json: its values are checked against
  // its templates only (below).
  const withSchema = allReleases.filter((release) => hasChartSchema(release.chart!));
  it('schema-checks every release whose chart has a schema', () => {
    expect([
      ...new Set(allReleases.filter((r) => !withSchema.includes(r)).map((r) => r.chart)),
    ]).toEqual(['cluster-autoscaler']);
  });

  it.each(withSchema.map((release) => [release.label, release] as const))(
    '%s: the chart schema accepts the values',
    (_label, release) => {
      expect(chartSchemaErrors(release.values, release.chart)).toEqual([]);
    },
  );

  it.each(allReleases.map((release) => [release.label, release] as const))(
    '%s: a template reads every emitted value path (or the schema declares it)',
    (_label, release) => {
      const chart = release.chart as ReferenceChart;
      const verdict = checkValues(release.values, chartReads(chart), chartSchema(chart));
      expect(verdict.checked.length).toBeGreaterThan(0);
      expect(verdict.unread).toEqual([]);
    },
  );

  it('prints, per chart, how many emitted paths were checked and how many the templates read', () => {
    const rows = (Object.keys(REFERENCE_CHARTS) as ReferenceChart[]).map((chart) => {
      const paths = new Map<string, 'read' | 'declared' | 'unread'>();
      const mine = allReleases.filter((release) => release.chart === chart);
      for (const release of mine) {
        const verdict = checkValues(release.values, chartReads(chart), chartSchema(chart));
        for (const name of verdict.read) paths.set(`${release.label}\u0000${name}`, 'read');
        for (const name of verdict.declaredOnly)
          paths.set(`${release.label}\u0000${name}`, 'declared');
        for (const name of verdict.unread) paths.set(`${release.label}\u0000${name}`, 'unread');
      }
      const distinct = new Map([...paths].map(([key, status]) => [key.split('\u0000')[1], status]));
      const count = (status: string) => [...distinct.values()].filter((s) => s === status).length;
      return {
        chart,
        releases: mine.length,
        'paths checked (all releases)': paths.size,
        'distinct paths': distinct.size,
        'read by templates': count('read'),
        'schema only': count('declared'),
        unread: count('unread'),
      };
    });
    console.table(rows);
    expect(rows).toHaveLength(5);
    for (const row of rows) {
      expect(row.releases).toBeGreaterThan(0);
      expect(row['read by templates']).toBeGreaterThan(0);
      expect(row.unread).toBe(0);
    }
  });

  // A misspelled key per chart: the schemas (no additionalProperties: false) let it through, the
  // chart would silently ignore it, and this check names it.
  it.each([
    ['stakater-application', { deployment: { replica: 3 } }, 'deployment.replica'],
    ['nginx-ingress', { controller: { replicaCout: 3 } }, 'controller.replicaCout'],
    [
      'nginx-ingress',
      { controller: { service: { httpPort: { nodePrt: 30080 } } } },
      'controller.service.httpPort.nodePrt',
    ],
    ['cloudnative-pg', { resorces: { limits: { cpu: '1' } } }, 'resorces.limits.cpu'],
    ['cnpg-cluster', { cluster: { instnaces: 3 } }, 'cluster.instnaces'],
    ['cnpg-cluster', { backups: { s3: { buckt: 'b' } } }, 'backups.s3.buckt'],
  ] as const)('%s: a misspelled key %j is reported by name', (chart, typo, name) => {
    const release = allReleases.find((candidate) => candidate.chart === chart);
    if (!release) throw new Error(`no ${chart} release`);
    const values = structuredClone(release.values) as Record<string, Record<string, unknown>>;
    for (const [key, value] of Object.entries(typo)) {
      values[key] = { ...values[key], ...(value as Record<string, unknown>) };
    }
    const verdict = checkValues(values, chartReads(chart), chartSchema(chart));
    expect(verdict.unread).toEqual([name]);
  });
});
