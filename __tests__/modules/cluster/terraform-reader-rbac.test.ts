import {
  TERRAFORM_READER_GROUP,
  TerraformReaderRbac,
} from '../../../modules/cluster/terraform-reader-rbac';
import { resourcesOf, synthConstructs } from '../../helpers/synth';

interface Rule {
  api_groups: string[];
  resources: string[];
  verbs: string[];
}

describe('TerraformReaderRbac', () => {
  const { json } = synthConstructs(
    (scope) =>
      new TerraformReaderRbac(scope, 'reader', {
        releaseNamespaces: [
          { id: 'app', name: 'sample-app' },
          { id: 'ingress', name: 'nginx-ingress' },
        ],
      }),
  );

  it('lets the reader group read Secrets of the release namespaces only, never write', () => {
    const roles = Object.values(resourcesOf(json, 'kubernetes_role_v1'));
    expect(roles).toHaveLength(2);
    expect(roles.map((r) => (r.metadata as { namespace: string }).namespace)).toEqual([
      'sample-app',
      'nginx-ingress',
    ]);
    for (const role of roles) {
      expect(role.rule).toEqual([
        { api_groups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] },
      ]);
    }
    const bindings = Object.values(resourcesOf(json, 'kubernetes_role_binding_v1'));
    expect(bindings).toHaveLength(2);
    for (const binding of bindings) {
      expect(binding.subject).toEqual([
        { kind: 'Group', name: TERRAFORM_READER_GROUP, api_group: 'rbac.authorization.k8s.io' },
      ]);
      expect(binding.role_ref).toMatchObject({ kind: 'Role' });
    }
  });

  it('adds the one cluster-scoped read the view policy lacks: StorageClasses', () => {
    const [clusterRole] = Object.values(resourcesOf(json, 'kubernetes_cluster_role_v1'));
    expect(clusterRole?.rule).toEqual([
      {
        api_groups: ['storage.k8s.io'],
        resources: ['storageclasses'],
        verbs: ['get', 'list', 'watch'],
      },
    ]);
    const verbs = [
      ...Object.values(resourcesOf(json, 'kubernetes_cluster_role_v1')),
      ...Object.values(resourcesOf(json, 'kubernetes_role_v1')),
    ].flatMap((r) => (r.rule as Rule[]).flatMap((rule) => rule.verbs));
    expect(verbs.length).toBeGreaterThan(0);
    expect([...new Set(verbs)].sort()).toEqual(['get', 'list', 'watch']);
    const [binding] = Object.values(resourcesOf(json, 'kubernetes_cluster_role_binding_v1'));
    expect(JSON.stringify(binding?.subject)).toContain(TERRAFORM_READER_GROUP);
  });

  it('rejects two namespaces with one id (their addresses would collide)', () => {
    expect(() =>
      synthConstructs(
        (scope) =>
          new TerraformReaderRbac(scope, 'reader', {
            releaseNamespaces: [
              { id: 'app', name: 'a' },
              { id: 'app', name: 'b' },
            ],
          }),
      ),
    ).toThrow(/unique/);
  });
});
