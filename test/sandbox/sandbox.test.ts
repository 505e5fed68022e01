/**
 * The sandbox end to end, with unmodified AWS SDK v3 clients: sign-up -> trigger -> sign-in ->
 * identity pool credentials with the principal tag, and the refusals AWS would answer.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AuthFlowType,
  CognitoIdentityProviderClient,
  ChallengeNameType,
  DescribeUserPoolCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  ListUserPoolsCommand,
  ListUsersCommand,
  ConfirmSignUpCommand,
  ResendConfirmationCodeCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  CognitoIdentityClient,
  DeleteIdentitiesCommand,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
} from '@aws-sdk/client-cognito-identity';
import {
  ChimeSDKIdentityClient,
  CreateAppInstanceUserCommand,
  DeleteAppInstanceUserCommand,
  DescribeAppInstanceUserCommand,
  ListAppInstanceUsersCommand,
} from '@aws-sdk/client-chime-sdk-identity';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { parseClientConfig } from '../../contracts/client-config';
import { appInstanceUserArn } from '../../contracts/chime-arns';
import {
  type AwsCredentials,
  type TestSandbox,
  type TestUser,
  TEST_PASSWORD,
  TEST_TEMPORARY_PASSWORD,
  startTestSandbox,
} from '../../sandbox/testing';
import { expectAwsError } from './support';

jest.setTimeout(60_000);

let sandbox: TestSandbox;
let alice: TestUser;
let bob: TestUser;
const stateDir = mkdtempSync(join(tmpdir(), 'sandbox-e2e-'));

beforeAll(async () => {
  sandbox = await startTestSandbox({ stateDir });
  alice = await sandbox.signUpUser('alice@example.com');
  bob = await sandbox.signUpUser('bob@example.com');
}, 180_000);

afterAll(async () => {
  await sandbox?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodePayload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

function signJwt(payload: Record<string, unknown>, key: KeyObject, kid = 'CognitoLocal'): string {
  const data = `${base64url({ alg: 'RS256', kid, typ: 'JWT' })}.${base64url(payload)}`;
  return `${data}.${sign('sha256', Buffer.from(data), key).toString('base64url')}`;
}

/** The sandbox user pool's signing key (generated per sandbox, kept in its state directory). */
function poolKey(): { key: KeyObject; kid: string } {
  const stored = JSON.parse(readFileSync(join(stateDir, 'signing-key.json'), 'utf8')) as {
    kid: string;
    privateJwk: Record<string, string>;
  };
  return { key: createPrivateKey({ key: stored.privateJwk, format: 'jwk' }), kid: stored.kid };
}

/** cognito-local's own key, published in its npm package: anyone has it. */
function publishedKey(): KeyObject {
  const file = require.resolve('cognito-local/lib/keys/cognitoLocal.private.json');
  const { jwk } = JSON.parse(readFileSync(file, 'utf8')) as { jwk: Record<string, string> };
  return createPrivateKey({ key: jwk, format: 'jwk' });
}

function chimeClient(credentials: Omit<AwsCredentials, 'expiration'>): ChimeSDKIdentityClient {
  return new ChimeSDKIdentityClient({
    region: sandbox.config.region,
    endpoint: sandbox.url,
    credentials,
  });
}

function stsClient(credentials: Omit<AwsCredentials, 'expiration'>): STSClient {
  return new STSClient({ region: sandbox.config.region, endpoint: sandbox.url, credentials });
}

/** Credentials of a trigger function's role, as the Lambda runner gives them. */
function triggerCredentials(logicalIdPart: string): AwsCredentials {
  const fn = sandbox.lambda.functions.find((f) => f.logicalId.includes(logicalIdPart));
  if (!fn) throw new Error(`no function like ${logicalIdPart} in the template`);
  const session = sandbox.credentials.issue({
    roleArn: fn.roleArn,
    roleSessionName: 'test',
    durationSeconds: 900,
    issuedBy: 'test',
  });
  return { ...session, expiration: new Date(session.expiration) };
}

