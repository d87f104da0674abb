import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import { parse as parseYaml } from 'yaml';
import { helmMerge, type HelmValues } from '../../policy/helm-merge';

/**
 * The reference files of every chart the project installs, in `shared/reference/<dir>/` beside
 * the repository, or vendored in `__tests__/fixtures/charts/<dir>/` for a chart shared/ lacks
 * (see each SOURCE.txt): `values.yaml`, `templates/` and, where the chart has one,
 * `values.schema.json`.
 */
export const REFERENCE_CHARTS = {
  'stakater-application': { chart: 'application', repository: /stakater/ },
  'nginx-ingress': { chart: 'nginx-ingress', repository: /ghcr\.io\/nginx\/charts/ },
  'cloudnative-pg': { chart: 'cloudnative-pg', repository: /cloudnative-pg\.github\.io/ },
  'cnpg-cluster': { chart: 'cluster', repository: /cloudnative-pg\.github\.io/ },
  // Not in shared/reference: vendored under __tests__/fixtures/charts/ (see its SOURCE.txt).
  'cluster-autoscaler': {
    chart: 'cluster-autoscaler',
    repository: /kubernetes\.github\.io\/autoscaler/,
  },
} as const;

export type ReferenceChart = keyof typeof REFERENCE_CHARTS;

/** The reference chart a `helm_release` installs, by chart name and repository. */
export function referenceChartOf(release: {
  chart?: unknown;
  repository?: unknown;
}): ReferenceChart | undefined {
  const entries = Object.entries(REFERENCE_CHARTS) as [
    ReferenceChart,
    (typeof REFERENCE_CHARTS)[ReferenceChart],
  ][];
  return entries.find(
    ([, { chart, repository }]) =>
      release.chart === chart && repository.test(String(release.repository ?? '')),
  )?.[0];
}

/** A chart's reference directory, `shared/reference/<chart>/` beside the repository. */
export function chartReferenceDir(chart: ReferenceChart = 'stakater-application'): string {
  const candidates = [
    path.resolve(__dirname, '../fixtures/charts', chart),
    path.resolve(__dirname, '../../../shared/reference', chart),
    path.resolve(process.cwd(), '../shared/reference', chart),
  ];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) throw new Error(`chart reference ${chart} not found in ${candidates.join(', ')}`);
  return found;
}

/** One of a chart's reference files (`values.yaml`, `values.schema.json`, `templates/...`). */
export function chartReferenceFile(
  name: string,
  chart: ReferenceChart = 'stakater-application',
): string {
  const file = path.join(chartReferenceDir(chart), name);
  if (!existsSync(file)) throw new Error(`chart reference ${chart}/${name} not found`);
  return file;
}

const defaultsCache = new Map<ReferenceChart, HelmValues>();

/** The chart's own `values.yaml`. */
export function chartDefaults(chart: ReferenceChart): HelmValues {
  let defaults = defaultsCache.get(chart);
  if (!defaults) {
    defaults = parseYaml(
      readFileSync(chartReferenceFile('values.yaml', chart), 'utf8'),
    ) as HelmValues;
    defaultsCache.set(chart, defaults);
  }
  return defaults;
}

const schemaCache = new Map<ReferenceChart, object>();

/** True when the chart ships a `values.schema.json` (the cluster-autoscaler chart does not). */
export function hasChartSchema(chart: ReferenceChart): boolean {
  return existsSync(path.join(chartReferenceDir(chart), 'values.schema.json'));
}

/** The chart's `values.schema.json`; `{}` (declares nothing) for a chart that ships none. */
export function chartSchema(chart: ReferenceChart): object {
  let schema = schemaCache.get(chart);
  if (!schema) {
    schema = hasChartSchema(chart)
      ? (JSON.parse(
          readFileSync(chartReferenceFile('values.schema.json', chart), 'utf8'),
        ) as object)
      : {};
    schemaCache.set(chart, schema);
  }
  return schema;
}

const validators = new Map<ReferenceChart, ValidateFunction>();

/**
 * The schema with its references to remote documents (the nginx-ingress schema points at
 * Kubernetes definitions on raw.githubusercontent.com) replaced by "anything": offline, the
 * Kubernetes object shapes under those keys are not validated; everything else is.
 */
function offlineSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(offlineSchema);
  if (typeof schema !== 'object' || schema === null) return schema;
  const record = schema as Record<string, unknown>;
  if (typeof record.$ref === 'string' && /^https?:/.test(record.$ref)) {
    const { $ref: _remote, ...rest } = record;
    return offlineSchema(rest);
  }
  return Object.fromEntries(
    Object.entries(record).map(([key, value]) => [key, offlineSchema(value)]),
  );
}

/**
 * Validates release values the way `helm install` would see them: merged over the chart's own
 * values.yaml (maps deep-merged, lists replaced, null deletes), then checked against the chart's
 * values.schema.json. Returns the schema errors (empty when valid).
 */
export function chartSchemaErrors(
  values: HelmValues,
  chart: ReferenceChart = 'stakater-application',
): string[] {
  let validate = validators.get(chart);
  if (!validate) {
    const { $schema: dialect, ...schema } = offlineSchema(chartSchema(chart)) as {
      $schema?: string;
    };
    const options = { strict: false, allErrors: true };
    validate = (
      String(dialect).includes('2019-09') ? new Ajv2019(options) : new Ajv(options)
    ).compile(schema);
    validators.set(chart, validate);
  }
  return validate(helmMerge(chartDefaults(chart), values))
    ? []
    : (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`);
}
