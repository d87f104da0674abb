/**
 * The stacks are synthesized for AWS provider 6.x (`@cdktf/provider-aws` 21.22.1 = 6.25.0); the
 * machines' provider mirror holds 5.100.0. This table lists every construct of the synthesized
 * JSON that 5.x spells differently or lacks, and how the emulator copy maps it. Nothing else is
 * touched: any other 6.x-only argument or attribute makes `terraform validate` fail and name it,
 * and then belongs here (with a test) or in the code.
 */
import { clone, mapStrings, type TerraformJson } from './terraform-json';

/** The provider version the mirror holds and the emulator copy pins. */
export const EMULATOR_PROVIDER_VERSION = '5.100.0';

export interface ProviderMapping {
  readonly id: string;
  /** What the 6.x JSON contains. */
  readonly provider6: string;
  /** What the emulator copy has instead. */
  readonly provider5: string;
  readonly why: string;
  /** Rewrites a document in place; returns how many places it changed. */
  apply(json: TerraformJson): number;
}

const REGION_ATTRIBUTE = /\bdata\.aws_region\.([A-Za-z0-9_-]+)\.region\b/g;

export const PROVIDER_MAPPINGS: readonly ProviderMapping[] = [
  {
    id: 'data-aws-region-region',
    provider6: 'data.aws_region.<name>.region',
    provider5: 'data.aws_region.<name>.name',
    why: '6.0 renamed the attribute (and deprecated `name`); 5.x only has `name`.',
    apply(json) {
      let changes = 0;
      for (const section of ['resource', 'data', 'output', 'provider', 'locals'] as const) {
        if (json[section] === undefined) continue;
        json[section] = mapStrings(json[section], (text) =>
          text.replace(REGION_ATTRIBUTE, (_match, name: string) => {
            changes += 1;
            return `data.aws_region.${name}.name`;
          }),
        ) as never;
      }
      return changes;
    },
  },
  {
    id: 'eks-cluster-deletion-protection',
    provider6: 'aws_eks_cluster.deletion_protection',
    provider5: '(argument removed)',
    why:
      'EKS deletion protection arrived in provider 6.x; 5.x has no such argument. The emulator ' +
      'cluster is therefore never protected, which also lifts the protection for destroy.',
    apply(json) {
      let changes = 0;
      for (const config of Object.values(json.resource?.aws_eks_cluster ?? {})) {
        if ('deletion_protection' in config) {
          delete config.deletion_protection;
          changes += 1;
        }
      }
      return changes;
    },
  },
];

export interface MappingUse {
  readonly id: string;
  readonly changes: number;
}

/** Applies every mapping to a copy of the document; reports how often each one matched. */
export function applyProviderMappings(
  json: TerraformJson,
  mappings: readonly ProviderMapping[] = PROVIDER_MAPPINGS,
): { json: TerraformJson; uses: MappingUse[] } {
  const copy = clone(json);
  const uses = mappings.map((mapping) => ({ id: mapping.id, changes: mapping.apply(copy) }));
  return { json: copy, uses };
}