describe('sign-up and the post-confirmation trigger', () => {
  it('writes a client config in the contract shape, with USER_SRP_AUTH as deployed', () => {
    const config = parseClientConfig(JSON.parse(readFileSync(sandbox.configFile, 'utf8')));
    expect(config.signInFlow).toBe('USER_SRP_AUTH');
    expect(config.endpoints?.identityPool).toBe(sandbox.url);
    expect(config.identityPoolId).toMatch(/^us-east-1:[0-9a-f-]{36}$/);
    // The stack's deploy-time GetMessagingSessionEndpoint, resolved as the sandbox's own answer
    // (its GetMessagingSessionEndpoint answers its host: messaging-api.test.ts).
    expect(config.messagingSessionEndpoint).toBe(new URL(sandbox.url).host);
  });

  it('answers browser preflights for SigV4 headers (the web demo is another origin)', async () => {
    const response = await fetch(`${sandbox.url}/app-instance-users`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,x-amz-date,x-amz-security-token',
      },
    });
    expect(response.status).toBe(204);
    // The template's local callback origin, by name (test/sandbox/browser-access.test.ts: others).
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(response.headers.get('access-control-allow-headers')).toContain('authorization');
  });

  it('serves confirmation codes on a sandbox-only route', async () => {
    const response = await fetch(`${sandbox.url}/_sandbox/codes?username=alice@example.com`);
    const body = (await response.json()) as { codes: { code: string }[] };
    expect(body.codes.at(-1)?.code).toMatch(/^\d{6}$/);
    // A browser (the web demo's "where is my code" link) gets a page listing the same code.
    const page = await fetch(`${sandbox.url}/_sandbox/codes`, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
    const html = await page.text();
    expect(html).toContain(body.codes.at(-1)?.code);
    expect(html).toContain('alice@example.com');
  });

  it('tells the web demo it is local: the codes page and the hosted UI to trust', () => {
    expect(sandbox.config.localSandbox).toEqual({
      codesUrl: `${sandbox.url}/_sandbox/codes`,
      ...(sandbox.hostedUi && { hostedUiUrl: `${sandbox.hostedUi.url}/` }),
    });
  });

  it('creates each confirmed user an AppInstanceUser through the real trigger bundle', async () => {
    const trigger = chimeClient(triggerCredentials('PostConfirmation'));
    for (const user of [alice, bob]) {
      const arn = appInstanceUserArn(sandbox.config.appInstanceArn, user.sub);
      const out = await trigger.send(
        new DescribeAppInstanceUserCommand({ AppInstanceUserArn: arn }),
      );
      expect(out.AppInstanceUser?.AppInstanceUserArn).toBe(arn);
    }
    const directory = sandbox.context.services.chimeIdentity!;
    expect(directory.listUsers().map((u) => u.appInstanceUserId)).toEqual(
      expect.arrayContaining([alice.sub, bob.sub]),
    );
  });

  it('enforces the template password policy', async () => {
    const message = await expectAwsError(
      sandbox.userPoolClient.send(
        new SignUpCommand({
          ClientId: sandbox.config.userPoolClientId,
          Username: 'weak@example.com',
          Password: 'short',
          UserAttributes: [{ Name: 'email', Value: 'weak@example.com' }],
        }),
      ),
      'InvalidPasswordException',
    );
    expect(message).toMatch(/policy/);
  });
});

