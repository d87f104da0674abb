/**
 * Creates, through the AWS SDK against the emulator, what a stack looks up instead of creating
 * (e.g. the public hosted zone in `lookup` DNS mode). Every data source type of a stack must be
 * either computed (nothing to seed) or have a seeder here, so a new lookup fails early and
 * clearly instead of as a "not found" deep inside a plan.
 */
import { CreateHostedZoneCommand, ListHostedZonesByNameCommand } from '@aws-sdk/client-route-53';
import type { EmulatorClients } from './aws-clients';
import { dataBlocks, type BlockRef, type TerraformJson } from './terraform-json';

/** Data sources answered from the credentials, the provider or pure functions. */
export const COMPUTED_DATA_SOURCES = new Set([
  'aws_caller_identity',
  'aws_partition',
  'aws_region',
  'aws_iam_policy_document',
  'aws_availability_zones',
  'terraform_remote_state',
]);

type Seeder = (block: BlockRef, clients: EmulatorClients, region: string) => Promise<string>;

const SEEDERS: Record<string, Seeder> = {
  async aws_route53_zone(block, clients, region) {
    const name = String(block.config.name ?? '');
    if (!name || block.config.private_zone === true || block.config.zone_id !== undefined) {
      throw new Error(`${block.address}: only public zones looked up by name can be seeded`);
    }
    const route53 = clients.region(region).route53;
    const fqdn = `${name.replace(/\.$/, '')}.`;
    const existing = await route53.send(new ListHostedZonesByNameCommand({ DNSName: fqdn }));
    if (existing.HostedZones?.some((zone) => zone.Name === fqdn && !zone.Config?.PrivateZone)) {
      return `hosted zone ${name} (already there)`;
    }
    await route53.send(
      new CreateHostedZoneCommand({ Name: name, CallerReference: `seed-${name}-${Date.now()}` }),
    );
    return `hosted zone ${name}`;
  },
};

/** Data source types of a stack that have neither a seeder nor are computed. */
export function unseedableDataSources(json: TerraformJson): string[] {
  return [
    ...new Set(
      dataBlocks(json)
        .map((block) => block.type)
        .filter((type) => !COMPUTED_DATA_SOURCES.has(type) && !(type in SEEDERS)),
    ),
  ];
}

/**
 * Seeds every looked-up object of a stack; returns what was seeded. Calls for the same object
 * from several stacks are idempotent, but run them one after another (no locking here).
 */
export async function seedStack(
  json: TerraformJson,
  clients: EmulatorClients,
  region: string,
): Promise<string[]> {
  const missing = unseedableDataSources(json);
  if (missing.length > 0) {
    throw new Error(
      `no seeder for data source type(s) ${missing.join(', ')}: add one to scripts/terraform/seed.ts`,
    );
  }
  const seeded: string[] = [];
  for (const block of dataBlocks(json)) {
    const seeder = SEEDERS[block.type];
    if (seeder) seeded.push(await seeder(block, clients, region));
  }
  return seeded;
}
