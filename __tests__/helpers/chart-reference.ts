import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { parse as parseYaml } from 'yaml';
import { helmMerge, type HelmValues } from '../../policy/helm-merge';

/**
 * A chart's reference files (values.yaml, templates/...), in `shared/reference/<chart>` beside
 * the repository. Default chart: stakater's `application`.
 */
export function chartReferenceFile(name: string, chart = 'stakater-application'): string {
  const candidates = [
    path.resolve(__dirname, '../../../shared/reference', chart, name),
    path.resolve(process.cwd(), '../shared/reference', chart, name),
  ];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) throw new Error(`chart reference ${name} not found in ${candidates.join(', ')}`);
  return found;
}

let validator: ((values: HelmValues) => string[]) | undefined;

/**
 * Validates release values the way `helm install` would see them: merged over the chart's own
 * values.yaml (maps deep-merged, lists replaced, null deletes), then checked against the chart's
 * values.schema.json. Returns the schema errors (empty when valid).
 */
export function chartSchemaErrors(values: HelmValues): string[] {
  if (!validator) {
    const defaults = parseYaml(
      readFileSync(chartReferenceFile('values.yaml'), 'utf8'),
    ) as HelmValues;
    const schema = JSON.parse(
      readFileSync(chartReferenceFile('values.schema.json'), 'utf8'),
    ) as object;
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    validator = (input) =>
      validate(helmMerge(defaults, input))
        ? []
        : (validate.errors ?? []).map(
            (error) => `${error.instancePath || '/'} ${error.message ?? ''}`,
          );
  }
  return validator(values);
}
