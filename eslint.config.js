// ESLint flat config for the whole workspace (`pnpm lint`). typescript-eslint's `recommended` set plus
// a few rules that catch real defects, three of them type-aware (promises nobody awaits or that land
// where a callback's result is ignored): the whole tree lints in about 30 s. No formatting rules: layout
// is left to the authors until a formatter is introduced in one sweep.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const APPS = ['auth', 'mcp', 'admin'];

/**
 * What a file of `app` (or of a package, when `app` is undefined) may not import:
 * oidc-provider's internals (only a seams folder bridges them) and any other app, by package name or
 * by a relative path into its folder. Static imports only; `await import()` is not checked.
 */
function importBoundaries(app) {
  const others = APPS.filter((name) => name !== app);
  return {
    patterns: [
      {
        regex: '^oidc-provider/lib/',
        message: 'oidc-provider internals are reached through apps/<app>/src/seams/ only.',
      },
      {
        regex: `^@omnichat/(${others.join('|')})(/|$)`,
        message: 'An app does not import another app: move what both need into packages/.',
      },
      {
        regex: `^(\\.\\./)+(apps/)?(${others.join('|')})/(src|test)/`,
        message: "An app does not reach into another app's folder: move what both need into packages/.",
      },
    ],
  };
}

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '.data/**', 'coverage/**', 'packages/db/src/generated/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  // Product code uses no deprecated API unchecked. Tests (and the test kit) are exempt: openid-client marks the
  // options a test needs against loopback servers (allowInsecureRequests, skipStateCheck) deprecated on purpose.
  {
    files: ['apps/*/src/**/*.ts', 'packages/*/src/**/*.ts'],
    ignores: ['packages/testkit/**'],
    rules: { '@typescript-eslint/no-deprecated': 'error' },
  },
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
      'no-param-reassign': 'error',
      'no-return-assign': 'error',
      'no-self-compare': 'error',
      'no-template-curly-in-string': 'error',
      'no-unreachable-loop': 'error',
      'prefer-const': 'error',
      'object-shorthand': ['error', 'always'],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // `typeof import('x')` stays allowed: it types a module that is loaded lazily.
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      // A `path` reference pulls in a local declaration file for an untyped library module.
      '@typescript-eslint/triple-slash-reference': ['error', { path: 'always', types: 'prefer-import', lib: 'never' }],
      '@typescript-eslint/no-import-type-side-effects': 'error',
      'no-restricted-imports': ['error', importBoundaries(undefined)],
    },
  },
  // Each app: the boundary rule names the other apps.
  ...APPS.map((app) => ({
    files: [`apps/${app}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', importBoundaries(app)] },
  })),
  // Where oidc-provider's internals are allowed: one seams folder per app.
  ...APPS.map((app) => ({
    files: [`apps/${app}/src/seams/**/*.ts`, `apps/${app}/test/seams/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: importBoundaries(app).patterns.filter((p) => !p.regex.startsWith('^oidc-provider')) },
      ],
    },
  })),
  // The stack tests start several apps: each through its package entries (`@omnichat/<app>`,
  // `@omnichat/<app>/testing`), never by a relative path into an app's or a package's folder.
  {
    files: ['test/stack/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...importBoundaries(undefined).patterns.filter((p) => p.regex.startsWith('^oidc-provider')),
            {
              regex: '^(\\.\\./)+(apps|packages)/',
              message: "The stack tests import an app or package by its name (its `testing` entry for test helpers), not by a path into its folder.",
            },
          ],
        },
      ],
    },
  },
  // The bench and the start script compose both apps (they are the deployment, not an app); the bench
  // runs oidc-provider with its in-memory adapter as a baseline.
  {
    files: ['bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  // Command-line programs and their helpers print to the terminal by design.
  {
    files: [
      'apps/admin/src/cli.ts',
      'apps/mcp/scripts/**/*.ts',
      'packages/db/src/cli/**/*.ts',
      'packages/db/scripts/**',
      'docker/*.mjs',
      'bench/**/*.ts',
      'scripts/**/*.ts',
    ],
    rules: { 'no-console': 'off' },
  },
  // Tests assert with expect(); console output there is a debugging aid, not a log line. Their
  // `any` types JSON bodies read from real servers, whose shape the assertions then check. The test
  // kit is test code too, though it lives in a package's src/.
  {
    files: ['**/test/**/*.ts', 'packages/testkit/**/*.ts'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
);
