import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { AppInstanceUserSync } from '../../../infra/constructs/app-instance-user-sync';

const PROJECT_ROOT = path.join(__dirname, '..', '..', '..');

export interface BundledFunction {
  /** Directory CDK bundled the function into (holds `index.js`). */
  readonly assetDir: string;
  readonly handler: string;
  /** Environment variables from the synthesized template. */
  readonly environment: Record<string, string>;
}

export interface BundledTriggers {
  readonly postConfirmation: BundledFunction;
  readonly signInHeal: BundledFunction;
  /** A NODE_PATH holding only `@aws-sdk/*`, as the Lambda Node.js runtime provides it. */
  readonly runtimeNodePath: string;
  readonly dispose: () => void;
}

interface TemplateResource {
  Type: string;
  Properties?: { Handler?: string; Environment?: { Variables?: Record<string, unknown> } };
  Metadata?: Record<string, unknown>;
}

/**
 * Synthesizes the AppInstanceUserSync construct the way `cdk synth` does (NodejsFunction bundling
 * with esbuild) into a temporary cloud assembly, and returns where each handler was bundled.
 */
export function synthBundledTriggers(appInstanceArn: string): BundledTriggers {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'trigger-bundle-'));
  const app = new App({
    outdir: path.join(root, 'cdk.out'),
    context: { 'aws:cdk:enable-asset-metadata': true },
  });
  const stack = new Stack(app, 'TriggerBundle', { env: { region: 'us-east-1' } });
  const sync = new AppInstanceUserSync(stack, 'Sync', { appInstanceArn });
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template as {
    Resources: Record<string, TemplateResource>;
  };

  const bundled = (logicalId: string): BundledFunction => {
    const resource = template.Resources[logicalId];
    const assetPath = resource?.Metadata?.['aws:asset:path'];
    if (!resource || typeof assetPath !== 'string') {
      throw new Error(`no bundled asset for ${logicalId}`);
    }
    const variables = resource.Properties?.Environment?.Variables ?? {};
    const environment: Record<string, string> = {};
    for (const [key, value] of Object.entries(variables)) {
      if (typeof value !== 'string') throw new Error(`${key} is not a literal in the template`);
      environment[key] = value;
    }
    return {
      assetDir: path.join(assembly.directory, assetPath),
      handler: resource.Properties?.Handler ?? 'index.handler',
      environment,
    };
  };

  // The runtime's SDK: only @aws-sdk/* is resolvable, so a bundle that forgot anything fails here.
  const runtimeNodePath = path.join(root, 'runtime', 'node_modules');
  fs.mkdirSync(runtimeNodePath, { recursive: true });
  fs.symlinkSync(
    path.join(PROJECT_ROOT, 'node_modules', '@aws-sdk'),
    path.join(runtimeNodePath, '@aws-sdk'),
  );

  return {
    postConfirmation: bundled(stack.getLogicalId(sync.postConfirmation.node.defaultChild as never)),
    signInHeal: bundled(stack.getLogicalId(sync.signInHeal.node.defaultChild as never)),
    runtimeNodePath,
    dispose: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

/**
 * A minimal Lambda runtime: loads `index.js` from the asset directory, calls the exported handler
 * with the event and a context whose remaining time counts down, and prints the result.
 */
const RUNNER = `
const [assetDir, handlerName, eventJson, timeoutMs] = process.argv.slice(1);
const [file, exportName] = handlerName.split('.');
const handler = require(require('node:path').join(assetDir, file + '.js'))[exportName];
// As in Lambda, the invocation's clock starts after the module (init phase) has loaded.
const started = Date.now();
const context = {
  functionName: 'trigger', functionVersion: '$LATEST', memoryLimitInMB: '256',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:trigger',
  awsRequestId: require('node:crypto').randomUUID(), logGroupName: 'g', logStreamName: 's',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => Math.max(0, Number(timeoutMs) - (Date.now() - started)),
};
Promise.resolve(handler(JSON.parse(eventJson), context, () => {})).then(
  (result) => {
    process.stdout.write('\\nDURATION ' + (Date.now() - started) + '\\nRESULT ' + JSON.stringify(result) + '\\n');
    process.exit(0);
  },
  (error) => { process.stdout.write('\\nERROR ' + JSON.stringify({ name: error.name, message: error.message }) + '\\n'); process.exit(1); },
);
`;

export interface InvocationResult {
  readonly result?: unknown;
  readonly error?: { name: string; message: string };
  /** What the function itself wrote to stdout and stderr (its log lines), without the result. */
  readonly output: string;
  /** Wall time of the whole process (cold start included). */
  readonly durationMs: number;
  /** Time from the handler call to its answer, as Lambda would bill it. */
  readonly handlerMs?: number;
}

/** Invokes a bundled handler in a fresh `node` process (a cold container), like Lambda would. */
export function invokeBundled(
  fn: BundledFunction,
  runtimeNodePath: string,
  event: unknown,
  env: Record<string, string>,
  timeoutMs = 4000,
): Promise<InvocationResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['-e', RUNNER, fn.assetDir, fn.handler, JSON.stringify(event), String(timeoutMs)],
      {
        cwd: fn.assetDir,
        timeout: 20_000,
        env: {
          PATH: process.env.PATH ?? '',
          NODE_PATH: runtimeNodePath,
          NODE_NO_WARNINGS: '1',
          AWS_REGION: 'us-east-1',
          ...fn.environment,
          ...env,
        },
      },
      (error, stdout, stderr) => {
        const durationMs = Date.now() - started;
        const output = `${stdout}\n${stderr}`
          .split('\n')
          .filter((l) => !/^(RESULT|ERROR|DURATION) /.test(l))
          .join('\n');
        const line = stdout
          .split('\n')
          .find((l) => l.startsWith('RESULT ') || l.startsWith('ERROR '));
        if (!line) {
          reject(new Error(`the handler process printed no result: ${error?.message}\n${stderr}`));
          return;
        }
        const payload: unknown = JSON.parse(line.slice(line.indexOf(' ') + 1));
        const duration = stdout.split('\n').find((l) => l.startsWith('DURATION '));
        const handlerMs = duration ? Number(duration.slice('DURATION '.length)) : undefined;
        resolve(
          line.startsWith('RESULT ')
            ? { result: payload, output, durationMs, handlerMs }
            : { error: payload as { name: string; message: string }, output, durationMs },
        );
      },
    );
  });
}
