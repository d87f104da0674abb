import { getReferencesInExpression } from '@cdktf/hcl2json';
import type { TerraformJson } from '../../policy/types';

/** Roots that are not declarations of the stack (iteration and meta variables). */
const META_ROOTS = new Set(['each', 'count', 'self', 'path', 'terraform']);

/** `aws_x.name` / `data.aws_x.name` written inside an interpolation, as a fallback for for-expressions. */
const ADDRESS_PATTERN =
  /\b(data\.[a-z][a-z0-9_]*\.[A-Za-z0-9_-]+|[a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z0-9_-]+)/g;

export interface DanglingReference {
  /** Where the reference was found, e.g. `resource.aws_eks_cluster.cluster.vpc_config.0.subnet_ids`. */
  readonly at: string;
  readonly reference: string;
}

/** Every string value in the document with the JSON path that leads to it. */
function* strings(value: unknown, at: string): Generator<[string, string]> {
  if (typeof value === 'string') {
    yield [at, value];
  } else if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) yield* strings(item, `${at}.${index}`);
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key !== '//') yield* strings(item, at ? `${at}.${key}` : key);
    }
  }
}

/** The declared addresses a reference may point to. */
function declarations(json: TerraformJson): Set<string> {
  const declared = new Set<string>();
  for (const [type, byName] of Object.entries(json.resource ?? {})) {
    for (const name of Object.keys(byName)) declared.add(`${type}.${name}`);
  }
  for (const [type, byName] of Object.entries(json.data ?? {})) {
    for (const name of Object.keys(byName)) declared.add(`data.${type}.${name}`);
  }
  for (const name of Object.keys(json.variable ?? {})) declared.add(`var.${name}`);
  for (const name of Object.keys(json.locals ?? {})) declared.add(`local.${name}`);
  return declared;
}

/** The declaration a reference names: `aws_x.y.attr[0]` → `aws_x.y`, `var.a.b` → `var.a`. */
function target(reference: string): string | undefined {
  const parts = reference.split(/[.[]/);
  const [root] = parts;
  if (!root || META_ROOTS.has(root)) return undefined;
  if (root === 'data') return parts.slice(0, 3).join('.');
  return parts.slice(0, 2).join('.');
}

/**
 * Finds `${...}` references (and `depends_on` entries) that name nothing declared in the stack: a
 * resource, data source, variable or local. Terraform would reject them at plan time; this check
 * catches them at synth time without a terraform binary.
 */
export async function danglingReferences(json: TerraformJson): Promise<DanglingReference[]> {
  const declared = declarations(json);
  const dangling: DanglingReference[] = [];
  const cache = new Map<string, string[]>();

  for (const [at, value] of strings(
    {
      resource: json.resource,
      data: json.data,
      output: json.output,
      locals: json.locals,
      provider: json.provider,
    },
    '',
  )) {
    const isDependsOn = /\.depends_on\.\d+$/.test(at);
    let references: string[] | undefined = cache.get(value);
    if (references === undefined) {
      references = [];
      if (isDependsOn) {
        references.push(value);
      } else if (value.includes('${')) {
        references.push(
          ...(await getReferencesInExpression('stack.tf.json', value)).map((ref) => ref.value),
        );
        for (const interpolation of value.match(/\$\{[^}]*\}/g) ?? []) {
          references.push(...(interpolation.match(ADDRESS_PATTERN) ?? []));
        }
      }
      cache.set(value, references);
    }
    const reported = new Set<string>();
    for (const reference of references) {
      const name = target(reference);
      if (name === undefined || declared.has(name) || reported.has(name)) continue;
      reported.add(name);
      dangling.push({ at, reference });
    }
  }
  return dangling;
}
