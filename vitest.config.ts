import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{core,cli,harness,metrics,reports,datasets,prompts,bench}/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
