/**
 * When EKS supports each Kubernetes minor version: its EKS release, the end of standard support
 * (14 months later) and the end of extended support (12 months after that). Extended support
 * costs six times the standard cluster-hour, so the cost estimate prices a cluster from these
 * dates; synth warnings can use them too. Dates are UTC calendar days: EKS bills extended support
 * from the start (00:00 UTC) of the end-of-standard-support day.
 *
 * Keep it current from the EKS Kubernetes release calendar (KUBERNETES_CALENDAR_URL) whenever a
 * version is added to SUPPORTED_KUBERNETES_VERSIONS in ./schema.ts; a test checks that every
 * supported version has a row here.
 */

/** The EKS Kubernetes release calendar the dates below come from. */
export const KUBERNETES_CALENDAR_URL =
  'https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html#kubernetes-release-calendar';

/** When the calendar was last read for this table. */
export const KUBERNETES_CALENDAR_READ = '2026-11-29';

export interface KubernetesVersionSupport {
  /** Kubernetes minor version, e.g. `1.33`. */
  readonly version: string;
  /** Day the version became available on EKS (ISO date), or undefined when not published yet. */
  readonly eksRelease: string | undefined;
  /** First day without standard support: extended support is billed from this day on. */
  readonly endOfStandardSupport: string | undefined;
  /** First day without extended support: EKS then auto-upgrades the control plane. */
  readonly endOfExtendedSupport: string | undefined;
  /** Where a date does not come straight from the calendar, why. */
  readonly note?: string;
}

/** The calendar, newest version first. */
export const KUBERNETES_VERSIONS: readonly KubernetesVersionSupport[] = [
  {
    version: '1.36',
    eksRelease: undefined,
    endOfStandardSupport: undefined,
    endOfExtendedSupport: undefined,
    note:
      'not found in the stored copies of the calendar read on 2026-11-29; fill in the three dates ' +
      'from the calendar (standard support ends 14 months after the EKS release)',
  },
  {
    version: '1.35',
    eksRelease: '2026-01-27',
    endOfStandardSupport: '2027-03-27',
    endOfExtendedSupport: '2028-03-27',
    note:
      'the EKS release date is inferred (end of standard support minus 14 months); ' +
      'endoflife.date/amazon-eks lists 2026-01-28',
  },
  {
    version: '1.34',
    eksRelease: '2025-10-02',
    endOfStandardSupport: '2026-12-02',
    endOfExtendedSupport: '2027-12-02',
  },
  {
    version: '1.33',
    eksRelease: '2025-05-29',
    endOfStandardSupport: '2026-07-29',
    endOfExtendedSupport: '2027-07-29',
  },
  {
    version: '1.32',
    eksRelease: '2025-01-23',
    endOfStandardSupport: '2026-03-23',
    endOfExtendedSupport: '2027-03-23',
  },
  {
    version: '1.31',
    eksRelease: '2024-09-26',
    endOfStandardSupport: '2025-11-26',
    endOfExtendedSupport: '2026-11-26',
  },
  {
    version: '1.30',
    eksRelease: '2024-05-23',
    endOfStandardSupport: '2025-07-23',
    endOfExtendedSupport: '2026-07-23',
  },
  {
    version: '1.29',
    eksRelease: '2024-01-23',
    endOfStandardSupport: '2025-03-23',
    endOfExtendedSupport: '2026-03-23',
  },
];

/** The calendar row of a Kubernetes minor version (`1.33`), or undefined when it has none. */
export function kubernetesVersionSupport(version: string): KubernetesVersionSupport | undefined {
  return KUBERNETES_VERSIONS.find((row) => row.version === version);
}

/**
 * Which support a version is in on a day (ISO date or Date, compared as a UTC day): `standard`
 * before its end of standard support, `extended` until its end of extended support, then
 * `ended`; `unknown` when the version has no row or the needed date is not published.
 */
export type SupportPhase = 'standard' | 'extended' | 'ended' | 'unknown';

