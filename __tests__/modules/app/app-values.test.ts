import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import { parse as parseYaml } from 'yaml';
import {
  APP_PORT,
  buildAppValues,
  type AppValues,
  type AppValuesInput,
  type ContainerEnvVar,
  type EnvEntry,
} from '../../../modules/app/app-values';
import { helmValues } from '../../../modules/core/helm-values';
import { appSettingsOf } from '../../helpers/app-settings';
import { chartReferenceFile } from '../../helpers/chart-reference';
import { helmMerge, type HelmValues } from '../../../policy/helm-merge';

const chartDefaults = parseYaml(
  readFileSync(chartReferenceFile('values.yaml'), 'utf8'),
) as HelmValues;
const schema = JSON.parse(readFileSync(chartReferenceFile('values.schema.json'), 'utf8')) as Record<
  string,
  unknown
>;
// The schema declares draft-07, Ajv's default draft.
const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);

const ingressController = {
  namespace: 'nginx-ingress',
  podLabels: { 'app.kubernetes.io/name': 'nginx-ingress', 'app.kubernetes.io/instance': 'ingress' },
};
const base = {
  applicationName: 'hello-api',
  imageRepository: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/hello',
  imageTag: '${var.image_tag}',
  serviceAccountName: 'hello-api',
  migrationServiceAccountName: 'hello-api-migrate',
  ingressController,
} as const;

const rds = {
  mode: 'rds',
  host: 'hello-prod.abc.eu-west-1.rds.amazonaws.com',
  port: '5432',
  name: 'hello',
  user: 'hello_api',
  secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1',
  region: 'eu-west-1',
} as const;
const inCluster = { mode: 'in-cluster', secretName: 'hello-db-app' } as const;

const dev: AppValuesInput = {
  ...base,
  ...appSettingsOf('dev'),
  host: 'api.dev.example.com',
  database: inCluster,
};
const prod: AppValuesInput = {
  ...base,
  ...appSettingsOf('prod'),
  host: 'api.example.com',
  database: rds,
  autoscaling: { minReplicas: 3, maxReplicas: 10, targetCpuUtilization: 60 },
  resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
  prometheus: { operator: true },
  otel: { endpoint: 'http://otel-collector.observability:4318' },
};

const cases: [string, AppValuesInput][] = [
  ['dev / in-cluster', dev],
  ['dev / rds', { ...dev, database: rds }],
  ['prod / rds', prod],
  ['prod / in-cluster', { ...prod, database: inCluster }],
];

const migrationContainer = (values: AppValues) =>
  values.extraObjects.migrate.spec.template.spec.containers[0];

/** A container's env list as the chart's `NAME: entry` map, for comparisons. */
const envOf = (list: ContainerEnvVar[]): Record<string, EnvEntry> =>
  Object.fromEntries(list.map(({ name, ...entry }) => [name, entry as EnvEntry]));

/** What Helm would render from: our values (as the release sends them) over the chart's. */
function effective(values: AppValues): HelmValues {
  return helmMerge(chartDefaults, JSON.parse(helmValues(values)) as HelmValues);
}

