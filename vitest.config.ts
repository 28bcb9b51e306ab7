import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Every test file starts in a fresh process and loads the application's module graph again, so what
// loading costs is paid 130-odd times a run.
// - The test processes (and whatever they start with this environment) use Node's compile cache for
//   what Node loads itself (node_modules), in the directory the entry points use (src/compile-cache.ts).
process.env.NODE_COMPILE_CACHE ??= join(tmpdir(), 'node-compile-cache');

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Deadlines bound a hang; they are not performance targets. A correct build on a machine two or
    // three times slower (a CPU hog beside the suite, a loaded CI runner) must still pass.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Three files at once on two cores: a file spends part of its time waiting (for the processes
    // it starts, for PostgreSQL and Redis, for messages on real timers), so with two the machine
    // sat 29% idle through a run (vmstat); with three, 9%, and the suite took 565 s instead of 676
    // (idle 2-core Xeon VM, one run each). The suite passes with both cores kept busy by others,
    // so the extra contention is within what the deadlines allow.
    maxWorkers: 3,
    pool: 'forks',
    server: {
      deps: {
        // - drizzle-orm goes through Vite's module runner instead of Node's loader. Its package.json
        //   carries a 130 KB "exports" map that Node 24's loader parses again for each of the ~110
        //   modules a test loads (to learn their module type): about half a second per test file.
        inline: ['drizzle-orm'],
      },
    },
  },
});
