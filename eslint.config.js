// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import path from 'node:path';

const sourceRoot = path.join(import.meta.dirname, 'src');

/**
 * A module is a folder of src/ with a small public surface (style guide, habit 3): from another
 * folder only its index.ts may be imported, so a module can rearrange its files without breaking
 * anyone. Two exceptions, both about table definitions: src/db/schema.ts gathers every module's
 * schema slice for drizzle, and one schema slice may name another's table in a foreign key.
 */
const throughIndex = {
  meta: {
    type: 'problem',
    messages: {
      deep: 'Import {{module}} through src/{{module}}/index.ts, not {{file}} (modules expose only their index).',
    },
    schema: [],
  },
  create(context) {
    const moduleOf = (file) => {
      const relative = path.relative(sourceRoot, file);
      if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
      const parts = relative.split(path.sep);
      return parts.length > 1 ? parts[0] : '';
    };
    const from = context.filename;
    const ownModule = moduleOf(from);
    const check = (source) => {
      if (ownModule === undefined || source === null || typeof source.value !== 'string') return;
      if (!source.value.startsWith('.')) return;
      const target = path.resolve(path.dirname(from), source.value);
      const targetModule = moduleOf(target);
      if (targetModule === undefined || targetModule === '' || targetModule === ownModule) return;
      if (target === path.join(sourceRoot, targetModule, 'index.ts')) return;
      const isSchema = (file) => file.endsWith('-schema.ts');
      if (isSchema(target) && (isSchema(from) || from === path.join(sourceRoot, 'db', 'schema.ts'))) return;
      context.report({
        node: source,
        messageId: 'deep',
        data: { module: targetModule, file: path.relative(sourceRoot, target) },
      });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source.type === 'Literal' ? node.source : null),
    };
  },
};

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      'data',
      'migrations',
      'tests/artifacts',
      'bench/.tmp',
      'eslint.config.js',
      'drizzle.config.ts',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Fastify handlers and hooks are async by convention even when they do not await.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // The core must never know which messenger it talks to (style guide, habit 4).
    files: ['src/**/*.ts'],
    plugins: { modules: { rules: { 'through-index': throughIndex } } },
    rules: {
      'modules/through-index': 'error',
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/bots/**', '../bots/*'], message: 'src/ never imports bots/' }] },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration in src/config only.' },
      ],
    },
  },
  {
    files: ['src/config/**/*.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // The composition root is the one file that knows the adapters: it builds and wires them.
    files: ['src/application.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // The consoles' browser scripts are plain JavaScript served as is (no build step).
    files: ['bots/web/public/**/*.js', 'src/console/public/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      sourceType: 'module',
      parserOptions: { projectService: false, project: false },
      globals: {
        window: 'readonly',
        document: 'readonly',
        location: 'readonly',
        history: 'readonly',
        localStorage: 'readonly',
        sessionStorage: 'readonly',
        fetch: 'readonly',
        EventSource: 'readonly',
        setTimeout: 'readonly',
        HTMLElement: 'readonly',
        HTMLInputElement: 'readonly',
        HTMLTextAreaElement: 'readonly',
        URLSearchParams: 'readonly',
        navigator: 'readonly',
      },
    },
  },
  {
    files: ['tests/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      // Playwright evaluates waitForFunction's predicate with eval inside the page; the consoles'
      // CSP refuses eval and Chromium reports it as a violation (a browser story then fails).
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='waitForFunction']",
          message: 'Use waitInPage from tests/support/console-browser.ts: waitForFunction needs eval.',
        },
      ],
    },
  },
);