describe('confirmation codes and sign-in errors, as Cognito answers them', () => {
  const clientId = () => sandbox.config.userPoolClientId;

  it('resends a confirmation code that replaces the first one', async () => {
    const email = 'resend-code@example.com';
    await sandbox.userPoolClient.send(
      new SignUpCommand({
        ClientId: clientId(),
        Username: email,
        Password: TEST_PASSWORD,
        UserAttributes: [{ Name: 'email', Value: email }],
      }),
    );
    const first = sandbox.latestCode(email);
    const out = await sandbox.userPoolClient.send(
      new ResendConfirmationCodeCommand({ ClientId: clientId(), Username: email }),
    );
    expect(out.CodeDeliveryDetails).toEqual({
      AttributeName: 'email',
      DeliveryMedium: 'EMAIL',
      Destination: email,
    });
    const second = sandbox.latestCode(email);
    expect(second).toMatch(/^\d{6}$/);
    expect(second).not.toBe(first);
    await expectAwsError(
      sandbox.userPoolClient.send(
        new ConfirmSignUpCommand({
          ClientId: clientId(),
          Username: email,
          ConfirmationCode: first,
        }),
      ),
      'CodeMismatchException',
    );
    await sandbox.userPoolClient.send(
      new ConfirmSignUpCommand({ ClientId: clientId(), Username: email, ConfirmationCode: second }),
    );
    const message = await expectAwsError(
      sandbox.userPoolClient.send(
        new ResendConfirmationCodeCommand({ ClientId: clientId(), Username: email }),
      ),
      'InvalidParameterException',
    );
    expect(message).toBe('User is already confirmed.');
  });

  it('simulates a resend for an unknown user (PreventUserExistenceErrors) and refuses a bad client', async () => {
    const out = await sandbox.userPoolClient.send(
      new ResendConfirmationCodeCommand({ ClientId: clientId(), Username: 'nobody@example.com' }),
    );
    expect(out.CodeDeliveryDetails?.DeliveryMedium).toBe('EMAIL');
    expect(sandbox.latestCode('nobody@example.com')).toBeUndefined();
    await expectAwsError(
      sandbox.userPoolClient.send(
        new ResendConfirmationCodeCommand({ ClientId: 'no-such-client', Username: alice.email }),
      ),
      'ResourceNotFoundException',
    );
  });

  it('answers a wrong password and an unknown user alike, with NotAuthorizedException', async () => {
    const wrongPassword = await expectAwsError(
      sandbox.srpSignIn(alice.email, 'Wrong-Passw0rd!'),
      'NotAuthorizedException',
      400,
    );
    const unknownUser = await expectAwsError(
      sandbox.srpSignIn('nobody@example.com', TEST_PASSWORD),
      'NotAuthorizedException',
      400,
    );
    expect(wrongPassword).toBe('Incorrect username or password.');
    expect(unknownUser).toBe(wrongPassword);
  });
});

