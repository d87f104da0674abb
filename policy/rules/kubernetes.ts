import { asList, notApplicable, notEvaluated, passedInspecting, valueAt } from '../engine';
import type { CheckOutcome, PolicyRule, ResourceRef } from '../types';
import { asMap, releasePods, type ContainerView, type PodInspection } from './chart-pods';

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
