import { asList, notApplicable, notEvaluated, passedInspecting, valueAt } from '../engine';
import { helmMerge } from '../helm-merge';
import type { CheckOutcome, PolicyRule, ResourceRef, StackContext } from '../types';
import {
  asMap,
  releasePods,
  releaseValues,
  stakaterApplication,
  type ContainerView,
  type PodInspection,
} from './chart-pods';

/**
 * Pod hardening rules over what the stacks deploy to Kubernetes: the pods each Helm release
 * renders (worked out from its values by the chart's pod model, see chart-pods.ts) and the pod
 * specs of `kubernetes_*` workload resources. Each rule mirrors a Checkov Kubernetes check.
 * A release or resource whose containers cannot be worked out is reported as not evaluated, and
 * one that runs no container as not applicable: never as a pass.
 */

type Values = Record<string, unknown>;

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

function kubernetesContainers(resource: ResourceRef): PodInspection {
  const path = POD_SPEC_PATHS[resource.type] ?? [];
  const pod = block(resource.config, path);
  if (!pod) return { notEvaluated: `no pod spec at ${path.join('.')}` };
  const podContext = block(pod, ['security_context']) ?? {};
  return {
    containers: [...asList(pod.init_container), ...asList(pod.container)].map((container) => {
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
    }),
  };
}

/** The containers a resource runs, or why they cannot be worked out. */
export function inspectPods(resource: ResourceRef): PodInspection {
  return resource.type === 'helm_release'
    ? releasePods(resource.config)
    : kubernetesContainers(resource);
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
    check(resource): CheckOutcome {
      const inspection = inspectPods(resource);
      if ('notEvaluated' in inspection) return notEvaluated(inspection.notEvaluated);
      if (inspection.containers.length === 0) return notApplicable('runs no container');
      const failures = inspection.containers.flatMap((container) => {
        const reason = violation(container);
        return reason ? [`${container.where}: ${reason}`] : [];
      });
      if (failures.length > 0) return failures.join('; ');
      return passedInspecting(
        `inspected ${inspection.containers.map((container) => container.where).join(', ')}`,
      );
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

/**
 * Release-level rules: what a Helm release must wait for, and how the served application
 * survives disruption. The container rules (kubernetesRules) inspect pods; these read the release.
 */
export const kubernetesReleaseRules: PolicyRule[] = [
  {
    id: 'HP_K8S_5',
    title: 'Releases wait for the Pod Identity (association and role policies) their pods use',
    resourceTypes: ['helm_release'],
    check(release, stack): CheckOutcome {
      const associations = podIdentityOf(release, stack);
      if (associations.length === 0) return notApplicable('its pods use no Pod Identity');
      const needed = associations.flatMap((association) => [
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
    check(release): CheckOutcome {
      const chart = String(release.config.chart ?? '');
      if (!stakaterApplication.matches(chart, String(release.config.repository ?? ''))) {
        return notApplicable(`chart ${chart} serves no application of ours`);
      }
      const values = helmMerge(stakaterApplication.defaults, releaseValues(release.config.values));
      const deployment = asMap(values.deployment);
      if (isFalse(deployment.enabled)) return notApplicable('the release runs no Deployment');
      const problems: string[] = [];
      const pdb = asMap(values.pdb);
      if (!isTrue(pdb.enabled) || (!isSet(pdb.maxUnavailable) && !isSet(pdb.minAvailable))) {
        problems.push('pdb is not enabled with maxUnavailable or minAvailable');
      }
      const spread = asList(deployment.topologySpreadConstraints);
      if (!spread.some((constraint) => constraint.topologyKey === 'topology.kubernetes.io/zone')) {
        problems.push('no topologySpreadConstraints over topology.kubernetes.io/zone');
      }
      const autoscaling = asMap(values.autoscaling);
      if (isTrue(autoscaling.enabled) && Number(autoscaling.minReplicas ?? 0) < 2) {
        problems.push('autoscaling.minReplicas is below 2 (a PDB cannot protect one pod)');
      }
      return problems.length > 0 ? problems.join('; ') : undefined;
    },
  },
];

/** Container hardening rules, one Checkov Kubernetes check each, over every pod of every release. */
export const kubernetesRules: PolicyRule[] = [
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
