/**
 * The template tests' App (support.ts testApp): its cloud assembly goes to a directory this test
 * file removes, assets are referenced where they are instead of being copied, and no stack trace
 * is recorded.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import {
  NO_ASSET_STAGING,
  NO_BUNDLING,
  NO_CFN_VALIDATION,
  removeTestOutdirs,
  testApp,
  testOutdir,
} from './support';

/** A stack with one file asset (a Lambda function whose code is the contracts/ folder). */
function stackWithAsset(app: App): Template {
  const stack = new Stack(app, 'WithAsset', { env: { region: 'us-east-1' } });
  new LambdaFunction(stack, 'Fn', {
    runtime: Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: Code.fromAsset(join(__dirname, '..', '..', 'contracts')),
  });
  app.synth();
  return Template.fromStack(stack);
}

const stagedAssets = (outdir: string) => readdirSync(outdir).filter((f) => f.startsWith('asset.'));

test('each test app gets its own directory under one root, removed with removeTestOutdirs()', () => {
  const first = testApp();
  const second = testApp();
  expect(first.outdir).not.toBe(second.outdir);
  const root = join(first.outdir, '..');
  expect(join(second.outdir, '..')).toBe(root);
  expect(join(testOutdir(), '..')).toBe(root);

  removeTestOutdirs();
  expect(existsSync(root)).toBe(false);
  // The next one starts a new root.
  expect(existsSync(testApp().outdir)).toBe(true);
});

test('without asset staging the template is the same, and no asset is copied', () => {
  const app = testApp();
  const staged = new App({ ...NO_CFN_VALIDATION, outdir: testOutdir(), context: NO_BUNDLING });

  expect(stackWithAsset(app).toJSON()).toEqual(stackWithAsset(staged).toJSON());
  expect(stagedAssets(staged.outdir)).toHaveLength(1);
  expect(stagedAssets(app.outdir)).toEqual([]);
});

/** The construct metadata entries that hold a stack trace: creation stacks and traced entries. */
function tracedMetadata(app: App): string[] {
  return app.node
    .findAll()
    .flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === 'aws:cdk:creationStack' || (entry.trace ?? []).length > 0)
        .map((entry) => `${construct.node.path} ${entry.type}`),
    );
}

test('without stack traces the template is the same, and no construct records one', () => {
  const app = testApp();
  const traced = new App({
    ...NO_CFN_VALIDATION,
    outdir: testOutdir(),
    context: { ...NO_BUNDLING, ...NO_ASSET_STAGING },
  });

  expect(stackWithAsset(app).toJSON()).toEqual(stackWithAsset(traced).toJSON());
  expect(tracedMetadata(traced).length).toBeGreaterThan(0);
  expect(tracedMetadata(app)).toEqual([]);
});
