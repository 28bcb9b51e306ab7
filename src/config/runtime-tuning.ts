// How the server process is started: memory settings that must be in place before Node starts
// (glibc reads its malloc settings, and V8 sizes its heap, at process start), so they cannot be
// set from inside. `npm start`, the Dockerfile and the benchmarks start the server with exactly
// these (tests/runtime-tuning.test.ts keeps the three in step).
//
// Measured on the demo registry with the embedded database (server resident memory after start):
// 615 MB without, 399 MB with. Most of the difference is memory glibc kept after PGlite's
// WebAssembly was compiled on V8's background threads (one malloc arena per thread, never handed
// back) and a young generation larger than an API server's requests need.

/** Environment for the server process. */
export const runtimeEnvironment: Readonly<Record<string, string>> = {
  // One malloc arena: the compiler threads' freed memory returns to the one the main thread reuses.
  MALLOC_ARENA_MAX: '1',
  // Freed memory above 128 kB at the top of the heap goes back to the system.
  MALLOC_TRIM_THRESHOLD_: '131072',
  // Blocks of 32 kB and more get mappings of their own, handed back when freed. PGlite's
  // WebAssembly is tiered up by V8's optimising compiler while the first queries run, about 650 MB
  // of short-lived compiler memory at its peak; with blocks of that size inside the heap, what the
  // compiler freed stayed resident between the few blocks kept (the heap stayed at 105 MB, 50 MB
  // with this). glibc's default, which adjusts itself upwards, is already off: setting the trim
  // threshold above fixes it at 128 kB.
  MALLOC_MMAP_THRESHOLD_: '32768',
};

/** Node options for the server process. */
export const runtimeNodeArguments: readonly string[] = [
  '--max-semi-space-size=8',
  // The old generation may grow 30% past what the last full collection kept before the next one.
  // V8 otherwise picks the factor from how fast the process allocates against how fast it marks,
  // up to 4x: on an idle machine, serving thousands of requests a second, the short-lived garbage
  // every request promotes (audit entries waiting for their batch, PGlite's result buffers) piled
  // up to 3-4x the live heap before a full collection ran (555-567 MB resident after the bench's
  // load), and the ~300 MB PGlite's start leaves behind stayed until then. The price is more full
  // collections of a ~90 MB live heap; they run concurrently with requests.
  '--heap-growing-percent=30',
];
