/**
 * Credential-vending figures: the handler bundle built with the deployed esbuild options, and the
 * warm per-request time of the core behind the JWT authorizer (GetUser, the limiter and STS
 * mocked) for a vended and for a revoked token. Token verification is API Gateway's now. Prints
 * figures; asserts nothing.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import {
  CognitoIdentityProviderClient,
  GetUserCommand,
  NotAuthorizedException,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { build } from 'esbuild';
import { vendCredentials, type VendingDeps } from '../lambdas/lib/credential-vending/core';

const RUNS = 2000;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))] ?? NaN;
};

async function bundleSize(): Promise<void> {
  const { LAMBDA_BUNDLING } = await import('../infra/lambda-defaults');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vending-bench-'));
  try {
    const outfile = path.join(dir, 'index.js');
    await build({
      entryPoints: [path.join(__dirname, '..', 'lambdas', 'credential-vending.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      target: LAMBDA_BUNDLING.target,
      format: 'cjs',
      minify: LAMBDA_BUNDLING.minify,
      mainFields: LAMBDA_BUNDLING.mainFields,
      external: LAMBDA_BUNDLING.externalModules,
      logLevel: 'silent',
    });
    const code = fs.readFileSync(outfile);
    console.log(
      `bundle (AWS SDK from the runtime): ${kb(code.length)}, gzip ${kb(gzipSync(code).length)}`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function latency(): Promise<void> {
  const sts = mockClient(STSClient);
  const cognito = mockClient(CognitoIdentityProviderClient);
  sts.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: 'ASIABENCH',
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: new Date(Date.now() + 3_600_000),
    },
  });
  const deps: VendingDeps = {
    cognito: new CognitoIdentityProviderClient({ region: 'us-east-1' }),
    sts: new STSClient({ region: 'us-east-1' }),
    settings: {
      userRoleArn: 'arn:aws:iam::123456789012:role/VendingUser',
      principalTagKey: 'chime_user_id',
      appInstanceArn: 'arn:aws:chime:us-east-1:123456789012:app-instance/bench',
      sessionDurationSeconds: 3600,
    },
    consumeRequest: () => Promise.resolve({ allowed: true, remaining: 9 }),
    logger: { info() {}, warn() {}, error() {} },
  };
  const request = {
    claims: { sub: 'alice-0001', token_use: 'access' },
    authorization: 'Bearer header.payload.signature',
  };
  const cases: [string, () => void][] = [
    [
      'vended',
      () =>
        cognito
          .on(GetUserCommand)
          .resolves({ Username: 'a', UserAttributes: [{ Name: 'sub', Value: 'alice-0001' }] }),
    ],
    [
      'refused (revoked token)',
      () =>
        cognito
          .on(GetUserCommand)
          .rejects(new NotAuthorizedException({ message: 'revoked', $metadata: {} })),
    ],
  ];
  for (const [name, arrange] of cases) {
    arrange();
    for (let i = 0; i < 200; i += 1) await vendCredentials(deps, request);
    const times: number[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      const t = process.hrtime.bigint();
      await vendCredentials(deps, request);
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    console.log(
      `${name}: p50 ${percentile(times, 0.5).toFixed(3)} ms, p99 ${percentile(times, 0.99).toFixed(3)} ms (${RUNS} warm requests, Cognito and STS mocked)`,
    );
  }
  sts.restore();
  cognito.restore();
}

export async function run(): Promise<void> {
  await bundleSize();
  await latency();
}
