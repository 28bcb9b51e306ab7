import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Deadlines bound a hang; they are not performance targets. A correct build on a machine two or
    // three times slower (a CPU hog beside the suite, a loaded CI runner) must still pass.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Two cores: run files in parallel but not more than the machine can carry.
    maxWorkers: 2,
    pool: 'forks',
  },
});
