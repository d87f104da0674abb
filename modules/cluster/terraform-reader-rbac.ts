import { Construct } from 'constructs';
import { ClusterRoleBindingV1 } from '@cdktf/provider-kubernetes/lib/cluster-role-binding-v1';
import { ClusterRoleV1 } from '@cdktf/provider-kubernetes/lib/cluster-role-v1';
import { RoleBindingV1 } from '@cdktf/provider-kubernetes/lib/role-binding-v1';
import { RoleV1 } from '@cdktf/provider-kubernetes/lib/role-v1';

/**
 * Kubernetes group of the principals that refresh the workloads stacks read-only (the CI role that
 * plans main). Their EKS access entry puts them in it; `AmazonEKSViewPolicy` gives them the rest.
 */
export const TERRAFORM_READER_GROUP = 'terraform-readers';

/** A namespace that holds Helm releases, with a stable id for its Role's address. */
export interface ReleaseNamespace {
  /** Construct id suffix, e.g. `app` (keep it stable: it is part of the Terraform address). */
  readonly id: string;
  /** Namespace name (a reference to the namespace resource, so the Role waits for it). */
  readonly name: string;
}

export interface TerraformReaderRbacProps {
  /** Namespaces the stack installs Helm releases into; each gets a Role reading its Secrets. */
  readonly releaseNamespaces: ReleaseNamespace[];
  /** Group to bind. Default: `TERRAFORM_READER_GROUP`. */
  readonly group?: string;
}

const READ = ['get', 'list', 'watch'];

/**
 * What a read-only Terraform refresh of a workloads stack needs beyond `AmazonEKSViewPolicy`:
 *
 * - Secrets of the namespaces that hold Helm releases: the helm provider reads a release from its
 *   storage Secret (`sh.helm.release.v1.<name>.v<revision>`, found by label). RBAC cannot select
 *   Secrets by label or type, and revision names change on every upgrade, so the Role reads every
 *   Secret of those namespaces and of no other: keep credentials out of release namespaces where
 *   possible (the API uses RDS IAM authentication; in `in-cluster` mode the CloudNativePG app
 *   secret lives in the app namespace and is readable by this group).
 * - StorageClasses (cluster-scoped, not in the view policy).
 *
 * No verb beyond get/list/watch is granted.
 */
export class TerraformReaderRbac extends Construct {
  /** Namespaces whose Secrets the group may read (as given). */
  public readonly secretNamespaces: string[];

  constructor(scope: Construct, id: string, props: TerraformReaderRbacProps) {
    super(scope, id);
    const group = props.group ?? TERRAFORM_READER_GROUP;
    const ids = props.releaseNamespaces.map((namespace) => namespace.id);
    if (new Set(ids).size !== ids.length) {
      throw new Error(`TerraformReaderRbac: namespace ids must be unique, got ${ids.join(', ')}`);
    }
    const subject = [{ kind: 'Group', name: group, apiGroup: 'rbac.authorization.k8s.io' }];
    const labels = { 'app.kubernetes.io/managed-by': 'terraform' };

    const clusterRole = new ClusterRoleV1(this, 'cluster-role', {
      metadata: { name: 'terraform-reader', labels },
      rule: [{ apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: READ }],
    });
    new ClusterRoleBindingV1(this, 'cluster-role-binding', {
      metadata: { name: 'terraform-reader', labels },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: clusterRole.metadata.name,
      },
      subject,
    });

    for (const namespace of props.releaseNamespaces) {
      const role = new RoleV1(this, `helm-releases-${namespace.id}`, {
        metadata: { name: 'terraform-reader-helm-releases', namespace: namespace.name, labels },
        rule: [{ apiGroups: [''], resources: ['secrets'], verbs: READ }],
      });
      new RoleBindingV1(this, `helm-releases-${namespace.id}-binding`, {
        metadata: { name: 'terraform-reader-helm-releases', namespace: namespace.name, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name },
        subject,
      });
    }
    this.secretNamespaces = props.releaseNamespaces.map((namespace) => namespace.name);
  }
}
