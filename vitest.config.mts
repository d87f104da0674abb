import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['__tests__/**/*.test.ts'],
    // cdktf's matchers look for a global `expect`, as under Jest.
    globals: true,
    setupFiles: ['__tests__/setup/cdktf-matchers.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
