// @ts-check
import eslint from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** The parts of the project (top-level folders), as ARCHITECTURE.md describes them. */
const PARTS = [
  'contracts',
  'lambdas',
  'infra',
  'sandbox',
  'web-demo',
  'security',
  'scripts',
  'testing',
  'bench',
  'test',
];

/**
 * Who may import whom (ARCHITECTURE.md, "Dependency rules"). Anything not listed is refused,
 * imports inside one part are always allowed, npm packages and Node built-ins are not restricted.
 */
const MAY_IMPORT = {
  // The shared contracts import nothing of ours: everything else builds on them.
  contracts: [],
  // Deployed handler code: only the contracts.
  lambdas: ['contracts'],
  // The CDK app never reaches into the sandbox or the web demo (it may share a handler's
  // constants, though names both sides read belong in contracts/).
  infra: ['contracts', 'lambdas'],
  // The sandbox reads the stack only through the synthesized cloud assembly, and runs the
  // handlers' own code.
  sandbox: ['contracts', 'lambdas'],
  // Browser code: only the contracts.
  'web-demo': ['contracts'],
  // The security matrix: synthesizes the stack and evaluates it with the sandbox's IAM engine
  // (and names the routes' rate-limit scopes the handlers define).
  security: ['contracts', 'lambdas', 'infra', 'sandbox'],
  // Command-line tools (npm scripts).
  scripts: ['contracts', 'lambdas', 'infra', 'sandbox', 'security', 'web-demo'],
  // Test and benchmark support (fixtures, harnesses).
  testing: ['contracts', 'lambdas', 'infra', 'sandbox', 'web-demo'],
  bench: ['contracts', 'lambdas', 'infra', 'sandbox', 'web-demo', 'testing'],
  // Tests may import every part; nothing imports test/.
  test: ['contracts', 'lambdas', 'infra', 'sandbox', 'web-demo', 'security', 'scripts', 'testing'],
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'cdk.out/',
      'dist/',
      '**/dist/',
      '.sandbox/',
      '.cognito/',
      'coverage/',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      // Type information from the two TypeScript projects (the root one, web-demo's for the
      // demo). `project` rather than `projectService`: on the command line, typescript-eslint then
      // builds one Program per tsconfig up front, 5 s (15%) faster here than the project service.
      parserOptions: {
        project: ['./tsconfig.json', './web-demo/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
        // No rule here reads JSDoc in .ts files, and TypeScript's own advice for type-aware linting
        // is to skip parsing it: about a third of the lint's CPU time (mostly aws-cdk-lib's .d.ts).
        jsDocParsingMode: 'type-info',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // @types/jest types the asymmetric matchers (expect.any, expect.objectContaining,
      // expect.stringMatching, ...) as `any`, so every `{ id: expect.any(String) }` in an expected
      // value would be reported. Member access, calls and arguments on `any` stay checked.
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  {
    // The memo of iam-utils' matchers replaces functions on the library's own exports object,
    // which only a require-style import gives (an `import * as` namespace is a copy under tsx).
    files: ['sandbox/iam/resource-type-memo.ts'],
    rules: {
      '@typescript-eslint/no-require-imports': ['error', { allow: ['^@cloud-copilot/iam-utils$'] }],
    },
  },
  {
    // Plain JavaScript config files belong to no TypeScript project.
    files: ['**/*.{js,mjs,cjs}'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['web-demo/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.ts'],
    plugins: { boundaries },
    settings: {
      'import/resolver': { node: { extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] } },
      'boundaries/elements': PARTS.map((part) => ({
        type: part,
        pattern: part,
        partialMatch: false,
      })),
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          message: '{{from.type}}/ may not import {{to.type}}/ (dependency rules: ARCHITECTURE.md)',
          policies: [
            { allow: { to: { module: { origin: ['external', 'core'] } } } },
            ...Object.entries(MAY_IMPORT).map(([from, to]) => ({
              from: { element: { type: from } },
              allow: { to: { element: { types: { anyOf: [from, ...to] } } } },
            })),
          ],
        },
      ],
    },
  },
);
