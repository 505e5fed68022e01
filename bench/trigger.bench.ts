/**
 * Cognito trigger figures: bundle size, cold module-load time in a fresh `node` process, and warm
 * invocation time with a mocked Chime client. Each handler is built twice with the project's
 * esbuild options (infra/lambda-defaults.ts): with `@aws-sdk/*` left to the runtime (the shared
 * default) and with the SDK bundled in (what the trigger construct deploys). Prints figures;
 * asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = path.join(__dirname, '..');
const HANDLERS = ['post-confirmation', 'sign-in-heal'] as const;
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 15);
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

/**
 * Median time to `require` each file in a fresh node process, and of the whole process. The files
 * are loaded in turn within each round, so that load on a shared machine hits all of them alike.
 */
function coldLoads(files: string[], nodePath: string): Array<{ load: number; process: number }> {
  const script =
    'const t=process.hrtime.bigint();require(process.argv[1]);' +
    'process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))';
  const loads = files.map(() => [] as number[]);
  const processes = files.map(() => [] as number[]);
  for (let i = 0; i < COLD_RUNS; i += 1) {
    files.forEach((file, j) => {
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
      processes[j]?.push(Number(process.hrtime.bigint() - started) / 1e6);
      loads[j]?.push(Number(out.toString()));
    });
  }
  return files.map((_, j) => ({
    load: median(loads[j] ?? []),
    process: median(processes[j] ?? []),
  }));
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
  const { handler: signInHeal } = await import('../lambdas/sign-in-heal');
  const { postConfirmationEvent, postAuthenticationEvent, preTokenGenerationEvent, lambdaContext } =
    await import('../testing/lambdas/trigger-events');

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
      label: 'sign-in-heal on post authentication, user exists (Conflict)',
      setup: () =>
        chime
          .on(sdk.CreateAppInstanceUserCommand)
          .rejects(new sdk.ConflictException({ message: 'exists', $metadata: {} })),
      invoke: () => signInHeal(postAuthenticationEvent(), lambdaContext()),
    },
    {
      label: 'sign-in-heal on a token refresh (no Chime call)',
      setup: () => undefined,
      invoke: () =>
        signInHeal(preTokenGenerationEvent('TokenGeneration_RefreshTokens'), lambdaContext()),
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

    const variants = HANDLERS.flatMap((name) =>
      [false, true].map((bundleSdk) => ({
        name,
        bundleSdk,
        outfile: path.join(dir, `${name}-${bundleSdk ? 'sdk' : 'external'}`, 'index.js'),
      })),
    );
    for (const v of variants) {
      await bundle(path.join(ROOT, 'lambdas', `${v.name}.ts`), v.outfile, v.bundleSdk);
    }
    const sdkOnly = path.join(dir, 'sdk-only.js');
    fs.writeFileSync(sdkOnly, "require('@aws-sdk/client-chime-sdk-identity');");
    const empty = path.join(dir, 'empty.js');
    fs.writeFileSync(empty, '');
    const files = [...variants.map((v) => v.outfile), sdkOnly, empty];
    const cold = coldLoads(files, runtimeNodePath);

    console.log(
      `node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0]?.toFixed(1)}; ` +
        `cold figures are medians of ${COLD_RUNS} fresh processes per file, interleaved`,
    );
    console.log('| handler | AWS SDK | bundle | gzip | cold require | cold process |');
    console.log('| --- | --- | ---: | ---: | ---: | ---: |');
    variants.forEach((v, i) => {
      const bytes = fs.readFileSync(v.outfile);
      const c = cold[i];
      console.log(
        `| ${v.name} | ${v.bundleSdk ? 'bundled (deployed)' : 'runtime (shared default)'} | ${bytes.length} B (${kb(bytes.length)}) | ` +
          `${kb(gzipSync(bytes).length)} | ${c?.load.toFixed(1)} ms | ${c?.process.toFixed(0)} ms |`,
      );
    });
    const [sdk, none] = cold.slice(-2);
    console.log(
      `reference: require('@aws-sdk/client-chime-sdk-identity') alone ${sdk?.load.toFixed(1)} ms; ` +
        `empty module ${none?.load.toFixed(1)} ms, empty process ${none?.process.toFixed(0)} ms`,
    );
    await warmInvocations();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
