import {
  KUBERNETES_VERSIONS,
  kubernetesVersionSupport,
  supportPhaseOn,
} from '../../config/kubernetes-versions';
import { SUPPORTED_KUBERNETES_VERSIONS } from '../../config/schema';

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

describe('config/kubernetes-versions (the EKS support calendar the cost estimate prices from)', () => {
  it('has a row for every version the config accepts', () => {
    expect(SUPPORTED_KUBERNETES_VERSIONS.length).toBeGreaterThan(0);
    for (const version of SUPPORTED_KUBERNETES_VERSIONS) {
      expect(kubernetesVersionSupport(version)?.version).toBe(version);
    }
  });

  it('holds ISO days in order: release < end of standard < end of extended support', () => {
    const dated = KUBERNETES_VERSIONS.filter((row) => row.eksRelease !== undefined);
    expect(dated.length).toBeGreaterThanOrEqual(7);
    for (const row of dated) {
      for (const day of [row.eksRelease, row.endOfStandardSupport, row.endOfExtendedSupport]) {
        expect(day).toMatch(ISO_DAY);
      }
      expect(row.eksRelease! < row.endOfStandardSupport!).toBe(true);
      expect(row.endOfStandardSupport! < row.endOfExtendedSupport!).toBe(true);
    }
    // A row without dates says why.
    for (const row of KUBERNETES_VERSIONS.filter((r) => r.endOfStandardSupport === undefined)) {
      expect(row.note).toMatch(/not found/);
    }
  });

  it('keeps the dates the issue gives', () => {
    expect(kubernetesVersionSupport('1.33')?.endOfStandardSupport).toBe('2026-07-29');
    expect(kubernetesVersionSupport('1.34')?.endOfStandardSupport).toBe('2026-12-02');
    expect(kubernetesVersionSupport('1.35')?.endOfStandardSupport).toBe('2027-03-27');
  });

  it('tells the support phase of a day, extended from the end-of-standard day itself', () => {
    expect(supportPhaseOn('1.33', '2026-07-28')).toBe('standard');
    expect(supportPhaseOn('1.33', '2026-07-29')).toBe('extended');
    expect(supportPhaseOn('1.33', new Date('2027-07-28T23:59:00Z'))).toBe('extended');
    expect(supportPhaseOn('1.33', '2027-07-29')).toBe('ended');
    expect(supportPhaseOn('1.36', '2026-11-29')).toBe('unknown');
    expect(supportPhaseOn('1.99', '2026-11-29')).toBe('unknown');
  });
});
