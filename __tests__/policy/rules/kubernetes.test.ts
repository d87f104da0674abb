import { AppRelease } from '../../../modules/app/app-release';
import {
  buildAppValues,
  type AppValues,
  type AppValuesInput,
} from '../../../modules/app/app-values';
import { CloudNativePg } from '../../../modules/data/cloudnative-pg';
import { ingressEndpoint } from '../../../modules/edge/ingress-endpoint';
import { NginxIngress } from '../../../modules/edge/nginx-ingress';
import { synthContext } from '../../helpers/synth';
import { evaluate, fakeStack, valueAt } from '../../../policy/engine';
import {
  CHART_POD_MODELS,
  cloudnativePgCluster,
  clusterAutoscaler,
  cloudnativePgOperator,
  nginxIngress,
  stakaterApplication,
} from '../../../policy/rules/chart-pods';
import { chartDefaults, type ReferenceChart } from '../../helpers/chart-reference';
import { emittedPaths } from '../../helpers/helm-template-reads';
import type { PolicyRule, StackContext } from '../../../policy/types';
import { kubernetesReleaseRules, kubernetesRules } from '../../../policy/rules/kubernetes';
import { appSettingsOf } from '../../helpers/app-settings';

const rule = (id: string): PolicyRule => {
  const found = [...kubernetesRules, ...kubernetesReleaseRules].find(
    (candidate) => candidate.id === id,
  );
  if (!found) throw new Error(`no rule ${id}`);
  return found;
};
const results = (id: string, stack: StackContext) => evaluate([rule(id)], stack);
const statuses = (id: string, stack: StackContext) =>
  results(id, stack).map((result) => result.status);

const goodContext = {
  runAsNonRoot: true,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  privileged: false,
  capabilities: { drop: ['ALL'] },
};
const goodResources = {
  requests: { cpu: '100m', memory: '128Mi' },
  limits: { cpu: '500m', memory: '256Mi' },
};
const goodValues = {
  deployment: {
    containerSecurityContext: goodContext,
    resources: goodResources,
    topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone' }],
  },
  pdb: { enabled: true, maxUnavailable: 1 },
  autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 4 },
  job: {
    enabled: true,
    jobs: { migrate: { containerSecurityContext: goodContext, resources: goodResources } },
  },
};

/** A stakater release whose values are the good ones with `patch` applied on top. */
function stakater(patch: (values: typeof goodValues) => unknown, extra: object = {}) {
  const values = patch(structuredClone(goodValues));
  return fakeStack({
    helm_release: {
      api: {
        name: 'api',
        chart: 'application',
        repository: 'https://stakater.github.io/stakater-charts',
        version: '9.2.0',
        values: [JSON.stringify(values)],
        ...extra,
      },
    },
  });
}

