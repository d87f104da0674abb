import { parse as parseYaml } from 'yaml';
import { helmMerge, type HelmValues } from '../helm-merge';
import { asList, valueAt } from '../engine';
import type { PolicyRule, ResourceRef, StackContext } from '../types';

/**
 * Pod hardening rules over what the stacks deploy to Kubernetes: releases of stakater's
 * `application` chart (their `values` documents are parsed and merged like Helm does) and pod
 * specs of `kubernetes_*` workload resources. Each rule mirrors a Checkov Kubernetes check.
 */

/** One container as the rules see it, whatever it was declared through. */
interface ContainerView {
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

const asMap = (value: unknown): Values =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Values) : {};

/** The chart defaults the rules depend on (stakater application 9.2.0 `values.yaml`). */
const STAKATER_DEFAULTS: HelmValues = {
  deployment: {
    enabled: true,
    containerSecurityContext: { readOnlyRootFilesystem: true, runAsNonRoot: true },
    resources: {},
  },
  job: { enabled: false },
  cronJob: { enabled: false },
};

function isStakaterApplication(config: Values): boolean {
  const chart = String(config.chart ?? '');
  const repository = String(config.repository ?? '');
  return (
    (chart === 'application' && repository.includes('stakater')) ||
    /stakater(-charts)?\/(charts\/)?application$/.test(chart)
  );
}

/** Parses the release's values documents (JSON or YAML) and merges them over the defaults. */
function releaseValues(config: Values): Values {
  let merged: HelmValues = STAKATER_DEFAULTS;
  for (const document of (config.values as unknown[] | undefined) ?? []) {
    if (typeof document !== 'string') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(document);
    } catch {
      parsed = parseYaml(document);
    }
    merged = helmMerge(merged, asMap(parsed));
  }
  return merged;
}

function stakaterContainer(where: string, pod: unknown, container: unknown, resources: unknown) {
  const podContext = asMap(pod);
  const context = asMap(container);
  return {
    where,
    runAsNonRoot: context.runAsNonRoot ?? podContext.runAsNonRoot,
    runAsUser: context.runAsUser ?? podContext.runAsUser,
    readOnlyRootFilesystem: context.readOnlyRootFilesystem,
    privileged: context.privileged,
    allowPrivilegeEscalation: context.allowPrivilegeEscalation,
    limits: asMap(asMap(resources).limits),
    requests: asMap(asMap(resources).requests),
  };
}

function stakaterContainers(config: Values): ContainerView[] {
  const values = releaseValues(config);
  const views: ContainerView[] = [];
  const deployment = asMap(values.deployment);
  if (deployment.enabled !== false) {
    views.push(
      stakaterContainer(
        'deployment',
        deployment.securityContext,
        deployment.containerSecurityContext,
        deployment.resources,
      ),
    );
  }
  for (const kind of ['job', 'cronJob']) {
    const section = asMap(values[kind]);
    if (section.enabled !== true) continue;
    for (const [name, job] of Object.entries(asMap(section.jobs))) {
      const spec = asMap(job);
      views.push(
        stakaterContainer(
          `${kind}.${name}`,
          spec.securityContext,
          spec.containerSecurityContext,
          spec.resources,
        ),
      );
    }
  }
  return views;
}

/** Where the pod spec sits in each `kubernetes_*` workload resource. */
const POD_SPEC_PATHS: Record<string, string[]> = {
  kubernetes_pod_v1: ['spec'],
  kubernetes_deployment_v1: ['spec', 'template', 'spec'],
  kubernetes_stateful_set_v1: ['spec', 'template', 'spec'],
  kubernetes_daemon_set_v1: ['spec', 'template', 'spec'],
  kubernetes_job_v1: ['spec', 'template', 'spec'],
  kubernetes_cron_job_v1: ['spec', 'job_template', 'spec', 'template', 'spec'],
};
export const KUBERNETES_WORKLOAD_TYPES = Object.keys(POD_SPEC_PATHS);

