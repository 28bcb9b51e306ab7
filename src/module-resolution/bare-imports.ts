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

export interface BareImportCache {
  /** The key under which an answer for this import may be kept; undefined: not for this cache. */
  keyOf(specifier: string, context: ResolveHookContext): string | undefined;
  answerFor(key: string): ResolveFnOutput | undefined;
  keep(key: string, answer: ResolveFnOutput): void;
}

/** A package name, optionally scoped, with an optional subpath: no scheme, not relative, not `#`. */
const bareName = /^(?:@[^/:]+\/)?[^./#:@][^:]*$/;

export function createBareImportCache(): BareImportCache {
  // The nearest directory at or above another holding an entry, remembered per directory.
  const nearest = (entry: string, stopAtNodeModules: boolean) => {
    const known = new Map<string, string>();
    return (directory: string): string => {
      const visited: string[] = [];
      let found = '';
      for (let current = directory; ;) {
        const remembered = known.get(current);
        if (remembered !== undefined) {
          found = remembered;
          break;
        }
        visited.push(current);
        const isNodeModules = basename(current) === 'node_modules';
        // Node looks for no package.json above a node_modules directory, nor for
        // node_modules/node_modules.
        if (isNodeModules && stopAtNodeModules) break;
        if (!isNodeModules && existsSync(join(current, entry))) {
          found = current;
          break;
        }
        const parent = dirname(current);
        if (parent === current) break;
        current = parent;
      }
      for (const directory of visited) known.set(directory, found);
      return found;
    };
  };
  const packageScopeOf = nearest('package.json', true);
  const lookupStartOf = nearest('node_modules', false);
  const answers = new Map<string, ResolveFnOutput>();

  return {
    keyOf(specifier, context) {
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
    },
    answerFor(key) {
      return answers.get(key);
    },
    keep(key, answer) {
      answers.set(key, { url: answer.url, format: answer.format });
    },
  };
}
