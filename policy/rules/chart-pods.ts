import { parse as parseYaml } from 'yaml';
import { helmMerge, type HelmValues } from '../helm-merge';

/**
 * The pods a Helm release will run, worked out from its values the way each chart's templates
 * build them, so the Kubernetes rules inspect real containers rather than passing releases they
 * cannot see into. One model per chart the project installs; a release of any other chart, or of
 * another minor version, is reported as not evaluated.
 *
 * Each model carries the entries of the chart's own `values.yaml` it reads (`defaults`); a test
 * compares them with the chart's reference files (`shared/reference/<chart>/`), and the model
 * follows the templates there (cited per model).
 */

/** One container as the rules see it, whatever it was declared through. */
export interface ContainerView {
  /** Where it comes from, for messages: `deployment`, `job.migrate`, `container web`, ... */
  readonly where: string;
  readonly runAsNonRoot?: unknown;
  readonly runAsUser?: unknown;
  readonly readOnlyRootFilesystem?: unknown;
  readonly privileged?: unknown;
  readonly allowPrivilegeEscalation?: unknown;
  readonly limits: Record<string, unknown>;
  readonly requests: Record<string, unknown>;
}

type Values = Record<string, unknown>;

export const asMap = (value: unknown): Values =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Values) : {};

/** Go templates' truthiness (`{{ if x }}`): empty maps, lists and strings, 0 and false are false. */
export function truthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') {
    return false;
  }
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** A container from its pod's and its own security contexts and its resources (camelCase). */
export function containerView(
  where: string,
  podContext: unknown,
  containerContext: unknown,
  resources: unknown,
): ContainerView {
  const pod = asMap(podContext);
  const context = asMap(containerContext);
  return {
    where,
    runAsNonRoot: context.runAsNonRoot ?? pod.runAsNonRoot,
    runAsUser: context.runAsUser ?? pod.runAsUser,
    readOnlyRootFilesystem: context.readOnlyRootFilesystem,
    privileged: context.privileged,
    allowPrivilegeEscalation: context.allowPrivilegeEscalation,
    limits: asMap(asMap(resources).limits),
    requests: asMap(asMap(resources).requests),
  };
}

/** Containers given verbatim as Kubernetes container specs (sidecars, extra init containers). */
function rawContainers(prefix: string, podContext: unknown, list: unknown): ContainerView[] {
  const entries: [string, unknown][] = Array.isArray(list)
    ? list.map((item, index) => [String(asMap(item).name ?? index), item])
    : Object.entries(asMap(list));
  return entries.map(([name, spec]) =>
    containerView(
      `${prefix}.${name}`,
      podContext,
      asMap(spec).securityContext,
      asMap(spec).resources,
    ),
  );
}

/** Where the pod spec sits in a workload manifest given to a chart as an `extraObjects` entry. */
const MANIFEST_POD_SPEC_PATHS: Record<string, string[]> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/**
 * Containers of workload manifests under stakater's `extraObjects` (a list, or a map whose keys
 * the chart ignores), e.g. the migration Job, which needs its own ServiceAccount. Manifests of
 * other kinds run no container.
 */
function extraObjectContainers(extraObjects: unknown): ContainerView[] {
  const entries: [string, unknown][] = Array.isArray(extraObjects)
    ? extraObjects.map((object, index) => [String(index), object])
    : Object.entries(asMap(extraObjects));
  return entries.flatMap(([key, object]) => {
    const manifest = asMap(object);
    const path = MANIFEST_POD_SPEC_PATHS[String(manifest.kind)];
    if (!path) return [];
    let pod: Values = manifest;
    for (const step of path) pod = asMap(pod[step]);
    const containers = [pod.initContainers, pod.containers].flatMap((list) =>
      Array.isArray(list) ? list : [],
    );
    return containers.map((container) =>
      containerView(
        `extraObjects.${key} container ${String(asMap(container).name ?? '?')}`,
        pod.securityContext,
        asMap(container).securityContext,
        asMap(container).resources,
      ),
    );
  });
}

