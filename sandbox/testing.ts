/**
 * Test support for every suite that needs a running sandbox (sandbox, messaging, credential
 * vending, browser tests): one call starts a sandbox on a free port with a temporary state
 * directory, and a few helpers drive the sign-up -> credentials flow with real AWS SDK v3 clients.
 *
 *   let sandbox: TestSandbox;
 *   beforeAll(async () => { sandbox = await startTestSandbox(); }, 120_000);
 *   afterAll(() => sandbox?.stop());
 *   const alice = await sandbox.signUpUser('alice@example.com');   // signed up + confirmed
 *   const session = await sandbox.signIn(alice);                   // tokens
 *   const creds = await sandbox.credentialsFor(session.idToken);   // identity pool credentials
 *
 * The cloud assembly is `<project>/cdk.out`, synthesized first if missing or stale; set
 * SANDBOX_CDK_OUT to use another one as it is.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AuthFlowType,
  CognitoIdentityProviderClient,
  AdminCreateUserCommand,
  ConfirmSignUpCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  type RespondToAuthChallengeCommandOutput,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  CognitoIdentityClient,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
} from '@aws-sdk/client-cognito-identity';
import { SandboxState, writeFileAtomic } from './core/state';
import { type RunningSandbox, type StartSandboxOptions, startSandbox } from './index';
import { loadOrCreateCertificate } from './services/hosted-ui/certificate';
import {
  LocalOidcPortInUseError,
  type RunningLocalOidcProvider,
  type StartLocalOidcProviderOptions,
  startLocalOidcProvider,
} from './services/oidc-provider';
import { PROJECT_ROOT, type SynthContext, ensureSynth, withLock } from './synth';
import { loadOrCreateSigningKey } from './services/user-pool/signing-key';
import { SrpClient } from './services/user-pool/srp';

export const TEST_PASSWORD = 'Sandbox-Passw0rd!';
/** The temporary password of administrator-created test users. */
export const TEST_TEMPORARY_PASSWORD = 'Temporary-Passw0rd!';

export interface TestUser {
  readonly email: string;
  readonly password: string;
  /** The user pool `sub` (= AppInstanceUserId). */
  readonly sub: string;
}

export interface TestSession {
  readonly idToken: string;
  readonly accessToken: string;
  readonly refreshToken: string;
}

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

export interface TestSandbox extends RunningSandbox {
  /** A user pool client pointed at the sandbox. */
  readonly userPoolClient: CognitoIdentityProviderClient;
  /** A user pool client with the sandbox administrator's credentials (for `Admin*` calls). */
  readonly adminUserPoolClient: CognitoIdentityProviderClient;
  /** An identity pool client pointed at the sandbox. */
  readonly identityClient: CognitoIdentityClient;
  /** The `Logins` key of the user pool (its ProviderName, as on AWS). */
  readonly loginsKey: string;
  /** Signs up and confirms (with the code the sandbox captured) a user. */
  signUpUser(email: string, password?: string): Promise<TestUser>;
  /**
   * Creates a user as an administrator does (AdminCreateUser, email verified, no message): no
   * post-confirmation trigger runs, so the user has no AppInstanceUser until healed. `password` is
   * the temporary one.
   */
  adminCreateUser(email: string, temporaryPassword?: string): Promise<TestUser>;
  /**
   * USER_SRP_AUTH and the PASSWORD_VERIFIER answer (the flow the template's app client allows):
   * the answer's output, tokens or the next challenge (NEW_PASSWORD_REQUIRED, ...).
   */
  srpSignIn(username: string, password: string): Promise<RespondToAuthChallengeCommandOutput>;
  /** {@link srpSignIn} to the tokens (fails on any further challenge). */
  signIn(user: Pick<TestUser, 'email' | 'password'>): Promise<TestSession>;
  /** GetId + GetCredentialsForIdentity with the ID token. */
  credentialsFor(idToken: string): Promise<{ identityId: string; credentials: AwsCredentials }>;
  /**
   * One-hour credentials of the role of the template's function whose logical id starts with
   * `logicalIdPrefix`: to call the sandbox as that function would (its policy enforced).
   */
  functionRoleCredentials(logicalIdPrefix: string): AwsCredentials;
}

export interface StartTestSandboxOptions extends Omit<StartSandboxOptions, 'stateDir' | 'port'> {
  /** Reuse a state directory (e.g. to test a restart); it is then not deleted on stop. */
  readonly stateDir?: string;
}

/** Where the test assemblies (with what they depend on, like an issuer's port) and keys are kept. */
export const TEST_ASSEMBLY_CACHE = join(
  PROJECT_ROOT,
  'node_modules',
  '.cache',
  'chime-cognito-auth',
);

