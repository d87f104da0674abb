import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { loadConfig } from '../../config';
import { projectConfig } from '../../config/environments';
import { ciRunners } from '../../scripts/ci-runners';

describe('ci-runners', () => {
  it('names the CodeBuild project of staging and prod and the hosted label of dev', () => {
    expect(ciRunners(loadConfig())).toEqual({
      dev: { label: 'ubuntu-24.04', codebuildProject: '' },
      staging: { label: '', codebuildProject: 'hello-staging-github-runner' },
      prod: { label: '', codebuildProject: 'hello-prod-github-runner' },
    });
  });

  it('follows the config: a hosted label is passed through', () => {
    const runners = ciRunners(
      loadConfig({
        ...projectConfig,
        environments: {
          ...projectConfig.environments,
          dev: {
            ...projectConfig.environments.dev!,
            ci: { runner: { type: 'github-hosted', label: 'ubuntu-24.04-arm' } },
          },
        },
      }),
    );
    expect(runners.dev).toEqual({ label: 'ubuntu-24.04-arm', codebuildProject: '' });
  });

  it('prints one line of JSON for the workflows', () => {
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', join(__dirname, '../../scripts/ci-runners.ts')],
      { encoding: 'utf8', cwd: join(__dirname, '../..') },
    );
    expect(out.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(out)).toEqual(ciRunners(loadConfig()));
  });
});
