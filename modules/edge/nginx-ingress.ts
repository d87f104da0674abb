import { Construct } from 'constructs';
import type { ITerraformDependable } from 'cdktf';
import { Release } from '@cdktf/provider-helm/lib/release';
import { helmValues } from '../core/helm-values';
import type { IngressEndpoint } from './ingress-endpoint';

/** F5 NGINX Ingress Controller chart (kubernetes/ingress-nginx is retired). */
export const NGINX_INGRESS_REPOSITORY = 'oci://ghcr.io/nginx/charts';
export const NGINX_INGRESS_CHART = 'nginx-ingress';
/** Chart 2.7.2 ships NGINX Ingress Controller 5.6.2. */
export const NGINX_INGRESS_VERSION = '2.7.2';

/**
 * The init container that copies `/etc/nginx` (added because the root file system is read-only):
 * the chart's requests, plus limits so it is bounded like every other container.
 */
export const NGINX_INIT_CONTAINER_RESOURCES = {
  requests: { cpu: '100m', memory: '128Mi' },
  limits: { cpu: '500m', memory: '128Mi' },
} as const;

export interface NginxIngressProps {
  /** Namespace of the controller (pass the namespace module's `name`; not created here). */
  readonly namespace: string;
  /** NodePort and health path shared with the ALB target group (`ingressEndpoint(...)`). */
  readonly ingress: IngressEndpoint;
  /** VPC CIDR: the only source whose `X-Forwarded-For` is trusted for the client address. */
  readonly vpcCidr: string;
  /** Controller pods, spread over zones and nodes; at least 2. Default: 2. */
  readonly replicas?: number;
  /** Chart version. Default: `2.7.2`. */
  readonly chartVersion?: string;
  /** Helm release name. Default: `nginx-ingress`. */
  readonly releaseName?: string;
  /** IngressClass created and marked default. Default: `nginx`. */
  readonly ingressClassName?: string;
  /** Controller container resources. Default: requests 100m / 128Mi, limits 1 CPU / 512Mi. */
  readonly resources?: {
    readonly requests: { readonly cpu: string; readonly memory: string };
    readonly limits: { readonly cpu: string; readonly memory: string };
  };
  /**
   * `Cluster` (default) makes every node a healthy ALB target that forwards to any controller
   * pod; the client address comes from `X-Forwarded-For`, so `Local`'s source-IP preservation
   * buys nothing and would leave nodes without a controller pod permanently unhealthy.
   */
  readonly externalTrafficPolicy?: 'Cluster' | 'Local';
}

/**
 * The NGINX ingress controller behind the ALB: a NodePort Service on the port the ALB target
 * group forwards to, answering the ALB health check on the shared health path, with the
 * `nginx` IngressClass as the cluster default.
 */
export class NginxIngress extends Construct {
  /** Namespace the controller runs in. */
  public readonly namespace: string;
  /** Labels of the controller pods, for NetworkPolicies admitting them. */
  public readonly podLabels: Record<string, string>;
  /** IngressClass name the app's Ingress uses. */
  public readonly ingressClassName: string;
  /** Helm release name. */
  public readonly releaseName: string;
  /** The Helm release, for `dependsOn`. */
  public readonly release: ITerraformDependable;

  constructor(scope: Construct, id: string, props: NginxIngressProps) {
    super(scope, id);
    const replicas = props.replicas ?? 2;
    if (!Number.isInteger(replicas) || replicas < 2) {
      throw new Error(`the ingress controller needs at least 2 replicas, got ${replicas}`);
    }
    const releaseName = props.releaseName ?? 'nginx-ingress';
    const ingressClassName = props.ingressClassName ?? 'nginx';
    // The chart's selector labels; its name is the chart name unless overridden.
    const podLabels = {
      'app.kubernetes.io/name': NGINX_INGRESS_CHART,
      'app.kubernetes.io/instance': releaseName,
    };
    const spread = (topologyKey: string, whenUnsatisfiable: string) => ({
      maxSkew: 1,
      topologyKey,
      whenUnsatisfiable,
      labelSelector: { matchLabels: podLabels },
      matchLabelKeys: ['pod-template-hash'],
    });

    const values = {
      controller: {
        kind: 'deployment',
        replicaCount: replicas,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        ingressClass: { name: ingressClassName, create: true, setAsDefaultIngress: true },
        healthStatus: true,
        healthStatusURI: props.ingress.healthPath,
        config: {
          entries: {
            // The ALB appends the client address; trust it only from inside the VPC.
            'set-real-ip-from': props.vpcCidr,
            'real-ip-header': 'X-Forwarded-For',
            'real-ip-recursive': 'True',
          },
        },
        service: {
          type: 'NodePort',
          externalTrafficPolicy: props.externalTrafficPolicy ?? 'Cluster',
          httpPort: {
            enable: true,
            port: 80,
            targetPort: 80,
            nodePort: props.ingress.nodePort,
          },
          // TLS ends at the ALB; no second listener to expose.
          httpsPort: { enable: false },
        },
        resources: props.resources ?? {
          requests: { cpu: '100m', memory: '128Mi' },
          limits: { cpu: '1', memory: '512Mi' },
        },
        readOnlyRootFilesystem: true,
        // With a read-only root file system the chart adds an init container that copies
        // /etc/nginx to a writable volume; its chart default has requests but no limits.
        initContainerResources: NGINX_INIT_CONTAINER_RESOURCES,
        topologySpreadConstraints: [
          spread('topology.kubernetes.io/zone', 'DoNotSchedule'),
          spread('kubernetes.io/hostname', 'ScheduleAnyway'),
        ],
        podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
        // Plain Ingress resources only: no VirtualServer CRDs to watch, no snippets.
        enableCustomResources: false,
        enableSnippets: false,
        logFormat: 'json',
        telemetryReporting: { enable: false },
      },
      prometheus: { create: true },
    };

    const release = new Release(this, 'release', {
      name: releaseName,
      namespace: props.namespace,
      createNamespace: false,
      repository: NGINX_INGRESS_REPOSITORY,
      chart: NGINX_INGRESS_CHART,
      version: props.chartVersion ?? NGINX_INGRESS_VERSION,
      values: [helmValues(values)],
      atomic: true,
      wait: true,
      cleanupOnFail: true,
      timeout: 600,
      maxHistory: 10,
    });

    this.namespace = release.namespace;
    this.podLabels = podLabels;
    this.ingressClassName = ingressClassName;
    this.releaseName = releaseName;
    this.release = release;
  }
}
