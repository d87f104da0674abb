import { AppRelease } from '../../../modules/app/app-release';
import { buildAppValues, type AppValuesInput } from '../../../modules/app/app-values';
import { CloudNativePg } from '../../../modules/data/cloudnative-pg';
import { ingressEndpoint } from '../../../modules/edge/ingress-endpoint';
import { NginxIngress } from '../../../modules/edge/nginx-ingress';
import { synthContext } from '../../helpers/synth';
import { evaluate, fakeStack } from '../../../policy/engine';
import type { PolicyRule, StackContext } from '../../../policy/types';
import { kubernetesRules } from '../../../policy/rules/kubernetes';
import { appSettingsOf } from '../../helpers/app-settings';

const rule = (id: string): PolicyRule => {
  const found = kubernetesRules.find((candidate) => candidate.id === id);
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
  database: { mode: 'in-cluster', secretName: 'hello-db-app' },
  ingressController: { namespace: 'nginx-ingress', podLabels: { app: 'nginx' } },
};

describe('Kubernetes policy rules', () => {
  it('every rule passes on the API release (dev and prod) and ignores other charts', () => {
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
              secretArn: 'arn:aws:secretsmanager:eu-west-1:1:secret:x',
            },
            autoscaling: { minReplicas: 3, maxReplicas: 6 },
          }),
        }),
      'prod',
    );
    for (const stack of [dev, prod]) {
      const all = evaluate(kubernetesRules, stack);
      expect(all.filter((result) => result.status !== 'pass')).toEqual([]);
    }
    const checked = new Set(evaluate(kubernetesRules, prod).map((result) => result.ruleId));
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

  it('reads YAML values documents and later documents override earlier ones', () => {
    const stack = fakeStack({
      helm_release: {
        api: {
          chart: 'application',
          repository: 'https://stakater.github.io/stakater-charts',
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
