/**
 * Small helpers over synthesized Terraform JSON: walking every string, finding the resources and
 * data sources an expression references, and listing a document's resource blocks.
 */
import type { TerraformJson } from '../../policy/types';

export type { TerraformJson };

export type Block = Record<string, unknown>;

/** One `resource` (or `data`) block of a document. */
export interface BlockRef {
  /** `aws_vpc.network_vpc_1A2B3C4D`, or `data.aws_region.x` for data sources. */
  readonly address: string;
  readonly type: string;
  readonly name: string;
  readonly config: Block;
}

/** Every resource block of a document, in document order. */
export function resourceBlocks(json: TerraformJson): BlockRef[] {
  return Object.entries(json.resource ?? {}).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, config]) => ({
      address: `${type}.${name}`,
      type,
      name,
      config,
    })),
  );
}

/** Every data-source block of a document (addresses start with `data.`). */
export function dataBlocks(json: TerraformJson): BlockRef[] {
  return Object.entries(json.data ?? {}).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, config]) => ({
      address: `data.${type}.${name}`,
      type,
      name,
      config,
    })),
  );
}

/** Calls `visit` for every string in a JSON value, with the key path that leads to it. */
export function forEachString(
  value: unknown,
  visit: (text: string, path: readonly string[]) => void,
  path: readonly string[] = [],
): void {
  if (typeof value === 'string') {
    visit(value, path);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => forEachString(item, visit, [...path, String(index)]));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) forEachString(item, visit, [...path, key]);
  }
}

/** Returns a deep copy of a JSON value with every string passed through `map`. */
export function mapStrings<T>(value: T, map: (text: string) => string): T {
  if (typeof value === 'string') return map(value) as T;
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, mapStrings(item, map)]),
    ) as T;
  }
  return value;
}

/** The `${...}` interpolations of a string, without the delimiters (nested braces allowed). */
export function interpolations(text: string): string[] {
  const found: string[] = [];
  let index = text.indexOf('${');
  while (index !== -1) {
    let depth = 1;
    let end = index + 2;
    let quoted = false;
    for (; end < text.length && depth > 0; end += 1) {
      const char = text[end];
      if (char === '"' && text[end - 1] !== '\\') quoted = !quoted;
      if (quoted) continue;
      if (char === '{') depth += 1;
      if (char === '}') depth -= 1;
    }
    if (depth !== 0) break;
    found.push(text.slice(index + 2, end - 1));
    index = text.indexOf('${', end);
  }
  return found;
}

const ADDRESS = /(?<![\w.-])(data\.)?([a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z_][A-Za-z0-9_-]*)/g;

/**
 * Addresses (`type.name` or `data.type.name`) referenced inside the interpolations of a string.
 * Only candidates that `known` accepts are returned, so `var.x` or `each.value` never match.
 */
export function referencedAddresses(text: string, known: ReadonlySet<string>): string[] {
  const found = new Set<string>();
  for (const expression of interpolations(text)) {
    for (const match of expression.matchAll(ADDRESS)) {
      const address = `${match[1] ?? ''}${match[2]}.${match[3]}`;
      if (known.has(address)) found.add(address);
    }
  }
  return [...found];
}

/**
 * The addresses a block's configuration references through expressions, leaving out
 * `depends_on` (ordering only) and cdktf's `//` metadata.
 */
export function expressionReferences(config: Block, known: ReadonlySet<string>): string[] {
  const found = new Set<string>();
  for (const [key, value] of Object.entries(config)) {
    if (key === 'depends_on' || key === '//') continue;
    forEachString(value, (text) => {
      for (const address of referencedAddresses(text, known)) found.add(address);
    });
  }
  return [...found];
}

/** A deep copy of a JSON-compatible value. */
export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