/** What a model makes of a release: its containers, or why they cannot be worked out. */
export type PodInspection =
  { readonly containers: ContainerView[] } | { readonly notEvaluated: string };

export interface ChartPodModel {
  /** `chart` as the release names it, for messages. */
  readonly chart: string;
  /** The chart version whose templates the model follows; other minors are not evaluated. */
  readonly version: string;
  /** The chart's `values.yaml` entries the model reads (a test checks them against the chart). */
  readonly defaults: HelmValues;
  /** True when a `helm_release` installs this chart. */
  matches(chart: string, repository: string): boolean;
  /** The containers the chart renders from the merged values. */
  pods(values: Values): PodInspection;
}

/**
 * stakater `application` 9.2.0: `templates/deployment.yaml` (main container with
 * `deployment.containerSecurityContext` and `deployment.resources`, `deployment.initContainers`
 * and `deployment.additionalContainers` verbatim, pod context `deployment.securityContext`) and
 * `job.yaml` / `cronjob.yaml` (one pod per entry of `jobs`, same fields per job), and workload
 * manifests under `extraObjects` (rendered as given).
 */
export const stakaterApplication: ChartPodModel = {
  chart: 'stakater/application',
  version: '9.2.0',
  defaults: {
    deployment: {
      enabled: true,
      containerSecurityContext: { readOnlyRootFilesystem: true, runAsNonRoot: true },
      resources: {},
    },
    job: { enabled: false },
    cronJob: { enabled: false },
  },
  matches: (chart, repository) =>
    (chart === 'application' && repository.includes('stakater')) ||
    /stakater(-charts)?\/(charts\/)?application$/.test(chart),
  pods(values) {
    const containers: ContainerView[] = [];
    const deployment = asMap(values.deployment);
    if (truthy(deployment.enabled)) {
      const pod = deployment.securityContext;
      containers.push(
        containerView('deployment', pod, deployment.containerSecurityContext, deployment.resources),
        ...rawContainers('deployment.initContainers', pod, deployment.initContainers),
        ...rawContainers('deployment.additionalContainers', pod, deployment.additionalContainers),
      );
    }
    for (const kind of ['job', 'cronJob']) {
      const section = asMap(values[kind]);
      if (!truthy(section.enabled)) continue;
      for (const [name, job] of Object.entries(asMap(section.jobs))) {
        const spec = asMap(job);
        containers.push(
          containerView(
            `${kind}.${name}`,
            spec.securityContext,
            spec.containerSecurityContext,
            spec.resources,
          ),
          ...rawContainers(
            `${kind}.${name}.initContainers`,
            spec.securityContext,
            spec.initContainers,
          ),
        );
      }
    }
    containers.push(...extraObjectContainers(values.extraObjects));
    return { containers };
  },
};

/**
 * F5 NGINX `nginx-ingress` 2.7: `templates/controller-deployment.yaml`. The controller container
 * takes `controller.securityContext` when it is not empty, else a built-in context (no privilege
 * escalation, UID 101, non-root, `readOnlyRootFilesystem: controller.readOnlyRootFilesystem`);
 * with a read-only root file system the chart adds an init container (`init-nginx-ingress`) with
 * `controller.initContainerResources` and `controller.initContainerSecurityContext` (else a
 * built-in read-only, non-root one). `controller.initContainers` and `controller.extraContainers`
 * are verbatim container specs.
 */
