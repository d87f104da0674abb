/**
 * The endpoint keys of the AWS provider's `endpoints` block, read from the provider's own schema
 * (`terraform providers schema -json`), so the emulator copy points every service the provider
 * knows at the emulator, including those of resource types added to the stacks later. Some keys
 * are aliases of one another (`msk`/`kafka`); setting both makes every plan print a warning, so
 * the provider is asked once which ones clash and only the first of each group is kept. This
 * takes a while, so the list is cached per provider binary.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsPackagePath } from './prerequisites';
import { EMULATOR_PROVIDER_VERSION } from './provider-compat';
import { terraform, tail, type TerraformRunner } from './terraform-cli';

interface SchemaDocument {
  provider_schemas?: Record<
    string,
    {
      provider?: {
        block?: {
          block_types?: Record<string, { block?: { attributes?: Record<string, unknown> } }>;
        };
      };
    }
  >;
}

/**
 * Alias groups from `terraform plan -json` output: each "Invalid Attribute Combination"
 * diagnostic names the endpoint keys of one service.
 */
export function endpointAliasGroups(planJsonLines: string): string[][] {
  const groups: string[][] = [];
  for (const line of planJsonLines.split('\n')) {
    if (!line.includes('Invalid Attribute Combination')) continue;
    const detail =
      (JSON.parse(line) as { diagnostic?: { detail?: string } }).diagnostic?.detail ?? '';
    const keys = [...detail.matchAll(/"endpoints\[0\]\.([a-z0-9_]+)"/g)].map((m) => m[1] as string);
    if (keys.length > 1) groups.push(keys);
  }
  return groups;
}

/** Keys without the aliases: the first key of each group stays. */
export function withoutAliases(keys: readonly string[], groups: readonly string[][]): string[] {
  const drop = new Set(groups.flatMap((group) => group.slice(1)));
  return keys.filter((key) => !drop.has(key));
}

/** Endpoint keys from a `terraform providers schema -json` document. */
export function endpointKeysFromSchema(schema: SchemaDocument): string[] {
  const aws = schema.provider_schemas?.['registry.terraform.io/hashicorp/aws'];
  const keys = Object.keys(aws?.provider?.block?.block_types?.endpoints?.block?.attributes ?? {});
  if (keys.length === 0) throw new Error('the AWS provider schema lists no endpoint keys');
  return keys.sort();
}

/** The one provider both scratch configurations install, from the mirror. */
const MIRRORED_AWS_PROVIDER = {
  required_providers: { aws: { source: 'hashicorp/aws', version: EMULATOR_PROVIDER_VERSION } },
};

export async function awsEndpointKeys(
  runner: TerraformRunner,
  mirror: string,
  scratch: string,
): Promise<string[]> {
  const binaryDir = awsPackagePath(mirror);
  const stats = statSync(binaryDir);
  const cacheDir = join(tmpdir(), 'hello-platform-terraform-harness');
  const cacheFile = join(
    cacheDir,
    `aws-${EMULATOR_PROVIDER_VERSION}-endpoints-unaliased-${stats.ino}-${stats.mtimeMs}.json`,
  );
  if (existsSync(cacheFile)) return JSON.parse(readFileSync(cacheFile, 'utf8')) as string[];

  mkdirSync(scratch, { recursive: true });
  writeFileSync(
    join(scratch, 'main.tf.json'),
    JSON.stringify({
      terraform: MIRRORED_AWS_PROVIDER,
    }),
  );
  const init = await terraform(runner, scratch, ['init', '-input=false', '-no-color']);
  if (init.code !== 0) throw new Error(`terraform init from the mirror failed:\n${tail(init)}`);
  const schema = await terraform(runner, scratch, ['providers', 'schema', '-json']);
  if (schema.code !== 0) throw new Error(`terraform providers schema failed:\n${tail(schema)}`);
  const all = endpointKeysFromSchema(JSON.parse(schema.stdout) as SchemaDocument);

  // A data source that makes no API call, so the plan configures the provider and nothing else.
  writeFileSync(
    join(scratch, 'main.tf.json'),
    JSON.stringify({
      terraform: MIRRORED_AWS_PROVIDER,
      provider: {
        aws: {
          region: 'us-east-1',
          skip_credentials_validation: true,
          skip_requesting_account_id: true,
          skip_metadata_api_check: true,
          endpoints: [Object.fromEntries(all.map((key) => [key, 'http://127.0.0.1:9']))],
        },
      },
      data: { aws_partition: { here: {} } },
    }),
  );
  const plan = await terraform(runner, scratch, ['plan', '-json', '-input=false', '-no-color']);
  if (plan.code !== 0)
    throw new Error(`terraform plan of the endpoint probe failed:\n${tail(plan)}`);
  const keys = withoutAliases(all, endpointAliasGroups(plan.stdout));
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(cacheFile, JSON.stringify(keys));
  return keys;
}
