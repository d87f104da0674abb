import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import {
  PodSecurityNamespace,
  type PodSecurityNamespaceProps,
} from '../../../modules/cluster/pod-security-namespace';
import { onlyResource, synthConstructs } from '../../helpers/synth';

function synth(props: PodSecurityNamespaceProps) {
  return synthConstructs((scope) => new PodSecurityNamespace(scope, 'namespace', props));
}

const labelsOf = (json: ReturnType<typeof synth>['json']) => {
  const namespace = onlyResource(json, 'kubernetes_namespace_v1');
  const metadata = namespace.metadata as { labels: Record<string, string> };
  return metadata.labels;
};

describe('PodSecurityNamespace', () => {
  it('enforces, audits and warns on the restricted Pod Security Standard by default', () => {
    const { synthesized, json } = synth({ name: 'sample-app' });
    expect(synthesized).toHaveResource(NamespaceV1);
    expect(onlyResource(json, 'kubernetes_namespace_v1')).toMatchObject({
      metadata: { name: 'sample-app' },
    });
    expect(labelsOf(json)).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': 'latest',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/audit-version': 'latest',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/warn-version': 'latest',
    });
  });

  it('applies another level to all three modes and keeps extra labels', () => {
    const labels = labelsOf(
      synth({ name: 'tools', podSecurityLevel: 'baseline', labels: { team: 'platform' } }).json,
    );
    expect(labels['pod-security.kubernetes.io/enforce']).toBe('baseline');
    expect(labels['pod-security.kubernetes.io/warn']).toBe('baseline');
    expect(labels.team).toBe('platform');
  });

  it('exposes the name as a reference to the namespace resource', () => {
    let name = '';
    synthConstructs((scope) => {
      name = new PodSecurityNamespace(scope, 'ns', { name: 'sample-app' }).name;
    });
    expect(name).toMatch(/\$\{TfToken\[/);
  });
});
