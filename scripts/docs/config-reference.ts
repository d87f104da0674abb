import { format, resolveConfig } from 'prettier';
import { z } from 'zod';
import { projectSchema } from '../../config/schema';

/** The part of a JSON Schema (as zod emits it) the reference reads. */
interface JsonSchema {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  default?: unknown;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
  format?: string;
}

/** One configurable field: its dotted path, what it accepts, its default and why it exists. */
export interface ConfigField {
  readonly path: string;
  readonly type: string;
  /** The default rendered as JSON; `undefined` when the field has none. */
  readonly default?: string;
  readonly required: boolean;
  /** Set for fields of one variant of a discriminated union, e.g. `mode: rds`. */
  readonly when?: string;
  readonly description: string;
}

function typeOf(schema: JsonSchema): string {
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((value) => JSON.stringify(value)).join(' \\| ');
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return alternatives.map(typeOf).join(' \\| ');
  switch (schema.type) {
    case 'integer':
    case 'number': {
      const low = schema.minimum ?? schema.exclusiveMinimum;
      // `.int()` adds the safe-integer bounds, which say nothing to a reader.
      const high = schema.maximum === Number.MAX_SAFE_INTEGER ? undefined : schema.maximum;
      const range =
        low !== undefined && high !== undefined
          ? ` ${low}–${high}`
          : low !== undefined
            ? schema.exclusiveMinimum !== undefined
              ? ` > ${low}`
              : ` ≥ ${low}`
            : '';
      return `${schema.type}${range}`;
    }
    case 'string':
      return schema.format === 'email' ? 'e-mail' : schema.format === 'uri' ? 'URL' : 'string';
    case 'array':
      return `list of ${schema.items ? typeOf(schema.items) : 'values'}${
        schema.minItems ? ` (≥ ${schema.minItems})` : ''
      }`;
    case 'object':
      return typeof schema.additionalProperties === 'object'
        ? `map of ${typeOf(schema.additionalProperties)}`
        : 'object';
    default:
      return schema.type ?? 'any';
  }
}

/** The discriminator of a `oneOf` of objects: the property whose value is a const in every variant. */
function discriminatorOf(variants: JsonSchema[]): string | undefined {
  const first = variants[0]?.properties ?? {};
  return Object.keys(first).find((key) =>
    variants.every((variant) => variant.properties?.[key]?.const !== undefined),
  );
}

function walk(
  schema: JsonSchema,
  path: string,
  required: boolean,
  when: string | undefined,
  out: ConfigField[],
): void {
  const row = (type: string): void => {
    out.push({
      path,
      type,
      default: schema.default === undefined ? undefined : JSON.stringify(schema.default),
      required: required && schema.default === undefined,
      when,
      description: schema.description ?? '',
    });
  };
  if (schema.oneOf && schema.oneOf.every((variant) => variant.type === 'object')) {
    const key = discriminatorOf(schema.oneOf);
    if (key) {
      row(
        `one of ${key}: ${schema.oneOf.map((v) => JSON.stringify(v.properties?.[key]?.const)).join(' \\| ')}`,
      );
      for (const variant of schema.oneOf) {
        const tag = `${key}: ${String(variant.properties?.[key]?.const)}`;
        for (const [name, child] of Object.entries(variant.properties ?? {})) {
          if (name === key && !child.description) continue;
          walk(child, `${path}.${name}`, variant.required?.includes(name) ?? false, tag, out);
        }
      }
      return;
    }
  }
  if (schema.type === 'object' && schema.properties) {
    if (schema.description) row('object');
    for (const [name, child] of Object.entries(schema.properties)) {
      walk(child, `${path}.${name}`, schema.required?.includes(name) ?? false, when, out);
    }
    return;
  }
  if (
    schema.type === 'object' &&
    schema.propertyNames?.enum &&
    typeof schema.additionalProperties === 'object'
  ) {
    // A record keyed by an enum (the environments): one set of rows for `<key>`.
    const keys = schema.propertyNames.enum.join(' \\| ');
    out.push({
      path,
      type: `map of ${keys}`,
      required,
      description: schema.description ?? '',
    });
    walk(schema.additionalProperties, `${path}.<env>`, true, when, out);
    return;
  }
  if (schema.type === 'array' && schema.items?.type === 'object' && schema.items.properties) {
    row(`list of objects${schema.minItems ? ` (≥ ${schema.minItems})` : ''}`);
    for (const [name, child] of Object.entries(schema.items.properties)) {
      walk(child, `${path}[].${name}`, schema.items.required?.includes(name) ?? false, when, out);
    }
    return;
  }
  row(typeOf(schema));
}

/** Every field of the project config, in schema order. */
export function configFields(): ConfigField[] {
  const schema = z.toJSONSchema(projectSchema, {
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  const out: ConfigField[] = [];
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    walk(child, name, schema.required?.includes(name) ?? false, undefined, out);
  }
  return out;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The Markdown table between the `config-reference` markers of docs/configuration.md. */
export function configReferenceTable(): string {
  const rows = configFields().map((field) => {
    const fallback =
      field.default !== undefined
        ? `\`${cell(field.default)}\``
        : field.required
          ? '**required**'
          : 'unset';
    const description = `${field.when ? `*(${field.when})* ` : ''}${field.description}`;
    return `| \`${field.path}\` | ${field.type} | ${fallback} | ${description.trim()} |`;
  });
  return ['| Field | Type | Default | Description |', '| --- | --- | --- | --- |', ...rows].join(
    '\n',
  );
}

/**
 * Replaces what lies between `<!-- <name>:start -->` and `<!-- <name>:end -->` with `content`.
 * Throws when the markers are missing, so a generated block can never be silently dropped.
 */
export function replaceBetweenMarkers(text: string, name: string, content: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`markers ${start} … ${end} not found`);
  return `${text.slice(0, from + start.length)}\n\n${content}\n\n${text.slice(to)}`;
}

/**
 * docs/configuration.md with a fresh reference table, formatted the way `npm run format` would
 * (Prettier pads Markdown tables), so the committed file and the generated one compare equal.
 */
export async function configurationDoc(current: string, docPath: string): Promise<string> {
  const options = (await resolveConfig(docPath)) ?? {};
  return format(replaceBetweenMarkers(current, 'config-reference', configReferenceTable()), {
    ...options,
    parser: 'markdown',
  });
}