export function supportPhaseOn(version: string, day: string | Date): SupportPhase {
  const row = kubernetesVersionSupport(version);
  if (!row?.endOfStandardSupport) return 'unknown';
  const iso = typeof day === 'string' ? day : day.toISOString().slice(0, 10);
  if (iso < row.endOfStandardSupport) return 'standard';
  if (!row.endOfExtendedSupport) return 'unknown';
  return iso < row.endOfExtendedSupport ? 'extended' : 'ended';
}

/** Synth warns this many days before a version's end of standard support. */
export const SUPPORT_WARNING_DAYS = 60;

/**
 * The Kubernetes version new environments get: the newest one in standard support with pinned
 * add-on versions below (1.35: standard support to 2027-03-27).
 */
export const DEFAULT_KUBERNETES_VERSION = '1.35';

/** A problem with an environment's Kubernetes version, found at synth. */
export interface KubernetesSupportFinding {
  /** `error` fails synth; `warning` is printed and synth goes on. */
  readonly level: 'error' | 'warning';
  readonly message: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const isoDay = (day: string | Date): string =>
  typeof day === 'string' ? day : day.toISOString().slice(0, 10);
const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);

/**
 * What synth says about running `version` on `day`: an error once standard support has ended
 * (unless `allowExtendedSupport`: then a warning that it bills extended support), an error once
 * extended support has ended or when the calendar has no dates for the version, and a warning in
 * the last SUPPORT_WARNING_DAYS days of standard support. Undefined when all is well.
 */
export function kubernetesSupportFinding(
  version: string,
  day: string | Date,
  allowExtendedSupport: boolean,
): KubernetesSupportFinding | undefined {
  const row = kubernetesVersionSupport(version);
  const today = isoDay(day);
  const phase = supportPhaseOn(version, today);
  if (phase === 'unknown' || !row?.endOfStandardSupport) {
    return {
      level: 'error',
      message: `Kubernetes ${version} has no EKS support dates in config/kubernetes-versions.ts, so its cost and end of support are unknown: add them from ${KUBERNETES_CALENDAR_URL}`,
    };
  }
  const standardEnd = row.endOfStandardSupport;
  if (phase === 'ended') {
    return {
      level: 'error',
      message: `Kubernetes ${version} left EKS extended support on ${row.endOfExtendedSupport}: EKS has upgraded the control plane on its own; upgrade to a supported version`,
    };
  }
  if (phase === 'extended') {
    return allowExtendedSupport
      ? {
          level: 'warning',
          message: `Kubernetes ${version} is in EKS extended support since ${standardEnd} (billed $0.60 instead of $0.10 per cluster-hour) until ${row.endOfExtendedSupport}; upgrade one minor version at a time`,
        }
      : {
          level: 'error',
          message: `Kubernetes ${version} left EKS standard support on ${standardEnd} (extended support bills $0.60 instead of $0.10 per cluster-hour): upgrade one minor version at a time (e.g. to ${nextVersion(version) ?? DEFAULT_KUBERNETES_VERSION}), or set eks.allowExtendedSupport to pay for extended support`,
        };
  }
  const left = daysBetween(today, standardEnd);
  if (left <= SUPPORT_WARNING_DAYS) {
    return {
      level: 'warning',
      message: `Kubernetes ${version} leaves EKS standard support on ${standardEnd} (in ${left} day${left === 1 ? '' : 's'}); after that synth fails unless eks.allowExtendedSupport is set: upgrade to ${nextVersion(version) ?? 'the next minor version'}`,
    };
  }
  return undefined;
}

/** The next minor version (`1.34` → `1.35`), when the calendar has it. */
function nextVersion(version: string): string | undefined {
  const [major, minor] = version.split('.').map(Number);
  const next = `${major}.${(minor ?? 0) + 1}`;
  return kubernetesVersionSupport(next) ? next : undefined;
}

/** Managed EKS add-ons the platform installs, by their EKS add-on name. */
export const EKS_ADDON_NAMES = [
  'vpc-cni',
  'eks-pod-identity-agent',
  'coredns',
  'kube-proxy',
  'aws-ebs-csi-driver',
  'metrics-server',
  'amazon-cloudwatch-observability',
] as const;
export type EksAddonName = (typeof EKS_ADDON_NAMES)[number];

