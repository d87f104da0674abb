import {
  emulatorCopy,
  gapMatches,
  liftDeletionProtection,
  protectedResources,
} from '../../scripts/terraform/emulator-copy';
import type { EmulatorGap } from '../../scripts/terraform/emulator-gaps';
import { EMULATOR_PROVIDER_VERSION } from '../../scripts/terraform/provider-compat';
import type { TerraformJson } from '../../scripts/terraform/terraform-json';
import {
  interpolations,
  referencedAddresses,
  resourceBlocks,
} from '../../scripts/terraform/terraform-json';

const tlsDeny = {
  sid: 'DenyInsecureTransport',
  effect: 'Deny',
  condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
};

/** A small stack in cdktf's JSON shape: a cluster, things that read it, a policy document. */
function stack(): TerraformJson {
  return {
    terraform: {
      backend: { s3: { bucket: 'b', key: 'k', region: 'eu-west-1' } },
      required_providers: { aws: { source: 'aws', version: '6.25.0' } },
    },
    provider: {
      aws: [
        { region: 'eu-west-1', allowed_account_ids: ['111111111111'] },
        { alias: 'us_east_1', region: 'us-east-1' },
      ],
    },
    data: {
      aws_region: { here: {} },
      aws_iam_policy_document: {
        bucket: { statement: [tlsDeny, { sid: 'Keep', effect: 'Deny' }] },
        topic: { statement: [tlsDeny] },
        addon_doc: { statement: [{ resources: ['${aws_eks_addon.cni.arn}'] }] },
      },
    },
    resource: {
      aws_eks_cluster: {
        main: {
          name: 'c',
          deletion_protection: true,
          region_name: '${data.aws_region.here.region}',
        },
      },
      aws_eks_addon: { cni: { cluster_name: '${aws_eks_cluster.main.name}' } },
      aws_eks_node_group: { ng: { depends_on: ['aws_eks_addon.cni', 'aws_eks_cluster.main'] } },
      aws_iam_role_policy: { addon: { policy: '${data.aws_iam_policy_document.addon_doc.json}' } },
      aws_vpc_security_group_ingress_rule: {
        nodes: {
          security_group_id: '${aws_eks_cluster.main.vpc_config[0].cluster_security_group_id}',
        },
      },
      aws_s3_bucket_policy: { p: { policy: '${data.aws_iam_policy_document.bucket.json}' } },
      aws_sns_topic_policy: { p: { policy: '${data.aws_iam_policy_document.topic.json}' } },
      aws_lb: { alb: { enable_deletion_protection: true } },
      aws_db_instance: { db: { deletion_protection: false } },
    },
    output: {
      addon: { value: '${aws_eks_addon.cni.arn}' },
      cluster: { value: '${aws_eks_cluster.main.arn}' },
    },
  };
}

const gaps: EmulatorGap[] = [
  {
    id: 'addons',
    match: { kind: 'resource-type', type: 'aws_eks_addon' },
    emulatorError: 'e',
    why: 'w',
  },
  {
    id: 'cluster-sg',
    match: {
      kind: 'reference',
      type: 'aws_eks_cluster',
      attribute: 'vpc_config[0].cluster_security_group_id',
    },
    emulatorError: 'e',
    why: 'w',
  },
  {
    id: 'access',
    match: { kind: 'ignore-changes', type: 'aws_eks_cluster', attributes: ['access_config'] },
    emulatorError: 'e',
    why: 'w',
  },
  {
    id: 'tls',
    match: { kind: 'conditional-deny', usedBy: 'aws_s3_bucket_policy' },
    emulatorError: 'e',
    why: 'w',
  },
];

const options = {
  endpoint: 'http://127.0.0.1:1',
  endpointKeys: ['ec2', 'eks', 's3'],
  backend: 'local' as const,
  accountId: '123456789012',
  gaps,
};

