/**
 * Federated sign-in on the sandbox hosted UI, against the local OpenID provider (the default
 * template has no provider: the sandbox's built-in LocalOIDC plays one): the real authorization
 * code flow out to the provider and back through `/oauth2/idpresponse`, the user Cognito would
 * create (`LocalOIDC_<sub>`, `identities`), the trigger sources of the developer guide's table for
 * federated users, exactly one user and one AppInstanceUser, and the tag = the user pool `sub`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  ChimeSDKIdentityClient,
  DescribeAppInstanceUserCommand,
  ListAppInstanceUsersCommand,
} from '@aws-sdk/client-chime-sdk-identity';
import {
  ChimeSDKMessagingClient,
  ListChannelMembershipsForAppInstanceUserCommand,
} from '@aws-sdk/client-chime-sdk-messaging';
import { appInstanceUserArn } from '../../contracts/chime-arns';
import { LOCAL_OIDC_PROVIDER_NAME } from '../../sandbox/services/hosted-ui/identity-providers';
import { LOCAL_OIDC_PEOPLE } from '../../sandbox/services/oidc-provider';
import { startTestSandbox, type TestSandbox } from '../../sandbox/testing';
import {
  federatedRedirect,
  federatedTokens,
  hostedUiCall,
  jwtClaims,
  TEST_APP_URL,
  triggerSourcesDuring,
} from '../support/hosted-ui-federation';

jest.setTimeout(90_000);

let stateDir: string;
let sandbox: TestSandbox;
const person = (username: string) => LOCAL_OIDC_PEOPLE.find((p) => p.username === username)!;
const signIn = async (username: string) =>
  jwtClaims((await federatedTokens(sandbox, LOCAL_OIDC_PROVIDER_NAME, username)).id_token);
const userCount = async () =>
  (
    (
      await sandbox.adminUserPoolClient.send(
        new ListUsersCommand({ UserPoolId: sandbox.config.userPoolId }),
      )
    ).Users ?? []
  ).length;
const chimeAdmin = () =>
  new ChimeSDKIdentityClient({
    region: sandbox.config.region,
    endpoint: sandbox.url,
    credentials: {
      ...sandbox.adminCredentials,
      expiration: new Date(sandbox.adminCredentials.expiration),
    },
  });
const appInstanceUserCount = async () =>
  (
    (
      await chimeAdmin().send(
        new ListAppInstanceUsersCommand({ AppInstanceArn: sandbox.config.appInstanceArn }),
      )
    ).AppInstanceUsers ?? []
  ).length;

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'federation-test-'));
  sandbox = await startTestSandbox({
    stateDir,
    hostedUi: { port: 0, localAppUrls: [TEST_APP_URL] },
  });
}, 180_000);

afterAll(async () => {
  await sandbox?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

test('the client config offers the built-in Local OIDC provider', () => {
  expect(sandbox.config.hostedUi?.identityProviders).toEqual([
    { name: LOCAL_OIDC_PROVIDER_NAME, label: 'Local OIDC' },
  ]);
});

test('the sign-in page offers "Continue with Local OIDC", an authorize link for the same request', async () => {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: sandbox.config.userPoolClientId,
    redirect_uri: TEST_APP_URL,
    scope: 'openid email profile',
    state: 'app-state-1',
  });
  const page = await hostedUiCall(sandbox, `/login?${query.toString()}`);
  expect(page.status).toBe(200);
  const link = /<a href="([^"]+)">Continue with Local OIDC<\/a>/.exec(page.body);
  expect(link).not.toBeNull();
  const href = new URL(link![1]!.replace(/&amp;/g, '&'), sandbox.hostedUi!.url);
  expect(href.pathname).toBe('/oauth2/authorize');
  expect(href.searchParams.get('identity_provider')).toBe(LOCAL_OIDC_PROVIDER_NAME);
  expect(href.searchParams.get('state')).toBe('app-state-1');
});

test('first sign-in: one user LocalOIDC_<sub> with identities, one AppInstanceUser, the federated trigger sources', async () => {
  const ada = person('ada');
  const [users, appInstanceUsers] = [await userCount(), await appInstanceUserCount()];

  let id!: Record<string, unknown>;
  const sources = await triggerSourcesDuring(sandbox, async () => {
    id = await signIn('ada');
  });

  // The default template has no pre sign-up trigger; post confirmation and pre token generation run.
  expect(sources).toEqual(['PostConfirmation_ConfirmSignUp', 'TokenGeneration_HostedAuth']);
  expect(id).toMatchObject({
    'cognito:username': `${LOCAL_OIDC_PROVIDER_NAME}_${ada.sub}`,
    email: ada.email,
    email_verified: true,
    name: ada.name,
    identities: [
      expect.objectContaining({
        userId: ada.sub,
        providerName: LOCAL_OIDC_PROVIDER_NAME,
        providerType: 'OIDC',
        primary: 'true',
      }),
    ],
  });
  expect(String(id.sub)).toMatch(/^[0-9a-f-]{36}$/);
  const user = await sandbox.adminUserPoolClient.send(
    new AdminGetUserCommand({
      UserPoolId: sandbox.config.userPoolId,
      Username: `${LOCAL_OIDC_PROVIDER_NAME}_${ada.sub}`,
    }),
  );
  expect(user.UserStatus).toBe('EXTERNAL_PROVIDER');
  expect(await userCount()).toBe(users + 1);
  expect(await appInstanceUserCount()).toBe(appInstanceUsers + 1);
  const appInstanceUser = await chimeAdmin().send(
    new DescribeAppInstanceUserCommand({
      AppInstanceUserArn: appInstanceUserArn(sandbox.config.appInstanceArn, String(id.sub)),
    }),
  );
  expect(appInstanceUser.AppInstanceUser?.Name).toBe('Ada Lovelace');
});

test('a second sign-in creates nothing: same sub, post authentication + token generation', async () => {
  const first = await signIn('ada');
  const [users, appInstanceUsers] = [await userCount(), await appInstanceUserCount()];

  let second!: Record<string, unknown>;
  const sources = await triggerSourcesDuring(sandbox, async () => {
    second = await signIn('ada');
  });

  expect(sources).toEqual(['PostAuthentication_Authentication', 'TokenGeneration_HostedAuth']);
  expect(second.sub).toBe(first.sub);
  expect(await userCount()).toBe(users);
  expect(await appInstanceUserCount()).toBe(appInstanceUsers);
});

test('identity pool credentials for the federated user act in Chime as its user pool sub only', async () => {
  const { id_token } = await federatedTokens(sandbox, LOCAL_OIDC_PROVIDER_NAME, 'ada');
  const { credentials } = await sandbox.credentialsFor(id_token);
  const chime = new ChimeSDKMessagingClient({
    region: sandbox.config.region,
    endpoint: sandbox.url,
    credentials,
  });
  const as = (sub: string) =>
    chime
      .send(
        new ListChannelMembershipsForAppInstanceUserCommand({
          ChimeBearer: appInstanceUserArn(sandbox.config.appInstanceArn, sub),
        }),
      )
      .then(
        () => 'allowed',
        (e: Error) => e.name,
      );
  const other = await sandbox.signUpUser(`other-${Date.now()}@example.com`);
  expect(await as(String(jwtClaims(id_token).sub))).toBe('allowed');
  expect(await as(other.sub)).toMatch(/AccessDenied|Forbidden/);
});

test('two people of the provider are two users; a password user with the same email stays separate (default)', async () => {
  const grace = person('grace');
  const password = await sandbox.signUpUser(grace.email);
  const federated = await signIn('grace');
  expect(federated.sub).not.toBe(password.sub);
  expect(federated['cognito:username']).toBe(`${LOCAL_OIDC_PROVIDER_NAME}_${grace.sub}`);
});

test('a disabled federated user is refused at the next sign-in (error back to the app)', async () => {
  await signIn('alan');
  const username = `${LOCAL_OIDC_PROVIDER_NAME}_${person('alan').sub}`;
  const admin = { UserPoolId: sandbox.config.userPoolId, Username: username };
  await sandbox.adminUserPoolClient.send(new AdminDisableUserCommand(admin));
  try {
    const { back } = await federatedRedirect(sandbox, LOCAL_OIDC_PROVIDER_NAME, 'alan');
    expect(back.status).toBe(302);
    const location = new URL(String(back.headers.location));
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('code')).toBeNull();
  } finally {
    await sandbox.adminUserPoolClient.send(new AdminEnableUserCommand(admin));
  }
});

test('the provider answer must come back to the browser that left (state cookie), once', async () => {
  const { callback, cookie } = await federatedRedirect(sandbox, LOCAL_OIDC_PROVIDER_NAME, 'ada', {
    followBack: false,
  });
  const withoutCookie = await hostedUiCall(sandbox, callback.toString());
  expect(withoutCookie.status).toBe(400);
  expect(withoutCookie.body).toContain('started in another browser');
  // The state was used up by that attempt: even the right browser cannot replay it.
  const replay = await hostedUiCall(sandbox, callback.toString(), { headers: { cookie } });
  expect(replay.status).toBe(400);
});

test('an unknown provider goes back to the app with an error', async () => {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: sandbox.config.userPoolClientId,
    redirect_uri: TEST_APP_URL,
    scope: 'openid',
    identity_provider: 'Nope',
  });
  const out = await hostedUiCall(sandbox, `/oauth2/authorize?${query.toString()}`);
  expect(out.status).toBe(302);
  expect(new URL(String(out.headers.location)).searchParams.get('error')).toBe('invalid_request');
});
