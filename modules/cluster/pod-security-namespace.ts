import { Construct } from 'constructs';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';

/** Pod Security Standards level enforced by Pod Security Admission. */
export type PodSecurityLevel = 'restricted' | 'baseline' | 'privileged';

export interface PodSecurityNamespaceProps {
  /** Namespace name, e.g. `sample-app` (from config) or `nginx-ingress`. */
  readonly name: string;
  /**
   * Level enforced, audited and warned about. Default: `restricted`, the hardened profile
   * (non-root, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp).
   */
  readonly podSecurityLevel?: PodSecurityLevel;
  /** Extra labels. Default: none. */
  readonly labels?: Record<string, string>;
}

/**
 * A namespace with Pod Security Admission labels: pods that break the level are rejected at
 * admission (`enforce`), and violations are also recorded (`audit`) and shown to the client
 * (`warn`). `-version: latest` follows the cluster's own Kubernetes version.
 */
export class PodSecurityNamespace extends Construct {
  /** Namespace name (a reference to the resource, so dependents wait for it). */
  public readonly name: string;

  constructor(scope: Construct, id: string, props: PodSecurityNamespaceProps) {
    super(scope, id);
    const level = props.podSecurityLevel ?? 'restricted';
    const podSecurity: Record<string, string> = {};
    for (const mode of ['enforce', 'audit', 'warn']) {
      podSecurity[`pod-security.kubernetes.io/${mode}`] = level;
      podSecurity[`pod-security.kubernetes.io/${mode}-version`] = 'latest';
    }
    const namespace = new NamespaceV1(this, 'namespace', {
      metadata: {
        name: props.name,
        labels: {
          ...props.labels,
          'app.kubernetes.io/managed-by': 'terraform',
          ...podSecurity,
        },
      },
    });
    this.name = namespace.metadata.name;
  }
}