describe('identity pool credentials', () => {
  it('issues one-hour credentials tagged with the user pool sub', async () => {
    const session = await sandbox.signIn(alice);
    const { identityId, credentials } = await sandbox.credentialsFor(session.idToken);
    expect(identityId).toMatch(/^us-east-1:/);
    const stored = sandbox.credentials.find(credentials.accessKeyId);
    expect(stored?.principalTags).toEqual({ [sandbox.config.principalTagKey]: alice.sub });
    const ttl = credentials.expiration.getTime() - Date.now();
    expect(ttl).toBeGreaterThan(55 * 60_000);
    expect(ttl).toBeLessThanOrEqual(60 * 60_000);
    const me = await stsClient(credentials).send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toMatch(/:assumed-role\/.*AuthenticatedRole.*\/CognitoIdentityCredentials$/);
    // As AWS forms it: the role's unique id (the template's RoleId attribute), then the session.
    const role = sandbox.resources.role(stored!.roleArn)!;
    const roleId = sandbox.resources.env.resources[role.logicalId]?.attributes.RoleId;
    expect(roleId).toMatch(/^AROA[A-Z2-7]{17}$/);
    expect(me.UserId).toBe(`${roleId}:CognitoIdentityCredentials`);
  });

  it('returns the same identity for the same user and another for another user', async () => {
    const a1 = await sandbox.credentialsFor((await sandbox.signIn(alice)).idToken);
    const a2 = await sandbox.credentialsFor((await sandbox.signIn(alice)).idToken);
    const b = await sandbox.credentialsFor((await sandbox.signIn(bob)).idToken);
    expect(a2.identityId).toBe(a1.identityId);
    expect(b.identityId).not.toBe(a1.identityId);
  });

  it('lets the credentials act as their own AppInstanceUser only', async () => {
    const { credentials } = await sandbox.credentialsFor((await sandbox.signIn(alice)).idToken);
    const session = sandbox.credentials.find(credentials.accessKeyId)!;
    const caller = { session, region: sandbox.config.region, presigned: false };
    const own = appInstanceUserArn(sandbox.config.appInstanceArn, alice.sub);
    const other = appInstanceUserArn(sandbox.config.appInstanceArn, bob.sub);
    const ask = (resource: string) =>
      sandbox.context.authorize(caller, {
        action: 'chime:SendChannelMessage',
        resource,
        protocol: 'restJson',
      });
    await expect(ask(own)).resolves.toBeUndefined();
    await expect(ask(other)).rejects.toMatchObject({ code: 'ForbiddenException', status: 403 });
  });

  it('refuses a tampered ID token', async () => {
    const { idToken } = await sandbox.signIn(alice);
    const [header, , signature] = idToken.split('.');
    const tampered = `${header}.${base64url({ ...decodePayload(idToken), sub: bob.sub })}.${signature}`;
    const message = await expectAwsError(
      sandbox.identityClient.send(
        new GetIdCommand({
          IdentityPoolId: sandbox.config.identityPoolId,
          Logins: { [sandbox.loginsKey]: tampered },
        }),
      ),
      'NotAuthorizedException',
      400,
    );
    expect(message).toMatch(/Couldn't verify signed token/);
  });

  it('refuses a token signed with another key', async () => {
    const { idToken } = await sandbox.signIn(alice);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = signJwt(decodePayload(idToken), privateKey);
    await expectAwsError(
      sandbox.identityClient.send(
        new GetIdCommand({
          IdentityPoolId: sandbox.config.identityPoolId,
          Logins: { [sandbox.loginsKey]: forged },
        }),
      ),
      'NotAuthorizedException',
    );
  });

  it("refuses a token signed with cognito-local's published key", async () => {
    const { idToken } = await sandbox.signIn(alice);
    const minted = signJwt({ ...decodePayload(idToken), sub: bob.sub }, publishedKey());
    await expectAwsError(
      sandbox.identityClient.send(
        new GetIdCommand({
          IdentityPoolId: sandbox.config.identityPoolId,
          Logins: { [sandbox.loginsKey]: minted },
        }),
      ),
      'NotAuthorizedException',
    );
  });

  it('refuses a forged access token on the user pool, accepts a real one', async () => {
    const { accessToken } = await sandbox.signIn(alice);
    const me = await sandbox.userPoolClient.send(new GetUserCommand({ AccessToken: accessToken }));
    expect(me.UserAttributes?.find((a) => a.Name === 'sub')?.Value).toBe(alice.sub);
    const forged = signJwt({ ...decodePayload(accessToken), username: bob.email }, publishedKey());
    const message = await expectAwsError(
      sandbox.userPoolClient.send(new GetUserCommand({ AccessToken: forged })),
      'NotAuthorizedException',
    );
    expect(message).toBe('Invalid Access Token');
  });

  it('refuses an expired ID token', async () => {
    const { idToken } = await sandbox.signIn(alice);
    const now = Math.floor(Date.now() / 1000);
    const { key, kid } = poolKey();
    const expired = signJwt(
      { ...decodePayload(idToken), iat: now - 7200, exp: now - 3600 },
      key,
      kid,
    );
    const message = await expectAwsError(
      sandbox.identityClient.send(
        new GetIdCommand({
          IdentityPoolId: sandbox.config.identityPoolId,
          Logins: { [sandbox.loginsKey]: expired },
        }),
      ),
      'NotAuthorizedException',
    );
    expect(message).toMatch(/Token expired/);
  });

  it('refuses an ID token for another app client (audience)', async () => {
    const { idToken } = await sandbox.signIn(alice);
    const { key, kid } = poolKey();
    const other = signJwt({ ...decodePayload(idToken), aud: 'someotherclientid' }, key, kid);
    const message = await expectAwsError(
      sandbox.identityClient.send(
        new GetIdCommand({
          IdentityPoolId: sandbox.config.identityPoolId,
          Logins: { [sandbox.loginsKey]: other },
        }),
      ),
      'NotAuthorizedException',
    );
    expect(message).toMatch(/audience/);
  });

  it('refuses an access token in place of the ID token', async () => {
    const { accessToken } = await sandbox.signIn(alice);
    await expectAwsError(
      sandbox.identityClient.send(
        new GetIdCommand({
          IdentityPoolId: sandbox.config.identityPoolId,
          Logins: { [sandbox.loginsKey]: accessToken },
        }),
      ),
      'NotAuthorizedException',
    );
  });

  it('refuses an unknown pool, a wrong Logins key and someone else identity', async () => {
    const { idToken } = await sandbox.signIn(alice);
    await expectAwsError(
      sandbox.identityClient.send(
        new GetIdCommand({
          IdentityPoolId: 'us-east-1:00000000-0000-4000-8000-000000000000',
          Logins: { [sandbox.loginsKey]: idToken },
        }),
      ),
      'ResourceNotFoundException',
    );
    await expectAwsError(
      sandbox.identityClient.send(
        new GetIdCommand({
          IdentityPoolId: sandbox.config.identityPoolId,
          Logins: { 'accounts.google.com': idToken },
        }),
      ),
      'NotAuthorizedException',
    );
    const bobs = await sandbox.credentialsFor((await sandbox.signIn(bob)).idToken);
    await expectAwsError(
      sandbox.identityClient.send(
        new GetCredentialsForIdentityCommand({
          IdentityId: bobs.identityId,
          Logins: { [sandbox.loginsKey]: idToken },
        }),
      ),
      'NotAuthorizedException',
    );
    await expectAwsError(
      sandbox.identityClient.send(
        new GetIdCommand({ IdentityPoolId: sandbox.config.identityPoolId }),
      ),
      'NotAuthorizedException',
    );
  });
});

describe('DeleteIdentities (an operator call)', () => {
  it("deletes an identity with the administrator's credentials only; the user gets a new one", async () => {
    const { idToken } = await sandbox.signIn(bob);
    const before = await sandbox.credentialsFor(idToken);
    const deleteIt = new DeleteIdentitiesCommand({ IdentityIdsToDelete: [before.identityId] });
    const userCredentials = new CognitoIdentityClient({
      region: sandbox.config.region,
      endpoint: sandbox.url,
      credentials: before.credentials,
    });
    const unknownKey = new CognitoIdentityClient({
      region: sandbox.config.region,
      endpoint: sandbox.url,
      credentials: { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'unknown' },
    });
    // End-user credentials: their role does not allow it; credentials the sandbox never issued.
    await expectAwsError(userCredentials.send(deleteIt), 'AccessDeniedException', 400);
    await expectAwsError(unknownKey.send(deleteIt), 'UnrecognizedClientException');

    const admin = new CognitoIdentityClient({
      region: sandbox.config.region,
      endpoint: sandbox.url,
      credentials: {
        ...sandbox.adminCredentials,
        expiration: new Date(sandbox.adminCredentials.expiration),
      },
    });
    const out = await admin.send(deleteIt);
    expect(out.UnprocessedIdentityIds).toEqual([]);
    await expectAwsError(
      sandbox.identityClient.send(
        new GetCredentialsForIdentityCommand({
          IdentityId: before.identityId,
          Logins: { [sandbox.loginsKey]: idToken },
        }),
      ),
      'ResourceNotFoundException',
    );
    const after = await sandbox.credentialsFor(idToken);
    expect(after.identityId).not.toBe(before.identityId);
    await expectAwsError(
      admin.send(new DeleteIdentitiesCommand({ IdentityIdsToDelete: ['not an id'] })),
      'InvalidParameterException',
    );
    for (const client of [userCredentials, unknownKey, admin]) client.destroy();
  });
});

describe('server-side token check', () => {
  it('refuses the ID token of a user disabled since sign-in', async () => {
    const dave = await sandbox.signUpUser('dave@example.com');
    const { idToken } = await sandbox.signIn(dave);
    await sandbox.credentialsFor(idToken);
    await sandbox.adminUserPoolClient.send(
      new AdminDisableUserCommand({ UserPoolId: sandbox.config.userPoolId, Username: dave.email }),
    );
    const message = await expectAwsError(sandbox.credentialsFor(idToken), 'NotAuthorizedException');
    expect(message).toMatch(/revoked/);
  });
});

describe('global sign-out', () => {
  // Token times are whole seconds: the sign-out must fall in a later second than the sign-in, and
  // the next sign-in later still. The sandbox runs in this process, so moving the test's clock
  // (Date only; timers and I/O stay real) moves the sandbox's, without waiting.
  beforeEach(() => {
    jest.useFakeTimers({
      advanceTimers: true,
      doNotFake: [
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'setTimeout',
        'clearTimeout',
      ],
    });
  });
  afterEach(() => jest.useRealTimers());
  const nextSecond = () => jest.setSystemTime(Date.now() + 1100);

  it('revokes the access and ID tokens issued before it', async () => {
    const heidi = await sandbox.signUpUser('heidi@example.com');
    const before = await sandbox.signIn(heidi);
    await sandbox.credentialsFor(before.idToken);
    nextSecond();
    await sandbox.userPoolClient.send(
      new GlobalSignOutCommand({ AccessToken: before.accessToken }),
    );
    await expectAwsError(
      sandbox.userPoolClient.send(new GetUserCommand({ AccessToken: before.accessToken })),
      'NotAuthorizedException',
    );
    await expectAwsError(sandbox.credentialsFor(before.idToken), 'NotAuthorizedException');
    await expectAwsError(
      sandbox.userPoolClient.send(
        new InitiateAuthCommand({
          ClientId: sandbox.config.userPoolClientId,
          AuthFlow: AuthFlowType.REFRESH_TOKEN_AUTH,
          AuthParameters: { REFRESH_TOKEN: before.refreshToken },
        }),
      ),
      'NotAuthorizedException',
    );
    nextSecond();
    const after = await sandbox.signIn(heidi);
    await expect(sandbox.credentialsFor(after.idToken)).resolves.toMatchObject({
      identityId: expect.any(String),
    });
  });
});

describe('SigV4 enforcement', () => {
  let credentials: AwsCredentials;
  beforeAll(async () => {
    ({ credentials } = await sandbox.credentialsFor((await sandbox.signIn(bob)).idToken));
  });

  it('refuses a forged signature (wrong secret)', async () => {
    const forged = { ...credentials, secretAccessKey: 'not-the-secret' };
    await expectAwsError(
      stsClient(forged).send(new GetCallerIdentityCommand({})),
      'SignatureDoesNotMatch',
      403,
    );
    await expectAwsError(
      chimeClient(forged).send(
        new ListAppInstanceUsersCommand({ AppInstanceArn: sandbox.config.appInstanceArn }),
      ),
      'InvalidSignatureException',
      403,
    );
  });

  it('refuses an unknown key and a missing or wrong session token', async () => {
    await expectAwsError(
      stsClient({ ...credentials, accessKeyId: 'ASIAUNKNOWNKEY000000' }).send(
        new GetCallerIdentityCommand({}),
      ),
      'InvalidClientTokenId',
      403,
    );
    await expectAwsError(
      chimeClient({ ...credentials, sessionToken: 'bm90LXRoZS10b2tlbg==' }).send(
        new ListAppInstanceUsersCommand({ AppInstanceArn: sandbox.config.appInstanceArn }),
      ),
      'UnrecognizedClientException',
      403,
    );
  });

  it('refuses expired credentials', async () => {
    const { credentials: doomed } = await sandbox.credentialsFor(
      (await sandbox.signIn(bob)).idToken,
    );
    await stsClient(doomed).send(new GetCallerIdentityCommand({}));
    sandbox.credentials.expire(doomed.accessKeyId);
    await expectAwsError(
      stsClient(doomed).send(new GetCallerIdentityCommand({})),
      'ExpiredToken',
      400,
    );
    await expectAwsError(
      chimeClient(doomed).send(
        new ListAppInstanceUsersCommand({ AppInstanceArn: sandbox.config.appInstanceArn }),
      ),
      'ExpiredTokenException',
      403,
    );
  });

  it('refuses a request signed too long ago (clock skew)', async () => {
    const skewed = new STSClient({
      region: sandbox.config.region,
      endpoint: sandbox.url,
      credentials,
      systemClockOffset: -20 * 60_000,
      maxAttempts: 1,
    });
    // The SDK corrects its clock from the Date of a skew error and retries: one attempt only.
    const message = await expectAwsError(
      skewed.send(new GetCallerIdentityCommand({})),
      'SignatureDoesNotMatch',
    );
    expect(message).toMatch(/Signature expired/);
  });

  it('denies user credentials what their role does not allow', async () => {
    await expectAwsError(
      chimeClient(credentials).send(
        new ListAppInstanceUsersCommand({ AppInstanceArn: sandbox.config.appInstanceArn }),
      ),
      'ForbiddenException',
      403,
    );
    const roleArn = sandbox.credentials.find(credentials.accessKeyId)!.roleArn;
    await expectAwsError(
      stsClient(credentials).send(
        new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'escalate' }),
      ),
      'AccessDenied',
      403,
    );
  });
});

