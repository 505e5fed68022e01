/**
 * The real app, synthesized in-process the way `cdk synth -c key=value` does (infra/app.ts): the
 * feature flags of cdk.json, the `-c` values on top, stack props from context. One definition for
 * every test, benchmark and tool (the security matrix) that needs a template or a cloud assembly
 * of a non-default configuration. Not part of the CDK app itself.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type AppProps } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { ChimeCognitoAuthStack, STACK_NAME } from './chime-cognito-auth-stack';
import { stackPropsFromContext } from './context';

const CDK_JSON = join(__dirname, '..', 'cdk.json');

/** cdk.json's context (feature flags) with `extra` on top, as the CLI passes `-c` values. */
export function cdkSynthContext(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(CDK_JSON, 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return { ...cdkJson.context, ...extra };
}

export interface SynthesizeAppOptions {
  /** `-c key=value` context on top of cdk.json's. */
  readonly context?: Record<string, unknown>;
  /** Where the cloud assembly goes (a cdk.out the sandbox can read). @default - a temp dir */
  readonly outdir?: string;
  /** Skip esbuild bundling when only policies matter. @default true */
  readonly bundling?: boolean;
  readonly appProps?: Omit<AppProps, 'context' | 'outdir'>;
}

export interface SynthesizedApp {
  readonly stack: ChimeCognitoAuthStack;
  readonly assembly: CloudAssembly;
  /** The stack's CloudFormation template. */
  readonly template: unknown;
}

/** Synthesizes the real stack (id STACK_NAME) with asset and path metadata, as the CLI does. */
export function synthesizeApp(options: SynthesizeAppOptions = {}): SynthesizedApp {
  const app = new App({
    ...options.appProps,
    ...(options.outdir !== undefined && { outdir: options.outdir }),
    context: cdkSynthContext({
      ...options.context,
      'aws:cdk:enable-asset-metadata': true,
      'aws:cdk:enable-path-metadata': true,
      ...(options.bundling === false && { 'aws:cdk:bundling-stacks': [] }),
    }),
  });
  const stack = new ChimeCognitoAuthStack(app, STACK_NAME, stackPropsFromContext(app));
  const assembly = app.synth();
  return { stack, assembly, template: assembly.getStackArtifact(stack.artifactId).template };
}