export const nginxIngress: ChartPodModel = {
  chart: 'nginx-ingress',
  version: '2.7.0',
  defaults: {
    controller: {
      kind: 'deployment',
      podSecurityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      securityContext: {},
      readOnlyRootFilesystem: false,
      resources: { requests: { cpu: '100m', memory: '128Mi' } },
      initContainerSecurityContext: {},
      initContainerResources: { requests: { cpu: '100m', memory: '128Mi' } },
      initContainers: [],
      extraContainers: [],
      appprotect: { enable: false, v5: false },
    },
  },
  matches: (chart, repository) =>
    (chart === 'nginx-ingress' &&
      /(^|\/)(nginx|nginxinc)(\/|$)|helm\.nginx\.com/.test(repository)) ||
    /(^|\/)nginx(inc)?\/(charts\/)?nginx-ingress$/.test(chart),
  pods(values) {
    const controller = asMap(values.controller);
    if (controller.kind !== 'deployment') {
      return {
        notEvaluated: `controller.kind is ${String(controller.kind)}: the pod model follows controller-deployment.yaml only`,
      };
    }
    if (truthy(asMap(controller.appprotect).v5)) {
      return {
        notEvaluated: 'App Protect v5 sidecars (controller.appprotect.v5) are not modelled',
      };
    }
    const pod = controller.podSecurityContext;
    const ownContext = asMap(controller.securityContext);
    const readOnly =
      truthy(controller.readOnlyRootFilesystem) || truthy(ownContext.readOnlyRootFilesystem);
    const builtIn = (readOnlyRootFilesystem: unknown) => ({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem,
      runAsUser: 101,
      runAsNonRoot: true,
    });
    const containers = [
      containerView(
        'controller',
        pod,
        truthy(ownContext) ? ownContext : builtIn(controller.readOnlyRootFilesystem),
        controller.resources,
      ),
    ];
    if (readOnly) {
      const initContext = asMap(controller.initContainerSecurityContext);
      containers.push(
        containerView(
          'init-nginx-ingress',
          pod,
          truthy(initContext) ? initContext : builtIn(true),
          truthy(controller.initContainerResources) ? controller.initContainerResources : {},
        ),
      );
    }
    containers.push(
      ...rawContainers('controller.initContainers', pod, controller.initContainers),
      ...rawContainers('controller.extraContainers', pod, controller.extraContainers),
    );
    return { containers };
  },
};

const CLOUDNATIVE_PG_REPOSITORY = /cloudnative-pg\.github\.io\/charts|cloudnative-pg\/charts/;

/**
 * CloudNativePG operator chart `cloudnative-pg` 0.28: `templates/deployment.yaml`, one `manager`
 * container with `containerSecurityContext` and `resources`, pod context `podSecurityContext`.
 */
export const cloudnativePgOperator: ChartPodModel = {
  chart: 'cloudnative-pg',
  version: '0.28.2',
  defaults: {
    containerSecurityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
      capabilities: { drop: ['ALL'] },
    },
    podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    resources: {},
  },
  matches: (chart, repository) =>
    (chart === 'cloudnative-pg' && CLOUDNATIVE_PG_REPOSITORY.test(repository)) ||
    /cloudnative-pg\/cloudnative-pg$/.test(chart),
  pods: (values) => ({
    containers: [
      containerView(
        'manager',
        values.podSecurityContext,
        values.containerSecurityContext,
        values.resources,
      ),
    ],
  }),
};

/**
 * The security context CloudNativePG gives every container of a cluster's pods (instances,
 * bootstrap init container, initdb/join jobs): `CreateContainerSecurityContext` in the operator's
 * `pkg/specs`. `Cluster.spec.securityContext` overrides field by field.
 */
const CLOUDNATIVE_PG_CONTAINER_CONTEXT = {
  privileged: false,
  runAsNonRoot: true,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
};

/**
 * CloudNativePG `cluster` chart 0.6: `templates/cluster.yaml` renders a `Cluster`, not a pod; the
 * operator builds its pods with `spec.resources` (= `cluster.resources`) on every container and the
 * operator's security context above, overridden by `cluster.securityContext` and
 * `cluster.podSecurityContext`. Poolers (PgBouncer pods) and the console StatefulSet are not
 * modelled.
 */
