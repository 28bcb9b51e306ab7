// The start-up resolve hook (src/module-resolution) answers some imports in place of Node's loader:
// wherever it answers, it must give Node's own answer (the same URL, the same format), also when the
// answer was kept from another importer, and wherever Node would refuse (a missing file, a
// directory, an encoded slash, a package not found from there) it must leave Node to refuse.
// Node's answers come from processes of the project's Node: one with nothing registered but a hook
// that writes down what it answered, one with our hook under that same recorder (and a recorder
// under ours, which shows which imports still reached Node's resolver).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelativeImportResolver } from '../src/module-resolution/index.ts';

const run = promisify(execFile);
const shortcutsModule = pathToFileURL(
  join(import.meta.dirname, '..', 'src', 'module-resolution', 'index.ts'),
).href;

interface Case {
  parent: string;
  specifier: string;
}
type Answer = { url: string; format: string | null } | { error: string };
interface Outcome {
  answers: Answer[];
  /** Per case: whether it reached Node's own resolver. */
  reachedNode: boolean[];
}

let root: string;
/** The modules that ask Node to resolve a specifier from where they are (`import.meta.resolve`). */
const askers: Record<string, string> = {};

const write = (path: string, text: string) => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
};

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'module-resolution-'));
  const modules = join(root, 'node_modules');
  const asker = 'export const resolveHere = (specifier) => import.meta.resolve(specifier);\n';
  // A "module" package with a large exports map, the case the shortcuts exist for.
  const esm = join(modules, 'esm-pkg');
  const exportsMap = {
    '.': './index.js',
    ...Object.fromEntries(
      Array.from({ length: 200 }, (_, index) => [`./entry${String(index)}`, './lib/a.js']),
    ),
    './lib/*': './lib/*',
  };
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
  // A package inside a package (found only from inside esm-pkg), and a file straight under
  // node_modules (no package: Node looks no further up for one).
  write(
    join(esm, 'node_modules', 'inner', 'package.json'),
    JSON.stringify({ name: 'inner', type: 'module' }),
  );
  write(join(esm, 'node_modules', 'inner', 'f.js'), 'export default 1;\n');
  write(join(modules, 'loose.js'), 'export default 1;\n');
  // A package without a type.
  const plain = join(modules, 'plain-pkg');
  write(join(plain, 'package.json'), JSON.stringify({ name: 'plain-pkg' }));
  write(join(plain, 'lib', 'e.js'), 'module.exports = 1;\n');
  // The project around them: it can name itself (self-reference), and one of its directories has
  // node_modules of its own.
  write(
    join(root, 'package.json'),
    JSON.stringify({ name: 'root-pkg', type: 'module', exports: { '.': './src/a/resolver.js' } }),
  );
  const own = join(root, 'src', 'own');
  write(
    join(own, 'node_modules', 'esm-pkg', 'package.json'),
    JSON.stringify({ name: 'esm-pkg', type: 'module' }),
  );
  write(join(own, 'node_modules', 'esm-pkg', 'index.js'), 'export default 2;\n');
  write(
    join(own, 'node_modules', 'own-only', 'package.json'),
    JSON.stringify({ name: 'own-only', main: 'x.js' }),
  );
  write(join(own, 'node_modules', 'own-only', 'x.js'), 'module.exports = 1;\n');

  // A package that answers import and require differently, required from the project too.
  const dual = join(modules, 'dual-pkg');
  write(
    join(dual, 'package.json'),
    JSON.stringify({ name: 'dual-pkg', exports: { '.': { import: './i.mjs', require: './r.cjs' } } }),
  );
  write(join(dual, 'i.mjs'), 'export default 1;\n');
  write(join(dual, 'r.cjs'), 'module.exports = 1;\n');
  const requirer = join(root, 'src', 'a', 'requirer.cjs');
  write(requirer, 'exports.resolveHere = (specifier) => require(specifier);\n');
  askers.requirer = pathToFileURL(requirer).href;

  for (const [name, path] of Object.entries({
    esmRoot: join(esm, 'resolver.js'),
    esmLib: join(esm, 'lib', 'resolver.js'),
    esmDeep: join(esm, 'lib', 'deep', 'resolver.js'),
    esmCjs: join(esm, 'lib', 'cjs', 'resolver.mjs'),
    inner: join(esm, 'node_modules', 'inner', 'resolver.js'),
    plain: join(plain, 'lib', 'resolver.mjs'),
    project: join(root, 'resolver.js'),
    srcA: join(root, 'src', 'a', 'resolver.js'),
    srcB: join(root, 'src', 'b', 'deeper', 'resolver.js'),
    srcOwn: join(own, 'resolver.js'),
    srcOwnDeep: join(own, 'deep', 'resolver.js'),
  })) {
    write(path, asker);
    askers[name] = pathToFileURL(path).href;
  }
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** What a process answers for each case in turn: Node alone, or Node with our shortcuts. */
async function answersOf(cases: Case[], withShortcuts: boolean): Promise<Outcome> {
  const script = `
    import { registerHooks } from 'node:module';
    const keyOf = (specifier, context) => specifier + '\\n' + context.parentURL;
    const reached = new Set();
    registerHooks({
      resolve(specifier, context, nextResolve) {
        reached.add(keyOf(specifier, context));
        return nextResolve(specifier, context);
      },
    });
    const [casesText, shortcuts] = process.argv.slice(1);
    if (shortcuts !== '') (await import(shortcuts)).useModuleResolutionShortcuts();
    const answers = new Map();
    registerHooks({
      resolve(specifier, context, nextResolve) {
        const key = keyOf(specifier, context);
        try {
          const answer = nextResolve(specifier, context);
          answers.set(key, { url: answer.url, format: answer.format ?? null });
          return answer;
        } catch (error) {
          answers.set(key, { error: error.code ?? String(error) });
          throw error;
        }
      },
    });
    const out = { answers: [], reachedNode: [] };
    for (const { parent, specifier } of JSON.parse(casesText)) {
      const { resolveHere } = await import(parent);
      const key = specifier + '\\n' + parent;
      reached.delete(key);
      try { resolveHere(specifier); } catch {}
      out.answers.push(answers.get(key) ?? { error: 'not asked' });
      out.reachedNode.push(reached.has(key));
    }
    process.stdout.write(JSON.stringify(out));
  `;
  const { stdout } = await run(
    process.execPath,
    ['--input-type=module', '-e', script, JSON.stringify(cases), withShortcuts ? shortcutsModule : ''],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as Outcome;
}

/** Node's answers with and without the shortcuts, case by case; how many the shortcuts answered. */
async function expectNodesAnswers(cases: Case[]): Promise<{ relative: number; bare: number }> {
  const [alone, withShortcuts] = await Promise.all([answersOf(cases, false), answersOf(cases, true)]);
  const spared = { relative: 0, bare: 0 };
  cases.forEach((testCase, index) => {
    const where = `${testCase.specifier} from ${testCase.parent.slice(pathToFileURL(root).href.length)}`;
    expect(withShortcuts.answers[index], where).toEqual(alone.answers[index]);
    // Node alone may skip resolving too: require() keeps what it resolved for the same importer.
    if (alone.reachedNode[index] && !withShortcuts.reachedNode[index])
      spared[testCase.specifier.startsWith('.') ? 'relative' : 'bare']++;
  });
  return spared;
}

/** Relative imports the hook answers itself (importer, specifier). */
const answeredRelative: [string, string][] = [
  ['esmRoot', './lib/a.js'],
  ['esmLib', './a.js'],
  ['esmDeep', '../a.js'],
  ['esmLib', './a%20b.js'],
  ['esmLib', './%C3%BC.js'],
  ['esmLib', './a.js?x=1#y.js'],
  ['inner', './f.js'],
  ['esmDeep', './c.js'],
];

const bareSpecifiers = [
  'dual-pkg',
  'esm-pkg',
  'esm-pkg/entry1',
  'esm-pkg/entry199',
  'esm-pkg/lib/a.js',
  'esm-pkg/lib/cjs/b.js',
  'esm-pkg/missing',
  'esm-pkg/package.json',
  'inner',
  'inner/f.js',
  'plain-pkg',
  'plain-pkg/lib/e.js',
  'own-only',
  'root-pkg',
  'missing-pkg',
  '@scope/missing',
  'fs',
  'node:fs',
  '#internal',
];

describe('the start-up resolve hook', () => {
  it('answers relative imports inside "module" packages itself, and leaves every other case to Node', async () => {
    const answer = (parent: string, specifier: string) =>
      createRelativeImportResolver().resolve(specifier, askers[parent]);
    const cases: [string, string, 'answers' | 'leaves'][] = [
      ...answeredRelative.map(
        ([parent, specifier]) => [parent, specifier, 'answers'] as [string, string, 'answers'],
      ),
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
      ['project', './node_modules/esm-pkg/lib/a.js', 'leaves'],
    ];
    for (const [parent, specifier, expected] of cases)
      expect(
        answer(parent, specifier) === undefined ? 'leaves' : 'answers',
        `${specifier} from ${parent}`,
      ).toBe(expected);
    const spared = await expectNodesAnswers(
      cases.map(([parent, specifier]) => ({ parent: askers[parent]!, specifier })),
    );
    expect(spared.relative).toBe(cases.filter(([, , expected]) => expected === 'answers').length);
  });

  it('keeps a bare import’s answer only for importers that would get the same one', async () => {
    // The same names from everywhere: the project's directories share answers, its directory with
    // node_modules of its own does not, nor do the packages (inner is found only from esm-pkg).
    const cases = Object.values(askers).flatMap((parent) =>
      bareSpecifiers.map((specifier) => ({ parent, specifier })),
    );
    const spared = await expectNodesAnswers([...cases, ...cases.reverse()]);
    expect(spared.bare).toBeGreaterThan(0);
  });

  it('gives Node’s answers for generated sequences of imports (dots, encodings, queries, symlinks, dead ends)', async () => {
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
    const relative = fc
      .tuple(
        fc.constantFrom('./', '../'),
        fc.array(segment, { maxLength: 4 }),
        file,
        fc.constantFrom('.js', '.js?q=1', '.js#h', '.js?v.js', '.js#x.js'),
      )
      .map(([start, segments, name, end]) => `${start}${[...segments, name].join('/')}${end}`);
    const specifier = fc.oneof(relative, fc.constantFrom(...bareSpecifiers));
    // Random paths mostly lead nowhere: one case in five is one the hook answers (and keeps), so
    // every sequence also has the hook answering between Node's answers.
    const testCase = fc.oneof(
      { weight: 4, arbitrary: fc.record({ parent: fc.constantFrom(...Object.values(askers)), specifier }) },
      {
        weight: 1,
        arbitrary: fc
          .constantFrom(...answeredRelative)
          .map(([parent, specifier]) => ({ parent: askers[parent]!, specifier })),
      },
    );
    const cases = fc.sample(testCase, 600);
    const spared = await expectNodesAnswers(cases);
    // The sequence had the hook answer, not only pass imports on to Node.
    expect(spared.relative).toBeGreaterThan(0);
    expect(spared.bare).toBeGreaterThan(0);
  });
});