/** Versions of the in-cluster components that must match a Kubernetes minor version. */
export interface ClusterComponentVersions {
  /** Kubernetes minor version, e.g. `1.35`. */
  readonly kubernetesVersion: string;
  /** EKS add-on version per add-on (`aws eks describe-addon-versions --kubernetes-version <v>`). */
  readonly addons: Readonly<Record<EksAddonName, string>>;
  /**
   * Cluster Autoscaler image tag (`registry.k8s.io/autoscaling/cluster-autoscaler`); its minor
   * version must equal the cluster's (the autoscaler's scheduler simulation is built per minor).
   */
  readonly clusterAutoscalerImageTag: string;
  /** Where the versions were read. */
  readonly source: string;
}

/**
 * The one table of add-on versions per Kubernetes version: node groups follow the cluster
 * version and every add-on is pinned, so a Kubernetes upgrade is one reviewed config change that
 * moves everything together. A version the config accepts without a row here fails synth.
 *
 * No live `aws eks describe-addon-versions` was reachable when the table was written (offline);
 * the versions were taken from public configurations that pin them for that Kubernetes version,
 * preferring records of `describe-addon-versions` output and of clusters where the add-ons became
 * ACTIVE, and the autoscaler tags from the kubernetes/autoscaler release tags. Check a row with
 * `aws eks describe-addon-versions --kubernetes-version <v> --addon-name <name>` before an upgrade.
 */
export const CLUSTER_COMPONENT_VERSIONS: readonly ClusterComponentVersions[] = [
  {
    kubernetesVersion: '1.35',
    addons: {
      'vpc-cni': 'v1.22.4-eksbuild.3',
      'eks-pod-identity-agent': 'v1.3.10-eksbuild.3',
      coredns: 'v1.13.2-eksbuild.31',
      'kube-proxy': 'v1.35.3-eksbuild.29',
      'aws-ebs-csi-driver': 'v1.64.0-eksbuild.1',
      'metrics-server': 'v0.9.0-eksbuild.6',
      'amazon-cloudwatch-observability': 'v5.3.0-eksbuild.1',
    },
    clusterAutoscalerImageTag: 'v1.35.2',
    source:
      'vpc-cni, coredns, kube-proxy and eks-pod-identity-agent: the EKS 1.35 default versions recorded from ' +
      '`aws eks describe-addon-versions` on 2026-10-02 in a public deployment record (add-ons ACTIVE on a live ' +
      '1.35 cluster on 2026-10-04); aws-ebs-csi-driver and metrics-server: a public 1.35 environment config; ' +
      'amazon-cloudwatch-observability: a public 1.35 cluster config; cluster-autoscaler: tag ' +
      'cluster-autoscaler-1.35.2 of kubernetes/autoscaler',
  },
  {
    kubernetesVersion: '1.34',
    addons: {
      'vpc-cni': 'v1.21.1-eksbuild.3',
      'eks-pod-identity-agent': 'v1.3.10-eksbuild.2',
      coredns: 'v1.12.3-eksbuild.1',
      'kube-proxy': 'v1.34.0-eksbuild.2',
      'aws-ebs-csi-driver': 'v1.54.0-eksbuild.1',
      'metrics-server': 'v0.8.1-eksbuild.1',
      'amazon-cloudwatch-observability': 'v4.10.2-eksbuild.1',
    },
    clusterAutoscalerImageTag: 'v1.34.5',
    source:
      'public 1.34 cluster configs: kube-proxy, coredns and eks-pod-identity-agent as pinned by several of ' +
      'them; vpc-cni and metrics-server from one that pins the 1.34 kube-proxy; aws-ebs-csi-driver from a ' +
      '1.34 add-on list; amazon-cloudwatch-observability from a CDK app that read it with ' +
      '`describe-addon-versions --kubernetes-version 1.34`; cluster-autoscaler: tag ' +
      'cluster-autoscaler-1.34.5 of kubernetes/autoscaler',
  },
];

/** The pinned component versions of a Kubernetes version, or undefined when it has no row. */
export function clusterComponentVersions(version: string): ClusterComponentVersions | undefined {
  return CLUSTER_COMPONENT_VERSIONS.find((row) => row.kubernetesVersion === version);
}
