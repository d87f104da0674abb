/**
 * Prints, per environment of the config, where its CI jobs run (deploy, the plan before the
 * deploy gate, drift), so the workflows never hard-code a runner:
 *
 *   npx tsx scripts/ci-runners.ts
 *   {"dev":{"label":"ubuntu-24.04","codebuildProject":""},
 *    "prod":{"label":"","codebuildProject":"hello-prod-github-runner"}}
 *
 * A job uses `codebuild-<codebuildProject>-${{ github.run_id }}-${{ github.run_attempt }}` when
 * `codebuildProject` is set (the CodeBuild-hosted runner inside the environment's VPC), else the
 * hosted runner `label`.
 */
import { environmentsOf, loadConfig, ProjectConfigError, type ProjectConfig } from '../config';
import { ciRunnerProjectName } from '../stacks/names';

/** One environment's runner, as the workflows read it (both keys always present). */
export interface CiRunner {
  /** `runs-on` label of a GitHub-hosted runner; empty for a CodeBuild runner. */
  readonly label: string;
  /** CodeBuild project of the environment's runner; empty for a hosted runner. */
  readonly codebuildProject: string;
}

/** The runner of every environment of the config. */
export function ciRunners(config: ProjectConfig): Record<string, CiRunner> {
  return Object.fromEntries(
    environmentsOf(config).map((env) => {
      const runner = env.ci.runner;
      return [
        env.name,
        runner.type === 'codebuild'
          ? { label: '', codebuildProject: ciRunnerProjectName(config, env) }
          : { label: runner.label, codebuildProject: '' },
      ];
    }),
  );
}

// Run only as a CLI, not when a test imports the functions.
if (process.argv[1]?.endsWith('ci-runners.ts')) {
  try {
    process.stdout.write(`${JSON.stringify(ciRunners(loadConfig()))}\n`);
  } catch (error) {
    process.stderr.write(
      `ci-runners: ${error instanceof ProjectConfigError ? error.message : (error as Error).message}\n`,
    );
    process.exit(1);
  }
}
