// @ts-check
import tseslint from 'typescript-eslint';

/** DESIGN.md §2 import rules, as `no-restricted-imports` patterns per room. */
const restrict = (patterns) => ({
  'no-restricted-imports': ['error', { patterns }],
});

/** The rooms of src/main (DESIGN.md §2). */
const MAIN_ROOMS = ['app', 'config', 'control', 'http', 'proxy', 'setup', 'shell', 'store'];

const ELECTRON_ONLY_IN_SHELL =
  'only src/main/shell imports electron; the rest runs headless too (DESIGN.md §2).';

/** The proxy's rules, for proxy/** and again for proxy/stages/** (a file's last matching rule wins). */
const PROXY_RULES = [
  { group: ['electron'], message: ELECTRON_ONLY_IN_SHELL },
  {
    group: [
      'better-sqlite3',
      '**/store/**',
      '**/control/**',
      '**/app/**',
      '**/config/**',
      '**/shell/**',
      '**/store',
      '**/control',
    ],
    message:
      "the proxy never imports store, control or the app's wiring; app.ts wires them through ports (DESIGN.md §2.2).",
  },
];

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
  // 1. shared imports only shared.
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
          '../formats',
          '../formats/*',
        ],
        message: 'src/shared is pure TypeScript: it imports only shared (DESIGN.md §2.1).',
      },
    ]),
  },
  // 1. formats is pure too: the wire formats, read by the proxy and the renderer alike.
  {
    files: ['src/formats/**/*.ts'],
    rules: restrict([
      {
        group: [
          'node:*',
          'electron',
          'react',
          'react-dom',
          'better-sqlite3',
          'undici',
          '**/main/**',
          '**/renderer/**',
          '**/preload/**',
        ],
        message: 'src/formats is pure TypeScript: it imports only shared and itself (DESIGN.md §2).',
      },
    ]),
  },
  // 2. src/main is rooms; only shell/ may import electron.
  {
    files: ['src/main/http/**/*.ts'],
    rules: restrict([
      {
        group: [
          'electron',
          'better-sqlite3',
          'undici',
          ...MAIN_ROOMS.filter((r) => r !== 'http').map((r) => `**/${r}/**`),
          '**/store',
          '**/control',
          '**/proxy',
        ],
        message:
          'http/ is listener plumbing shared by proxy and control: it imports node and shared only (DESIGN.md §2).',
      },
    ]),
  },
  {
    files: ['src/main/app/**/*.ts'],
    rules: restrict([{ group: ['electron'], message: ELECTRON_ONLY_IN_SHELL }]),
  },
  {
    files: ['src/main/config/**/*.ts'],
    rules: restrict([
      { group: ['electron'], message: ELECTRON_ONLY_IN_SHELL },
      {
        group: ['**/control/**', '**/app/**', '**/shell/**'],
        message:
          'config holds the settings in force and their files; app.ts wires it to the rest (DESIGN.md §2).',
      },
    ]),
  },
  {
    files: ['src/main/setup/**/*.ts'],
    rules: restrict([
      { group: ['electron'], message: ELECTRON_ONLY_IN_SHELL },
      {
        group: ['**/proxy/**', '**/control/**', '**/app/**', '**/shell/**'],
        message:
          "setup edits tools' files; the control API and the CLI call it, not the other way (DESIGN.md §2).",
      },
    ]),
  },
  // 2. proxy never imports electron, store, control or the app's wiring.
  {
    files: ['src/main/proxy/**/*.ts'],
    ignores: ['src/main/proxy/stages/**'],
    rules: restrict(PROXY_RULES),
  },
  // 2. store never imports electron, proxy, control or the app's wiring.
  {
    files: ['src/main/store/**/*.ts'],
    rules: restrict([
      { group: ['electron'], message: ELECTRON_ONLY_IN_SHELL },
      {
        group: [
          'undici',
          '**/proxy/**',
          '**/control/**',
          '**/app/**',
          '**/config/**',
          '**/shell/**',
          '**/http/**',
          '**/proxy',
          '**/control',
        ],
        message:
          "the store never imports proxy, control or the app's wiring; app.ts wires them through ports (DESIGN.md §2.2).",
      },
    ]),
  },
  // 3. control is a thin adapter: no SQL, and the proxy only through what app.ts hands it.
  {
    files: ['src/main/control/**/*.ts'],
    rules: restrict([
      { group: ['electron'], message: ELECTRON_ONLY_IN_SHELL },
      {
        group: ['better-sqlite3', '**/store/schema/migrations/**'],
        message: 'control holds no SQL (DESIGN.md §2.3).',
      },
      {
        group: ['**/proxy/**', '**/proxy', '**/shell/**'],
        message:
          'control reaches the proxy only through the ports in control/deps.ts, which app.ts wires (DESIGN.md §2.3).',
      },
    ]),
  },
  // 4. preload: electron and shared only; renderer: shared, formats and its own files.
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
        message: 'the renderer imports shared, formats and its own files only (DESIGN.md §2.4).',
      },
    ]),
  },
  // 5. inside proxy: stages never import each other (and keep the proxy's rules).
  {
    files: ['src/main/proxy/stages/**/*.ts'],
    rules: restrict([
      { group: ['./*', '!./*.js'], message: 'stages never import each other (DESIGN.md §2.5).' },
      ...PROXY_RULES,
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
