import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The resilience suite has its own config and script (npm run test:faults).
    exclude: [...configDefaults.exclude, 'test/faults/**'],
    setupFiles: ['test/setup.ts'],
    globalSetup: ['test/global-home.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Multi-process tests share two cores; running files one at a time keeps timings honest.
    fileParallelism: false,
  },
});