describe("the trigger's own role", () => {
  it('may create and describe users of its AppInstance, nothing else', async () => {
    const chime = chimeClient(triggerCredentials('PostConfirmation'));
    const instance = sandbox.config.appInstanceArn;
    const created = await chime.send(
      new CreateAppInstanceUserCommand({
        AppInstanceArn: instance,
        AppInstanceUserId: 'made-by-trigger-role',
        Name: 'made by the trigger role',
        ClientRequestToken: 'token-1',
      }),
    );
    expect(created.AppInstanceUserArn).toBe(`${instance}/user/made-by-trigger-role`);
    await expectAwsError(
      chime.send(new ListAppInstanceUsersCommand({ AppInstanceArn: instance })),
      'ForbiddenException',
      403,
    );
    await expectAwsError(
      chime.send(
        new DeleteAppInstanceUserCommand({
          AppInstanceUserArn: appInstanceUserArn(instance, alice.sub),
        }),
      ),
      'ForbiddenException',
      403,
    );
    const otherInstance = instance.replace(/app-instance\/.*/, 'app-instance/other-instance');
    await expectAwsError(
      chime.send(
        new CreateAppInstanceUserCommand({
          AppInstanceArn: otherInstance,
          AppInstanceUserId: 'intruder',
          Name: 'intruder',
        }),
      ),
      'ForbiddenException',
      403,
    );
  });

  it('gets the API validation and conflict errors', async () => {
    const chime = chimeClient(triggerCredentials('PostConfirmation'));
    const instance = sandbox.config.appInstanceArn;
    await expectAwsError(
      chime.send(
        new CreateAppInstanceUserCommand({
          AppInstanceArn: instance,
          AppInstanceUserId: alice.sub,
          Name: 'again',
          ClientRequestToken: 'a-different-token',
        }),
      ),
      'ConflictException',
      409,
    );
    await expectAwsError(
      chime.send(
        new CreateAppInstanceUserCommand({
          AppInstanceArn: instance,
          AppInstanceUserId: '-bad id-',
          Name: 'x',
        }),
      ),
      'BadRequestException',
      400,
    );
  });
});

