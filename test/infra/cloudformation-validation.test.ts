/**
 * Every deployment of the stack is valid CloudFormation as aws-cdk-lib's built-in template
 * validation sees it (`CloudFormationValidatePlugin`: the CloudFormation resource schemas and
 * cfn-lint's rules, offline): no error and no warning. `cdk synth` and `cdk deploy` run the same
 * plugin, but with cdk.json's flags its findings are only printed; here they fail the suite.
 *
 * Checked for the default template and for every variant of the security matrix (every optional
 * feature on), and shown to have teeth on a template broken on purpose.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CloudFormationValidatePlugin, type PolicyValidationPluginReport } from 'aws-cdk-lib';
import { STACK_NAME } from '../../infra/chime-cognito-auth-stack';
import {
  MATRIX_REGION,
  STACK_VARIANTS,
  synthesizeStackTemplate,
} from '../../security/stack-template';
import { defaultTemplate } from './support';

type Template = {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
};

// One plugin for the whole file: its WASM engine starts on the first check (most of ~3 s of CPU).
const plugin = new CloudFormationValidatePlugin();
let dir: string;
/** The app the validation context names (the plugin reads only the templates). */
let app: App;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cfn-validate-'));
  // An App makes its output directory at once (a temp dir by default): keep it in ours.
  app = new App({ outdir: join(dir, 'cdk.out') });
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The plugin's findings on `template`, one line each: rule, severity, resource, where, what. */
function findings(name: string, template: unknown): string[] {
  const templatePath = join(dir, `${name.replace(/\W+/g, '-')}.template.json`);
  writeFileSync(templatePath, JSON.stringify(template));
  const report: PolicyValidationPluginReport = plugin.validate({
    templatePaths: [templatePath],
    stackTemplates: [
      { templatePath, stackConstructPath: STACK_NAME, accountId: undefined, region: MATRIX_REGION },
    ],
    appConstruct: app,
  });
  const lines = report.violations.flatMap((v) =>
    v.violatingResources.map(
      (r) =>
        `${v.ruleName} (${v.severity ?? 'error'}) ${r.resourceLogicalId ?? '?'} ${r.locations.join(', ')}: ${v.description}`,
    ),
  );
  // A report that fails must say why.
  expect(report.success || lines.length > 0).toBe(true);
  return lines;
}

test('the default template has no finding', () => {
  expect(findings('default', defaultTemplate().toJSON())).toEqual([]);
});

test.each(STACK_VARIANTS.filter((v) => v.name !== 'default').map((v) => [v.name, v] as const))(
  'the %s template has no finding',
  (name, variant) => {
    expect(findings(name, synthesizeStackTemplate(variant))).toEqual([]);
  },
);

test('a template broken on purpose is refused, with each mistake named', () => {
  const template = structuredClone(defaultTemplate().toJSON()) as Template;
  const [functionId, fn] = Object.entries(template.Resources).find(
    ([, r]) => r.Type === 'AWS::Lambda::Function',
  )!;
  fn.Properties = { ...fn.Properties, MemorySize: 99_999, Handlr: 'index.handler' };
  const [poolId, pool] = Object.entries(template.Resources).find(
    ([, r]) => r.Type === 'AWS::Cognito::UserPool',
  )!;
  pool.Properties = { ...pool.Properties, MfaConfiguration: 'SOMETIMES' };

  const found = findings('broken', template);

  expect(found).toEqual(
    expect.arrayContaining([
      expect.stringMatching(
        new RegExp(`^F3002 \\(error\\) ${functionId} Properties.Handlr: .*'Handlr' was unexpected`),
      ),
      expect.stringMatching(
        new RegExp(`^F3034 \\(error\\) ${functionId} Properties.MemorySize: .*maximum of 32768`),
      ),
      expect.stringMatching(
        new RegExp(
          `^W3030 \\(warning\\) ${poolId} Properties.MfaConfiguration: .*'SOMETIMES' is not one of`,
        ),
      ),
    ]),
  );
  expect(found).toHaveLength(3);
});
