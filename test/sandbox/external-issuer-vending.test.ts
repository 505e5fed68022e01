/**
 * The vending route of an external OpenID Connect issuer, end to end and offline: a person signs
 * in at the sandbox's local OpenID provider (real code flow, real RS256 ID token) and posts the
 * token to `POST /credentials/external/corp`. The sandbox's HTTP API emulation checks it as API
 * Gateway's JWT authorizer would (issuer, audience, expiry, signature by a key found through the
 * provider's discovery document); the deployed bundle then runs with the vending role's own
 * credentials, derives the id, creates the AppInstanceUser (the synthesized `oidc-*` grant
 * enforced by the sandbox's IAM) and vends credentials that act in Chime as that id only. The
 * template is synthesized with the local provider as the issuer (docs/federation.md).
 */
import { createSign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChimeSDKIdentityClient,
  CreateAppInstanceUserCommand,
  DescribeAppInstanceUserCommand,
  ListAppInstanceUsersCommand,
} from '@aws-sdk/client-chime-sdk-identity';
import {
  ChimeSDKMessagingClient,
  CreateChannelCommand,
  CreateChannelMembershipCommand,
  ListChannelMessagesCommand,
  SendChannelMessageCommand,
} from '@aws-sdk/client-chime-sdk-messaging';
import { appInstanceUserArn } from '../../contracts/chime-arns';
import { parseVendedCredentialsResponse } from '../../contracts/credential-vending';
import { apiRouteUrl, externalCredentialsPath } from '../../contracts/http-api';
import { externalUserId } from '../../lambdas/lib/credential-vending/external-issuers';
import { SandboxState } from '../../sandbox/core/state';
import { resourcesOfType } from '../../sandbox/cloudformation/template';
import {
  LOCAL_OIDC_PEOPLE,
  type RunningLocalOidcProvider,
  startLocalOidcProvider,
} from '../../sandbox/services/oidc-provider';
import {
  type AwsCredentials,
  startAssemblyIssuer,
  startTestSandbox,
  type TestSandbox,
  testAssembly,
} from '../../sandbox/testing';
import { runCodeFlow } from '../support/oidc-code-flow';

const APP_CLIENT = {
  client_id: 'chat-app',
  token_endpoint_auth_method: 'none',
  redirect_uris: ['http://localhost:9/'],
};
/** Another relying party of the same provider: its tokens have another audience. */
const OTHER_CLIENT = { ...APP_CLIENT, client_id: 'other-app' };

let idpDir: string;
let otherIdpDir: string;
let sandbox: TestSandbox;
let idp: RunningLocalOidcProvider;
let otherIdp: RunningLocalOidcProvider;
let serverCredentials: AwsCredentials;
let appInstanceArn: string;

const person = (username: string) => LOCAL_OIDC_PEOPLE.find((p) => p.username === username)!;
const idTokenOf = async (
  username: string,
  provider: RunningLocalOidcProvider = idp,
  client = APP_CLIENT,
) =>
  (
    await runCodeFlow({
      issuer: provider.issuer,
      clientId: client.client_id,
      redirectUri: client.redirect_uris[0]!,
      username,
      password: person(username).password,
    })
  ).idToken;

const routeUrl = () => apiRouteUrl(sandbox.config.apiUrl!, externalCredentialsPath('corp'));

