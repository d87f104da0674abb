/** Small readers for literal values in synthesized Terraform JSON (expressions count as unknown). */
import { parse as parseYaml } from 'yaml';
import type { TerraformItem } from './terraform-items';

/** A literal string (not a `${...}` expression), else undefined. */
export function literal(value: unknown): string | undefined {
  if (typeof value === 'string' && !value.includes('${')) return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** A literal number (cdktf sometimes writes numbers as strings), else undefined. */
export function literalNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value)) return Number(value);
  return undefined;
}

/** Terraform JSON blocks may be an object or a list of objects: always a list. */
export function blocks(value: unknown): Record<string, unknown>[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).filter(
    (entry): entry is Record<string, unknown> => typeof entry === 'object' && entry !== null,
  );
}

/** The first block of a nested block attribute (`scaling_config`, `vpc_config`, ...). */
export function block(value: unknown): Record<string, unknown> {
  return blocks(value)[0] ?? {};
}

export function ofType(items: readonly TerraformItem[], type: string): TerraformItem[] {
  return items.filter((item) => item.type === type);
}

/** `1 thing` / `3 things`. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/**
 * The parsed values documents of a `helm_release` (`values` is a list of YAML/JSON strings),
 * merged shallowly in order as Helm would for top-level keys.
 */
export function helmValues(item: TerraformItem): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  const documents = Array.isArray(item.config.values) ? item.config.values : [];
  for (const document of documents) {
    if (typeof document !== 'string') continue;
    try {
      const parsed: unknown = parseYaml(document);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        Object.assign(merged, parsed);
      }
    } catch {
      // A values document that is not plain YAML (e.g. a templatefile expression) says nothing.
    }
  }
  return merged;
}

/** Every value stored under a key matching `key` anywhere in a nested structure, depth first. */
export function findKeys(value: unknown, key: RegExp): unknown[] {
  const found: unknown[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
    } else if (node && typeof node === 'object') {
      for (const [name, child] of Object.entries(node)) {
        if (key.test(name)) found.push(child);
        walk(child);
      }
    }
  };
  walk(value);
  return found;
}
