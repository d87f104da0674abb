import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  CLUSTER_COMPONENT_VERSIONS,
  clusterComponentVersions,
  DEFAULT_KUBERNETES_VERSION,
  EKS_ADDON_NAMES,
  kubernetesSupportFinding,
  SUPPORT_WARNING_DAYS,
  supportPhaseOn,
} from '../../config/kubernetes-versions';
import { configWarnings, crossFieldIssues, loadConfig, ProjectConfigError } from '../../config';
import { projectConfig } from '../../config/environments';

/** The issue's "today". */
const TODAY = '2026-11-29';

describe('Kubernetes support at synth', () => {
  it('defaults to a version in standard support with pinned add-ons, far from its end', () => {
    expect(supportPhaseOn(DEFAULT_KUBERNETES_VERSION, TODAY)).toBe('standard');
    expect(kubernetesSupportFinding(DEFAULT_KUBERNETES_VERSION, TODAY, false)).toBeUndefined();
    expect(clusterComponentVersions(DEFAULT_KUBERNETES_VERSION)).toBeDefined();
    const config = loadConfig();
    const versions = Object.values(config.environments).map((env) => env.eks.kubernetesVersion);
    expect(versions).toHaveLength(3);
    for (const version of versions) expect(supportPhaseOn(version, TODAY)).toBe('standard');
  });

  it('fails 1.33 (past its end of standard support) unless extended support is allowed', () => {
    const failed = kubernetesSupportFinding('1.33', TODAY, false);
    expect(failed?.level).toBe('error');
    expect(failed?.message).toMatch(/left EKS standard support on 2026-07-29/);
    expect(failed?.message).toMatch(/eks\.allowExtendedSupport/);
    const allowed = kubernetesSupportFinding('1.33', TODAY, true);
    expect(allowed?.level).toBe('warning');
    expect(allowed?.message).toMatch(/extended support since 2026-07-29 .*\$0\.60/);
  });

  it(`warns ${SUPPORT_WARNING_DAYS} days before the end of standard support: 1.34 on the issue's day`, () => {
    const warning = kubernetesSupportFinding('1.34', TODAY, false);
    expect(warning).toEqual({
      level: 'warning',
      message: expect.stringMatching(
        /leaves EKS standard support on 2026-12-02 \(in 3 days\).*1\.35/,
      ),
    });
    // 1.35 runs to 2027-03-27: quiet until 60 days before, then a warning, then an error.
    expect(kubernetesSupportFinding('1.35', '2027-01-25', false)).toBeUndefined();
    expect(kubernetesSupportFinding('1.35', '2027-01-26', false)?.level).toBe('warning');
    expect(kubernetesSupportFinding('1.35', '2027-03-26', false)?.level).toBe('warning');
    expect(kubernetesSupportFinding('1.35', '2027-03-27', false)?.level).toBe('error');
  });

  it('fails a version past extended support, or one the calendar has no dates for', () => {
    expect(kubernetesSupportFinding('1.30', TODAY, true)?.message).toMatch(
      /left EKS extended support on 2026-07-23/,
    );
    expect(kubernetesSupportFinding('1.36', TODAY, true)).toMatchObject({
      level: 'error',
      message: expect.stringMatching(/no EKS support dates/),
    });
  });

  /** The repository config with every environment on `version`. */
  const allOn = (version: string, allowExtendedSupport = false) => {
    const copy = structuredClone(projectConfig);
    for (const env of Object.values(copy.environments)) {
      env!.eks.kubernetesVersion = version as never;
      env!.eks.allowExtendedSupport = allowExtendedSupport;
    }
    return copy;
  };

  it('turns the findings into config errors and warnings with field paths', () => {
    const parsed = loadConfig(allOn('1.34'));
    expect(crossFieldIssues(parsed, TODAY)).toEqual([]);
    expect(configWarnings(parsed, TODAY).map((issue) => issue.path.join('.'))).toEqual([
      'environments.dev.eks.kubernetesVersion',
      'environments.staging.eks.kubernetesVersion',
      'environments.prod.eks.kubernetesVersion',
    ]);
    expect(crossFieldIssues(parsed, '2026-12-02').map((issue) => issue.path.join('.'))).toEqual([
      'environments.dev.eks.kubernetesVersion',
      'environments.staging.eks.kubernetesVersion',
      'environments.prod.eks.kubernetesVersion',
    ]);
    // The default repository config is quiet today.
    expect(configWarnings(loadConfig(), TODAY)).toEqual([]);
  });

  it('fails the old repository config (1.33 everywhere, no extended support allowed)', () => {
    try {
      loadConfig(allOn('1.33'));
      throw new Error('expected the config to be rejected');
    } catch (error) {
      expect(error).toBeInstanceOf(ProjectConfigError);
      const paths = (error as ProjectConfigError).issues.map((issue) => issue.path);
      expect(paths).toContain('environments.prod.eks.kubernetesVersion');
      expect((error as ProjectConfigError).message).toMatch(/no pinned add-on versions/);
    }
  });
});

describe('pinned component versions per Kubernetes version', () => {
  it('pins every add-on and the autoscaler of the same minor, for every row', () => {
    expect(CLUSTER_COMPONENT_VERSIONS.length).toBeGreaterThanOrEqual(2);
    for (const row of CLUSTER_COMPONENT_VERSIONS) {
      expect(Object.keys(row.addons).sort()).toEqual([...EKS_ADDON_NAMES].sort());
      for (const version of Object.values(row.addons)) {
        expect(version).toMatch(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/);
      }
      expect(row.addons['kube-proxy']).toMatch(new RegExp(`^v${row.kubernetesVersion}\\.`));
      expect(row.clusterAutoscalerImageTag).toMatch(
        new RegExp(`^v${row.kubernetesVersion}\\.\\d+$`),
      );
      expect(row.source.length).toBeGreaterThan(40);
    }
  });

  it('has a row for every version in standard support today', () => {
    const current = ['1.34', '1.35'].filter(
      (version) => supportPhaseOn(version, TODAY) === 'standard',
    );
    expect(current).toHaveLength(2);
    for (const version of current) expect(clusterComponentVersions(version)).toBeDefined();
  });

  it('is the table docs/modules/cluster.md shows', () => {
    const docs = readFileSync(
      path.resolve(__dirname, '../../docs/modules/cluster.md'),
      'utf8',
    ).split('\n');
    for (const row of CLUSTER_COMPONENT_VERSIONS) {
      const line = docs.find((text) => text.startsWith(`| ${row.kubernetesVersion} `));
      const cells = line
        ?.split('|')
        .map((cell) => cell.trim())
        .filter(Boolean);
      expect(cells).toEqual([
        row.kubernetesVersion,
        row.addons['vpc-cni'],
        row.addons.coredns,
        row.addons['kube-proxy'],
        row.addons['eks-pod-identity-agent'],
        row.addons['aws-ebs-csi-driver'],
        row.addons['metrics-server'],
        row.addons['amazon-cloudwatch-observability'],
        row.clusterAutoscalerImageTag,
      ]);
    }
  });
});
