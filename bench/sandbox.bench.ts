/**
 * Sandbox (part 1) figures, in-process (startTestSandbox):
 * - start: loading the modules, then the start of a sandbox with an empty state directory, and a restart on that state;
 * - sign-up -> confirmed (the PostConfirmation bundle runs in the Lambda runner; the password is
 *   hashed with scrypt), sign-in with USER_SRP_AUTH as the app client allows (InitiateAuth, then
 *   the PASSWORD_VERIFIER answer; PostAuthentication runs), each step's share, and
 *   GetId + GetCredentialsForIdentity: p50/p90 over N users;
 * - one SigV4-verified and IAM-authorized call (DescribeAppInstanceUser with the trigger role's
 *   credentials): p50/p90 and sequential calls/s.
 */
import { performance } from 'node:perf_hooks';
import {
  ChimeSDKIdentityClient,
  DescribeAppInstanceUserCommand,
} from '@aws-sdk/client-chime-sdk-identity';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { ensureSynth } from '../sandbox/synth';
import { SrpClient } from '../sandbox/services/user-pool/srp';

const USERS = 10;
const CALLS = 200;

function stats(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
  return `p50 ${at(0.5)?.toFixed(1)} ms, p90 ${at(0.9)?.toFixed(1)} ms (n=${sorted.length})`;
}

async function timed<T>(samples: number[], fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const value = await fn();
  samples.push(performance.now() - start);
  return value;
}

export async function run(): Promise<void> {
  await ensureSynth();
  const stateDir = mkdtempSync(join(tmpdir(), 'sandbox-bench-'));
  try {
    let start = performance.now();
    // Loading the sandbox (cognito-local and its AWS SDK v2 included) is part of a cold start.
    const { startTestSandbox } = await import('../sandbox/testing');
    console.log(`load the sandbox modules: ${(performance.now() - start).toFixed(0)} ms`);
    start = performance.now();
    let sandbox = await startTestSandbox({ stateDir });
    console.log(`start (empty state): ${(performance.now() - start).toFixed(0)} ms`);

    const signUps: number[] = [];
    const signIns: number[] = [];
    const initiates: number[] = [];
    const answers: number[] = [];
    const creds: number[] = [];
    const { config, userPoolClient } = sandbox;
    let sub = '';
    for (let i = 0; i < USERS; i++) {
      const user = await timed(signUps, () => sandbox.signUpUser(`bench-${i}@example.com`));
      sub = user.sub;
      // Sign-in as Amplify does it (with the sandbox's own SRP client, as fast as a native one).
      const started = performance.now();
      const srp = new SrpClient(config.userPoolId);
      const challenge = await timed(initiates, () =>
        userPoolClient.send(
          new InitiateAuthCommand({
            ClientId: config.userPoolClientId,
            AuthFlow: 'USER_SRP_AUTH',
            AuthParameters: { USERNAME: user.email, SRP_A: srp.A },
          }),
        ),
      );
      const out = await timed(answers, () =>
        userPoolClient.send(
          new RespondToAuthChallengeCommand({
            ClientId: config.userPoolClientId,
            ChallengeName: challenge.ChallengeName,
            Session: challenge.Session,
            ChallengeResponses: srp.respond(challenge.ChallengeParameters ?? {}, user.password),
          }),
        ),
      );
      signIns.push(performance.now() - started);
      await timed(creds, () => sandbox.credentialsFor(out.AuthenticationResult?.IdToken ?? ''));
    }
    console.log(`sign-up + confirm (PostConfirmation trigger, scrypt): ${stats(signUps)}`);
    console.log(`  first (cold Lambda environment): ${signUps[0]?.toFixed(1)} ms`);
    console.log(`sign-in, USER_SRP_AUTH (PostAuthentication trigger): ${stats(signIns)}`);
    console.log(`  InitiateAuth (A, B): ${stats(initiates)}`);
    console.log(`  RespondToAuthChallenge PASSWORD_VERIFIER (proof, tokens): ${stats(answers)}`);
    console.log(`GetId + GetCredentialsForIdentity: ${stats(creds)}`);

    const fn = sandbox.lambda.functions.find((f) => f.logicalId.includes('PostConfirmation'));
    if (fn) {
      const session = sandbox.credentials.issue({
        roleArn: fn.roleArn,
        roleSessionName: 'bench',
        durationSeconds: 900,
        issuedBy: 'bench',
      });
      const chime = new ChimeSDKIdentityClient({
        region: sandbox.config.region,
        endpoint: sandbox.url,
        credentials: {
          accessKeyId: session.accessKeyId,
          secretAccessKey: session.secretAccessKey,
          sessionToken: session.sessionToken,
        },
      });
      const arn = `${sandbox.config.appInstanceArn}/user/${sub}`;
      const calls: number[] = [];
      const all = performance.now();
      for (let i = 0; i < CALLS; i++) {
        await timed(calls, () =>
          chime.send(new DescribeAppInstanceUserCommand({ AppInstanceUserArn: arn })),
        );
      }
      const seconds = (performance.now() - all) / 1000;
      console.log(`SigV4 + IAM-authorized DescribeAppInstanceUser: ${stats(calls)}`);
      console.log(`  sequential: ${(CALLS / seconds).toFixed(0)} calls/s`);
      chime.destroy();
    }

    await sandbox.stop();
    start = performance.now();
    sandbox = await startTestSandbox({ stateDir });
    console.log(
      `restart on existing state (${USERS} users): ${(performance.now() - start).toFixed(0)} ms`,
    );
    await sandbox.stop();
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}