export const cloudnativePgCluster: ChartPodModel = {
  chart: 'cluster',
  version: '0.6.0',
  defaults: {
    cluster: {
      resources: {},
      securityContext: {},
      podSecurityContext: {},
      console: { enabled: false },
    },
    poolers: [],
  },
  matches: (chart, repository) =>
    (chart === 'cluster' && CLOUDNATIVE_PG_REPOSITORY.test(repository)) ||
    /cloudnative-pg\/cluster$/.test(chart),
  pods(values) {
    const cluster = asMap(values.cluster);
    if (truthy(values.poolers)) {
      return { notEvaluated: 'poolers (PgBouncer pods) are not modelled' };
    }
    if (truthy(asMap(cluster.console).enabled)) {
      return { notEvaluated: 'the console StatefulSet (cluster.console.enabled) is not modelled' };
    }
    const pod = { runAsNonRoot: true, ...asMap(cluster.podSecurityContext) };
    const context = { ...CLOUDNATIVE_PG_CONTAINER_CONTEXT, ...asMap(cluster.securityContext) };
    return {
      containers: [
        containerView('postgres', pod, context, cluster.resources),
        containerView('bootstrap-controller', pod, context, cluster.resources),
      ],
    };
  },
};

/**
 * Kubernetes Cluster Autoscaler chart 9.59: `templates/deployment.yaml`. One container with
 * `resources` and, when not empty, `containerSecurityContext`; pod context `securityContext` when
 * not empty; `initContainers` verbatim.
 */
export const clusterAutoscaler: ChartPodModel = {
  chart: 'autoscaler/cluster-autoscaler',
  version: '9.59.0',
  defaults: {
    containerSecurityContext: {},
    securityContext: {},
    resources: {},
    initContainers: [],
  },
  matches: (chart, repository) =>
    (chart === 'cluster-autoscaler' && /kubernetes\.github\.io\/autoscaler/.test(repository)) ||
    /autoscaler\/cluster-autoscaler$/.test(chart),
  pods(values) {
    const pod = values.securityContext;
    return {
      containers: [
        containerView('cluster-autoscaler', pod, values.containerSecurityContext, values.resources),
        ...rawContainers('initContainers', pod, values.initContainers),
      ],
    };
  },
};

/** Every chart whose pods the Kubernetes rules can inspect. */
export const CHART_POD_MODELS: readonly ChartPodModel[] = [
  stakaterApplication,
  nginxIngress,
  cloudnativePgOperator,
  cloudnativePgCluster,
  clusterAutoscaler,
];

/** Later values files over earlier ones, as Helm merges `-f` files: nulls are kept. */
function mergeDocuments(base: Values, over: Values): Values {
  const result: Values = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = result[key];
    result[key] =
      truthy(asMap(current)) && truthy(asMap(value))
        ? mergeDocuments(asMap(current), asMap(value))
        : value;
  }
  return result;
}

/**
 * Parses a release's values documents (JSON or YAML), later ones merged over earlier ones. A
 * `null` is kept: merged over the chart's defaults, it deletes the default (see helmMerge).
 */
export function releaseValues(documents: unknown): Values {
  let merged: Values = {};
  for (const document of Array.isArray(documents) ? documents : []) {
    if (typeof document !== 'string') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(document);
    } catch {
      parsed = parseYaml(document);
    }
    merged = mergeDocuments(merged, asMap(parsed));
  }
  return merged;
}

const minor = (version: string) => version.split('.').slice(0, 2).join('.');

/** The pods a `helm_release` configuration will run, or why they cannot be worked out. */
export function releasePods(config: Values): PodInspection & { readonly chart?: string } {
  const chart = String(config.chart ?? '');
  const repository = String(config.repository ?? '');
  const model = CHART_POD_MODELS.find((candidate) => candidate.matches(chart, repository));
  if (!model) {
    return {
      notEvaluated: `chart ${repository ? `${repository} ` : ''}${chart} has no pod model: its pods cannot be inspected`,
    };
  }
  const version = typeof config.version === 'string' ? config.version : '';
  if (minor(version) !== minor(model.version)) {
    return {
      chart: model.chart,
      notEvaluated: `${model.chart} ${version || '(no version pinned)'}: the pod model follows ${model.version}`,
    };
  }
  if (Array.isArray(config.set) && config.set.length > 0) {
    return { chart: model.chart, notEvaluated: '`set` values are not modelled' };
  }
  const values = helmMerge(model.defaults, releaseValues(config.values));
  return { chart: model.chart, ...model.pods(values) };
}
