/**
 * Merges user values over a chart's default values the way Helm does (`coalesceValues`): maps are
 * merged key by key recursively, any other value (lists included) replaces the default, and a
 * `null` from the user deletes the key.
 */
export type HelmValues = Record<string, unknown>;

function isMap(value: unknown): value is HelmValues {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function helmMerge(defaults: HelmValues, overrides: HelmValues): HelmValues {
  const result: HelmValues = { ...defaults };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === null) {
      delete result[key];
      continue;
    }
    const base = result[key];
    result[key] = isMap(base) && isMap(value) ? helmMerge(base, value) : value;
  }
  return result;
}
