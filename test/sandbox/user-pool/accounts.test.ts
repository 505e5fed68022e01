/**
 * Accounts in the sandbox user pool as Cognito keeps them for this template: one account per
 * email whatever its letter case (`UsernameConfiguration.CaseSensitive: false`), `email_verified`
 * once confirmed by code, ID tokens with the claims the client may read, disabled users refused
 * on every path, a deleted user's access tokens refused, and passwords never stored in clear
 * (scrypt, state files 0600), older clear-text state migrated.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AuthFlowType,
  ChangePasswordCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  type TestSandbox,
  type TestUser,
  TEST_PASSWORD,
  startTestSandbox,
} from '../../../sandbox/testing';
import { SrpClient } from '../../../sandbox/services/user-pool/srp';
import { claimsOf, expectAwsError } from '../support';

jest.setTimeout(60_000);

let sandbox: TestSandbox;
const stateDir = mkdtempSync(join(tmpdir(), 'user-pool-accounts-'));

beforeAll(async () => {
  sandbox = await startTestSandbox({ stateDir });
}, 180_000);
afterAll(async () => {
  await sandbox?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

const poolFile = () => join(stateDir, 'cognito', `${sandbox.config.userPoolId}.json`);
const adminGet = (username: string) =>
  sandbox.adminUserPoolClient.send(
    new AdminGetUserCommand({ UserPoolId: sandbox.config.userPoolId, Username: username }),
  );
const refresh = (token: string) =>
  sandbox.userPoolClient.send(
    new InitiateAuthCommand({
      ClientId: sandbox.config.userPoolClientId,
      AuthFlow: AuthFlowType.REFRESH_TOKEN_AUTH,
      AuthParameters: { REFRESH_TOKEN: token },
    }),
  );

describe('usernames and emails', () => {
  it('are one account whatever their letter case', async () => {
    const user = await sandbox.signUpUser('CaseTest@Example.com');
    const message = await expectAwsError(
      sandbox.userPoolClient.send(
        new SignUpCommand({
          ClientId: sandbox.config.userPoolClientId,
          Username: 'casetest@example.com',
          Password: TEST_PASSWORD,
          UserAttributes: [{ Name: 'email', Value: 'casetest@example.com' }],
        }),
      ),
      'UsernameExistsException',
    );
    expect(message).toBe('An account with the given email already exists.');
    const lower = await sandbox.signIn({ email: 'casetest@example.com', password: TEST_PASSWORD });
    expect(claimsOf(lower.idToken).sub).toBe(user.sub);
    expect((await adminGet('CASETEST@EXAMPLE.COM')).Username).toBe(user.sub);
    // The address is kept as given.
    expect(claimsOf(lower.idToken).email).toBe('CaseTest@Example.com');
  });

  it('cannot move onto an email another user has', async () => {
    const one = await sandbox.signUpUser('first-owner@example.com');
    await sandbox.signUpUser('second-owner@example.com');
    const { accessToken } = await sandbox.signIn(one);
    await expectAwsError(
      sandbox.userPoolClient.send(
        new UpdateUserAttributesCommand({
          AccessToken: accessToken,
          UserAttributes: [{ Name: 'email', Value: 'Second-Owner@example.com' }],
        }),
      ),
      'AliasExistsException',
    );
  });
});

describe('tokens and profile', () => {
  let grace: TestUser;
  beforeAll(async () => {
    grace = await sandbox.signUpUser('grace@example.com');
  });

  it('say email_verified once the emailed code confirmed the account', async () => {
    const session = await sandbox.signIn(grace);
    expect(claimsOf(session.idToken).email_verified).toBe(true);
    const me = await sandbox.userPoolClient.send(
      new GetUserCommand({ AccessToken: session.accessToken }),
    );
    expect(me.UserAttributes).toContainEqual({ Name: 'email_verified', Value: 'true' });
    expect((await adminGet(grace.email)).UserAttributes).toContainEqual({
      Name: 'email_verified',
      Value: 'true',
    });
  });

  it('carry the standard claims the client may read, kept across a refresh', async () => {
    const before = await sandbox.signIn(grace);
    await sandbox.userPoolClient.send(
      new UpdateUserAttributesCommand({
        AccessToken: before.accessToken,
        UserAttributes: [
          { Name: 'name', Value: 'Grace Hopper' },
          { Name: 'given_name', Value: 'Grace' },
          { Name: 'family_name', Value: 'Hopper' },
          { Name: 'preferred_username', Value: 'amazing-grace' },
        ],
      }),
    );
    const session = await sandbox.signIn(grace);
    const id = claimsOf(session.idToken);
    expect(id).toMatchObject({
      sub: grace.sub,
      'cognito:username': grace.sub,
      email: grace.email,
      email_verified: true,
      name: 'Grace Hopper',
      given_name: 'Grace',
      family_name: 'Hopper',
      preferred_username: 'amazing-grace',
      token_use: 'id',
      aud: sandbox.config.userPoolClientId,
      iss: sandbox.resources.userPoolIssuer,
    });
    expect(id.exp).toBe(Number(id.iat) + 3600);
    const access = claimsOf(session.accessToken);
    expect(access).toMatchObject({
      sub: grace.sub,
      username: grace.sub,
      client_id: sandbox.config.userPoolClientId,
      scope: 'aws.cognito.signin.user.admin',
      token_use: 'access',
      origin_jti: id.origin_jti,
    });
    const refreshed = await refresh(session.refreshToken);
    const again = claimsOf(refreshed.AuthenticationResult?.IdToken ?? '');
    expect(again.origin_jti).toBe(id.origin_jti);
    expect(again.auth_time).toBe(id.auth_time);
    expect(again.jti).not.toBe(id.jti);
  });
});

describe('a disabled user', () => {
  it('is refused on every path: sign-in, refresh, GetUser, UpdateUserAttributes, identity pool', async () => {
    const dave = await sandbox.signUpUser('dave@example.com');
    const session = await sandbox.signIn(dave);
    await sandbox.adminUserPoolClient.send(
      new AdminDisableUserCommand({ UserPoolId: sandbox.config.userPoolId, Username: dave.email }),
    );
    expect(
      await expectAwsError(sandbox.srpSignIn(dave.email, TEST_PASSWORD), 'NotAuthorizedException'),
    ).toBe('User is disabled.');
    // Without the password, nobody learns the account is disabled.
    expect(
      await expectAwsError(
        sandbox.srpSignIn(dave.email, 'Not-Daves-Passw0rd!'),
        'NotAuthorizedException',
      ),
    ).toBe('Incorrect username or password.');
    await expectAwsError(refresh(session.refreshToken), 'NotAuthorizedException');
    await expectAwsError(
      sandbox.userPoolClient.send(new GetUserCommand({ AccessToken: session.accessToken })),
      'NotAuthorizedException',
    );
    await expectAwsError(
      sandbox.userPoolClient.send(
        new UpdateUserAttributesCommand({
          AccessToken: session.accessToken,
          UserAttributes: [{ Name: 'name', Value: 'Still Here' }],
        }),
      ),
      'NotAuthorizedException',
    );
    await expectAwsError(sandbox.credentialsFor(session.idToken), 'NotAuthorizedException');

    // Enabled again: a new sign-in works; the tokens from before stay revoked, as on Cognito.
    // Revocation is by the second (a token whose iat is at or before it is refused): a token of
    // the next second is a new one. Waits only for that second (on average 0.5 s, not 1.1).
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 10));
    await sandbox.adminUserPoolClient.send(
      new AdminEnableUserCommand({ UserPoolId: sandbox.config.userPoolId, Username: dave.email }),
    );
    const fresh = await sandbox.signIn(dave);
    await expect(
      sandbox.userPoolClient.send(new GetUserCommand({ AccessToken: fresh.accessToken })),
    ).resolves.toMatchObject({ Username: dave.sub });
    await expectAwsError(
      sandbox.userPoolClient.send(new GetUserCommand({ AccessToken: session.accessToken })),
      'NotAuthorizedException',
    );
    await expectAwsError(refresh(session.refreshToken), 'NotAuthorizedException');
  });

  it('disabled between the challenge and the answer is refused too', async () => {
    const frank = await sandbox.signUpUser('frank@example.com');
    const srp = new SrpClient(sandbox.config.userPoolId);
    const started = await sandbox.userPoolClient.send(
      new InitiateAuthCommand({
        ClientId: sandbox.config.userPoolClientId,
        AuthFlow: AuthFlowType.USER_SRP_AUTH,
        AuthParameters: { USERNAME: frank.email, SRP_A: srp.A },
      }),
    );
    await sandbox.adminUserPoolClient.send(
      new AdminDisableUserCommand({ UserPoolId: sandbox.config.userPoolId, Username: frank.email }),
    );
    const message = await expectAwsError(
      sandbox.userPoolClient.send(
        new RespondToAuthChallengeCommand({
          ClientId: sandbox.config.userPoolClientId,
          ChallengeName: started.ChallengeName,
          Session: started.Session,
          ChallengeResponses: srp.respond(started.ChallengeParameters ?? {}, TEST_PASSWORD),
        }),
      ),
      'NotAuthorizedException',
    );
    expect(message).toBe('User is disabled.');
  });
});

describe('a deleted user', () => {
  it('is refused with the access token issued before: GetUser, UpdateUserAttributes, GlobalSignOut', async () => {
    const gina = await sandbox.signUpUser('gina@example.com');
    const session = await sandbox.signIn(gina);
    await sandbox.adminUserPoolClient.send(
      new AdminDeleteUserCommand({ UserPoolId: sandbox.config.userPoolId, Username: gina.email }),
    );
    const client = sandbox.userPoolClient;
    const AccessToken = session.accessToken;
    for (const call of [
      () => client.send(new GetUserCommand({ AccessToken })),
      () =>
        client.send(
          new UpdateUserAttributesCommand({
            AccessToken,
            UserAttributes: [{ Name: 'name', Value: 'Still Here' }],
          }),
        ),
      () => client.send(new GlobalSignOutCommand({ AccessToken })),
    ]) {
      expect(await expectAwsError(call(), 'NotAuthorizedException')).toBe('User does not exist.');
    }
  });
});

describe('passwords', () => {
  it('are kept as scrypt hashes and SRP verifiers, in files only their owner reads', async () => {
    await sandbox.signUpUser('stored@example.com', 'Stored-Secret-Passw0rd!');
    const text = readFileSync(poolFile(), 'utf8');
    expect(text).not.toContain('Stored-Secret-Passw0rd!');
    expect(text).not.toContain(TEST_PASSWORD);
    const users = Object.values(
      (JSON.parse(text) as { Users: Record<string, Record<string, unknown>> }).Users,
    );
    for (const user of users) {
      expect(user.Password).toBeUndefined();
      expect(user.StoredPassword).toMatchObject({
        hash: expect.stringMatching(/^scrypt\$16384\$8\$1\$/),
        srp: { salt: expect.any(String), verifier: expect.any(String) },
      });
    }
    for (const file of readdirSync(join(stateDir, 'cognito'))) {
      expect(statSync(join(stateDir, 'cognito', file)).mode & 0o777).toBe(0o600);
    }
  });

  it('change only with the right previous password', async () => {
    const user = await sandbox.signUpUser('changer@example.com');
    const { accessToken } = await sandbox.signIn(user);
    const change = (previous: string) =>
      sandbox.userPoolClient.send(
        new ChangePasswordCommand({
          AccessToken: accessToken,
          PreviousPassword: previous,
          ProposedPassword: 'Changed-Passw0rd!',
        }),
      );
    expect(await expectAwsError(change('Wrong-Passw0rd!'), 'NotAuthorizedException')).toBe(
      'Incorrect username or password.',
    );
    await change(TEST_PASSWORD);
    await expectAwsError(sandbox.srpSignIn(user.email, TEST_PASSWORD), 'NotAuthorizedException');
    await expect(
      sandbox.signIn({ email: user.email, password: 'Changed-Passw0rd!' }),
    ).resolves.toMatchObject({ idToken: expect.any(String) });
  });

  it('kept in clear by an older sandbox are hashed at the next start, and still sign in', async () => {
    const user = await sandbox.signUpUser('legacy@example.com', 'Legacy-Clear-Passw0rd!');
    await sandbox.stop();
    // What an older sandbox (cognito-local as is) wrote: the password in clear.
    const document = JSON.parse(readFileSync(poolFile(), 'utf8')) as {
      Users: Record<string, Record<string, unknown>>;
    };
    const stored = document.Users[user.sub]!;
    delete stored.StoredPassword;
    stored.Password = 'Legacy-Clear-Passw0rd!';
    writeFileSync(poolFile(), JSON.stringify(document, null, 2));
    // ... and added USER_PASSWORD_AUTH to the app client.
    const clientsFile = join(stateDir, 'cognito', 'clients.json');
    const clients = JSON.parse(readFileSync(clientsFile, 'utf8')) as {
      Clients: Record<string, { ExplicitAuthFlows: string[] }>;
    };
    clients.Clients[sandbox.config.userPoolClientId]!.ExplicitAuthFlows.push(
      'ALLOW_USER_PASSWORD_AUTH',
    );
    writeFileSync(clientsFile, JSON.stringify(clients));
    const lines: string[] = [];
    sandbox = await startTestSandbox({ stateDir, log: (line) => lines.push(line) });
    expect(lines.join('\n')).toMatch(/1 password\(s\) kept in clear .* now hashed/);
    expect(readFileSync(poolFile(), 'utf8')).not.toContain('Legacy-Clear-Passw0rd!');
    const session = await sandbox.signIn({ email: user.email, password: 'Legacy-Clear-Passw0rd!' });
    expect(claimsOf(session.idToken).sub).toBe(user.sub);
    // The app client follows the template again.
    await expectAwsError(
      sandbox.userPoolClient.send(
        new InitiateAuthCommand({
          ClientId: sandbox.config.userPoolClientId,
          AuthFlow: AuthFlowType.USER_PASSWORD_AUTH,
          AuthParameters: { USERNAME: user.email, PASSWORD: 'Legacy-Clear-Passw0rd!' },
        }),
      ),
      'InvalidParameterException',
    );
  });
});
