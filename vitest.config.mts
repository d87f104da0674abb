import { defineConfig } from 'vitest/config';

const shared = {
  // cdktf's matchers look for a global `expect`, as under Jest.
  globals: true,
  setupFiles: ['__tests__/setup/cdktf-matchers.ts'],
  pool: 'forks' as const,
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: 'infra',
          // Synth, policy, scripts and docs checks: pure functions of the code, no servers and no
          // process-wide settings. Each worker keeps its module cache across files, so the
          // providers' large type modules load once per worker instead of once per file (about a
          // third of the CPU time of the isolated run).
          include: [
            '__tests__/{config,modules,stacks,policy,scripts,docs,checks,workflows,terraform}/**/*.test.ts',
          ],
          exclude: ['__tests__/terraform/moto-launcher.test.ts'],
          isolate: false,
        },
      },
      {
        test: {
          ...shared,
          name: 'service',
          // The API and browser tests start servers and child processes and set process
          // environment variables: every file runs in a fresh process.
          // The moto launcher's test starts the emulator as a child process too.
          include: [
            '__tests__/{api,browser}/**/*.test.ts',
            '__tests__/terraform/moto-launcher.test.ts',
          ],
        },
      },
    ],
  },
});