/**
 * The cloud assembly of a configuration other than the default one (e.g. `{ credentialVending:
 * 'true' }`), for `startTestSandbox({ cdkOutDir })`: kept under node_modules/.cache and synthesized
 * again only when the stack's sources (or the files its context names) change, so the test files
 * of one configuration share it.
 */
export async function testAssembly(name: string, context: SynthContext): Promise<string> {
  const cdkOutDir = join(TEST_ASSEMBLY_CACHE, `cdk.out-${name}`);
  await ensureSynth(cdkOutDir, PROJECT_ROOT, context);
  return cdkOutDir;
}

/**
 * A local OpenID provider whose issuer URL goes into the template of the test assembly `name`
 * (e.g. `credentialVendingOidcIssuer`). The URL holds the port, so the provider starts on the port
 * it had the last time and the cached assembly stays valid; only when another process holds that
 * port does it take a free one, and the assembly, its context changed, is synthesized again.
 */
export async function startAssemblyIssuer(
  name: string,
  options: Omit<StartLocalOidcProviderOptions, 'port'>,
): Promise<RunningLocalOidcProvider> {
  const portFile = join(TEST_ASSEMBLY_CACHE, `cdk.out-${name}.issuer-port`);
  let remembered = 0;
  try {
    remembered = Number(readFileSync(portFile, 'utf8')) || 0;
  } catch {
    // First run: no port yet.
  }
  let provider: RunningLocalOidcProvider;
  try {
    provider = await startLocalOidcProvider({ ...options, port: remembered });
  } catch (error) {
    if (!(error instanceof LocalOidcPortInUseError)) throw error;
    provider = await startLocalOidcProvider({ ...options, port: 0 });
  }
  mkdirSync(TEST_ASSEMBLY_CACHE, { recursive: true });
  writeFileSync(portFile, new URL(provider.issuer).port);
  return provider;
}

/** Files of a state directory that hold generated keys, relative to it. */
const KEY_FILES = ['signing-key.json', 'hosted-ui/key.pem', 'hosted-ui/cert.pem'];

/**
 * Gives a new temporary state directory the keys a first start generates: the user pool's signing
 * key and the hosted UI's certificate are RSA keys (with selfsigned loaded for the certificate), a
 * few hundred milliseconds of every test file. Test sandboxes reuse one set, made by the same code
 * and kept beside the test assemblies, as a restarted sandbox reuses its own. Tests that pass their
 * own `stateDir` still generate theirs (sandbox.test.ts and hosted-ui.test.ts check that path).
 */
async function seedKeys(stateDir: string): Promise<void> {
  const keysDir = join(TEST_ASSEMBLY_CACHE, 'test-state-keys');
  mkdirSync(TEST_ASSEMBLY_CACHE, { recursive: true });
  await withLock(`${keysDir}.lock`, async () => {
    const state = new SandboxState(keysDir);
    loadOrCreateSigningKey(state);
    await loadOrCreateCertificate(state.subdir('hosted-ui'));
    // Copied under the lock: the key and certificate files stay a pair.
    for (const file of KEY_FILES) {
      writeFileAtomic(join(stateDir, file), readFileSync(join(keysDir, file), 'utf8'));
    }
  });
}

