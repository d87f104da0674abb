import { environmentsOf, loadConfig, type EnvironmentName } from '../../config';
import { appReleaseSettings } from '../../stacks/workloads-stack';

/**
 * The config-supplied part of the API's values (replicas, resources, drain and grace periods, log
 * level, time zone) exactly as the workloads stack passes it, from the repository's config: tests
 * of the values builder run on the schema's real defaults, never on numbers of their own.
 */
export function appSettingsOf(name: EnvironmentName): ReturnType<typeof appReleaseSettings> {
  const env = environmentsOf(loadConfig()).find((candidate) => candidate.name === name);
  if (!env) throw new Error(`no environment "${name}" in the config`);
  return appReleaseSettings(env);
}
