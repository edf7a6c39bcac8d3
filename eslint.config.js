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
        regex: `^(\\.\\./)+(${others.join('|')})/(src|test)/`,
        message: "An app does not reach into another app's folder: move what both need into packages/.",
      },
    ],
  };
}

/**
 * Files that break a boundary today (until seams/, packages and a shared test kit take over). They warn, so the rule
 * states the target without failing the build; every other file gets it as an error.
 */
const KNOWN_BOUNDARY_BREACHES = {
  auth: ['apps/auth/test/operations/*.test.ts'],
  mcp: [
    'apps/mcp/test/e2e/*.e2e.test.ts',
    'apps/mcp/test/security/revocation.test.ts',
  ],
  // Whole-stack tests: they start the auth and MCP apps with their test helpers (issue 13 §8).
  admin: [
    'apps/admin/test/helpers/deployment.ts',
    'apps/admin/test/compose-commands.test.ts',
    'apps/admin/test/compose-file.test.ts',
    'apps/admin/test/doctor.test.ts',
    'apps/admin/test/key-revocation-live.test.ts',
    'apps/admin/test/restore-drill.test.ts',
    'apps/admin/test/secret-rotation-live.test.ts',
    'apps/admin/test/user-delete.test.ts',
  ],
};

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
  // Product code uses no deprecated API unchecked. Tests are exempt: openid-client marks the options a
  // test needs against loopback servers (allowInsecureRequests, skipStateCheck) deprecated on purpose.
  {
    files: ['apps/*/src/**/*.ts', 'packages/*/src/**/*.ts'],
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
  ...APPS.map((app) => ({
    files: KNOWN_BOUNDARY_BREACHES[app],
    rules: { 'no-restricted-imports': ['warn', importBoundaries(app)] },
  })),
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
  // `any` types JSON bodies read from real servers, whose shape the assertions then check.
  {
    files: ['**/test/**/*.ts'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
);
