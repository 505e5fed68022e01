/**
 * Cognito trigger figures: bundle size, cold module-load time in a fresh `node` process, and warm
 * invocation time with a mocked Chime client. Each handler is built twice with the project's
 * esbuild options (infra/lambda-defaults.ts): with `@aws-sdk/*` left to the runtime (what is
 * deployed) and with the SDK bundled in (the alternative). Prints figures; asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = path.join(__dirname, '..');
const HANDLERS = ['post-confirmation', 'post-authentication'] as const;
const COLD_RUNS = 15;
const WARM_RUNS = 2000;
const APP_INSTANCE_ARN = 'arn:aws:chime:us-east-1:123456789012:app-instance/bench';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))] ?? NaN;
};
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

async function bundle(entry: string, outfile: string, bundleSdk: boolean): Promise<void> {
  // The deployed options (imported lazily: aws-cdk-lib takes a while to load).
  const { LAMBDA_BUNDLING } = await import('../infra/lambda-defaults');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: LAMBDA_BUNDLING.target,
    format: 'cjs',
    minify: LAMBDA_BUNDLING.minify,
    sourcemap: LAMBDA_BUNDLING.sourceMap ? 'external' : false,
    sourcesContent: LAMBDA_BUNDLING.sourcesContent,
    mainFields: LAMBDA_BUNDLING.mainFields,
    external: bundleSdk ? [] : LAMBDA_BUNDLING.externalModules,
    logLevel: 'silent',
  });
}

/** Median time to `require` the bundle in a fresh node process, and of the whole process. */
function coldLoad(file: string, nodePath: string): { load: number; process: number } {
  const script =
    'const t=process.hrtime.bigint();require(process.argv[1]);' +
    'process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))';
  const loads: number[] = [];
  const processes: number[] = [];
  for (let i = 0; i < COLD_RUNS; i += 1) {
    const started = process.hrtime.bigint();
    const out = execFileSync(process.execPath, ['-e', script, file], {
      env: {
        PATH: process.env.PATH ?? '',
        NODE_PATH: nodePath,
        NODE_NO_WARNINGS: '1',
        AWS_REGION: 'us-east-1',
        APP_INSTANCE_ARN,
      },
    });
    processes.push(Number(process.hrtime.bigint() - started) / 1e6);
    loads.push(Number(out.toString()));
  }
  return { load: median(loads), process: median(processes) };
}

async function warmInvocations(): Promise<void> {
  process.env.APP_INSTANCE_ARN = APP_INSTANCE_ARN;
  process.env.AWS_REGION = 'us-east-1';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const sdk = await import('@aws-sdk/client-chime-sdk-identity');
  const { mockClient } = await import('aws-sdk-client-mock');
  const chime = mockClient(sdk.ChimeSDKIdentityClient);
  const { handler: postConfirmation } = await import('../lambdas/post-confirmation');
  const { handler: postAuthentication } = await import('../lambdas/post-authentication');
  const { postConfirmationEvent, postAuthenticationEvent, lambdaContext } =
    await import('../test/lambdas/support/trigger-events');

  const cases = [
    {
      label: 'post-confirmation, user created',
      setup: () =>
        chime
          .on(sdk.CreateAppInstanceUserCommand)
          .resolves({ AppInstanceUserArn: `${APP_INSTANCE_ARN}/user/x` }),
      invoke: () => postConfirmation(postConfirmationEvent(), lambdaContext(), () => undefined),
    },
    {
      label: 'post-authentication, user exists (Conflict)',
      setup: () =>
        chime
          .on(sdk.CreateAppInstanceUserCommand)
          .rejects(new sdk.ConflictException({ message: 'exists', $metadata: {} })),
      invoke: () => postAuthentication(postAuthenticationEvent(), lambdaContext(), () => undefined),
    },
  ];
  for (const c of cases) {
    chime.reset();
    c.setup();
    for (let i = 0; i < 200; i += 1) await c.invoke(); // warm-up
    const times: number[] = [];
    for (let i = 0; i < WARM_RUNS; i += 1) {
      const t = process.hrtime.bigint();
      await c.invoke();
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    console.log(
      `warm invocation (${c.label}, mocked client, ${WARM_RUNS} runs): ` +
        `median ${(median(times) * 1000).toFixed(0)} µs, p99 ${(percentile(times, 0.99) * 1000).toFixed(0)} µs`,
    );
  }
  chime.restore();
}

export async function run(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trigger-bench-'));
  try {
    // What the Lambda runtime offers a function: @aws-sdk/* only.
    const runtimeNodePath = path.join(dir, 'runtime', 'node_modules');
    fs.mkdirSync(runtimeNodePath, { recursive: true });
    fs.symlinkSync(
      path.join(ROOT, 'node_modules', '@aws-sdk'),
      path.join(runtimeNodePath, '@aws-sdk'),
    );

    const baseline = coldLoad(path.join(ROOT, 'package.json'), runtimeNodePath);
    console.log(
      `node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0]?.toFixed(1)}; ` +
        `cold figures are medians of ${COLD_RUNS} fresh processes (empty process: ${baseline.process.toFixed(0)} ms)`,
    );
    console.log('| handler | AWS SDK | bundle | gzip | cold require | cold process |');
    console.log('| --- | --- | ---: | ---: | ---: | ---: |');
    for (const name of HANDLERS) {
      for (const bundleSdk of [false, true]) {
        const outfile = path.join(dir, `${name}-${bundleSdk ? 'sdk' : 'external'}`, 'index.js');
        await bundle(path.join(ROOT, 'lambdas', `${name}.ts`), outfile, bundleSdk);
        const bytes = fs.readFileSync(outfile);
        const cold = coldLoad(outfile, runtimeNodePath);
        console.log(
          `| ${name} | ${bundleSdk ? 'bundled' : 'runtime (deployed)'} | ${bytes.length} B (${kb(bytes.length)}) | ` +
            `${kb(gzipSync(bytes).length)} | ${cold.load.toFixed(1)} ms | ${cold.process.toFixed(0)} ms |`,
        );
      }
    }
    await warmInvocations();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
