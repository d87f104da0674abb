import { projectConfig } from './environments';
import {
  crossFieldIssues,
  ENVIRONMENT_NAMES,
  projectSchema,
  type EnvironmentConfig,
  type EnvironmentName,
  type ProjectConfig,
} from './schema';

export * from './schema';

export interface ConfigIssue {
  /** Dotted field path, e.g. `environments.prod.network.vpcCidr`. */
  readonly path: string;
  readonly message: string;
}

/** Every problem in a config, listed by field path, thrown before any construct exists. */
export class ProjectConfigError extends Error {
  constructor(public readonly issues: readonly ConfigIssue[]) {
    super(
      `Invalid environment config (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
        issues.map((issue) => `  - ${issue.path}: ${issue.message}`).join('\n'),
    );
    this.name = 'ProjectConfigError';
  }
}

const dotted = (path: readonly PropertyKey[]): string => path.map(String).join('.') || '(root)';

/**
 * Parses and validates a project config. Field errors and cross-field errors are reported
 * together; cross-field checks run only once the fields themselves are well-formed.
 */
export function loadConfig(input: unknown = projectConfig): ProjectConfig {
  const parsed = projectSchema.safeParse(input);
  if (!parsed.success) {
    throw new ProjectConfigError(
      parsed.error.issues.map((issue) => ({ path: dotted(issue.path), message: issue.message })),
    );
  }
  const issues = crossFieldIssues(parsed.data);
  if (issues.length > 0) {
    throw new ProjectConfigError(
      issues.map((issue) => ({ path: dotted(issue.path), message: issue.message })),
    );
  }
  return parsed.data;
}

/** The environments of a config, each with its name, in the canonical order dev → staging → prod. */
export function environmentsOf(config: ProjectConfig): EnvironmentConfig[] {
  return ENVIRONMENT_NAMES.filter((name) => config.environments[name] !== undefined).map(
    (name) => ({
      ...config.environments[name]!,
      name,
    }),
  );
}

/**
 * The environments to synthesize: all by default, or those named in `selector`
 * (`STACK_ENVS=dev,staging`). An unknown name is an error, not a silent no-op.
 */
export function selectEnvironments(
  config: ProjectConfig,
  selector: string | undefined,
): EnvironmentConfig[] {
  const all = environmentsOf(config);
  if (selector === undefined || selector.trim() === '') return all;
  const wanted = selector
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = wanted.filter((name) => !all.some((env) => env.name === name));
  if (unknown.length > 0) {
    throw new ProjectConfigError(
      unknown.map((name) => ({
        path: 'STACK_ENVS',
        message: `unknown environment "${name}" (configured: ${all.map((env) => env.name).join(', ')})`,
      })),
    );
  }
  return all.filter((env) => wanted.includes(env.name as EnvironmentName));
}
