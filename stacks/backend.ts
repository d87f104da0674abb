import { CloudBackend, LocalBackend, NamedCloudWorkspace, S3Backend, TerraformStack } from 'cdktf';
import type { BackendConfig } from '../config';
import { stateBucketKeyAlias } from '../modules/account/state-bucket';
import { tfcWorkspaceName } from '../modules/tfc/tfc-workspaces';
import { LOCAL_STATE_DIR } from './names';

export interface BackendContext {
  /** Project name: the default Terraform Cloud workspace prefix. */
  readonly projectName: string;
  /** The bootstrap state bucket and its region: the S3 backend's defaults. */
  readonly stateBucketName: string;
  readonly stateBucketRegion: string;
}

/** The Terraform Cloud workspace a stack uses (`<prefix>-<stack>`), or undefined for other backends. */
export function cloudWorkspaceName(
  backend: BackendConfig,
  projectName: string,
  stackName: string,
): string | undefined {
  return backend.type === 'cloud'
    ? tfcWorkspaceName(backend.workspacePrefix ?? projectName, stackName)
    : undefined;
}

/**
 * Configures the stack's state backend from config. Every variant keeps cdktf's cross-stack
 * references working, because the consumer reads the producer's state through the same settings:
 * - `local`: a path relative to the stack's working directory (`cdktf.out/stacks/<stack>`). All
 *   stacks' working directories are siblings, so `../../../terraform-state/<stack>.tfstate` names
 *   the same file from the producer and from every consumer (cdktf's own default is an absolute
 *   path of the synthesizing machine, which breaks as soon as CI or a colleague runs the plan).
 * - `s3`: one key per stack in the bootstrap bucket, encrypted, with S3-native locking.
 * - `cloud`: one named workspace per stack (tagged workspaces cannot serve cross-stack references).
 */
export function configureBackend(
  stack: TerraformStack,
  backend: BackendConfig,
  context: BackendContext,
): void {
  const stackName = stack.node.id;
  switch (backend.type) {
    case 'local':
      new LocalBackend(stack, { path: `../../../${LOCAL_STATE_DIR}/${stackName}.tfstate` });
      return;
    case 's3': {
      const bucket = backend.bucket ?? context.stateBucketName;
      new S3Backend(stack, {
        bucket,
        key: `${backend.keyPrefix ? `${backend.keyPrefix}/` : ''}${stackName}/terraform.tfstate`,
        region: backend.region ?? context.stateBucketRegion,
        encrypt: true,
        // The bootstrap bucket only accepts SSE-KMS with its own key (see StateBucket).
        kmsKeyId: `alias/${stateBucketKeyAlias(bucket)}`,
      });
      // cdktf 0.21 predates S3-native locking (Terraform >= 1.10); DynamoDB locking is deprecated.
      stack.addOverride('terraform.backend.s3.use_lockfile', true);
      return;
    }
    case 'cloud':
      new CloudBackend(stack, {
        hostname: backend.hostname,
        organization: backend.organization,
        workspaces: new NamedCloudWorkspace(
          cloudWorkspaceName(backend, context.projectName, stackName)!,
          backend.project,
        ),
      });
      return;
  }
}
