// The nearest directory, at or above a given one, where a probe finds something: how Node finds a
// module's package.json and the node_modules it looks in. Remembered for every directory passed on
// the way, so a process walks each directory once however many modules share it.
import { basename, dirname } from 'node:path';

export interface AncestorSearchOptions<T> {
  /** What a directory holds; undefined: look in its parent. */
  probe: (directory: string) => T | undefined;
  /** The answer when no directory up to the root (or the boundary) holds anything. */
  none: T;
  /**
   * Node looks for no package.json in or above a node_modules directory: a file straight under
   * one belongs to no package.
   */
  stopAtNodeModules: boolean;
}

export function createAncestorSearch<T>(options: AncestorSearchOptions<T>): (directory: string) => T {
  const known = new Map<string, T>();
  return (directory) => {
    const visited: string[] = [];
    let found = options.none;
    for (let current = directory; ;) {
      const remembered = known.get(current);
      if (remembered !== undefined) {
        found = remembered;
        break;
      }
      visited.push(current);
      if (options.stopAtNodeModules && basename(current) === 'node_modules') break;
      const probed = options.probe(current);
      if (probed !== undefined) {
        found = probed;
        break;
      }
      const parent = dirname(current);
      if (parent === current) break;
      current = parent;
    }
    for (const directory of visited) known.set(directory, found);
    return found;
  };
}
