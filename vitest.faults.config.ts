import { defineConfig } from 'vitest/config';

// The resilience suite (`npm run test:faults`): devnets with malicious nodes, faulty links,
// partitions and kill -9, every one a real multi-process run. Kept out of `npm test` for time.
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    globalSetup: ['test/global-home.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Two cores: one devnet at a time keeps the timings honest.
    fileParallelism: false,
  },
});
