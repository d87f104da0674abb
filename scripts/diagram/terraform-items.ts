/**
 * The synthesized Terraform JSON seen as a flat list of items (managed resources and data sources),
 * each placed in the construct tree by the path cdktf records in its `//.metadata.path`, plus the
 * references between them as Terraform would resolve them.
 */
import type { TerraformJson } from '../../policy/types';

export interface TerraformItem {
  readonly stack: string;
  readonly mode: 'resource' | 'data';
  readonly type: string;
  readonly name: string;
  /** Terraform address: `type.name`, or `data.type.name` for a data source. */
  readonly address: string;
  /** Construct path segments below the stack (`prod-infra/eks/cluster` → `['eks', 'cluster']`). */
  readonly path: readonly string[];
  /** The item's configuration without cdktf's `//` metadata. */
  readonly config: Record<string, unknown>;
}

interface Metadata {
  metadata?: { path?: string };
}

/** Every resource and data source of a stack, in a stable order (type, then name). */
export function itemsOf(stack: string, json: TerraformJson): TerraformItem[] {
  const items: TerraformItem[] = [];
  const collect = (
    mode: TerraformItem['mode'],
    blocks: Record<string, Record<string, Record<string, unknown>>> | undefined,
  ): void => {
    for (const type of Object.keys(blocks ?? {}).sort()) {
      const byName = blocks?.[type] ?? {};
      for (const name of Object.keys(byName).sort()) {
        const { '//': meta, ...config } = byName[name] ?? {};
        const constructPath = (meta as Metadata | undefined)?.metadata?.path;
        const segments = constructPath ? constructPath.split('/') : [stack, name];
        // The first segment is the stack itself.
        items.push({
          stack,
          mode,
          type,
          name,
          address: mode === 'data' ? `data.${type}.${name}` : `${type}.${name}`,
          path: segments.slice(1),
          config,
        });
      }
    }
  };
  collect('resource', json.resource);
  collect('data', json.data);
  return items;
}

/**
 * `type.name` / `data.type.name` tokens in a piece of configuration. Terraform expressions may nest
 * braces (`${{ for k, v in tolist(aws_x.y.z) : ... }}`), so the whole serialized text is scanned and
 * callers keep only the tokens that name a declared item; `depends_on` entries are found the same way.
 */
const ADDRESS_TOKEN = /(?<![\w.-])(?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z0-9_-]+/g;

/** `data.terraform_remote_state.<name>.outputs.<output>`: a value read from another stack. */
const REMOTE_OUTPUT = /data\.terraform_remote_state\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g;

export function addressTokens(value: unknown): Set<string> {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  return new Set(text.match(ADDRESS_TOKEN) ?? []);
}

export interface RemoteOutputRef {
  /** Name of the `terraform_remote_state` data source (cdktf: `cross-stack-reference-input-<stack>`). */
  readonly remoteState: string;
  readonly output: string;
}

export function remoteOutputRefs(value: unknown): RemoteOutputRef[] {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  const found = new Map<string, RemoteOutputRef>();
  for (const match of text.matchAll(REMOTE_OUTPUT)) {
    const [, remoteState = '', output = ''] = match;
    found.set(`${remoteState}/${output}`, { remoteState, output });
  }
  return [...found.values()];
}