describe('buildAppValues', () => {
  it.each(cases)(
    '%s: merged over the chart defaults, validates against values.schema.json',
    (_n, input) => {
      const merged = effective(buildAppValues(input));
      const valid = validate(merged);
      expect(validate.errors ?? []).toEqual([]);
      expect(valid).toBe(true);
    },
  );

  it('the schema check can fail: a wrongly typed value is rejected', () => {
    const merged = helmMerge(effective(buildAppValues(dev)), {
      deployment: { replicas: 'two' },
    });
    expect(validate(merged)).toBe(false);
  });

  it.each(cases)('%s: every env entry is a {value} or {valueFrom} object', (_n, input) => {
    const values = buildAppValues(input);
    for (const env of [values.deployment.env, envOf(migrationContainer(values).env)]) {
      // At least the database settings and the log level.
      expect(Object.keys(env).length).toBeGreaterThan(2);
      for (const [name, entry] of Object.entries(env)) {
        expect(typeof entry, name).toBe('object');
        const keys = Object.keys(entry as EnvEntry);
        expect(keys.length === 1 && ['value', 'valueFrom'].includes(keys[0] ?? ''), name).toBe(
          true,
        );
        if ('value' in entry) expect(typeof entry.value, name).toBe('string');
      }
    }
  });

  it('rds mode: the API logs in as its own user with IAM auth; only the Job gets the master secret', () => {
    const values = buildAppValues(prod);
    const jobEnv = envOf(migrationContainer(values).env);
    for (const env of [values.deployment.env, jobEnv]) {
      expect(env.PGHOST).toEqual({ value: rds.host });
      expect(env.PGPORT).toEqual({ value: '5432' });
      expect(env.PGDATABASE).toEqual({ value: 'hello' });
      expect(env.PGSSLMODE).toEqual({ value: 'verify-full' });
      expect(env.AWS_REGION).toEqual({ value: 'eu-west-1' });
      expect(env.DATABASE_URL).toBeUndefined();
      expect(Object.keys(env).some((name) => /PASSWORD/.test(name))).toBe(false);
    }
    const api = values.deployment.env;
    expect(api.PGUSER).toEqual({ value: 'hello_api' });
    expect(api.DB_IAM_AUTH).toEqual({ value: 'true' });
    expect(api.DB_SECRET_ARN).toBeUndefined();
    expect(jobEnv.DB_SECRET_ARN).toEqual({ value: rds.secretArn });
    expect(jobEnv.PGUSER).toBeUndefined();
    expect(jobEnv.DB_IAM_AUTH).toBeUndefined();
  });

  it("in-cluster mode reads DATABASE_URL from the operator's secret and sets no RDS variables", () => {
    const values = buildAppValues(dev);
    for (const env of [values.deployment.env, envOf(migrationContainer(values).env)]) {
      expect(env.DATABASE_URL).toEqual({
        valueFrom: { secretKeyRef: { name: 'hello-db-app', key: 'uri' } },
      });
      expect(env.PGHOST).toBeUndefined();
      expect(env.DB_SECRET_ARN).toBeUndefined();
      expect(env.DB_IAM_AUTH).toBeUndefined();
    }
  });

  it('the migration Job gets the same image and, credentials aside, the same environment', () => {
    for (const input of [dev, prod]) {
      const values = buildAppValues(input);
      const container = migrationContainer(values);
      const { repository, tag } = values.deployment.image;
      expect(container.image).toBe(`${repository}:${tag}`);
      const credentials = ['PGUSER', 'DB_IAM_AUTH', 'DB_SECRET_ARN'];
      const without = (env: Record<string, EnvEntry>) =>
        Object.fromEntries(Object.entries(env).filter(([name]) => !credentials.includes(name)));
      expect(without(envOf(container.env))).toEqual(without(values.deployment.env));
    }
  });

  it('renders the migration Job through extraObjects, as a pre-install/pre-upgrade hook', () => {
    const values = buildAppValues(prod);
    // No Job under job.jobs: those would all run as the API's ServiceAccount.
    expect('job' in values).toBe(false);
    expect((effective(values).job as HelmValues).enabled).toBe(false);
    expect(Object.keys(values.extraObjects)).toEqual(['migrate']);
    const job = values.extraObjects.migrate;
    expect(job).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job' });
    expect(job.metadata.name).toBe('hello-api-migrate');
    expect(job.metadata.annotations).toMatchObject({
      'helm.sh/hook': 'pre-install,pre-upgrade',
      'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
    });
    expect(Number(job.metadata.annotations['helm.sh/hook-weight'])).not.toBeNaN();
    // The chart passes extraObjects through `tpl`: nothing in it may look like a template.
    expect(JSON.stringify(job)).not.toContain('{{');
  });

  it('gives the Job pods batch labels, never selected by the serving NetworkPolicy, PDB or spread', () => {
    const labels = buildAppValues(prod).extraObjects.migrate.spec.template.metadata.labels;
    expect(labels).toMatchObject({
      'app.kubernetes.io/name': 'hello-api',
      'application.stakater.com/workload-class': 'batch',
    });
  });

  it('runs the full migration command with bounded retries and a deadline', () => {
    const job = buildAppValues(dev).extraObjects.migrate;
    expect(migrationContainer(buildAppValues(dev)).command).toEqual([
      'node',
      'dist/api/migrate.js',
    ]);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    expect(job.spec.backoffLimit).toBeLessThanOrEqual(2);
    expect(job.spec.activeDeadlineSeconds).toBeGreaterThan(0);
    const custom = buildAppValues({
      ...dev,
      migration: { command: ['npx', 'knex', 'migrate:latest'] },
    });
    expect(migrationContainer(custom).command).toEqual(['npx', 'knex', 'migrate:latest']);
    expect(() => buildAppValues({ ...dev, migration: { command: [] } })).toThrow(
      /must not be empty/,
    );
  });

  it('runs the Deployment as the API ServiceAccount and the Job as its own', () => {
    const values = buildAppValues(dev);
    const merged = effective(values);
    expect(merged.rbac).toMatchObject({ serviceAccount: { create: false, name: 'hello-api' } });
    expect(values.extraObjects.migrate.spec.template.spec.serviceAccountName).toBe(
      'hello-api-migrate',
    );
  });

  it('never sets deployment.minReadySeconds', () => {
    for (const [, input] of cases) {
      expect('minReadySeconds' in buildAppValues(input).deployment).toBe(false);
      // The chart's default is null, which renders no minReadySeconds field.
      const deployment = effective(buildAppValues(input)).deployment as HelmValues;
      expect(deployment.minReadySeconds ?? null).toBeNull();
    }
  });

  it('leaves deployment.replicas null for the HPA, which scales on CPU within the configured bounds', () => {
    for (const [name, input] of [
      ['dev', dev],
      ['prod', prod],
    ] as const) {
      const values = buildAppValues(input);
      const bounds = appSettingsOf(name).autoscaling;
      expect(bounds.minReplicas).toBeGreaterThanOrEqual(2);
      expect(values.deployment.replicas).toBeNull();
      expect(values.autoscaling).toMatchObject({
        enabled: true,
        minReplicas: bounds.minReplicas,
        maxReplicas: bounds.maxReplicas,
      });
      expect(values.autoscaling.metrics).toHaveLength(1);
      // Helm's null removes the key, so the Deployment has no replicas field for the HPA to fight.
      expect(effective(values).deployment).not.toHaveProperty('replicas');
      expect(values.pdb).toEqual({ enabled: true, minAvailable: null, maxUnavailable: 1 });
    }
  });

  it('exposes container port 8000 named http, the Service 8000 -> http and the Ingress by port name', () => {
    const values = buildAppValues(dev);
    expect(values.deployment.ports).toEqual([
      { containerPort: APP_PORT, name: 'http', protocol: 'TCP' },
    ]);
    expect(values.service.ports).toEqual([
      { port: 8000, name: 'http', protocol: 'TCP', targetPort: 'http' },
    ]);
    expect(values.ingress).toEqual({
      enabled: true,
      ingressClassName: 'nginx',
      hosts: [
        {
          host: 'api.dev.example.com',
          paths: [{ path: '/', pathType: 'Prefix', servicePort: 'http' }],
        },
      ],
    });
    const portNames = values.service.ports.map((port) => port.name);
    for (const host of values.ingress.hosts) {
      for (const route of host.paths) {
        expect(route.servicePort).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
        expect(portNames).toContain(route.servicePort);
      }
    }
  });

  it('probes readiness and startup on /health/ready and liveness on /health/live', () => {
    const { startupProbe, readinessProbe, livenessProbe } = buildAppValues(dev).deployment;
    for (const probe of [startupProbe, readinessProbe]) {
      expect(probe).toMatchObject({
        enabled: true,
        httpGet: { path: '/health/ready', port: 'http' },
      });
    }
    expect(livenessProbe).toMatchObject({
      enabled: true,
      httpGet: { path: '/health/live', port: 'http' },
    });
    // Readiness must fail fast enough to take a pod out within seconds, not the chart's 300s.
    expect(readinessProbe.periodSeconds * readinessProbe.failureThreshold).toBeLessThanOrEqual(15);
  });

  it('runs the API and the Job non-root with a read-only root fs, no escalation, no capabilities', () => {
    const values = buildAppValues(prod);
    for (const context of [
      values.deployment.containerSecurityContext,
      migrationContainer(values).securityContext,
    ]) {
      expect(context).toMatchObject({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
    }
    expect(values.deployment.securityContext.runAsNonRoot).toBe(true);
    expect(values.deployment.volumeMounts.tmp).toEqual({ mountPath: '/tmp' });
    expect(values.deployment.volumes.tmp).toHaveProperty('emptyDir');
    expect(values.extraObjects.migrate.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(migrationContainer(values).volumeMounts).toContainEqual({
      name: 'tmp',
      mountPath: '/tmp',
    });
  });

  it("spreads pods over zones and nodes with the chart's selector labels", () => {
    const constraints = buildAppValues(dev).deployment.topologySpreadConstraints;
    expect(constraints.map((c) => c.topologyKey)).toEqual([
      'topology.kubernetes.io/zone',
      'kubernetes.io/hostname',
    ]);
    for (const constraint of constraints) {
      expect(constraint.labelSelector).toEqual({
        matchLabels: {
          'app.kubernetes.io/name': 'hello-api',
          'application.stakater.com/workload-class': 'serving',
        },
      });
    }
  });

  it('pauses in preStop for the drain delay the API is told about, within the grace period', () => {
    const values = buildAppValues({
      ...dev,
      drainDelaySeconds: 15,
      terminationGracePeriodSeconds: 60,
    });
    expect(values.deployment.lifecycle).toEqual({ preStop: { sleep: { seconds: 15 } } });
    expect(values.deployment.env.SHUTDOWN_DRAIN_DELAY_MS).toEqual({ value: '15000' });
    expect(values.deployment.terminationGracePeriodSeconds).toBe(60);
    const graceMs = Number(
      (values.deployment.env.SHUTDOWN_GRACE_PERIOD_MS as { value: string }).value,
    );
    // preStop + the API's whole shutdown must end before the kubelet's SIGKILL.
    expect(15_000 + graceMs).toBeLessThan(60_000);
    expect(graceMs).toBeGreaterThan(15_000);
  });

  it('creates a ServiceMonitor with a Prometheus operator and scrape annotations without one', () => {
    const withOperator = buildAppValues(prod);
    expect(withOperator.serviceMonitor).toEqual({
      enabled: true,
      endpoints: [{ port: 'http', path: '/metrics', interval: '30s' }],
    });
    expect(withOperator.deployment.additionalPodAnnotations).toBeNull();

    const without = buildAppValues(dev);
    expect(without.serviceMonitor.enabled).toBe(false);
    expect(without.deployment.additionalPodAnnotations).toEqual({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '8000',
      'prometheus.io/path': '/metrics',
    });
  });

  it('admits only the ingress controller to port 8000, plus explicit scrapers', () => {
    const policy = buildAppValues(dev).networkPolicy;
    expect(policy.enabled).toBe(true);
    expect(policy.ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'nginx-ingress' } },
            podSelector: { matchLabels: ingressController.podLabels },
          },
        ],
        ports: [{ protocol: 'TCP', port: 8000 }],
      },
    ]);
    const scraper = { ipBlock: { cidr: '10.30.0.0/16' } };
    const withScraper = buildAppValues({ ...dev, metricsScrapeFrom: [scraper] }).networkPolicy;
    expect(withScraper.ingress).toHaveLength(2);
    expect(withScraper.ingress[1]?.from).toEqual([scraper]);
  });

  it('sets OTEL_* only when OpenTelemetry is configured', () => {
    expect(buildAppValues(prod).deployment.env).toMatchObject({
      OTEL_EXPORTER_OTLP_ENDPOINT: { value: 'http://otel-collector.observability:4318' },
      OTEL_SERVICE_NAME: { value: 'hello-api' },
    });
    expect(
      Object.keys(buildAppValues(dev).deployment.env).filter((n) => n.startsWith('OTEL_')),
    ).toEqual([]);
  });

  it('mounts a ServiceAccount token only where AWS credentials are needed (rds)', () => {
    expect(buildAppValues(prod).deployment.automountServiceAccountToken).toBe(true);
    const jobPod = (input: AppValuesInput) =>
      buildAppValues(input).extraObjects.migrate.spec.template.spec;
    expect(jobPod(prod).automountServiceAccountToken).toBe(true);
    expect(buildAppValues(dev).deployment.automountServiceAccountToken).toBe(false);
    expect(jobPod(dev).automountServiceAccountToken).toBe(false);
  });

  it('keeps Terraform references intact in the encoded values', () => {
    const text = helmValues(buildAppValues(prod));
    expect(text).toContain('"tag": "${var.image_tag}"');
    expect(JSON.parse(text)).toMatchObject({ deployment: { image: { tag: '${var.image_tag}' } } });
  });
});

describe('helmMerge', () => {
  it('deep-merges maps, replaces lists and deletes keys set to null', () => {
    expect(
      helmMerge(
        { a: { b: 1, c: 2 }, list: [1, 2, 3], gone: { x: 1 }, keep: 'k' },
        { a: { c: 3 }, list: [9], gone: null },
      ),
    ).toEqual({ a: { b: 1, c: 3 }, list: [9], keep: 'k' });
  });
});
