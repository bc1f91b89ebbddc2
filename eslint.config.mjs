// @ts-check
import tseslint from 'typescript-eslint';

/** DESIGN.md §2 import rules, as `no-restricted-imports` patterns per room. */
const restrict = (patterns) => ({
  'no-restricted-imports': ['error', { patterns }],
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'test-results/**', 'test/fixtures/**', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-empty-function': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/no-unnecessary-type-parameters': 'off',
    },
  },
  // 1. shared imports only shared (and zod, pure).
  {
    files: ['src/shared/**/*.ts'],
    rules: restrict([
      {
        group: [
          'node:*',
          'electron',
          'react',
          'react-dom',
          'better-sqlite3',
          'undici',
          '../main/*',
          '../renderer/*',
          '../preload/*',
        ],
        message: 'src/shared is pure TypeScript: it imports only shared (DESIGN.md §2.1).',
      },
    ]),
  },
  // 2. proxy never imports electron, store or control.
  {
    files: ['src/main/proxy/**/*.ts'],
    rules: restrict([
      {
        group: ['electron', 'better-sqlite3', '**/store/**', '**/control/**', '**/store', '**/control'],
        message: 'the proxy never imports electron, store or control (DESIGN.md §2.2).',
      },
    ]),
  },
  // 2. store never imports electron, proxy or control.
  {
    files: ['src/main/store/**/*.ts'],
    rules: restrict([
      {
        group: ['electron', '**/proxy/**', '**/control/**', 'undici'],
        message: 'the store never imports electron, proxy or control (DESIGN.md §2.2).',
      },
    ]),
  },
  // 3. control is a thin adapter.
  {
    files: ['src/main/control/**/*.ts'],
    rules: restrict([
      {
        group: ['better-sqlite3', '**/store/migrations/**'],
        message: 'control holds no SQL (DESIGN.md §2.3).',
      },
    ]),
  },
  // 4. preload: electron and shared only; renderer: shared and its own files.
  {
    files: ['src/preload/**/*.ts'],
    rules: restrict([
      {
        group: ['node:*', '**/main/**', '**/renderer/**'],
        message: 'preload imports electron and shared only (DESIGN.md §2.4).',
      },
    ]),
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    rules: restrict([
      {
        group: ['node:*', 'electron', '**/main/**', '**/preload/**'],
        message: 'the renderer imports shared and its own files only (DESIGN.md §2.4).',
      },
    ]),
  },
  // 5. inside proxy: stages never import each other; formats import no stage.
  {
    files: ['src/main/proxy/stages/**/*.ts'],
    rules: restrict([
      { group: ['./*', '!./*.js'], message: 'stages never import each other (DESIGN.md §2.5).' },
      { group: ['electron', '**/store/**', '**/control/**'], message: 'core stays headless' },
    ]),
  },
  {
    files: ['src/main/proxy/formats/**/*.ts'],
    rules: restrict([
      {
        group: ['../stages/*', '../pipeline', '../server', '../failover'],
        message: 'formats sit at the bottom of the proxy (DESIGN.md §2.5).',
      },
      { group: ['electron', '**/store/**', '**/control/**'], message: 'core stays headless' },
    ]),
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // vitest's asymmetric matchers (expect.stringContaining…) are typed `any`.
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
);
