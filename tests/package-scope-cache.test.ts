// The start-up resolver (src/package-scope-cache.ts) answers some imports in place of Node's loader:
// wherever it answers, it must give Node's own answer (the same URL, the same format), and wherever
// Node would refuse (a missing file, a directory, an encoded slash) it must leave Node to refuse.
// Node's answers come from a Node process of the project's version with nothing registered but a
// hook that writes down what Node's own resolver returned.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPackageScopeResolver } from '../src/package-scope-cache.ts';

const run = promisify(execFile);

interface Case {
  parent: string;
  specifier: string;
}
type NodeAnswer = { url: string; format: string } | { error: string };

let root: string;
/** The modules that ask Node to resolve a specifier from where they are (`import.meta.resolve`). */
const askers: Record<string, string> = {};

const write = (path: string, text: string) => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
};

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'package-scope-'));
  const modules = join(root, 'node_modules');
  const asker = 'export const resolveHere = (specifier) => import.meta.resolve(specifier);\n';
  // A "module" package with a large exports map, the case the resolver exists for.
  const esm = join(modules, 'esm-pkg');
  const exportsMap = Object.fromEntries(
    Array.from({ length: 200 }, (_, index) => [`./entry${String(index)}`, `./lib/a.js`]),
  );
  write(join(esm, 'package.json'), JSON.stringify({ name: 'esm-pkg', type: 'module', exports: exportsMap }));
  for (const file of ['index.js', 'lib/a.js', 'lib/a b.js', 'lib/ü.js', 'lib/deep/c.js'])
    write(join(esm, file), 'export default 1;\n');
  mkdirSync(join(esm, 'lib', 'folder.js'), { recursive: true });
  // Nested package.json files: a CommonJS corner, one with no type, one that is not JSON.
  write(join(esm, 'lib', 'cjs', 'package.json'), JSON.stringify({ type: 'commonjs' }));
  write(join(esm, 'lib', 'cjs', 'b.js'), 'module.exports = 1;\n');
  write(join(esm, 'lib', 'none', 'package.json'), '{}');
  write(join(esm, 'lib', 'none', 'c.js'), 'export default 1;\n');
  write(join(esm, 'lib', 'bad', 'package.json'), '{ not json');
  write(join(esm, 'lib', 'bad', 'd.js'), 'export default 1;\n');
  // Symlinks: to a file, and to a directory.
  symlinkSync(join(esm, 'lib', 'a.js'), join(esm, 'lib', 'link.js'));
  symlinkSync(join(esm, 'lib'), join(esm, 'linked-lib'));
  // A package inside a package, and a file straight under node_modules (no package: Node stops there).
  write(
    join(esm, 'node_modules', 'inner', 'package.json'),
    JSON.stringify({ name: 'inner', type: 'module' }),
  );
  write(join(esm, 'node_modules', 'inner', 'f.js'), 'export default 1;\n');
  write(join(root, 'package.json'), JSON.stringify({ type: 'module' }));
  write(join(modules, 'loose.js'), 'export default 1;\n');
  // A package without a type.
  const plain = join(modules, 'plain-pkg');
  write(join(plain, 'package.json'), JSON.stringify({ name: 'plain-pkg' }));
  write(join(plain, 'lib', 'e.js'), 'module.exports = 1;\n');

  for (const [name, path] of Object.entries({
    esmRoot: join(esm, 'resolver.js'),
    esmLib: join(esm, 'lib', 'resolver.js'),
    esmDeep: join(esm, 'lib', 'deep', 'resolver.js'),
    esmCjs: join(esm, 'lib', 'cjs', 'resolver.mjs'),
    inner: join(esm, 'node_modules', 'inner', 'resolver.js'),
    plain: join(plain, 'lib', 'resolver.mjs'),
    outsideNodeModules: join(root, 'resolver.js'),
  })) {
    write(path, asker);
    askers[name] = pathToFileURL(path).href;
  }
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** What Node's own resolver answers for each case, asked in a process of its own. */
async function nodeAnswers(cases: Case[]): Promise<NodeAnswer[]> {
  const script = `
    import { registerHooks } from 'node:module';
    const answers = new Map();
    registerHooks({
      resolve(specifier, context, nextResolve) {
        const key = specifier + '\\n' + context.parentURL;
        try {
          const answer = nextResolve(specifier, context);
          answers.set(key, { url: answer.url, format: answer.format });
          return answer;
        } catch (error) {
          answers.set(key, { error: error.code ?? String(error) });
          throw error;
        }
      },
    });
    const cases = JSON.parse(process.argv[1]);
    const out = [];
    for (const { parent, specifier } of cases) {
      const { resolveHere } = await import(parent);
      try { resolveHere(specifier); } catch {}
      out.push(answers.get(specifier + '\\n' + parent) ?? { error: 'not asked' });
    }
    process.stdout.write(JSON.stringify(out));
  `;
  const { stdout } = await run(
    process.execPath,
    ['--input-type=module', '-e', script, JSON.stringify(cases)],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return JSON.parse(stdout) as NodeAnswer[];
}

/** The resolver's answers beside Node's; returns how many cases the resolver answered itself. */
async function expectNodesAnswers(cases: Case[]): Promise<number> {
  const resolver = createPackageScopeResolver();
  const answers = await nodeAnswers(cases);
  let answered = 0;
  cases.forEach((testCase, index) => {
    const ours = resolver.resolve(testCase.specifier, testCase.parent);
    if (ours === undefined) return;
    answered++;
    expect(
      { url: ours.url, format: ours.format },
      `${testCase.specifier} from ${testCase.parent.slice(pathToFileURL(root).href.length)}`,
    ).toEqual(answers[index]);
  });
  return answered;
}

describe('the start-up resolver of relative imports inside dependencies', () => {
  it('answers for files of "module" packages as Node does, and leaves every other case to Node', async () => {
    const answer = (parent: string, specifier: string) =>
      createPackageScopeResolver().resolve(specifier, askers[parent]);
    const cases: [string, string, 'answers' | 'leaves'][] = [
      ['esmRoot', './lib/a.js', 'answers'],
      ['esmLib', './a.js', 'answers'],
      ['esmDeep', '../a.js', 'answers'],
      ['esmLib', './a%20b.js', 'answers'],
      ['esmLib', './%C3%BC.js', 'answers'],
      ['esmLib', './a.js?x=1#y.js', 'answers'],
      ['inner', './f.js', 'answers'],
      ['esmDeep', './c.js', 'answers'],
      // Not for this resolver: Node decides (and refuses where it should).
      ['esmLib', './cjs/b.js', 'leaves'],
      ['esmLib', './none/c.js', 'leaves'],
      ['esmLib', './bad/d.js', 'leaves'],
      ['esmLib', './link.js', 'leaves'],
      ['esmRoot', './linked-lib/a.js', 'leaves'],
      ['esmLib', './missing.js', 'leaves'],
      ['esmLib', './folder.js', 'leaves'],
      ['esmLib', './deep%2Fc.js', 'leaves'],
      ['esmLib', 'esm-pkg/entry1', 'leaves'],
      ['esmLib', './a.mjs', 'leaves'],
      ['esmLib', '/etc/passwd.js', 'leaves'],
      ['plain', './e.js', 'leaves'],
      ['esmRoot', '../loose.js', 'leaves'],
      ['outsideNodeModules', './node_modules/esm-pkg/lib/a.js', 'leaves'],
    ];
    for (const [parent, specifier, expected] of cases)
      expect(
        answer(parent, specifier) === undefined ? 'leaves' : 'answers',
        `${specifier} from ${parent}`,
      ).toBe(expected);
    const answered = await expectNodesAnswers(
      cases.map(([parent, specifier]) => ({ parent: askers[parent]!, specifier })),
    );
    expect(answered).toBe(cases.filter(([, , expected]) => expected === 'answers').length);
  });

  it('gives Node’s answer for generated relative specifiers (dots, encodings, queries, symlinks, dead ends)', async () => {
    const segment = fc.constantFrom(
      '.',
      '..',
      'lib',
      'deep',
      'cjs',
      'none',
      'bad',
      'linked-lib',
      'node_modules',
      'inner',
      'esm-pkg',
      'a%20b',
      '%C3%BC',
      '%2F',
      '%2e%2e',
      'folder',
      '',
    );
    const file = fc.constantFrom(
      'a',
      'b',
      'c',
      'd',
      'e',
      'f',
      'link',
      'index',
      'folder',
      'resolver',
      'missing',
      'loose',
    );
    const specifier = fc
      .tuple(
        fc.constantFrom('./', '../'),
        fc.array(segment, { maxLength: 4 }),
        file,
        fc.constantFrom('.js', '.js?q=1', '.js#h', '.js?v.js', '.js#x.js'),
      )
      .map(([start, segments, name, end]) => `${start}${[...segments, name].join('/')}${end}`)
      .filter((text) => text.endsWith('.js'));
    const testCase = fc.record({ parent: fc.constantFrom(...Object.values(askers)), specifier });
    const cases = fc.sample(testCase, 400);
    const answered = await expectNodesAnswers(cases);
    // The generated cases reach files the resolver answers for, not only dead ends.
    expect(answered).toBeGreaterThan(0);
  });
});