/** Follows a path of blocks that cdktf may emit as objects or one-element lists. */
function block(config: unknown, path: string[]): Values | undefined {
  let current: Values | undefined = asMap(config);
  for (const key of path) {
    current = asList(current?.[key])[0];
    if (!current) return undefined;
  }
  return current;
}

function kubernetesContainers(resource: ResourceRef): ContainerView[] {
  const pod = block(resource.config, POD_SPEC_PATHS[resource.type] ?? []);
  if (!pod) return [];
  const podContext = block(pod, ['security_context']) ?? {};
  return [...asList(pod.init_container), ...asList(pod.container)].map((container) => {
    const context = block(container, ['security_context']) ?? {};
    const resources = block(container, ['resources']) ?? {};
    return {
      where: `container ${String(container.name ?? '?')}`,
      runAsNonRoot: context.run_as_non_root ?? podContext.run_as_non_root,
      runAsUser: context.run_as_user ?? podContext.run_as_user,
      readOnlyRootFilesystem: context.read_only_root_filesystem,
      privileged: context.privileged,
      allowPrivilegeEscalation: context.allow_privilege_escalation,
      limits: asMap(valueAt(resources, 'limits')),
      requests: asMap(valueAt(resources, 'requests')),
    };
  });
}

function containersOf(resource: ResourceRef): ContainerView[] {
  if (resource.type === 'helm_release') {
    return isStakaterApplication(resource.config) ? stakaterContainers(resource.config) : [];
  }
  return kubernetesContainers(resource);
}

/** Terraform and Helm both accept booleans as strings. */
const isTrue = (value: unknown) => value === true || value === 'true';
const isFalse = (value: unknown) => value === false || value === 'false';
const isSet = (value: unknown) => value !== undefined && value !== null && value !== '';

/** A rule failing for every container that breaks `violation` (which returns the reason). */
function containerRule(
  id: string,
  title: string,
  violation: (container: ContainerView) => string | undefined,
): PolicyRule {
  return {
    id,
    title,
    resourceTypes: ['helm_release', ...KUBERNETES_WORKLOAD_TYPES],
    check(resource) {
      const failures = containersOf(resource).flatMap((container) => {
        const reason = violation(container);
        return reason ? [`${container.where}: ${reason}`] : [];
      });
      return failures.length > 0 ? failures.join('; ') : undefined;
    },
  };
}

/** Addresses in `depends_on`. */
const dependsOnOf = (resource: ResourceRef): string[] =>
  Array.isArray(resource.config.depends_on) ? resource.config.depends_on.map(String) : [];

/** `${<type>.<name>...}` references in a value, as `<type>.<name>` addresses. */
function referencesTo(value: unknown, type: string): string[] {
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? null);
  return [...text.matchAll(new RegExp(`\\$\\{(${type}\\.[A-Za-z0-9_-]+)`, 'g'))].map(
    (match) => match[1]!,
  );
}

/**
 * The Pod Identity associations a release's pods get credentials from: those naming a
 * ServiceAccount (`kubernetes_service_account_v1`) the release's values refer to.
 */
function podIdentityOf(release: ResourceRef, stack: StackContext): ResourceRef[] {
  const serviceAccounts = new Set(
    referencesTo(release.config.values, 'kubernetes_service_account(?:_v1)?'),
  );
  if (serviceAccounts.size === 0) return [];
  return stack
    .resources('aws_eks_pod_identity_association')
    .filter((association) =>
      referencesTo(association.config.service_account, 'kubernetes_service_account(?:_v1)?').some(
        (address) => serviceAccounts.has(address),
      ),
    );
}

/** IAM policies granting the role of a Pod Identity association its permissions. */
function rolePoliciesOf(association: ResourceRef, stack: StackContext): ResourceRef[] {
  const roles = referencesTo(association.config.role_arn, 'aws_iam_role');
  return ['aws_iam_role_policy', 'aws_iam_role_policy_attachment'].flatMap((type) =>
    stack
      .resources(type)
      .filter((policy) =>
        referencesTo(policy.config.role, 'aws_iam_role').some((role) => roles.includes(role)),
      ),
  );
}

