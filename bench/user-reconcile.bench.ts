/**
 * `npm run bench -- user-reconcile`: a reconcile run over 10,000 users, measured in the sandbox.
 *
 * The pool and the AppInstance are seeded (sandbox/seed.ts) with drift of every kind: 1 % of the
 * users without an AppInstanceUser, 1 % renamed, 0.4 % AppInstanceUsers of deleted users (under
 * the brake's 50), plus a few foreign ids. Then the deployed reconcile function (its bundle, its
 * role, IAM enforced, the default pacing of 10 calls per second per service) runs through the
 * sandbox's scheduler, as EventBridge Scheduler would invoke it, and the run is compared with the
 * function's 15-minute timeout. For reference, the same core runs in-process without pacing (what
 * the sandbox itself costs).
 */
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChimeSDKIdentityClient,
  ListAppInstanceUsersCommand,
} from '@aws-sdk/client-chime-sdk-identity';
import { ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import {
  CognitoIdentityProviderClient,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DEFAULT_DELETE_BRAKE } from '../contracts/user-lifecycle';
import { RECONCILE_TIMEOUT } from '../infra/constructs/user-lifecycle';
import { DEFAULT_CALL_RATES } from '../lambdas/lib/user-lifecycle/context';
import { reconcileUsers } from '../lambdas/lib/user-lifecycle/reconcile';
import { seedSandboxUsers } from '../sandbox/seed';
import { ensureSynth } from '../sandbox/synth';

const USERS = 10_000;
const MISSING = 100;
const RENAMED = 100;
const ORPHANS = 40;
const FOREIGN = 10;

export async function run(): Promise<void> {
  await ensureSynth();
  const { startTestSandbox } = await import('../sandbox/testing');
  const stateDir = mkdtempSync(join(tmpdir(), 'reconcile-bench-'));
  try {
    await (await startTestSandbox({ stateDir })).stop();
    const subs = Array.from({ length: USERS }, () => randomUUID());
    const seed = (renamedPrefix: string) =>
      seedSandboxUsers(stateDir, {
        poolUsers: subs.map((sub, i) => ({ sub, email: `u${i}@example.com`, name: `User ${i}` })),
        appInstanceUsers: [
          ...subs.slice(MISSING).map((id, i) => ({
            id,
            name: i < RENAMED ? `${renamedPrefix} ${i}` : `User ${i + MISSING}`,
          })),
          ...Array.from({ length: ORPHANS }, () => ({ id: randomUUID(), name: 'Gone' })),
          ...Array.from({ length: FOREIGN }, (_, i) => ({ id: `guest-${i}`, name: 'Guest' })),
        ],
      });
    seed('Old');
    const lines: string[] = [];
    let sandbox = await startTestSandbox({ stateDir, lambdaLog: (_fn, l) => lines.push(l) });
    console.log(
      `seeded: ${USERS} users; ${USERS - MISSING + ORPHANS + FOREIGN} AppInstanceUsers ` +
        `(${MISSING} missing, ${RENAMED} renamed, ${ORPHANS} orphans, ${FOREIGN} foreign)`,
    );
    let start = performance.now();
    const [scheduled] = await sandbox.scheduler.run();
    const lambdaMs = performance.now() - start;
    const summary = JSON.parse(scheduled!.result.Payload) as Record<string, unknown>;
    const timeout = RECONCILE_TIMEOUT.toSeconds();
    console.log(
      `reconcile function (sandbox scheduler, paced at ${DEFAULT_CALL_RATES.chimePerSecond}/s Chime and ` +
        `${DEFAULT_CALL_RATES.cognitoPerSecond}/s Cognito): ${(lambdaMs / 1000).toFixed(1)} s = ` +
        `${((lambdaMs / 1000 / timeout) * 100).toFixed(1)} % of its ${timeout} s timeout`,
    );
    console.log(
      `  created ${String(summary.created)}, renamed ${String(summary.renamed)}, deleted ${String(summary.deleted)}, ` +
        `failed ${JSON.stringify(summary.failed)}, brake ${String(summary.brakeEngaged)}, function error ${scheduled!.result.FunctionError ?? 'none'}`,
    );
    const calls = Math.ceil((USERS + ORPHANS + FOREIGN) / 50) + Math.ceil(USERS / 60);
    console.log(
      `  listing floor at that pacing: ${calls} list calls ~ ${(calls / DEFAULT_CALL_RATES.chimePerSecond).toFixed(0)} s; ` +
        `a second run with no drift:`,
    );
    start = performance.now();
    await sandbox.scheduler.run();
    console.log(`  ${((performance.now() - start) / 1000).toFixed(1)} s`);
    await sandbox.stop();

    // The same drift again, the core in-process without pacing: the sandbox's own cost.
    seed('Older');
    sandbox = await startTestSandbox({ stateDir });
    const client = {
      region: sandbox.config.region,
      endpoint: sandbox.url,
      maxAttempts: 1,
      credentials: sandbox.functionRoleCredentials('UserLifecycleReconcile'),
    };
    start = performance.now();
    const report = await reconcileUsers(
      {
        chime: new ChimeSDKIdentityClient(client),
        messaging: new ChimeSDKMessagingClient(client),
        cognito: new CognitoIdentityProviderClient(client),
        appInstanceArn: sandbox.config.appInstanceArn,
        userPoolId: sandbox.config.userPoolId,
        rates: { cognitoPerSecond: 0, chimePerSecond: 0 },
      },
      { mode: 'apply', brake: DEFAULT_DELETE_BRAKE, deadline: Date.now() + 900_000 },
    );
    console.log(
      `core in-process, unpaced: ${((performance.now() - start) / 1000).toFixed(1)} s ` +
        `(renamed ${report.applied?.renamed.length}, failed ${report.applied?.failed.length})`,
    );
    // What one listing call costs the sandbox at this size (SigV4 + IAM evaluation + the page).
    const chime = new ChimeSDKIdentityClient(client);
    const cognito = new CognitoIdentityProviderClient(client);
    const median = async (call: () => Promise<unknown>) => {
      const samples: number[] = [];
      for (let i = 0; i < 15; i++) {
        const t = performance.now();
        await call();
        samples.push(performance.now() - t);
      }
      return samples.sort((a, b) => a - b)[7]!.toFixed(0);
    };
    const chimePage = await median(() =>
      chime.send(
        new ListAppInstanceUsersCommand({
          AppInstanceArn: sandbox.config.appInstanceArn,
          MaxResults: 50,
        }),
      ),
    );
    const cognitoPage = await median(() =>
      cognito.send(new ListUsersCommand({ UserPoolId: sandbox.config.userPoolId, Limit: 60 })),
    );
    console.log(
      `one page in the sandbox at ${USERS} users (median of 15): ListAppInstanceUsers ${chimePage} ms, ListUsers ${cognitoPage} ms`,
    );
    await sandbox.stop();
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}