/** Starts a sandbox for a test file. `stop()` also deletes its temporary state directory. */
export async function startTestSandbox(
  options: StartTestSandboxOptions = {},
): Promise<TestSandbox> {
  const override = process.env.SANDBOX_CDK_OUT;
  const cdkOutDir = options.cdkOutDir ?? override ?? join(PROJECT_ROOT, 'cdk.out');
  if (!options.cdkOutDir && !override) await ensureSynth(cdkOutDir);
  const ownDir = options.stateDir === undefined;
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'sandbox-test-'));
  if (ownDir) await seedKeys(stateDir);
  const sandbox = await startSandbox({ ...options, cdkOutDir, stateDir, port: 0 });
  const { config } = sandbox;
  // Unsigned calls on AWS; the SDK still wants credentials to exist, any will do.
  const dummy = { accessKeyId: 'unused', secretAccessKey: 'unused' };
  const userPoolClient = new CognitoIdentityProviderClient({
    region: config.region,
    endpoint: sandbox.url,
    credentials: dummy,
  });
  const identityClient = new CognitoIdentityClient({
    region: config.region,
    endpoint: sandbox.url,
  });
  const adminUserPoolClient = new CognitoIdentityProviderClient({
    region: config.region,
    endpoint: sandbox.url,
    credentials: {
      ...sandbox.adminCredentials,
      expiration: new Date(sandbox.adminCredentials.expiration),
    },
  });
  const loginsKey = sandbox.resources.userPoolProviderName;

  const srpSignIn = async (username: string, password: string) => {
    const srp = new SrpClient(config.userPoolId);
    const started = await userPoolClient.send(
      new InitiateAuthCommand({
        ClientId: config.userPoolClientId,
        AuthFlow: AuthFlowType.USER_SRP_AUTH,
        AuthParameters: { USERNAME: username, SRP_A: srp.A },
      }),
    );
    return userPoolClient.send(
      new RespondToAuthChallengeCommand({
        ClientId: config.userPoolClientId,
        ChallengeName: started.ChallengeName,
        Session: started.Session,
        ChallengeResponses: srp.respond(started.ChallengeParameters ?? {}, password),
      }),
    );
  };
  const signIn = async (user: Pick<TestUser, 'email' | 'password'>): Promise<TestSession> => {
    const out = await srpSignIn(user.email, user.password);
    const result = out.AuthenticationResult;
    if (!result?.IdToken || !result.AccessToken) {
      throw new Error(
        `sign-in of ${user.email} did not return tokens (challenge ${out.ChallengeName})`,
      );
    }
    return {
      idToken: result.IdToken,
      accessToken: result.AccessToken,
      refreshToken: result.RefreshToken ?? '',
    };
  };

  return {
    ...sandbox,
    userPoolClient,
    adminUserPoolClient,
    identityClient,
    loginsKey,
    async adminCreateUser(email, temporaryPassword = TEST_TEMPORARY_PASSWORD) {
      const created = await adminUserPoolClient.send(
        new AdminCreateUserCommand({
          UserPoolId: config.userPoolId,
          Username: email,
          TemporaryPassword: temporaryPassword,
          UserAttributes: [
            { Name: 'email', Value: email },
            { Name: 'email_verified', Value: 'true' },
          ],
          MessageAction: 'SUPPRESS',
        }),
      );
      const sub = created.User?.Attributes?.find((a) => a.Name === 'sub')?.Value;
      if (!sub) throw new Error(`AdminCreateUser returned no sub for ${email}`);
      return { email, password: temporaryPassword, sub };
    },
    async signUpUser(email, password = TEST_PASSWORD) {
      const out = await userPoolClient.send(
        new SignUpCommand({
          ClientId: config.userPoolClientId,
          Username: email,
          Password: password,
          UserAttributes: [{ Name: 'email', Value: email }],
        }),
      );
      const code = sandbox.latestCode(email);
      if (!code || !out.UserSub) throw new Error(`no confirmation code captured for ${email}`);
      await userPoolClient.send(
        new ConfirmSignUpCommand({
          ClientId: config.userPoolClientId,
          Username: email,
          ConfirmationCode: code,
        }),
      );
      return { email, password, sub: out.UserSub };
    },
    srpSignIn,
    signIn,
    async credentialsFor(idToken) {
      const logins = { [loginsKey]: idToken };
      const { IdentityId } = await identityClient.send(
        new GetIdCommand({ IdentityPoolId: config.identityPoolId, Logins: logins }),
      );
      const out = await identityClient.send(
        new GetCredentialsForIdentityCommand({ IdentityId, Logins: logins }),
      );
      const c = out.Credentials;
      if (!IdentityId || !c?.AccessKeyId || !c.SecretKey || !c.SessionToken || !c.Expiration) {
        throw new Error('GetCredentialsForIdentity returned no credentials');
      }
      return {
        identityId: IdentityId,
        credentials: {
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretKey,
          sessionToken: c.SessionToken,
          expiration: c.Expiration,
        },
      };
    },
    functionRoleCredentials(logicalIdPrefix) {
      const fn = sandbox.lambda.functions.find((f) => f.logicalId.startsWith(logicalIdPrefix));
      if (!fn) throw new Error(`the template has no function ${logicalIdPrefix}*`);
      const session = sandbox.credentials.issue({
        roleArn: fn.roleArn,
        roleSessionName: fn.functionName.slice(0, 64),
        durationSeconds: 3600,
        issuedBy: `test credentials of ${fn.logicalId}`,
      });
      return {
        accessKeyId: session.accessKeyId,
        secretAccessKey: session.secretAccessKey,
        sessionToken: session.sessionToken,
        expiration: new Date(session.expiration),
      };
    },
    async stop() {
      userPoolClient.destroy();
      adminUserPoolClient.destroy();
      identityClient.destroy();
      await sandbox.stop();
      if (ownDir) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
