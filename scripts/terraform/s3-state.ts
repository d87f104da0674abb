/**
 * The S3 backend round trip: one stack keeps its own `backend "s3"` block (bucket, key, region,
 * encrypt, kms_key_id = the bootstrap key's alias, use_lockfile) and gets only the emulator's
 * endpoints and the checks a fake account cannot pass through `-backend-config`, so its state
 * lands in the bucket `bootstrap` created. Checked through the SDK: the state object is SSE-KMS
 * under the key behind the alias, Terraform took and released its lock file (its versions in the
 * versioned bucket), and a lock held by someone else stops Terraform.
 */
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EmulatorClients } from './aws-clients';
import { isNotFound } from './leftovers';
import type { TerraformJson } from './terraform-json';

export interface S3BackendSettings {
  readonly bucket: string;
  readonly key: string;
  readonly region: string;
  readonly kms_key_id?: string;
  readonly encrypt?: boolean;
  readonly use_lockfile?: boolean;
}

export function s3Backend(json: TerraformJson): S3BackendSettings {
  const backend = (json.terraform?.backend as { s3?: S3BackendSettings } | undefined)?.s3;
  if (!backend) throw new Error('the stack has no s3 backend');
  return backend;
}

/**
 * Writes the `-backend-config` file: endpoints, path-style addressing and the account checks a
 * fake account cannot pass. Everything else comes from the stack's own backend block.
 */
export function writeBackendOverrides(dir: string, endpoint: string): string {
  const file = join(dir, 'emulator.s3.tfbackend');
  writeFileSync(
    file,
    [
      "# Emulator endpoints only; bucket, key, region, encryption and locking are the stack's own.",
      `endpoints = { s3 = "${endpoint}", sts = "${endpoint}", iam = "${endpoint}" }`,
      'use_path_style              = true',
      'skip_credentials_validation = true',
      'skip_requesting_account_id  = true',
      'skip_metadata_api_check     = true',
      'skip_region_validation      = true',
      '',
    ].join('\n'),
  );
  return file;
}

/** Problems with the state object and its lock file (empty when all is as configured). */
export async function checkStateObject(
  clients: EmulatorClients,
  backend: S3BackendSettings,
): Promise<{ problems: string[]; facts: string[] }> {
  const c = clients.region(backend.region);
  const problems: string[] = [];
  const facts: string[] = [];
  const head = await c.s3.send(new HeadObjectCommand({ Bucket: backend.bucket, Key: backend.key }));
  if (head.ServerSideEncryption !== 'aws:kms') {
    problems.push(
      `state object is encrypted with ${head.ServerSideEncryption ?? 'nothing'}, not aws:kms`,
    );
  }
  if (backend.kms_key_id) {
    const key = await c.kms.send(new DescribeKeyCommand({ KeyId: backend.kms_key_id }));
    const wanted = key.KeyMetadata?.Arn;
    const used = head.SSEKMSKeyId ?? '';
    // S3 answers with the key ARN; moto echoes what the writer sent (here the alias).
    const accepted = [wanted, key.KeyMetadata?.KeyId, backend.kms_key_id].filter(Boolean);
    if (!wanted || !accepted.includes(used)) {
      problems.push(
        `state object uses KMS key ${used || '(none)'}, not ${backend.kms_key_id} (${wanted})`,
      );
    } else {
      facts.push(
        `s3://${backend.bucket}/${backend.key} is SSE-KMS under ${backend.kms_key_id} (${wanted})`,
      );
    }
  }
  if (backend.use_lockfile) {
    const lockKey = `${backend.key}.tflock`;
    const versions = await c.s3.send(
      new ListObjectVersionsCommand({ Bucket: backend.bucket, Prefix: lockKey }),
    );
    const written = (versions.Versions ?? []).filter((v) => v.Key === lockKey).length;
    const released = (versions.DeleteMarkers ?? []).filter((m) => m.Key === lockKey).length;
    const current = await c.s3
      .send(new HeadObjectCommand({ Bucket: backend.bucket, Key: lockKey }))
      .then(() => true)
      .catch((error: unknown) => {
        if (isNotFound(error)) return false;
        throw error;
      });
    if (written === 0) problems.push(`no lock file ${lockKey} was ever written (use_lockfile)`);
    if (current) problems.push(`lock file ${lockKey} is still there after the run`);
    if (written > 0 && !current) {
      facts.push(`lock file taken ${written}× and released ${released}× (use_lockfile)`);
    }
  }
  return { problems, facts };
}

/**
 * Waits until the backend's bucket is versioned and its KMS alias resolves: all the round trip
 * needs, there long before bootstrap's apply ends (its lifecycle waiter alone takes a minute).
 * Resolves false once `stop()` says bootstrap will not get there.
 */
export async function waitForBackend(
  clients: EmulatorClients,
  backend: S3BackendSettings,
  stop: () => boolean,
  intervalMs = 2_000,
): Promise<boolean> {
  const c = clients.region(backend.region);
  while (!stop()) {
    try {
      const versioning = await c.s3.send(
        new GetBucketVersioningCommand({ Bucket: backend.bucket }),
      );
      if (versioning.Status === 'Enabled') {
        if (backend.kms_key_id) {
          await c.kms.send(new DescribeKeyCommand({ KeyId: backend.kms_key_id }));
        }
        return true;
      }
    } catch {
      // No bucket or alias yet.
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return false;
}

/** Holds the stack's lock as another user would; returns a function that releases it. */
export async function holdForeignLock(
  clients: EmulatorClients,
  backend: S3BackendSettings,
): Promise<() => Promise<void>> {
  const c = clients.region(backend.region);
  const lockKey = `${backend.key}.tflock`;
  await c.s3.send(
    new PutObjectCommand({
      Bucket: backend.bucket,
      Key: lockKey,
      Body: JSON.stringify({
        ID: '00000000-0000-0000-0000-000000000000',
        Operation: 'OperationTypeApply',
        Who: 'someone-else@ci',
        Version: '1.11.4',
        Created: new Date().toISOString(),
        Path: `${backend.bucket}/${backend.key}`,
      }),
      ContentType: 'application/json',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: backend.kms_key_id,
    }),
  );
  return async () => {
    await c.s3.send(new DeleteObjectCommand({ Bucket: backend.bucket, Key: lockKey }));
  };
}

/**
 * Deletes every version and delete marker under `prefix` (the stacks' state keys), so bootstrap's
 * bucket, which refuses `force_destroy`, can be destroyed: the README's teardown empties it too.
 */
export async function emptyPrefix(
  clients: EmulatorClients,
  region: string,
  bucket: string,
  prefix: string,
): Promise<number> {
  const c = clients.region(region);
  let deleted = 0;
  for (;;) {
    const page = await c.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix }));
    const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => ({
      Key: v.Key as string,
      VersionId: v.VersionId,
    }));
    if (objects.length === 0) return deleted;
    await c.s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects } }));
    deleted += objects.length;
  }
}