function post(token: string | undefined, url = routeUrl()) {
  return fetch(url, {
    method: 'POST',
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
}

async function vend(idToken: string) {
  const response = await post(idToken);
  const text = await response.text();
  expect({ status: response.status, body: text }).toMatchObject({ status: 200 });
  return parseVendedCredentialsResponse(JSON.parse(text));
}

/** A token signed with the provider's own key (from its state), with the claims given. */
function signedByProvider(payload: Record<string, unknown>): string {
  const store = new SandboxState(idpDir).store<{ jwk?: Record<string, string> }>(
    'oidc-provider-key',
    () => ({}),
  );
  const jwk = store.get().jwk!;
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${b64({ alg: 'RS256', typ: 'JWT', kid: jwk.kid })}.${b64(payload)}`;
  const signature = createSign('RSA-SHA256')
    .update(input)
    .sign({ key: jwk as never, format: 'jwk' })
    .toString('base64url');
  return `${input}.${signature}`;
}

const asSdk = (c: { expiration: string } & Omit<AwsCredentials, 'expiration'>) => ({
  ...c,
  expiration: new Date(c.expiration),
});

const identity = (credentials: AwsCredentials) =>
  new ChimeSDKIdentityClient({
    region: sandbox.config.region,
    endpoint: sandbox.url,
    credentials,
    maxAttempts: 1,
  });
const messaging = (credentials: AwsCredentials) =>
  new ChimeSDKMessagingClient({
    region: sandbox.config.region,
    endpoint: sandbox.url,
    credentials,
  });
const admin = () =>
  identity({
    ...sandbox.adminCredentials,
    expiration: new Date(sandbox.adminCredentials.expiration),
  });
const userCount = async () =>
  (
    (await admin().send(new ListAppInstanceUsersCommand({ AppInstanceArn: appInstanceArn })))
      .AppInstanceUsers ?? []
  ).length;

beforeAll(async () => {
  idpDir = mkdtempSync(join(tmpdir(), 'external-vending-idp-'));
  otherIdpDir = mkdtempSync(join(tmpdir(), 'external-vending-other-idp-'));
  // The issuer (its port) is in the template: the same port as last time keeps the cached assembly.
  [idp, otherIdp] = await Promise.all([
    startAssemblyIssuer('external-vending', {
      state: new SandboxState(idpDir),
      clients: [APP_CLIENT, OTHER_CLIENT],
    }),
    startLocalOidcProvider({ state: new SandboxState(otherIdpDir), clients: [APP_CLIENT] }),
  ]);
  const cdkOutDir = await testAssembly('external-vending', {
    credentialVending: 'true',
    credentialVendingOidcIssuer: idp.issuer,
    credentialVendingOidcAudience: APP_CLIENT.client_id,
    credentialVendingOidcName: 'corp',
  });
  sandbox = await startTestSandbox({ cdkOutDir });

  const { resources } = sandbox;
  const fnId = resourcesOfType(resources.stack.template, 'AWS::Lambda::Function').find((id) => {
    const env = resources.properties(id).Environment as
      { Variables?: Record<string, string> } | undefined;
    return env?.Variables?.EXTERNAL_OIDC_ISSUER !== undefined;
  })!;
  const props = resources.properties(fnId);
  const env = (props.Environment as { Variables: Record<string, string> }).Variables;
  expect(env.EXTERNAL_OIDC_ISSUER).toBe(idp.issuer);
  appInstanceArn = env.APP_INSTANCE_ARN!;
  const session = sandbox.credentials.issue({
    roleArn: String(props.Role),
    roleSessionName: 'credential-vending',
    durationSeconds: 3600,
    issuedBy: 'test: the vending Lambda execution role',
  });
  serverCredentials = { ...session, expiration: new Date(session.expiration) };
}, 240_000);

afterAll(async () => {
  await Promise.all([sandbox?.stop(), idp?.stop(), otherIdp?.stop()]);
  for (const dir of [idpDir, otherIdpDir]) {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
});

describe('tokens the route refuses, as API Gateway would (401, nothing created)', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const claims = () => ({
    iss: idp.issuer,
    aud: APP_CLIENT.client_id,
    sub: person('ada').sub,
    iat: now() - 10,
    exp: now() + 600,
  });
  const cases: [string, () => Promise<string | undefined>, string | null][] = [
    ['no token', () => Promise.resolve(undefined), null],
    [
      'a tampered token (another sub, the same signature)',
      async () => {
        const [h, p, sig] = (await idTokenOf('ada')).split('.');
        const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as object;
        const forged = { ...payload, sub: person('grace').sub };
        return `${h}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${sig}`;
      },
      'the token signature is invalid',
    ],
    [
      'an expired token (signed with the provider key)',
      () =>
        Promise.resolve(signedByProvider({ ...claims(), iat: now() - 7200, exp: now() - 3600 })),
      'the token has expired',
    ],
    [
      'a token for another audience',
      async () => idTokenOf('ada', idp, OTHER_CLIENT),
      'the token does not have a valid audience',
    ],
    [
      'a token of an unconfigured issuer',
      async () => idTokenOf('ada', otherIdp),
      'the token does not have a valid issuer',
    ],
    [
      "the user pool's own ID token",
      async () => {
        const user = await sandbox.signUpUser(`pool-${Date.now()}@example.com`);
        return (await sandbox.signIn(user)).idToken;
      },
      'the token does not have a valid issuer',
    ],
  ];
  test.each(cases)('%s', async (_, token, description) => {
    // The token first: signing up the user pool's user creates its AppInstanceUser.
    const t = await token();
    const before = await userCount();
    const response = await post(t);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'Unauthorized' });
    // Refused for the reason named (API Gateway's www-authenticate), not for another one.
    const header = response.headers.get('www-authenticate');
    if (description === null) expect(header).toBeNull();
    else expect(header).toContain(`error_description="${description}"`);
    expect(await userCount()).toBe(before);
  });

  test("the external issuer's token on the user pool's route: 401", async () => {
    const response = await post(await idTokenOf('ada'), sandbox.config.credentialVendingUrl);
    expect(response.status).toBe(401);
  });
});

test('a person of the external issuer gets credentials for their derived id, and exactly one AppInstanceUser', async () => {
  const ada = person('ada');
  const id = externalUserId(idp.issuer, ada.sub);
  const before = await admin().send(
    new ListAppInstanceUsersCommand({ AppInstanceArn: appInstanceArn }),
  );

  const first = await vend(await idTokenOf('ada'));
  const second = await vend(await idTokenOf('ada'));

  expect(first.appInstanceUserArn).toBe(appInstanceUserArn(appInstanceArn, id));
  expect(second.appInstanceUserArn).toBe(first.appInstanceUserArn);
  const described = await admin().send(
    new DescribeAppInstanceUserCommand({ AppInstanceUserArn: first.appInstanceUserArn }),
  );
  expect(described.AppInstanceUser?.Name).toBe('Ada Lovelace');
  const after = await admin().send(
    new ListAppInstanceUsersCommand({ AppInstanceArn: appInstanceArn }),
  );
  expect((after.AppInstanceUsers ?? []).length).toBe((before.AppInstanceUsers ?? []).length + 1);
});

test('the vending role may create external-form users only, not user pool ones', async () => {
  const uuid = '0b7d5a9e-4c2f-4e8a-9d31-6f0a1b2c3d4e';
  const denied = await identity(serverCredentials)
    .send(
      new CreateAppInstanceUserCommand({
        AppInstanceArn: appInstanceArn,
        AppInstanceUserId: uuid,
        Name: 'impostor',
        ClientRequestToken: 'impostor-token',
      }),
    )
    .catch((e: Error) => e.name);
  expect(denied).toMatch(/AccessDenied|Forbidden/);
});

test('the external person chats with a password user: as themselves only', async () => {
  const alice = await sandbox.signUpUser(`alice-${Date.now()}@example.com`);
  const aliceSession = await sandbox.signIn(alice);
  const aliceCredentials = (await sandbox.credentialsFor(aliceSession.idToken)).credentials;
  const aliceArn = appInstanceUserArn(appInstanceArn, alice.sub);
  const grace = await vend(await idTokenOf('grace'));
  const graceCredentials = asSdk(grace.credentials);
  const graceChime = messaging(graceCredentials);

  // Grace opens a channel, adds Alice and writes; Alice reads it with identity pool credentials.
  const { ChannelArn } = await graceChime.send(
    new CreateChannelCommand({
      AppInstanceArn: appInstanceArn,
      Name: 'external-and-password',
      Mode: 'RESTRICTED',
      Privacy: 'PRIVATE',
      ClientRequestToken: `ext-${Date.now()}`,
      ChimeBearer: grace.appInstanceUserArn,
    }),
  );
  await graceChime.send(
    new CreateChannelMembershipCommand({
      ChannelArn,
      MemberArn: aliceArn,
      Type: 'DEFAULT',
      ChimeBearer: grace.appInstanceUserArn,
    }),
  );
  await graceChime.send(
    new SendChannelMessageCommand({
      ChannelArn,
      Content: 'hello from Grace (Local OIDC)',
      Type: 'STANDARD',
      Persistence: 'PERSISTENT',
      ClientRequestToken: `ext-msg-${Date.now()}`,
      ChimeBearer: grace.appInstanceUserArn,
    }),
  );
  const { ChannelMessages } = await messaging(aliceCredentials).send(
    new ListChannelMessagesCommand({ ChannelArn, ChimeBearer: aliceArn }),
  );
  expect(ChannelMessages?.map((m) => m.Content)).toContain('hello from Grace (Local OIDC)');

  // Grace's credentials cannot speak as Alice.
  const asAlice = await graceChime
    .send(new ListChannelMessagesCommand({ ChannelArn, ChimeBearer: aliceArn }))
    .catch((e: Error) => e.name);
  expect(asAlice).toMatch(/AccessDenied|Forbidden/);
});