export const kubernetesRules: PolicyRule[] = [
  {
    id: 'HP_K8S_5',
    title: 'Releases wait for the Pod Identity (association and role policies) their pods use',
    resourceTypes: ['helm_release'],
    check(release, stack) {
      const needed = podIdentityOf(release, stack).flatMap((association) => [
        association,
        ...rolePoliciesOf(association, stack),
      ]);
      const waitedFor = dependsOnOf(release);
      const missing = needed.filter((resource) => !waitedFor.includes(resource.address));
      return missing.length === 0
        ? undefined
        : `depends_on lacks ${missing.map((resource) => resource.address).join(', ')}: hooks and pods started before them get no AWS credentials`;
    },
  },
  {
    id: 'HP_K8S_6',
    title: 'Served application has a PodDisruptionBudget and spreads over zones',
    resourceTypes: ['helm_release'],
    check(release) {
      if (!isStakaterApplication(release.config)) return undefined;
      const values = releaseValues(release.config);
      const deployment = asMap(values.deployment);
      if (deployment.enabled === false) return undefined;
      const problems: string[] = [];
      const pdb = asMap(values.pdb);
      if (pdb.enabled !== true || (!isSet(pdb.maxUnavailable) && !isSet(pdb.minAvailable))) {
        problems.push('pdb is not enabled with maxUnavailable or minAvailable');
      }
      const spread = asList(deployment.topologySpreadConstraints);
      if (!spread.some((constraint) => constraint.topologyKey === 'topology.kubernetes.io/zone')) {
        problems.push('no topologySpreadConstraints over topology.kubernetes.io/zone');
      }
      const autoscaling = asMap(values.autoscaling);
      if (autoscaling.enabled === true && Number(autoscaling.minReplicas ?? 0) < 2) {
        problems.push('autoscaling.minReplicas is below 2 (a PDB cannot protect one pod)');
      }
      return problems.length > 0 ? problems.join('; ') : undefined;
    },
  },
  containerRule('CKV_K8S_6', 'Containers run as non-root (HP_K8S_1)', (c) => {
    if (!isTrue(c.runAsNonRoot)) return 'runAsNonRoot is not true';
    if (c.runAsUser === 0 || c.runAsUser === '0') return 'runAsUser is 0 (root)';
    return undefined;
  }),
  containerRule('CKV_K8S_22', 'Containers use a read-only root filesystem (HP_K8S_2)', (c) =>
    isTrue(c.readOnlyRootFilesystem) ? undefined : 'readOnlyRootFilesystem is not true',
  ),
  containerRule('CKV_K8S_16', 'Containers are not privileged (HP_K8S_3)', (c) =>
    isTrue(c.privileged) ? 'privileged is true' : undefined,
  ),
  containerRule('CKV_K8S_20', 'Containers forbid privilege escalation (HP_K8S_3)', (c) =>
    isFalse(c.allowPrivilegeEscalation) ? undefined : 'allowPrivilegeEscalation is not false',
  ),
  containerRule('CKV_K8S_10', 'Containers request CPU (HP_K8S_4)', (c) =>
    isSet(c.requests.cpu) ? undefined : 'no CPU request',
  ),
  containerRule('CKV_K8S_11', 'Containers limit CPU (HP_K8S_4)', (c) =>
    isSet(c.limits.cpu) ? undefined : 'no CPU limit',
  ),
  containerRule('CKV_K8S_12', 'Containers request memory (HP_K8S_4)', (c) =>
    isSet(c.requests.memory) ? undefined : 'no memory request',
  ),
  containerRule('CKV_K8S_13', 'Containers limit memory (HP_K8S_4)', (c) =>
    isSet(c.limits.memory) ? undefined : 'no memory limit',
  ),
];
