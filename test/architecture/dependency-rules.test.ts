/**
 * The dependency rules of ARCHITECTURE.md are enforced by ESLint (eslint-plugin-boundaries, in
 * eslint.config.mjs): each forbidden import below, linted as if written in that part of the
 * project, must fail with the rule's message, and each allowed one must pass.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Imports one module of each part, by a path that exists. */
const MODULE_OF = {
  contracts: 'contracts/regions',
  lambdas: 'lambdas/lib/env',
  infra: 'infra/context',
  sandbox: 'sandbox/resources',
  'web-demo': 'web-demo/src/format',
  security: 'security/stack-template',
  testing: 'testing/lambdas/trigger-events',
  test: 'test/infra/support',
} as const;
type Part = keyof typeof MODULE_OF;

interface Fixture {
  readonly filePath: string;
  readonly code: string;
}

/**
 * Lints the fixtures with the project's ESLint config, in a child Node process: ESLint loads
 * eslint.config.mjs with a dynamic import, which jest's module sandbox does not allow. Type-aware
 * rules are turned off (a TypeScript program per virtual file would take minutes).
 */
function lint(fixtures: readonly Fixture[]): string[][] {
  const script = `
    import { ESLint } from 'eslint';
    import tseslint from 'typescript-eslint';
    const fixtures = JSON.parse(process.argv[1]);
    // The project config, without type information: the rules checked here read imports only.
    const eslint = new ESLint({
      cwd: process.cwd(),
      overrideConfig: [tseslint.configs.disableTypeChecked],
    });
    const out = [];
    for (const { filePath, code } of fixtures) {
      const [result] = await eslint.lintText(code, { filePath });
      out.push(result.messages.filter((m) => m.ruleId === 'boundaries/dependencies').map((m) => m.message));
    }
    console.log(JSON.stringify(out));
  `;
  const stdout = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', script, JSON.stringify(fixtures)],
    { cwd: ROOT, encoding: 'utf8' },
  );
  return JSON.parse(stdout) as string[][];
}

/** One import statement written in a (virtual) file of `from`. */
function importFixture(from: string, to: Part): Fixture {
  const depth = from.split('/').length;
  const specifier = `${'../'.repeat(depth)}${MODULE_OF[to]}`;
  return {
    filePath: join(ROOT, from, 'dependency-rule-fixture.ts'),
    code: `import * as m from '${specifier}';\nexport const used = m;\n`,
  };
}

const FORBIDDEN: readonly [string, Part][] = [
  ['contracts', 'lambdas'],
  ['contracts', 'infra'],
  ['lambdas', 'infra'],
  ['lambdas', 'sandbox'],
  ['lambdas/lib', 'web-demo'],
  ['infra', 'sandbox'],
  ['infra/constructs', 'web-demo'],
  ['sandbox', 'infra'],
  ['web-demo/src', 'lambdas'],
  ['web-demo/src', 'infra'],
  ['web-demo/src', 'sandbox'],
  ['security', 'test'],
  ['testing', 'test'],
  ['bench', 'test'],
  ['scripts', 'test'],
  ['sandbox', 'test'],
  ['infra', 'security'],
  ['lambdas', 'testing'],
  ['web-demo/src', 'testing'],
];

const ALLOWED: readonly [string, Part][] = [
  ['lambdas', 'contracts'],
  ['infra/constructs', 'contracts'],
  ['sandbox/services', 'contracts'],
  ['sandbox', 'lambdas'],
  ['web-demo/src', 'contracts'],
  ['security', 'infra'],
  ['infra/constructs', 'lambdas'],
  ['bench', 'testing'],
  ['test/infra', 'security'],
  ['test/sandbox', 'test'],
];

let forbidden: string[][];
let allowed: string[][];

beforeAll(() => {
  const results = lint([...FORBIDDEN, ...ALLOWED].map(([from, to]) => importFixture(from, to)));
  forbidden = results.slice(0, FORBIDDEN.length);
  allowed = results.slice(FORBIDDEN.length);
}, 120_000);

describe('dependency rules', () => {
  test('every fixture imports a module that exists', () => {
    for (const path of Object.values(MODULE_OF))
      expect(existsSync(join(ROOT, `${path}.ts`))).toBe(true);
  });

  test.each(FORBIDDEN.map(([from, to], i) => [from, to, i] as const))(
    '%s/ may not import %s/',
    (from, to, i) => {
      const top = from.split('/')[0];
      expect(forbidden[i]).toEqual([
        `${top}/ may not import ${to}/ (dependency rules: ARCHITECTURE.md)`,
      ]);
    },
  );

  test.each(ALLOWED.map(([from, to], i) => [from, to, i] as const))(
    '%s/ may import %s/',
    (_from, _to, i) => {
      expect(allowed[i]).toEqual([]);
    },
  );
});
