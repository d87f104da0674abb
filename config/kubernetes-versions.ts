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