const k8sContainer = (securityContext: object, resources: object = {}) =>
  fakeStack({
    kubernetes_deployment_v1: {
      web: {
        spec: [
          {
            template: [
              {
                spec: [
                  {
                    container: [
                      {
                        name: 'web',
                        security_context: [securityContext],
                        resources: [resources],
                      },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      },
    },
  });
const goodK8sContext = {
  run_as_non_root: true,
  read_only_root_filesystem: true,
  allow_privilege_escalation: false,
  privileged: false,
};
const goodK8sResources = {
  requests: { cpu: '100m', memory: '64Mi' },
  limits: { cpu: '200m', memory: '128Mi' },
};

const appInput: AppValuesInput = {
  ...appSettingsOf('dev'),
  applicationName: 'hello-api',
  imageRepository: 'repo',
  imageTag: '${var.image_tag}',
  host: 'api.example.com',
  serviceAccountName: 'hello-api',
  migrationServiceAccountName: 'hello-api-migrate',
  database: { mode: 'in-cluster', secretName: 'hello-db-app' },
  ingressController: { namespace: 'nginx-ingress', podLabels: { app: 'nginx' } },
};

describe('Kubernetes policy rules', () => {
  it("inspects every release's pods (API, ingress controller, CloudNativePG) and passes them all", () => {
    const dev = synthContext((scope) => {
      new AppRelease(scope, 'api', { namespace: 'sample-app', values: buildAppValues(appInput) });
      new NginxIngress(scope, 'nginx', {
        namespace: 'nginx-ingress',
        ingress: ingressEndpoint(30080),
        vpcCidr: '10.0.0.0/16',
      });
      new CloudNativePg(scope, 'db', {
        operatorNamespace: 'cnpg-system',
        namespace: 'sample-app',
        clusterName: 'hello-db',
        storageClass: 'gp3',
      });
    }, 'dev');
    const prod = synthContext(
      (scope) =>
        new AppRelease(scope, 'api', {
          namespace: 'sample-app',
          values: buildAppValues({
            ...appInput,
            database: {
              mode: 'rds',
              host: 'db',
              port: '5432',
              name: 'hello',
              user: 'hello_api',
              secretArn: 'arn:aws:secretsmanager:eu-west-1:1:secret:x',
            },
            autoscaling: { minReplicas: 3, maxReplicas: 6 },
          }),
        }),
      'prod',
    );
    const devResults = evaluate(kubernetesRules, dev);
    expect(devResults).toHaveLength(kubernetesRules.length * 4);
    expect(devResults.filter((result) => result.status !== 'pass')).toEqual([]);
    // Each pass names the containers it looked at: the chart's real pods, not a shrug.
    const inspected = Object.fromEntries(
      devResults
        .filter((result) => result.ruleId === 'CKV_K8S_6')
        .map((result) => [result.address.replace(/_[0-9A-F]{8}$/, ''), result.message]),
    );
    expect(inspected).toEqual({
      'helm_release.api_release': 'inspected deployment, extraObjects.migrate container migrate',
      'helm_release.nginx_release': 'inspected controller, init-nginx-ingress',
      'helm_release.db_operator': 'inspected manager',
      'helm_release.db_cluster': 'inspected postgres, bootstrap-controller',
    });
    const prodResults = evaluate(kubernetesRules, prod);
    expect(prodResults).toHaveLength(kubernetesRules.length);
    expect(prodResults.filter((result) => result.status !== 'pass')).toEqual([]);
    const checked = new Set(prodResults.map((result) => result.ruleId));
    expect([...checked].sort()).toEqual(kubernetesRules.map((r) => r.id).sort());
  });

  it('passes the good stakater release and the good kubernetes_* container for every rule', () => {
    for (const { id } of kubernetesRules) {
      expect(
        statuses(
          id,
          stakater((v) => v),
        ),
        id,
      ).toEqual(['pass']);
      const container = k8sContainer(goodK8sContext, goodK8sResources);
      const inspected = rule(id).resourceTypes.includes('kubernetes_deployment_v1');
      expect(statuses(id, container), id).toEqual(inspected ? ['pass'] : []);
    }
  });

  it('HP_K8S_6 fails the API without a PDB, a zone spread, or with a single replica', () => {
    const without = (patch: (values: Record<string, unknown>) => void) =>
      stakater((v) => {
        const copy = structuredClone(v) as unknown as Record<string, unknown>;
        patch(copy);
        return copy;
      });
    expect(
      statuses(
        'HP_K8S_6',
        without(() => undefined),
      ),
    ).toEqual(['pass']);
    expect(
      results(
        'HP_K8S_6',
        without((v) => delete v.pdb),
      )[0]?.message,
    ).toMatch(/pdb is not enabled/);
    expect(
      results(
        'HP_K8S_6',
        without((v) => ((v.deployment as Record<string, unknown>).topologySpreadConstraints = [])),
      )[0]?.message,
    ).toMatch(/topology\.kubernetes\.io\/zone/);
    expect(
      results(
        'HP_K8S_6',
        without((v) => ((v.autoscaling as Record<string, unknown>).minReplicas = 1)),
      )[0]?.message,
    ).toMatch(/minReplicas is below 2/);
  });

  describe('HP_K8S_5: releases wait for the Pod Identity their pods use', () => {
    const podIdentity = {
      kubernetes_service_account_v1: { sa: { metadata: [{ name: 'hello-api' }] } },
      aws_iam_role: { role: { name: 'hello-api-pods' } },
      aws_iam_role_policy: { read: { role: '${aws_iam_role.role.name}', policy: '{}' } },
      aws_eks_pod_identity_association: {
        link: {
          service_account: '${kubernetes_service_account_v1.sa.metadata[0].name}',
          role_arn: '${aws_iam_role.role.arn}',
        },
      },
    };
    const release = (dependsOn?: string[]) =>
      fakeStack({
        ...podIdentity,
        helm_release: {
          api: {
            chart: 'application',
            repository: 'https://stakater.github.io/stakater-charts',
            values: [
              JSON.stringify({
                rbac: {
                  serviceAccount: {
                    create: false,
                    name: '${kubernetes_service_account_v1.sa.metadata[0].name}',
                  },
                },
              }),
            ],
            depends_on: dependsOn,
          },
        },
      });

    it('fails a release that depends only on the ingress controller (the old wiring)', () => {
      const reason = rule('HP_K8S_5').check(
        release(['helm_release.ingress']).resources('helm_release')[0]!,
        release(['helm_release.ingress']),
      );
      expect(reason).toMatch(/aws_eks_pod_identity_association\.link/);
      expect(reason).toMatch(/aws_iam_role_policy\.read/);
    });

    it('passes once the association and the role policy are waited for', () => {
      expect(
        statuses(
          'HP_K8S_5',
          release(['aws_eks_pod_identity_association.link', 'aws_iam_role_policy.read']),
        ),
      ).toEqual(['pass']);
      expect(statuses('HP_K8S_5', release(['aws_eks_pod_identity_association.link']))).toEqual([
        'fail',
      ]);
    });
  });

  it('CKV_K8S_6 fails a root container, including a Job that sets no security context', () => {
    const root = stakater((v) => {
      v.deployment.containerSecurityContext = { ...goodContext, runAsNonRoot: false };
      return v;
    });
    expect(statuses('CKV_K8S_6', root)).toEqual(['fail']);
    expect(results('CKV_K8S_6', root)[0]?.message).toMatch(/^deployment: runAsNonRoot/);
    const bareJob = stakater((v) => ({
      ...v,
      job: { enabled: true, jobs: { migrate: { resources: goodResources } } },
    }));
    expect(results('CKV_K8S_6', bareJob)[0]?.message).toMatch(/job\.migrate/);
    const uidZero = stakater((v) => {
      v.deployment.containerSecurityContext = {
        ...goodContext,
        runAsUser: 0,
      } as typeof goodContext;
      return v;
    });
    expect(statuses('CKV_K8S_6', uidZero)).toEqual(['fail']);
    expect(
      statuses('CKV_K8S_6', k8sContainer({ ...goodK8sContext, run_as_non_root: false })),
    ).toEqual(['fail']);
  });

  it("CKV_K8S_6 and CKV_K8S_22 fall back to the chart's defaults when the deployment sets nothing", () => {
    const defaults = stakater((v) => ({ deployment: { resources: v.deployment.resources } }));
    expect(statuses('CKV_K8S_6', defaults)).toEqual(['pass']);
    expect(statuses('CKV_K8S_22', defaults)).toEqual(['pass']);
    // ...but the chart does not forbid privilege escalation by itself.
    expect(statuses('CKV_K8S_20', defaults)).toEqual(['fail']);
  });

  it('CKV_K8S_22 fails a writable root filesystem', () => {
    const writable = stakater((v) => {
      v.job.jobs.migrate.containerSecurityContext = {
        ...goodContext,
        readOnlyRootFilesystem: false,
      };
      return v;
    });
    expect(statuses('CKV_K8S_22', writable)).toEqual(['fail']);
    expect(
      statuses('CKV_K8S_22', k8sContainer({ ...goodK8sContext, read_only_root_filesystem: false })),
    ).toEqual(['fail']);
  });

  it('CKV_K8S_16 fails a privileged container', () => {
    const privileged = stakater((v) => {
      v.deployment.containerSecurityContext = { ...goodContext, privileged: true };
      return v;
    });
    expect(statuses('CKV_K8S_16', privileged)).toEqual(['fail']);
    expect(statuses('CKV_K8S_16', k8sContainer({ ...goodK8sContext, privileged: true }))).toEqual([
      'fail',
    ]);
  });

  it('CKV_K8S_20 fails unless privilege escalation is explicitly off', () => {
    const escalating = stakater((v) => {
      const { allowPrivilegeEscalation: _dropped, ...rest } = goodContext;
      v.deployment.containerSecurityContext = rest as typeof goodContext;
      return v;
    });
    expect(statuses('CKV_K8S_20', escalating)).toEqual(['fail']);
    expect(
      statuses('CKV_K8S_20', k8sContainer({ ...goodK8sContext, allow_privilege_escalation: true })),
    ).toEqual(['fail']);
  });

  it.each([
    ['CKV_K8S_10', 'requests', 'cpu'],
    ['CKV_K8S_11', 'limits', 'cpu'],
    ['CKV_K8S_12', 'requests', 'memory'],
    ['CKV_K8S_13', 'limits', 'memory'],
  ] as const)('%s fails when %s.%s is missing', (id, kind, resource) => {
    const missing = stakater((v) => {
      const resources = structuredClone(goodResources);
      delete (resources[kind] as Record<string, string>)[resource];
      v.job.jobs.migrate.resources = resources;
      return v;
    });
    expect(statuses(id, missing)).toEqual(['fail']);
    expect(results(id, missing)[0]?.message).toMatch(/^job\.migrate: no/);
    const k8sResources = structuredClone(goodK8sResources);
    delete (k8sResources[kind] as Record<string, string>)[resource];
    expect(statuses(id, k8sContainer(goodK8sContext, k8sResources))).toEqual(['fail']);
  });

  it("checks workload manifests under extraObjects, such as the API release's migration Job", () => {
    const withJob = (container: object) =>
      stakater((v) => ({
        ...v,
        extraObjects: {
          migrate: {
            apiVersion: 'batch/v1',
            kind: 'Job',
            spec: {
              template: {
                spec: {
                  securityContext: { runAsNonRoot: true },
                  containers: [{ name: 'migrate', ...container }],
                },
              },
            },
          },
          // Not a workload: nothing to check.
          map: { apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'b' } },
        },
      }));
    const good = { securityContext: goodContext, resources: goodResources };
    for (const { id } of kubernetesRules) expect(statuses(id, withJob(good)), id).toEqual(['pass']);
    const bad = withJob({ securityContext: { ...goodContext, privileged: true } });
    expect(statuses('CKV_K8S_16', bad)).toEqual(['fail']);
    expect(results('CKV_K8S_11', bad)[0]?.message).toBe(
      'extraObjects.migrate container migrate: no CPU limit',
    );

    // The API release's own migration Job is one of the containers checked.
    // A JSON copy: the built values share one security context object between the workloads.
    const values = JSON.parse(JSON.stringify(buildAppValues(appInput))) as AppValues;
    const pod = values.extraObjects.migrate.spec.template.spec as unknown as {
      containers: Array<{ securityContext: Record<string, unknown> }>;
    };
    expect(pod.containers).toHaveLength(1);
    pod.containers.forEach((container) => {
      container.securityContext.readOnlyRootFilesystem = false;
    });
    const writable = synthContext((scope) => {
      new AppRelease(scope, 'api', { namespace: 'sample-app', values });
    }, 'dev');
    expect(results('CKV_K8S_22', writable).map((r) => r.message)).toEqual([
      'extraObjects.migrate container migrate: readOnlyRootFilesystem is not true',
    ]);
  });

  it('reads YAML values documents and later documents override earlier ones', () => {
    const stack = fakeStack({
      helm_release: {
        api: {
          chart: 'application',
          repository: 'https://stakater.github.io/stakater-charts',
          version: '9.2.0',
          values: [
            JSON.stringify(goodValues),
            'deployment:\n  containerSecurityContext:\n    privileged: true\n',
          ],
        },
      },
    });
    expect(statuses('CKV_K8S_16', stack)).toEqual(['fail']);
  });
});

/** The module's own release configuration, for patching into fake stacks. */
function moduleRelease(
  build: (scope: Parameters<Parameters<typeof synthContext>[0]>[0]) => void,
  chart: string,
) {
  const stack = synthContext(build, 'prod');
  const found = stack.resources('helm_release').find((release) => release.config.chart === chart);
  if (!found) throw new Error(`no ${chart} release`);
  return found.config;
}
const nginxConfig = moduleRelease(
  (scope) =>
    new NginxIngress(scope, 'nginx', {
      namespace: 'nginx-ingress',
      ingress: ingressEndpoint(30080),
      vpcCidr: '10.0.0.0/16',
    }),
  'nginx-ingress',
);
const cnpg = (scope: Parameters<Parameters<typeof synthContext>[0]>[0]) =>
  new CloudNativePg(scope, 'db', {
    operatorNamespace: 'cnpg-system',
    namespace: 'sample-app',
    clusterName: 'hello-db',
    storageClass: 'gp3',
  });
const operatorConfig = moduleRelease(cnpg, 'cloudnative-pg');
const clusterConfig = moduleRelease(cnpg, 'cluster');

type Patchable = Record<string, Record<string, unknown>>;
/** A stack with the release, its values patched (`patch` edits a parsed copy in place). */
function patched(
  config: Record<string, unknown>,
  patch: (values: Patchable) => void = () => {},
  extra: object = {},
) {
  const values = JSON.parse((config.values as string[])[0] ?? '{}') as Patchable;
  patch(values);
  return fakeStack({
    helm_release: { r: { ...config, values: [JSON.stringify(values)], ...extra } },
  });
}
const messages = (id: string, stack: StackContext) =>
  results(id, stack).map((result) => `${result.status}: ${result.message ?? ''}`);

describe('Kubernetes rules inspect the pods of every chart the project installs', () => {
  it('nginx-ingress: the controller and the init container the read-only root fs adds', () => {
    expect(messages('CKV_K8S_22', patched(nginxConfig))).toEqual([
      'pass: inspected controller, init-nginx-ingress',
    ]);
    // The values before the fix: the chart's init container had requests but no limits.
    const chartInitResources = patched(nginxConfig, (v) => {
      delete v.controller!.initContainerResources;
    });
    expect(messages('CKV_K8S_11', chartInitResources)).toEqual([
      'fail: init-nginx-ingress: no CPU limit',
    ]);
    expect(messages('CKV_K8S_13', chartInitResources)).toEqual([
      'fail: init-nginx-ingress: no memory limit',
    ]);
    expect(statuses('CKV_K8S_10', chartInitResources)).toEqual(['pass']);
  });

  it("nginx-ingress: the chart's built-in security context follows readOnlyRootFilesystem; an own one replaces it", () => {
    const writable = patched(nginxConfig, (v) => {
      v.controller!.readOnlyRootFilesystem = false;
    });
    // No init container then, and the controller's root fs is writable.
    expect(messages('CKV_K8S_22', writable)).toEqual([
      'fail: controller: readOnlyRootFilesystem is not true',
    ]);
    expect(messages('CKV_K8S_20', writable)).toEqual(['pass: inspected controller']);
    const own = patched(nginxConfig, (v) => {
      v.controller!.securityContext = { runAsUser: 0, readOnlyRootFilesystem: true };
    });
    expect(messages('CKV_K8S_6', own)).toEqual(['fail: controller: runAsNonRoot is not true']);
    expect(messages('CKV_K8S_20', own)).toEqual([
      'fail: controller: allowPrivilegeEscalation is not false',
    ]);
    const sidecar = patched(nginxConfig, (v) => {
      v.controller!.extraContainers = [{ name: 'shipper', securityContext: goodContext }];
    });
    expect(messages('CKV_K8S_12', sidecar)).toEqual([
      'fail: controller.extraContainers.shipper: no memory request',
    ]);
  });

  it('CloudNativePG operator: the manager container, chart defaults merged under the values', () => {
    expect(messages('CKV_K8S_6', patched(operatorConfig))).toEqual(['pass: inspected manager']);
    // The values before the fix: a memory limit but no CPU limit.
    const noCpuLimit = patched(operatorConfig, (v) => {
      delete (v.resources!.limits as Record<string, unknown>).cpu;
    });
    expect(messages('CKV_K8S_11', noCpuLimit)).toEqual(['fail: manager: no CPU limit']);
    // The chart's read-only, non-root context applies unless the values replace it.
    const privileged = patched(operatorConfig, (v) => {
      v.containerSecurityContext = { privileged: true };
    });
    expect(statuses('CKV_K8S_16', privileged)).toEqual(['fail']);
    expect(statuses('CKV_K8S_22', privileged)).toEqual(['pass']);
    const dropped = patched(operatorConfig, (v) => {
      (v as Record<string, unknown>).containerSecurityContext = null;
    });
    expect(statuses('CKV_K8S_22', dropped)).toEqual(['fail']);
  });

  it("CloudNativePG cluster: the operator-built pods, with cluster.resources and the operator's security context", () => {
    expect(messages('CKV_K8S_20', patched(clusterConfig))).toEqual([
      'pass: inspected postgres, bootstrap-controller',
    ]);
    const noResources = patched(clusterConfig, (v) => {
      delete v.cluster!.resources;
    });
    expect(messages('CKV_K8S_10', noResources)).toEqual([
      'fail: postgres: no CPU request; bootstrap-controller: no CPU request',
    ]);
    const writable = patched(clusterConfig, (v) => {
      v.cluster!.securityContext = { readOnlyRootFilesystem: false };
    });
    expect(statuses('CKV_K8S_22', writable)).toEqual(['fail']);
    expect(statuses('CKV_K8S_6', writable)).toEqual(['pass']);
    const pooled = patched(clusterConfig, (v) => {
      (v as Record<string, unknown>).poolers = [{ name: 'rw', type: 'rw' }];
    });
    expect(messages('CKV_K8S_6', pooled)).toEqual([
      'not-evaluated: poolers (PgBouncer pods) are not modelled',
    ]);
  });

  it('never passes a release or workload whose pods it cannot work out', () => {
    const other = fakeStack({
      helm_release: {
        redis: {
          chart: 'redis',
          repository: 'oci://registry-1.docker.io/bitnamicharts',
          version: '20.0.0',
          values: ['{}'],
        },
      },
    });
    const newerChart = patched(nginxConfig, () => {}, { version: '3.0.0' });
    const unpinned = patched(clusterConfig, () => {}, { version: undefined });
    const viaSet = patched(operatorConfig, () => {}, { set: [{ name: 'resources', value: '{}' }] });
    const daemonSet = patched(nginxConfig, (v) => {
      v.controller!.kind = 'daemonset';
    });
    const noPodSpec = fakeStack({ kubernetes_deployment_v1: { web: { spec: [{ replicas: 1 }] } } });
    for (const [stack, reason] of [
      [other, /chart oci:\/\/registry-1\.docker\.io\/bitnamicharts redis has no pod model/],
      [newerChart, /nginx-ingress 3\.0\.0: the pod model follows 2\.7\.0/],
      [unpinned, /cluster \(no version pinned\): the pod model follows 0\.6\.0/],
      [viaSet, /`set` values are not modelled/],
      [daemonSet, /controller\.kind is daemonset/],
      [noPodSpec, /no pod spec at spec\.template\.spec/],
    ] as const) {
      const all = evaluate(kubernetesRules, stack);
      expect(all).toHaveLength(kubernetesRules.length);
      for (const result of all) {
        expect(result.status).toBe('not-evaluated');
        expect(result.message).toMatch(reason);
      }
    }
    // A release that runs no pod at all: not applicable, also not a pass.
    const idle = stakater(() => ({ deployment: { enabled: false } }));
    expect(messages('CKV_K8S_6', idle)).toEqual(['not-applicable: runs no container']);
  });
});

describe('the pod models follow the charts', () => {
  const references = {
    'stakater-application': stakaterApplication,
    'nginx-ingress': nginxIngress,
    'cloudnative-pg': cloudnativePgOperator,
    'cnpg-cluster': cloudnativePgCluster,
    'cluster-autoscaler': clusterAutoscaler,
  } as const;

  it('cover exactly the charts the project installs', () => {
    expect([...CHART_POD_MODELS].sort((a, b) => a.chart.localeCompare(b.chart))).toEqual(
      Object.values(references).sort((a, b) => a.chart.localeCompare(b.chart)),
    );
  });

  it.each(Object.entries(references))(
    "%s: the model's defaults are the chart's values.yaml, security contexts and resources whole",
    (chart, model) => {
      const defaults = chartDefaults(chart as ReferenceChart);
      const paths = emittedPaths(model.defaults);
      expect(paths.length).toBeGreaterThan(3);
      for (const leaf of paths) {
        expect(valueAt(defaults, leaf.join('.')), leaf.join('.')).toEqual(
          valueAt(model.defaults, leaf.join('.')),
        );
      }
      // A context or resources map the model holds is the chart's whole map, not part of it.
      const whole = (value: unknown, prefix: string[]): string[][] =>
        Object.entries(value as Record<string, unknown>).flatMap(([key, child]) =>
          /securityContext|SecurityContext|[rR]esources$/.test(key)
            ? [[...prefix, key]]
            : typeof child === 'object' && child !== null && !Array.isArray(child)
              ? whole(child, [...prefix, key])
              : [],
        );
      const maps = whole(model.defaults, []);
      expect(maps.length).toBeGreaterThan(0);
      for (const map of maps) {
        expect(valueAt(defaults, map.join('.')), map.join('.')).toEqual(
          valueAt(model.defaults, map.join('.')),
        );
      }
    },
  );
});
