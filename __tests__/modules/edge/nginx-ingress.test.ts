import { Release } from '@cdktf/provider-helm/lib/release';
import { ingressEndpoint } from '../../../modules/edge/ingress-endpoint';
import { NginxIngress, type NginxIngressProps } from '../../../modules/edge/nginx-ingress';
import { onlyResource, synthConstructs } from '../../helpers/synth';

const endpoint = ingressEndpoint(30080);
const base: NginxIngressProps = {
  namespace: 'nginx-ingress',
  ingress: endpoint,
  vpcCidr: '10.30.0.0/16',
};

function synth(props: NginxIngressProps) {
  let module: NginxIngress | undefined;
  const result = synthConstructs((scope) => {
    module = new NginxIngress(scope, 'nginx', props);
  });
  const release = onlyResource(result.json, 'helm_release');
  const values = JSON.parse((release.values as string[])[0] ?? '{}') as {
    controller: Record<string, unknown> & {
      service: Record<string, unknown> & { httpPort: Record<string, unknown> };
      config: { entries: Record<string, string> };
    };
    prometheus: Record<string, unknown>;
  };
  return { ...result, release, values, module: module as NginxIngress };
}

describe('NginxIngress', () => {
  it('installs the pinned F5 NGINX chart from its OCI registry as an atomic, waited release', () => {
    const { synthesized } = synth(base);
    expect(synthesized).toHaveResourceWithProperties(Release, {
      name: 'nginx-ingress',
      namespace: 'nginx-ingress',
      repository: 'oci://ghcr.io/nginx/charts',
      chart: 'nginx-ingress',
      version: '2.7.2',
      atomic: true,
      wait: true,
      cleanup_on_fail: true,
      create_namespace: false,
    });
  });

  it('serves the NodePort and health path the ALB target group uses (one source)', () => {
    const { values } = synth(base);
    expect(values.controller.service.type).toBe('NodePort');
    expect(values.controller.service.httpPort.nodePort).toBe(endpoint.nodePort);
    expect(values.controller.healthStatus).toBe(true);
    expect(values.controller.healthStatusURI).toBe(endpoint.healthPath);
    expect(values.controller.service.httpsPort).toEqual({ enable: false });
    const other = synth({ ...base, ingress: ingressEndpoint(31999) }).values;
    expect(other.controller.service.httpPort.nodePort).toBe(31999);
  });

  it('trusts X-Forwarded-For only from the VPC CIDR', () => {
    const { values } = synth(base);
    expect(values.controller.config.entries).toEqual({
      'set-real-ip-from': '10.30.0.0/16',
      'real-ip-header': 'X-Forwarded-For',
      'real-ip-recursive': 'True',
    });
  });

  it('is the default nginx class, with 2+ replicas spread over zones and nodes, a PDB and requests', () => {
    const { values, module } = synth(base);
    expect(values.controller.ingressClass).toEqual({
      name: 'nginx',
      create: true,
      setAsDefaultIngress: true,
    });
    expect(values.controller.replicaCount).toBe(2);
    const spread = values.controller.topologySpreadConstraints as {
      topologyKey: string;
      labelSelector: { matchLabels: Record<string, string> };
    }[];
    expect(spread.map((c) => c.topologyKey)).toEqual([
      'topology.kubernetes.io/zone',
      'kubernetes.io/hostname',
    ]);
    expect(spread[0]?.labelSelector.matchLabels).toEqual(module.podLabels);
    expect(values.controller.podDisruptionBudget).toEqual({ enabled: true, maxUnavailable: 1 });
    expect(values.controller.resources).toMatchObject({
      requests: { cpu: '100m', memory: '128Mi' },
    });
    expect(synth({ ...base, replicas: 3 }).values.controller.replicaCount).toBe(3);
    expect(() => synth({ ...base, replicas: 1 })).toThrow(/at least 2/);
  });

  it("exposes the controller's pod labels and namespace for the app's NetworkPolicy", () => {
    const { module } = synth({ ...base, releaseName: 'edge' });
    expect(module.podLabels).toEqual({
      'app.kubernetes.io/name': 'nginx-ingress',
      'app.kubernetes.io/instance': 'edge',
    });
    expect(module.ingressClassName).toBe('nginx');
    expect(module.namespace).toMatch(/\$\{TfToken\[/);
  });

  it('keeps the controller hardened and quiet: read-only root fs, no CRDs or snippets, no telemetry', () => {
    const { values } = synth(base);
    expect(values.controller.readOnlyRootFilesystem).toBe(true);
    // ...which adds the chart's init container: it gets requests and limits too.
    expect(values.controller.initContainerResources).toEqual({
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '500m', memory: '128Mi' },
    });
    expect(values.controller.enableCustomResources).toBe(false);
    expect(values.controller.enableSnippets).toBe(false);
    expect(values.controller.telemetryReporting).toEqual({ enable: false });
  });
});
