/**
 * Synthesizes the real stack in-process, the way `cdk synth` does (infra/app.ts: cdk.json context,
 * props from context), and returns its CloudFormation template.
 *
 * Differences from the CLI, none of which touch IAM: asset bundling, cdk-nag and the built-in
 * CloudFormation template validation (a WASM engine, ~3 s; a test of its own runs it on every
 * variant) are skipped, and the region is pinned (the account left unresolved) so the matrix does
 * not depend on the caller's AWS environment.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { ChimeCognitoAuthStack, STACK_NAME } from '../infra/chime-cognito-auth-stack';
import { CONTEXT_KEYS, stackPropsFromContext } from '../infra/context';
import { asTemplate, type CfnTemplate } from '../sandbox/cloudformation/template';
import { cdkSynthContext } from '../infra/synthesize';

export const MATRIX_REGION = 'us-east-1';

export interface StackVariant {
  /** Short name, shown in the matrix. */
  readonly name: string;
  /** `-c key=value` context of the variant (on top of cdk.json's). */
  readonly context: Readonly<Record<string, string>>;
}

/**
 * The deployments the matrix covers: the default one, and one with every optional feature that
 * adds IAM roles turned on. Add a feature's context flag here when it lands.
 */
export const STACK_VARIANTS: readonly StackVariant[] = [
  { name: 'default', context: {} },
  {
    name: 'optional features',
    context: optionalFeatureContext(),
  },
];

function optionalFeatureContext(): Record<string, string> {
  const keys: Record<string, string> = CONTEXT_KEYS;
  const context: Record<string, string> = { [CONTEXT_KEYS.channelRetentionDays]: '30' };
  // Flags of features other issues are adding; set only once infra/context.ts reads them.
  const optional: Record<string, string> = {
    credentialVending: 'true',
    apiOrigins: 'http://localhost:5173',
    // An external OIDC issuer beside the user pool: its route's function creates `oidc-*` users.
    credentialVendingOidcIssuer: 'https://login.corp.example',
    credentialVendingOidcAudience: 'chat-app',
    credentialVendingOidcName: 'corp',
    webHosting: 'true',
    // Every provider type, with account linking (a pre sign-up trigger role) for one of them.
    identityProviders: 'docs/examples/identity-providers.json',
    userEvents: 'true',
    createTrail: 'true',
  };
  for (const [name, value] of Object.entries(optional)) {
    const key = keys[name];
    if (key !== undefined) context[key] = value;
  }
  return context;
}

/** The template of the real stack for a variant (a few seconds: run it once per test file). */
export function synthesizeStackTemplate(variant: StackVariant = STACK_VARIANTS[0]!): CfnTemplate {
  const outdir = mkdtempSync(join(tmpdir(), 'security-matrix-synth-'));
  try {
    return synthesizeInto(outdir, variant);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function synthesizeInto(outdir: string, variant: StackVariant): CfnTemplate {
  const app = new App({
    outdir,
    builtinCloudFormationValidation: false,
    context: cdkSynthContext({
      ...variant.context,
      [CONTEXT_KEYS.region]: MATRIX_REGION,
      // Skip asset bundling (esbuild) and copying assets into the assembly (22 MB for the
      // BucketDeployment's AWS CLI layer): neither changes any policy.
      'aws:cdk:bundling-stacks': [],
      'aws:cdk:disable-asset-staging': true,
      // Record no creation stack traces in the assembly's metadata: nothing here reads them.
      'aws:cdk:disable-stack-trace': true,
      'aws:cdk:disable-creation-stack-traces': true,
      // Keep construct paths in the template: the matrix names roles by them.
      'aws:cdk:enable-path-metadata': true,
    }),
  });
  const props = stackPropsFromContext(app);
  const stack = new ChimeCognitoAuthStack(app, STACK_NAME, {
    ...props,
    env: { region: MATRIX_REGION },
  });
  const assembly = app.synth();
  return asTemplate(assembly.getStackArtifact(stack.artifactId).template, `${STACK_NAME} template`);
}
