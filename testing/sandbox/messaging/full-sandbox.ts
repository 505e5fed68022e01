/**
 * The whole sandbox as a user runs it: `sandbox/cli.ts` (what `npm run sandbox` runs) in a child
 * process, and a client that knows only `<state dir>/config.json`. Shared by the end-to-end test
 * and the benchmark.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import {
  CognitoIdentityClient,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
} from '@aws-sdk/client-cognito-identity';
import {
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { appInstanceUserArn } from '../../../contracts/chime-arns';
import { type ClientConfig, parseClientConfig } from '../../../contracts/client-config';
import { SrpClient } from '../../../sandbox/services/user-pool/srp';

const ROOT = join(__dirname, '..', '..', '..');

export interface FullSandbox {
  readonly config: ClientConfig;
  /** The endpoint of every service. */
  readonly url: string;
  /** Stops the CLI and starts it again on the same state directory (the port changes). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function spawnCli(stateDir: string, timeoutMs: number): Promise<ChildProcess> {
  return new Promise<ChildProcess>((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'sandbox/cli.ts',
        '--port',
        '0',
        '--state-dir',
        stateDir,
        '--quiet-lambdas',
      ],
      { cwd: ROOT, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const timer = setTimeout(() => {
      proc.kill('SIGTERM');
      reject(new Error(`the sandbox did not print ready:\n${output.slice(-3000)}`));
    }, timeoutMs);
    const onData = (data: Buffer) => {
      output += data.toString();
      if (/^ready$/m.test(output)) {
        clearTimeout(timer);
        resolve(proc);
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the sandbox exited with ${code}:\n${output.slice(-3000)}`));
    });
  });
}

async function stopCli(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const readConfig = (stateDir: string) =>
  parseClientConfig(JSON.parse(readFileSync(join(stateDir, 'config.json'), 'utf8')));

/** Starts the sandbox CLI on a free port with a fresh state directory; waits for `ready`. */
export async function startFullSandbox(timeoutMs = 170_000): Promise<FullSandbox> {
  const stateDir = mkdtempSync(join(tmpdir(), 'sandbox-cli-'));
  let child = await spawnCli(stateDir, timeoutMs).catch((error: unknown) => {
    rmSync(stateDir, { recursive: true, force: true });
    throw error;
  });
  let config = readConfig(stateDir);
  return {
    get config() {
      return config;
    },
    get url() {
      return config.endpoints?.chimeMessaging ?? '';
    },
    async restart() {
      await stopCli(child);
      child = await spawnCli(stateDir, timeoutMs);
      config = readConfig(stateDir);
    },
    async stop() {
      await stopCli(child);
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

export interface SignedInUser {
  readonly arn: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  readonly client: ChimeSDKMessagingClient;
}

/** A messaging client at the sandbox's current endpoint. */
export function messagingClient(
  sandbox: FullSandbox,
  credentials: SignedInUser['credentials'],
): ChimeSDKMessagingClient {
  return new ChimeSDKMessagingClient({
    region: sandbox.config.region,
    endpoint: sandbox.config.endpoints?.chimeMessaging ?? sandbox.url,
    maxAttempts: 1,
    credentials,
  });
}

async function latestCode(url: string, email: string): Promise<string | undefined> {
  const response = await fetch(`${url}/_sandbox/codes?username=${encodeURIComponent(email)}`);
  const { codes } = (await response.json()) as { codes: { code: string }[] };
  return codes.at(-1)?.code;
}

/** Sign-up, confirmation, sign-in and identity pool credentials, as the web demo does them. */
export async function signUpAndIn(sandbox: FullSandbox, email: string): Promise<SignedInUser> {
  const { config, url } = sandbox;
  const endpoints = config.endpoints ?? {};
  const idp = new CognitoIdentityProviderClient({
    region: config.region,
    endpoint: endpoints.userPool ?? url,
  });
  const password = 'Correct-Horse-9-Battery';
  const { UserSub } = await idp.send(
    new SignUpCommand({
      ClientId: config.userPoolClientId,
      Username: email,
      Password: password,
      UserAttributes: [{ Name: 'email', Value: email }],
    }),
  );
  const code = await latestCode(url, email);
  if (!UserSub || !code) throw new Error(`sign-up of ${email} returned no sub or code`);
  await idp.send(
    new ConfirmSignUpCommand({
      ClientId: config.userPoolClientId,
      Username: email,
      ConfirmationCode: code,
    }),
  );
  const srp = new SrpClient(config.userPoolId);
  const started = await idp.send(
    new InitiateAuthCommand({
      ClientId: config.userPoolClientId,
      AuthFlow: 'USER_SRP_AUTH',
      AuthParameters: { USERNAME: email, SRP_A: srp.A },
    }),
  );
  const auth = await idp.send(
    new RespondToAuthChallengeCommand({
      ClientId: config.userPoolClientId,
      ChallengeName: started.ChallengeName,
      Session: started.Session,
      ChallengeResponses: srp.respond(started.ChallengeParameters ?? {}, password),
    }),
  );
  const idToken = auth.AuthenticationResult?.IdToken;
  if (!idToken) throw new Error(`sign-in of ${email} returned no ID token`);
  const logins = { [`cognito-idp.${config.region}.amazonaws.com/${config.userPoolId}`]: idToken };
  const identity = new CognitoIdentityClient({
    region: config.region,
    endpoint: endpoints.identityPool ?? url,
  });
  const { IdentityId } = await identity.send(
    new GetIdCommand({ IdentityPoolId: config.identityPoolId, Logins: logins }),
  );
  const { Credentials } = await identity.send(
    new GetCredentialsForIdentityCommand({ IdentityId, Logins: logins }),
  );
  if (!Credentials?.AccessKeyId || !Credentials.SecretKey || !Credentials.SessionToken) {
    throw new Error(`no credentials for ${email}`);
  }
  const credentials = {
    accessKeyId: Credentials.AccessKeyId,
    secretAccessKey: Credentials.SecretKey,
    sessionToken: Credentials.SessionToken,
  };
  return {
    arn: appInstanceUserArn(config.appInstanceArn, UserSub),
    credentials,
    client: messagingClient(sandbox, credentials),
  };
}
