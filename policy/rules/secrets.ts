import { parse as parseYaml } from 'yaml';
import { isExpression } from '../engine';
import type { PolicyRule } from '../types';

/** Key names (lower-cased, separators removed) that hold credentials when given a value. */
const SECRET_KEY =
  /(password|passwd|passphrase|secret|token|privatekey|apikey|accesskey|clientsecret|connectionstring|credentials?)/;
/**
 * Keys that name, point to or describe a secret rather than hold it: `master_user_secret_kms_key_id`,
 * `password_wo_version`, `secret_name`, `existingSecret`, `http_tokens` (an IMDS setting)...
 */
const REFERENCE_KEY =
  /(arn|arns|id|ids|name|names|version|ref|enabled|type|length|path|url|uri|file|mode|count|ttl|seconds|days|tokens)$/;
const REFERENCE_PREFIX = /^(existing|use|enable|manage|automount|rotate)/;

/** Resources whose data is secret by definition, whatever the keys are called. */
const SECRET_DATA: Record<string, string[]> = {
  kubernetes_secret: ['data', 'binary_data'],
  kubernetes_secret_v1: ['data', 'binary_data'],
};

const normalize = (key: string) => key.toLowerCase().replace(/[^a-z0-9]/g, '');

function isSecretKey(key: string): boolean {
  // Namespaced keys are IAM condition keys or Kubernetes annotations, not credential fields.
  if (key.includes(':') || key.includes('/')) return false;
  const normalized = normalize(key);
  return (
    SECRET_KEY.test(normalized) &&
    !REFERENCE_KEY.test(normalized) &&
    !REFERENCE_PREFIX.test(normalized)
  );
}

/** A string literal that could be a credential: not empty, not an expression, a flag or an ARN. */
function isLiteralSecretValue(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const trimmed = value.trim();
  return (
    trimmed !== '' &&
    !['true', 'false'].includes(trimmed.toLowerCase()) &&
    !trimmed.startsWith('arn:') &&
    // Last: isExpression narrows its argument's type.
    !isExpression(trimmed)
  );
}

/**
 * Strings that hold a JSON document (policies, `jsonencode`d config) or a multi-line YAML document
 * (Helm values, manifests) are scanned as well.
 */
function embeddedDocument(value: string): unknown {
  const trimmed = value.trim();
  const json = trimmed.startsWith('{') || trimmed.startsWith('[');
  const yaml = trimmed.includes('\n') && /^[\w.-]+:(\s|$)/m.test(trimmed);
  if (!json && !yaml) return undefined;
  try {
    const parsed: unknown = parseYaml(trimmed);
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Paths (`a.b[0].c`) of literal secrets found under `value`. */
export function findLiteralSecrets(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => findLiteralSecrets(item, `${path}[${index}]`));
  }
  if (typeof value === 'string') {
    const document = embeddedDocument(value);
    return document === undefined ? [] : findLiteralSecrets(document, `${path}<document>`);
  }
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  const found: string[] = [];
  // `{ name: "DB_PASSWORD", value: "..." }`: env vars, Helm `set` entries.
  if (
    typeof record.name === 'string' &&
    isSecretKey(record.name) &&
    isLiteralSecretValue(record.value)
  ) {
    found.push(`${path}{name=${record.name}}.value`);
  }
  for (const [key, child] of Object.entries(record)) {
    const childPath = path ? `${path}.${key}` : key;
    if (isSecretKey(key) && isLiteralSecretValue(child)) {
      found.push(childPath);
    } else {
      found.push(...findLiteralSecrets(child, childPath));
    }
  }
  return found;
}

export const secretsRules: PolicyRule[] = [
  {
    id: 'HP_SECRETS_1',
    title: 'No literal secret (password, token, key) in any resource',
    resourceTypes: ['*'],
    check: (resource) => {
      const found = findLiteralSecrets(resource.config);
      for (const field of SECRET_DATA[resource.type] ?? []) {
        const data = resource.config[field];
        if (typeof data === 'object' && data !== null) {
          for (const [key, value] of Object.entries(data)) {
            if (isLiteralSecretValue(value)) found.push(`${field}.${key}`);
          }
        }
      }
      if (
        resource.type === 'aws_ssm_parameter' &&
        resource.config.type === 'SecureString' &&
        isLiteralSecretValue(resource.config.value)
      ) {
        found.push('value');
      }
      const unique = [...new Set(found)];
      return unique.length === 0
        ? undefined
        : `literal secret value at ${unique.join(', ')} (use a managed secret or a reference)`;
    },
  },
];