describe('administrator-created users', () => {
  it('are healed on first sign-in (post-authentication trigger)', async () => {
    const email = 'carol@example.com';
    const { sub } = await sandbox.adminCreateUser(email);
    const directory = sandbox.context.services.chimeIdentity!;
    const arn = appInstanceUserArn(sandbox.config.appInstanceArn, sub);
    expect(directory.getUser(arn)).toBeUndefined();

    const challenge = await sandbox.srpSignIn(email, TEST_TEMPORARY_PASSWORD);
    expect(challenge.ChallengeName).toBe(ChallengeNameType.NEW_PASSWORD_REQUIRED);
    const done = await sandbox.userPoolClient.send(
      new RespondToAuthChallengeCommand({
        ClientId: sandbox.config.userPoolClientId,
        ChallengeName: ChallengeNameType.NEW_PASSWORD_REQUIRED,
        Session: challenge.Session,
        ChallengeResponses: { USERNAME: email, NEW_PASSWORD: 'Carols-New-Passw0rd!' },
      }),
    );
    expect(done.AuthenticationResult?.IdToken).toBeDefined();
    expect(directory.getUser(arn)?.appInstanceUserId).toBe(sub);
  });
});

describe('IAM-only user pool operations', () => {
  const adminCreate = (email: string) =>
    new AdminCreateUserCommand({
      UserPoolId: sandbox.config.userPoolId,
      Username: email,
      UserAttributes: [{ Name: 'email', Value: email }],
      MessageAction: 'SUPPRESS',
    });

  it("work with the administrator credentials, as with an operator's on AWS", async () => {
    const pools = await sandbox.adminUserPoolClient.send(
      new ListUserPoolsCommand({ MaxResults: 10 }),
    );
    expect(pools.UserPools?.map((p) => p.Id)).toContain(sandbox.config.userPoolId);
    const described = await sandbox.adminUserPoolClient.send(
      new DescribeUserPoolCommand({ UserPoolId: sandbox.config.userPoolId }),
    );
    expect(described.UserPool?.Arn).toBe(sandbox.resources.userPoolArn);
    const users = await sandbox.adminUserPoolClient.send(
      new ListUsersCommand({ UserPoolId: sandbox.config.userPoolId }),
    );
    const emails = users.Users?.map((u) => u.Attributes?.find((a) => a.Name === 'email')?.Value);
    expect(emails).toEqual(expect.arrayContaining([alice.email, bob.email]));
    expect(users.Users?.[0]?.UserCreateDate).toBeInstanceOf(Date);
  });

  it('refuse callers without sandbox credentials', async () => {
    await expectAwsError(
      sandbox.userPoolClient.send(adminCreate('mallory@example.com')),
      'UnrecognizedClientException',
      400,
    );
  });

  it('refuse end-user credentials, whose role does not allow them', async () => {
    const { credentials } = await sandbox.credentialsFor((await sandbox.signIn(alice)).idToken);
    const client = new CognitoIdentityProviderClient({
      region: sandbox.config.region,
      endpoint: sandbox.url,
      credentials,
    });
    const message = await expectAwsError(
      client.send(adminCreate('mallory@example.com')),
      'AccessDeniedException',
      400,
    );
    expect(message).toMatch(/not authorized to perform: cognito-idp:AdminCreateUser/);
  });
});

describe('restart', () => {
  it('keeps users, identities and AppInstanceUsers', async () => {
    const before = await sandbox.credentialsFor((await sandbox.signIn(alice)).idToken);
    await sandbox.stop();
    sandbox = await startTestSandbox({ stateDir });
    const after = await sandbox.credentialsFor((await sandbox.signIn(alice)).idToken);
    expect(after.identityId).toBe(before.identityId);
    // Credentials issued before the restart are still valid, as on AWS.
    const me = await stsClient(before.credentials).send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toContain('assumed-role');
    const directory = sandbox.context.services.chimeIdentity!;
    expect(
      directory.getUser(appInstanceUserArn(sandbox.config.appInstanceArn, bob.sub)),
    ).toBeDefined();
  });
});
