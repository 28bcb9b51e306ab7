// Relative imports inside dependencies: their format remembered per package instead of worked out
// per file (see index.ts for why).
//
// For the one case that is pure arithmetic: a relative `./x.js` or `../x.js` imported by a file
// under node_modules. The target is the URL joined onto the importer (as Node does for relative
// specifiers); when that is a file reached through no symlink (so `--preserve-symlinks` changes
// nothing) and the nearest package.json above it says `"type": "module"`, its format is `module`:
// Node's own answer, with that package.json read once per process. Anything else (our own files,
// bare names, other extensions, a symlink, a missing file, a directory, a package that is not
// "module", an unreadable or invalid package.json) goes to Node's resolver unchanged, which gives
// its usual answer or error.
import type { ResolveFnOutput } from 'node:module';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createAncestorSearch } from './ancestor-search.ts';

/** What the nearest package.json above a directory says its `.js` files are. */
type ScopeType = 'module' | 'other';

export interface RelativeImportResolver {
  /** The URL and format of a relative `.js` import inside a "module" package; undefined: ask Node. */
  resolve(specifier: string, parentURL: string | undefined): ResolveFnOutput | undefined;
}

export function createRelativeImportResolver(): RelativeImportResolver {
  const scopeOf = createAncestorSearch<ScopeType>({
    probe: (directory) => readManifest(join(directory, 'package.json')),
    none: 'other',
    stopAtNodeModules: true,
  });

  return {
    resolve(specifier, parentURL) {
      if (parentURL === undefined || !parentURL.startsWith('file:') || !parentURL.includes('/node_modules/'))
        return undefined;
      if (!(specifier.startsWith('./') || specifier.startsWith('../')) || !specifier.endsWith('.js'))
        return undefined;
      try {
        const url = new URL(specifier, parentURL);
        const path = fileURLToPath(url);
        if (realpathSync(path) !== path || !statSync(path).isFile() || scopeOf(dirname(path)) !== 'module')
          return undefined;
        // Written back from the path, as Node does (one spelling of each character), query and hash kept.
        const resolved = pathToFileURL(path);
        resolved.search = url.search;
        resolved.hash = url.hash;
        return { url: resolved.href, format: 'module', shortCircuit: true };
      } catch {
        // An encoded slash, a missing file: Node's resolver says what is wrong.
        return undefined;
      }
    },
  };
}

/** The scope a package.json gives; undefined when there is none in that directory. */
function readManifest(path: string): ScopeType | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const manifest: unknown = JSON.parse(text);
    const type =
      typeof manifest === 'object' && manifest !== null ? (manifest as { type?: unknown }).type : undefined;
    return type === 'module' ? 'module' : 'other';
  } catch {
    // Invalid: Node reports it (ERR_INVALID_PACKAGE_CONFIG) when it resolves there itself.
    return 'other';
  }
}
