// Bare imports (`drizzle-orm/pg-core`, `fastify`): Node's answer for one importer remembered for
// every importer that would get the same answer (see index.ts for why).
//
// Node resolves a bare name from an importer by (1) the importer's own package, when the name is
// that package's name (self-reference, through its package.json), then (2) a `node_modules/<name>`
// in the importer's directory or the nearest ancestor that has one, and up from there. So two
// importers with the same nearest package.json above them, and the same nearest directory holding
// a `node_modules` entry, get the same answer for the same name, conditions and import attributes:
// every directory between an importer and that ancestor holds no `node_modules` to look in. The
// first answer for such a key is Node's own (asked through `nextResolve`) and is kept; a refusal is
// never kept (Node is asked again, and refuses again). Names with a scheme (`node:`, `data:`),
// `#imports`, relative and absolute specifiers, and importers that are not files go to Node.
import type { ResolveFnOutput, ResolveHookContext } from 'node:module';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAncestorSearch } from './ancestor-search.ts';

export interface BareImportCache {
  /** Node's answer, kept from an importer with the same lookup or asked of `nextResolve` now. */
  resolve(specifier: string, context: ResolveHookContext, nextResolve: NextResolve): ResolveFnOutput;
}

type NextResolve = (specifier: string, context: ResolveHookContext) => ResolveFnOutput;

/** A package name, optionally scoped, with an optional subpath: no scheme, not relative, not `#`. */
const bareName = /^(?:@[^/:]+\/)?[^./#:@][^:]*$/;

export function createBareImportCache(): BareImportCache {
  const packageScopeOf = createAncestorSearch({
    probe: (directory) => (existsSync(join(directory, 'package.json')) ? directory : undefined),
    none: '',
    stopAtNodeModules: true,
  });
  // Node skips node_modules/node_modules.
  const lookupStartOf = createAncestorSearch({
    probe: (directory) =>
      basename(directory) !== 'node_modules' && existsSync(join(directory, 'node_modules'))
        ? directory
        : undefined,
    none: '',
    stopAtNodeModules: false,
  });
  const answers = new Map<string, ResolveFnOutput>();

  /** The key under which an answer for this import may be kept; undefined: not for this cache. */
  const keyOf = (specifier: string, context: ResolveHookContext): string | undefined => {
    const parentURL = context.parentURL;
    if (parentURL === undefined || !parentURL.startsWith('file:') || !bareName.test(specifier))
      return undefined;
    let directory: string;
    try {
      directory = dirname(fileURLToPath(parentURL));
    } catch {
      return undefined;
    }
    return [
      specifier,
      context.conditions.join(','),
      JSON.stringify(context.importAttributes),
      packageScopeOf(directory),
      lookupStartOf(directory),
    ].join('\0');
  };

  return {
    resolve(specifier, context, nextResolve) {
      const key = keyOf(specifier, context);
      if (key === undefined) return nextResolve(specifier, context);
      const kept = answers.get(key);
      if (kept !== undefined) return { ...kept, shortCircuit: true };
      // A refusal throws here and is never kept.
      const answer = nextResolve(specifier, context);
      answers.set(key, { url: answer.url, format: answer.format });
      return answer;
    },
  };
}
