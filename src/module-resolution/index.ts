// Module resolution shortcuts installed by the entry points (src/main.ts, src/cli/main.ts) before
// the application loads.
//
// Why: Node 24's loader parses a package's whole "exports" map again each time it looks at the
// package: for the format of every module loaded from it (`getPackageScopeConfig` spreads the
// package's fields, which runs the lazy "exports" getter) and for every bare import of it from
// every importer. drizzle-orm's map is 130 KB, about 110 of its modules load and most of our
// modules import it: close to a second of CPU per process start (a server, a worker, each CLI
// command), a third of loading the application (profiled: 956 of 3,573 ms in
// `package_json_reader`).
//
// What: one synchronous resolve hook (`module.registerHooks`) that gives Node's own answers
// without asking again where the answer cannot differ: relative `.js` imports inside "module"
// packages (relative-imports.ts) and bare names from importers that share their lookup
// (bare-imports.ts). Everything else is Node's resolver, unchanged.
import * as nodeModule from 'node:module';
import type { ResolveHookContext } from 'node:module';
import { createBareImportCache } from './bare-imports.ts';
import { createRelativeImportResolver } from './relative-imports.ts';

export { createRelativeImportResolver } from './relative-imports.ts';

/**
 * Installs the shortcuts in this process's module loader, for every module loaded afterwards. On a
 * Node without synchronous hooks (before 22.15) loading is only slower.
 */
export function useModuleResolutionShortcuts(): void {
  // Looked up, not imported by name: a named import Node lacks fails the whole entry point at link
  // time, and package.json's engines allow Node 22.12.
  const registerHooks = (nodeModule as Partial<typeof nodeModule>).registerHooks;
  if (typeof registerHooks !== 'function') return;
  const relative = createRelativeImportResolver();
  const bare = createBareImportCache();
  registerHooks({
    resolve(specifier: string, context: ResolveHookContext, nextResolve) {
      return relative.resolve(specifier, context.parentURL) ?? bare.resolve(specifier, context, nextResolve);
    },
  });
}
