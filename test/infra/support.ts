import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type AppProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  ChimeCognitoAuthStack,
  type ChimeCognitoAuthStackProps,
  STACK_NAME,
} from '../../infra/chime-cognito-auth-stack';
import { stackPropsFromContext } from '../../infra/context';
import { addNagChecks } from '../../infra/nag';
import { cdkSynthContext } from '../../infra/synthesize';
import { DEFAULT_TEMPLATE_ENV, type SharedTemplate } from './default-template';

/**
 * CDK context that skips asset bundling (esbuild) in every stack: template tests read the template,
 * whose only difference is the asset hash. Tests that assert bundles live in `*.bundle.test.ts`.
 */
export const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] } as const;

/**
 * App props that skip aws-cdk-lib's built-in CloudFormation template validation: its WASM engine
 * takes ~3 s of CPU to load, once per test file (jest gives each file its own modules). With
 * cdk.json's flags a synth only prints its findings; cloudformation-validation.test.ts asserts
 * there are none, once per stack variant. cdk-nag (a validation plugin of its own) still runs.
 */
export const NO_CFN_VALIDATION = { builtinCloudFormationValidation: false } as const;

/**
 * CDK context that references assets where they are instead of copying them into the cloud
 * assembly: a template test reads no asset file, and the BucketDeployment's AWS CLI layer alone is
 * 22 MB per synth. The template is the same (asset hashes come from the source).
 */
export const NO_ASSET_STAGING = { 'aws:cdk:disable-asset-staging': true } as const;

/**
 * CDK context that records no stack trace in construct metadata (where each resource was created,
 * for `cdk deploy`'s error messages): it goes to the cloud assembly's manifest, never the template,
 * and under jest each trace passes through its source-map formatter (about 1.5 s of CPU per infra
 * run).
 */
export const NO_STACK_TRACES = {
  'aws:cdk:disable-stack-trace': true,
  'aws:cdk:disable-creation-stack-traces': true,
} as const;

let outdirRoot: string | undefined;

/**
 * A new directory for one app's cloud assembly, removed when the test file ends. An App without
 * `outdir` makes a temporary directory that nothing removes: the infra project left about 160 of
 * them, 0.6 GB, on every run.
 */
export function testOutdir(): string {
  outdirRoot ??= mkdtempSync(join(tmpdir(), 'chime-cdk-test-'));
  return mkdtempSync(join(outdirRoot, 'cdk.out-'));
}

/** Removes every directory testOutdir() made (in a test file, after its last test). */
export function removeTestOutdirs(): void {
  if (outdirRoot !== undefined) rmSync(outdirRoot, { recursive: true, force: true });
  outdirRoot = undefined;
}

// Jest's globals exist when a test file imports this module, not in the global setup (which calls
// removeTestOutdirs itself). The same pattern as Testing Library's automatic cleanup.
if (typeof afterAll === 'function') afterAll(removeTestOutdirs);

/**
 * An App for template tests: `new App(props)` writing to a testOutdir(), without bundling, asset
 * staging or built-in CloudFormation validation.
 */
export function testApp(props: AppProps = {}): App {
  return new App({
    ...NO_CFN_VALIDATION,
    outdir: testOutdir(),
    ...props,
    context: { ...props.context, ...NO_BUNDLING, ...NO_ASSET_STAGING, ...NO_STACK_TRACES },
  });
}

/** Synthesizes the real stack as `cdk synth` does (cdk-nag included) and returns its template. */
export function synthStack(props: ChimeCognitoAuthStackProps = {}): Template {
  const app = testApp();
  const stack = new ChimeCognitoAuthStack(app, STACK_NAME, {
    env: { region: 'us-east-1' },
    ...props,
  });
  addNagChecks(app);
  app.synth();
  return Template.fromStack(stack);
}

/** Synthesizes the stack from CDK context, as `cdk synth -c key=value` would (cdk.json flags included). */
export function synthFromContext(context: Record<string, unknown>): Template {
  const app = testApp({ context: cdkSynthContext(context) });
  const stack = new ChimeCognitoAuthStack(app, STACK_NAME, stackPropsFromContext(app));
  addNagChecks(app);
  app.synth();
  return Template.fromStack(stack);
}

/**
 * The template of `synthStack()` (the default stack, cdk-nag on), synthesized once per jest run by
 * test/infra/default-template.setup.ts and shared by every test that only reads it. Outside the
 * infra project (no global setup), it is synthesized here.
 */
export function defaultTemplate(): Template {
  const file = process.env[DEFAULT_TEMPLATE_ENV];
  if (file === undefined) return synthStack();
  const shared = JSON.parse(readFileSync(file, 'utf8')) as SharedTemplate;
  if ('error' in shared) throw new Error(`synthesizing the default stack failed: ${shared.error}`);
  return Template.fromJSON(shared.template as Record<string, unknown>);
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** The single resource of `type`, failing clearly when there are none or several. */
export function onlyResource(
  template: Template,
  type: string,
): { logicalId: string; properties: Record<string, unknown> } {
  const resources = template.findResources(type) as Resources;
  const entries = Object.entries(resources);
  if (entries.length !== 1) {
    throw new Error(`expected exactly one ${type}, found ${entries.length}`);
  }
  const [logicalId, resource] = entries[0]!;
  return { logicalId, properties: resource.Properties ?? {} };
}

/** The role the identity pool hands to authenticated users (found through its role attachment). */
export function authenticatedRole(template: Template): {
  logicalId: string;
  properties: Record<string, unknown>;
} {
  const attachment = onlyResource(template, 'AWS::Cognito::IdentityPoolRoleAttachment').properties;
  const roleArn = (attachment.Roles as { authenticated?: { 'Fn::GetAtt'?: [string, string] } })
    .authenticated?.['Fn::GetAtt'];
  if (!roleArn) throw new Error('the role attachment has no authenticated role');
  const [logicalId] = roleArn;
  const role = (template.findResources('AWS::IAM::Role') as Resources)[logicalId];
  if (!role) throw new Error(`role ${logicalId} is not in the template`);
  return { logicalId, properties: role.Properties ?? {} };
}