describe('emulator copy', () => {
  it('excludes gap types and everything that reads them, and says why', () => {
    const copy = emulatorCopy(stack(), options);
    expect(copy.total).toBe(9);
    expect(copy.excluded.map((e) => [e.address, e.gap, e.via])).toEqual([
      ['aws_eks_addon.cni', 'addons', undefined],
      ['aws_vpc_security_group_ingress_rule.nodes', 'cluster-sg', undefined],
      // Reads the add-on through a policy document, which goes too.
      ['aws_iam_role_policy.addon', 'addons', 'data.aws_iam_policy_document.addon_doc'],
    ]);
    expect(copy.excludedData).toEqual(['data.aws_iam_policy_document.addon_doc']);
    expect(copy.excludedOutputs).toEqual(['addon']);
    expect(copy.json.resource?.aws_eks_addon).toBeUndefined();
    expect(copy.json.output?.cluster).toBeDefined();
    // depends_on keeps what still exists.
    expect(copy.json.resource?.aws_eks_node_group?.ng?.depends_on).toEqual([
      'aws_eks_cluster.main',
    ]);
    expect(copy.gapsUsed.sort()).toEqual(['access', 'addons', 'cluster-sg', 'tls']);
  });

  it('adds ignore_changes and drops statements only where the gap says', () => {
    const copy = emulatorCopy(stack(), options);
    expect(copy.json.resource?.aws_eks_cluster?.main?.lifecycle).toEqual({
      ignore_changes: ['access_config'],
    });
    const docs = copy.json.data?.aws_iam_policy_document ?? {};
    // An unconditional Deny stays: the emulator evaluates those right.
    expect(docs.bucket?.statement).toEqual([{ sid: 'Keep', effect: 'Deny' }]);
    // The SNS topic policy keeps its statement: the gap is about bucket policies.
    expect(docs.topic?.statement).toEqual([tlsDeny]);
    expect(copy.droppedStatements).toEqual([
      { address: 'data.aws_iam_policy_document.bucket', sid: 'DenyInsecureTransport', gap: 'tls' },
    ]);
  });

  it('points every provider at the emulator, pins the mirror version and maps 6.x constructs', () => {
    const copy = emulatorCopy(stack(), options);
    const providers = copy.json.provider?.aws as Array<Record<string, unknown>>;
    expect(providers).toHaveLength(2);
    for (const provider of providers) {
      expect(provider.endpoints).toEqual([
        { ec2: options.endpoint, eks: options.endpoint, s3: options.endpoint },
      ]);
      expect(provider).toMatchObject({
        skip_credentials_validation: true,
        skip_metadata_api_check: true,
        s3_use_path_style: true,
        max_retries: 2,
      });
    }
    expect(providers[0]?.allowed_account_ids).toEqual(['123456789012']);
    expect(copy.json.terraform?.required_providers).toEqual({
      aws: { source: 'hashicorp/aws', version: EMULATOR_PROVIDER_VERSION },
    });
    const cluster = copy.json.resource?.aws_eks_cluster?.main ?? {};
    expect(cluster.region_name).toBe('${data.aws_region.here.name}');
    expect(cluster).not.toHaveProperty('deletion_protection');
    expect(copy.mappings).toEqual([
      { id: 'data-aws-region-region', changes: 1 },
      { id: 'eks-cluster-deletion-protection', changes: 1 },
    ]);
  });

  it('replaces the backend by local state, or keeps it for the S3 round trip', () => {
    expect(emulatorCopy(stack(), options).json.terraform?.backend).toEqual({
      local: { path: 'terraform.tfstate' },
    });
    expect(emulatorCopy(stack(), { ...options, backend: 'keep' }).json.terraform?.backend).toEqual({
      s3: { bucket: 'b', key: 'k', region: 'eu-west-1' },
    });
  });

  it('leaves an attribute it has no mapping for alone, so validate names it', () => {
    const source = stack();
    (source.resource!.aws_eks_cluster!.main as Record<string, unknown>).brand_new_in_6x = true;
    const copy = emulatorCopy(source, options);
    expect(copy.json.resource?.aws_eks_cluster?.main?.brand_new_in_6x).toBe(true);
  });

  it('leaves out what uses a policy the gap emptied', () => {
    const source = stack();
    source.data!.aws_iam_policy_document!.bucket!.statement = [tlsDeny];
    const copy = emulatorCopy(source, options);
    expect(copy.excludedData).toContain('data.aws_iam_policy_document.bucket');
    expect(copy.excluded.find((e) => e.address === 'aws_s3_bucket_policy.p')).toEqual({
      address: 'aws_s3_bucket_policy.p',
      type: 'aws_s3_bucket_policy',
      gap: 'tls',
      via: 'data.aws_iam_policy_document.bucket',
    });
  });

  it('lifts deletion protection only where it is on', () => {
    const json = emulatorCopy(stack(), options).json;
    expect(protectedResources(json)).toEqual(['aws_lb.alb']);
    const lifted = liftDeletionProtection(json);
    expect(protectedResources(lifted)).toEqual([]);
    expect(lifted.resource?.aws_lb?.alb?.enable_deletion_protection).toBe(false);
    expect(json.resource?.aws_lb?.alb?.enable_deletion_protection).toBe(true);
  });

  it('matches gaps without changing the document', () => {
    const source = stack();
    const before = JSON.stringify(source);
    expect(gapMatches(source, gaps[1]!)).toEqual(['aws_vpc_security_group_ingress_rule.nodes']);
    expect(gapMatches(source, gaps[3]!)).toEqual(['data.aws_iam_policy_document.bucket']);
    expect(JSON.stringify(source)).toBe(before);
  });
});

describe('terraform JSON helpers', () => {
  it('finds interpolations with nested braces and only known addresses', () => {
    const text = 'a-${jsonencode({x = aws_s3_bucket.b.arn})}-${var.x}-${data.aws_region.r.name}';
    expect(interpolations(text)).toEqual([
      'jsonencode({x = aws_s3_bucket.b.arn})',
      'var.x',
      'data.aws_region.r.name',
    ]);
    const known = new Set(['aws_s3_bucket.b', 'data.aws_region.r']);
    expect(referencedAddresses(text, known).sort()).toEqual([
      'aws_s3_bucket.b',
      'data.aws_region.r',
    ]);
    expect(referencedAddresses('aws_s3_bucket.b.arn (no interpolation)', known)).toEqual([]);
  });

  it('lists resource blocks with their addresses', () => {
    const blocks = resourceBlocks(stack());
    expect(blocks).toHaveLength(9);
    expect(blocks[0]).toMatchObject({ address: 'aws_eks_cluster.main', type: 'aws_eks_cluster' });
  });
});
