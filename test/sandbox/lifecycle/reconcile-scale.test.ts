/**
 * 2,000 users, every kind of drift, and throttling injected on both services: the lifecycle core
 * (the code the reconcile function runs) against the sandbox, with the reconcile function's own
 * role (IAM enforced), through a proxy that throttles every 4th Chime and Cognito request (one call
 * at most 3 times in a row, within the retry policy's 8 attempts). The run repairs everything,
 * retries every throttled call, and a second run finds nothing to do.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChimeSDKIdentityClient } from '@aws-sdk/client-chime-sdk-identity';
import { ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DEFAULT_DELETE_BRAKE } from '../../../contracts/user-lifecycle';
import { BATCH_RETRY } from '../../../lambdas/lib/user-lifecycle/calls';
import type { LifecycleDeps } from '../../../lambdas/lib/user-lifecycle/context';
import { reconcileUsers } from '../../../lambdas/lib/user-lifecycle/reconcile';
import { seedSandboxUsers } from '../../../sandbox/seed';
import { startTestSandbox, type TestSandbox } from '../../../sandbox/testing';
import { startThrottlingProxy, type ThrottlingProxy } from './throttling-proxy';

jest.setTimeout(240_000);

const USERS = 2_000;
const MISSING = 50;
const RENAMED = 30;
const ORPHANS = 20;
const FOREIGN = 5;

let stateDir: string;
let sandbox: TestSandbox;
let proxy: ThrottlingProxy;
let deps: LifecycleDeps;
const subs: string[] = [];

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'lifecycle-scale-'));
  // Once to create the pool, then seed the stopped state, then serve it.
  await (await startTestSandbox({ stateDir })).stop();
  for (let i = 0; i < USERS; i++) subs.push(randomUUID());
  seedSandboxUsers(stateDir, {
    poolUsers: subs.map((sub, i) => ({ sub, email: `user${i}@example.com`, name: `User ${i}` })),
    appInstanceUsers: [
      ...subs.slice(MISSING).map((id, i) => ({
        id,
        name: i < RENAMED ? `Old name ${i}` : `User ${i + MISSING}`,
      })),
      ...Array.from({ length: ORPHANS }, () => ({ id: randomUUID(), name: 'Gone' })),
      ...Array.from({ length: FOREIGN }, (_, i) => ({ id: `guest-${i}`, name: 'Guest' })),
    ],
  });
  sandbox = await startTestSandbox({ stateDir });
  proxy = await startThrottlingProxy(sandbox.url, 4);
  const client = {
    region: sandbox.config.region,
    endpoint: sandbox.url,
    requestHandler: { httpAgent: proxy.agent },
    maxAttempts: 1,
    credentials: sandbox.functionRoleCredentials('UserLifecycleReconcile'),
  };
  deps = {
    chime: new ChimeSDKIdentityClient(client),
    messaging: new ChimeSDKMessagingClient(client),
    cognito: new CognitoIdentityProviderClient(client),
    appInstanceArn: sandbox.config.appInstanceArn,
    userPoolId: sandbox.config.userPoolId,
    // Paced, but faster than in Lambda, to keep the test short.
    rates: { cognitoPerSecond: 200, chimePerSecond: 200 },
    // Backoff from 5 ms instead of 200: every throttled call is still retried (asserted below),
    // only the waits are shorter; ~100 waits of 200 ms were most of this test's time. The 200 ms
    // default is proven by test/lambdas/user-lifecycle/reconcile.test.ts.
    retry: { ...BATCH_RETRY, baseMs: 5 },
  };
}, 240_000);

afterAll(async () => {
  await proxy?.close();
  await sandbox?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

it('reconciles 2,000 users with throttling injected, then finds nothing left to do', async () => {
  const started = Date.now();
  const report = await reconcileUsers(deps, {
    mode: 'apply',
    brake: DEFAULT_DELETE_BRAKE,
    deadline: Date.now() + 200_000,
  });
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `reconciled ${USERS} users in ${seconds.toFixed(1)} s; throttled ${proxy.throttled.chime} Chime and ${proxy.throttled.cognito} Cognito requests, all retried`,
  );
  expect(report.plan).toMatchObject({
    poolUsers: USERS,
    appInstanceUsers: USERS - MISSING + ORPHANS + FOREIGN,
    foreign: FOREIGN,
  });
  expect(report.brake.engaged).toBe(false);
  expect(report.applied).toMatchObject({
    failed: [],
    unfinished: 0,
    kept: [],
  });
  expect(report.applied!.created).toHaveLength(MISSING);
  expect(report.applied!.renamed).toHaveLength(RENAMED);
  expect(report.applied!.deleted).toHaveLength(ORPHANS);
  expect(proxy.throttled.chime).toBeGreaterThan(10);
  expect(proxy.throttled.cognito).toBeGreaterThan(5);
  // Every throttled answer the proxy gave was counted as a retried attempt.
  expect(report.throttled).toBe(proxy.throttled.chime + proxy.throttled.cognito);

  const again = await reconcileUsers(deps, {
    mode: 'plan',
    brake: DEFAULT_DELETE_BRAKE,
    deadline: Date.now() + 120_000,
  });
  expect(again.plan).toMatchObject({
    creates: [],
    renames: [],
    deletes: [],
    poolUsers: USERS,
    appInstanceUsers: USERS + FOREIGN,
  });
});
