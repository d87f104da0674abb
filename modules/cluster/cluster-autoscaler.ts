import { Construct } from 'constructs';
import type { ITerraformDependable } from 'cdktf';
import { Release } from '@cdktf/provider-helm/lib/release';
import { helmValues } from '../core/helm-values';
import {
  CLUSTER_AUTOSCALER_NAMESPACE,
  CLUSTER_AUTOSCALER_SERVICE_ACCOUNT,
} from './cluster-autoscaler-identity';

/** The kubernetes/autoscaler chart repository and the pinned chart (Cluster Autoscaler 1.35.0). */
export const CLUSTER_AUTOSCALER_REPOSITORY = 'https://kubernetes.github.io/autoscaler';
export const CLUSTER_AUTOSCALER_CHART = 'cluster-autoscaler';
export const CLUSTER_AUTOSCALER_CHART_VERSION = '9.59.0';

export interface ClusterAutoscalerProps {
  /** Literal EKS cluster name: it is part of the discovery tag key. */
  readonly clusterName: string;
  /** Region of the cluster's Auto Scaling groups. */
  readonly region: string;
  /**
   * Tags the autoscaler discovers the node groups' Auto Scaling groups by (all must be present):
   * `clusterAutoscalerDiscoveryTags(clusterName)`, the same tags its IAM role is limited to.
   */
  readonly discoveryTags: Record<string, string>;
  /**
   * Image tag of `registry.k8s.io/autoscaling/cluster-autoscaler`; its minor version must equal
   * the cluster's Kubernetes minor version (take it from the component version table).
   */
  readonly imageTag: string;
  /** Kubernetes minor version of the cluster, checked against `imageTag`. */
  readonly kubernetesVersion: string;
  /** Namespace the Pod Identity association names (it must exist). Default: `cluster-autoscaler`. */
  readonly namespace?: string;
  /** ServiceAccount the Pod Identity association names. Default: `cluster-autoscaler`. */
  readonly serviceAccountName?: string;
  /** Chart version. Default: `9.59.0` (the version whose values the tests check). */
  readonly chartVersion?: string;
  /**
   * Seconds a node must stay unneeded before it is removed. Default: 600 (the autoscaler's own
   * default): short enough to save money, long enough not to flap under a bursty load.
   */
  readonly scaleDownUnneededSeconds?: number;
  /** What must exist first, e.g. the Pod Identity association and its policy. Default: none. */
  readonly dependsOn?: ITerraformDependable[];
}

/** `v1.35.2` → `1.35`. */
const minorOf = (tag: string): string | undefined => /^v?(\d+\.\d+)\./.exec(tag)?.[1];

/**
 * The Kubernetes Cluster Autoscaler (Helm chart `cluster-autoscaler`): adds nodes when pods cannot
 * be scheduled and removes unneeded ones, within each node group's min and max. It discovers the
 * node groups' Auto Scaling groups by tag and authenticates with EKS Pod Identity (the role and
 * association come from `ClusterAutoscalerIdentity` in the infra stack).
 */
export class ClusterAutoscaler extends Construct {
  /** Helm release name (also the Deployment's name). */
  public readonly releaseName: string;
  /** The Helm release, for `dependsOn`. */
  public readonly release: ITerraformDependable;
  /** The chart values, for tests and the values check. */
  public readonly values: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: ClusterAutoscalerProps) {
    super(scope, id);
    const tagKeys = Object.keys(props.discoveryTags);
    if (tagKeys.length === 0) throw new Error('ClusterAutoscaler needs discovery tags');
    if (minorOf(props.imageTag) !== props.kubernetesVersion) {
      throw new Error(
        `Cluster Autoscaler ${props.imageTag} does not match Kubernetes ${props.kubernetesVersion}: its minor version must equal the cluster's`,
      );
    }
    const releaseName = 'cluster-autoscaler';
    const unneeded = props.scaleDownUnneededSeconds ?? 600;

    this.values = {
      cloudProvider: 'aws',
      awsRegion: props.region,
      // `autoDiscovery.clusterName` switches on `--node-group-auto-discovery=asg:tag=<tags>`.
      autoDiscovery: {
        clusterName: props.clusterName,
        tags: tagKeys.map((key) => `${key}=${props.discoveryTags[key]}`),
      },
      fullnameOverride: releaseName,
      image: { tag: props.imageTag },
      rbac: {
        serviceAccount: {
          create: true,
          name: props.serviceAccountName ?? CLUSTER_AUTOSCALER_SERVICE_ACCOUNT,
        },
      },
      extraArgs: {
        // Zones are balanced by one node group spanning them; similar groups stay even too.
        'balance-similar-node-groups': true,
        expander: 'least-waste',
        'scale-down-unneeded-time': `${unneeded}s`,
        // The pods here use emptyDir only as scratch space (/tmp); data lives on EBS volumes.
        // The default (true) would keep every node running an API pod forever.
        'skip-nodes-with-local-storage': false,
      },
      resources: {
        requests: { cpu: '100m', memory: '300Mi' },
        limits: { cpu: '500m', memory: '600Mi' },
      },
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 65534,
        runAsGroup: 65534,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containerSecurityContext: {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      },
      podDisruptionBudget: { maxUnavailable: 1 },
    };

    const release = new Release(this, 'release', {
      name: releaseName,
      namespace: props.namespace ?? CLUSTER_AUTOSCALER_NAMESPACE,
      createNamespace: false,
      repository: CLUSTER_AUTOSCALER_REPOSITORY,
      chart: CLUSTER_AUTOSCALER_CHART,
      version: props.chartVersion ?? CLUSTER_AUTOSCALER_CHART_VERSION,
      values: [helmValues(this.values)],
      atomic: true,
      wait: true,
      cleanupOnFail: true,
      timeout: 600,
      maxHistory: 10,
      dependsOn: props.dependsOn,
    });
    this.releaseName = releaseName;
    this.release = release;
  }
}
