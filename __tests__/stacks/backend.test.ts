import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import type { BackendConfig } from '../../config';
import { cloudWorkspaceName, configureBackend } from '../../stacks/backend';
import { LOCAL_STATE_DIR } from '../../stacks/names';
import type { TerraformJson } from '../../policy/types';

const context = {
  projectName: 'hello',
  stateBucketName: 'acme-tfstate',
  stateBucketRegion: 'eu-west-1',
};

/**
 * Synthesizes a producer stack and a consumer stack that reads one of the producer's attributes
 * (a cross-stack reference), both on the given backend, and returns both documents.
 */
function synthPair(backend: BackendConfig): {
  producer: TerraformJson;
  consumer: TerraformJson;
  outdir: string;
} {
  const outdir = mkdtempSync(path.join(tmpdir(), 'backend-'));
  const app = new App({ outdir, skipValidation: true });
  const producer = new TerraformStack(app, 'dev-infra');
  configureBackend(producer, backend, context);
  new AwsProvider(producer, 'aws', { region: 'eu-west-1' });
  const bucket = new S3Bucket(producer, 'bucket', { bucket: 'produced' });

  const consumer = new TerraformStack(app, 'dev-workloads');
  configureBackend(consumer, backend, context);
  new AwsProvider(consumer, 'aws', { region: 'eu-west-1' });
  new SsmParameter(consumer, 'param', { name: '/bucket', type: 'String', value: bucket.arn });
  app.synth();

  const read = (stack: string) =>
    JSON.parse(
      readFileSync(path.join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'),
    ) as TerraformJson;
  return { producer: read('dev-infra'), consumer: read('dev-workloads'), outdir };
}

function remoteState(consumer: TerraformJson): Record<string, unknown> {
  const states = Object.values(
    (consumer.data?.terraform_remote_state ?? {}) as Record<string, Record<string, unknown>>,
  );
  expect(states).toHaveLength(1);
  return states[0]!;
}

const cleanup: string[] = [];
afterAll(() => cleanup.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('local backend', () => {
  it('uses a relative path that resolves to the same file from every stack directory', () => {
    const { producer, consumer, outdir } = synthPair({ type: 'local' });
    cleanup.push(outdir);
    const backendPath = (producer.terraform as { backend: { local: { path: string } } }).backend
      .local.path;
    expect(path.isAbsolute(backendPath)).toBe(false);

    const state = remoteState(consumer);
    expect(state).toMatchObject({ backend: 'local' });
    const remotePath = (state.config as { path: string }).path;
    // Terraform resolves both relative to its working directory, cdktf.out/stacks/<stack>.
    const fromProducer = path.resolve(outdir, 'stacks', 'dev-infra', backendPath);
    const fromConsumer = path.resolve(outdir, 'stacks', 'dev-workloads', remotePath);
    expect(fromConsumer).toBe(fromProducer);
    expect(fromProducer).toBe(path.resolve(outdir, '..', LOCAL_STATE_DIR, 'dev-infra.tfstate'));
  });

  it('exports the referenced attribute as an output of the producer', () => {
    const { producer, consumer, outdir } = synthPair({ type: 'local' });
    cleanup.push(outdir);
    const outputs = Object.values(producer.output ?? {}).map((output) => output.value);
    expect(outputs).toContain('${aws_s3_bucket.bucket.arn}');
    const param = Object.values(
      (consumer.resource?.aws_ssm_parameter ?? {}) as Record<string, { value: string }>,
    )[0]!;
    expect(param.value).toMatch(/^\$\{data\.terraform_remote_state\.[\w-]+\.outputs\.[\w-]+\}$/);
  });
});

describe('s3 backend', () => {
  it('stores each stack under its own key in the bootstrap bucket, encrypted, with S3-native locking', () => {
    const { producer, consumer, outdir } = synthPair({ type: 's3', keyPrefix: 'stacks' });
    cleanup.push(outdir);
    expect((producer.terraform as { backend: unknown }).backend).toEqual({
      s3: {
        bucket: 'acme-tfstate',
        key: 'stacks/dev-infra/terraform.tfstate',
        region: 'eu-west-1',
        encrypt: true,
        kms_key_id: 'alias/acme-tfstate',
        use_lockfile: true,
      },
    });
    const state = remoteState(consumer);
    expect(state).toMatchObject({
      backend: 's3',
      config: {
        bucket: 'acme-tfstate',
        key: 'stacks/dev-infra/terraform.tfstate',
        region: 'eu-west-1',
      },
    });
  });

  it('honours an explicit bucket and region', () => {
    const { producer, outdir } = synthPair({
      type: 's3',
      bucket: 'other',
      region: 'us-east-2',
      keyPrefix: '',
    });
    cleanup.push(outdir);
    expect(
      (producer.terraform as { backend: { s3: Record<string, unknown> } }).backend.s3,
    ).toMatchObject({
      bucket: 'other',
      region: 'us-east-2',
      key: 'dev-infra/terraform.tfstate',
    });
  });
});

describe('cloud backend', () => {
  const backend: BackendConfig = {
    type: 'cloud',
    organization: 'acme',
    workspacePrefix: 'hello',
    project: 'platform',
    hostname: 'app.terraform.io',
  };

  it('uses one named workspace per stack, and reads other stacks through the remote backend', () => {
    const { producer, consumer, outdir } = synthPair(backend);
    cleanup.push(outdir);
    expect((producer.terraform as { cloud: unknown }).cloud).toEqual({
      hostname: 'app.terraform.io',
      organization: 'acme',
      workspaces: { name: 'hello-dev-infra', project: 'platform' },
    });
    expect(remoteState(consumer)).toMatchObject({
      backend: 'remote',
      config: {
        organization: 'acme',
        hostname: 'app.terraform.io',
        workspaces: { name: 'hello-dev-infra' },
      },
    });
  });

  it('synthesizes without a terraform binary on the PATH', () => {
    const original = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const { outdir } = synthPair(backend);
      cleanup.push(outdir);
    } finally {
      process.env.PATH = original;
    }
  });

  it('names workspaces from the prefix, defaulting to the project name', () => {
    expect(cloudWorkspaceName(backend, 'hello', 'prod-infra')).toBe('hello-prod-infra');
    expect(
      cloudWorkspaceName({ ...backend, workspacePrefix: undefined }, 'proj', 'prod-infra'),
    ).toBe('proj-prod-infra');
    expect(cloudWorkspaceName({ type: 'local' }, 'hello', 'prod-infra')).toBeUndefined();
  });
});
