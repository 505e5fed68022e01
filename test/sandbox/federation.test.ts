/**
 * Federated sign-in on the sandbox hosted UI, against the local OpenID provider (the default
 * template has no provider: the sandbox's built-in LocalOIDC plays one): the real authorization
 * code flow out to the provider and back through `/oauth2/idpresponse`, the user Cognito would
 * create (`LocalOIDC_<sub>`, `identities`), the trigger sources of the developer guide's table for
 * federated users, exactly one user and one AppInstanceUser, and the tag = the user pool `sub`.
 */
import { createHash, randomBytes } from 'node:crypto';
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
import { appInstanceUserArn } from '../../contracts/client-config';
import { LOCAL_OIDC_PROVIDER_NAME } from '../../sandbox/hosted-ui/identity-providers';
import { LOCAL_OIDC_PEOPLE } from '../../sandbox/services/oidc-provider';
import { startTestSandbox, type TestSandbox } from '../../sandbox/testing';
import { signInAtProvider } from '../support/oidc-code-flow';
import { type RawReply, rawRequest } from '../support/raw-request';

jest.setTimeout(90_000);

const APP = 'http://localhost:5173/';
let stateDir: string;
let sandbox: TestSandbox;

const call = (
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawReply> =>
  rawRequest(url, { ...options, tls: { ca: sandbox.hostedUi!.certificate.cert } });
const hosted = (path: string) => `${sandbox.hostedUi!.url}${path}`;
const claims = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
const person = (username: string) => LOCAL_OIDC_PEOPLE.find((p) => p.username === username)!;

function authorizeQuery(challenge: string, extra: Record<string, string> = {}): string {
  return new URLSearchParams({
    response_type: 'code',
    client_id: sandbox.config.userPoolClientId,
    redirect_uri: APP,
    scope: 'openid email profile',
    state: 'app-state-1',
    code_challenge_method: 'S256',
    code_challenge: challenge,
    ...extra,
  }).toString();
}

/** Through the hosted UI to the provider and back: the app's code redirect (or error). */
async function federatedRedirect(username: string, provider = LOCAL_OIDC_PROVIDER_NAME) {
  const verifier = randomBytes(48).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const out = await call(
    hosted(`/oauth2/authorize?${authorizeQuery(challenge, { identity_provider: provider })}`),
  );
  expect(out.status).toBe(302);
  const cookie = String(out.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
  const { callback } = await signInAtProvider({
    authorizeUrl: String(out.headers.location),
    redirectUri: hosted('/oauth2/idpresponse'),
    username,
    password: person(username).password,
  });
  const back = await call(callback.toString(), { headers: { cookie } });
  return { back, verifier, cookie, callback };
}

async function federatedTokens(username: string) {
  const { back, verifier } = await federatedRedirect(username);
  expect(back.status).toBe(302);
  const location = new URL(String(back.headers.location));
  expect(location.origin + location.pathname).toBe(APP);
  expect(location.searchParams.get('state')).toBe('app-state-1');
  const token = await call(hosted('/oauth2/token'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: sandbox.config.userPoolClientId,
      code: location.searchParams.get('code') ?? '',
      redirect_uri: APP,
      code_verifier: verifier,
    }).toString(),
  });
  expect(token.status).toBe(200);
  return JSON.parse(token.body) as {
    id_token: string;
    access_token: string;
    refresh_token: string;
  };
}

/** The trigger sources the sandbox invoked while `run` ran, in order. */
async function triggerSources(run: () => Promise<unknown>): Promise<string[]> {
  const spy = jest.spyOn(sandbox.lambda, 'invoke');
  try {
    await run();
    return spy.mock.calls.map(([, payload]) =>
      String((JSON.parse(String(payload)) as { triggerSource: string }).triggerSource),
    );
  } finally {
    spy.mockRestore();
  }
}

const chimeAdmin = () =>
  new ChimeSDKIdentityClient({
    region: sandbox.config.region,
    endpoint: sandbox.url,
    credentials: {
      ...sandbox.adminCredentials,
      expiration: new Date(sandbox.adminCredentials.expiration),
    },
  });

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'federation-test-'));
  sandbox = await startTestSandbox({ stateDir, hostedUi: { port: 0, localAppUrls: [APP] } });
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
  const page = await call(hosted(`/login?${authorizeQuery('x'.repeat(43))}`));
  expect(page.status).toBe(200);
  const link = /<a href="([^"]+)">Continue with Local OIDC<\/a>/.exec(page.body);
  expect(link).not.toBeNull();
  const href = new URL(link![1]!.replace(/&amp;/g, '&'), hosted('/'));
  expect(href.pathname).toBe('/oauth2/authorize');
  expect(href.searchParams.get('identity_provider')).toBe(LOCAL_OIDC_PROVIDER_NAME);
  expect(href.searchParams.get('state')).toBe('app-state-1');
});

test('first sign-in: one user LocalOIDC_<sub> with identities, one AppInstanceUser, the federated trigger sources', async () => {
  const ada = person('ada');
  const before =
    (
      await sandbox.adminUserPoolClient.send(
        new ListUsersCommand({ UserPoolId: sandbox.config.userPoolId }),
      )
    ).Users ?? [];
  const chimeBefore =
    (
      await chimeAdmin().send(
        new ListAppInstanceUsersCommand({ AppInstanceArn: sandbox.config.appInstanceArn }),
      )
    ).AppInstanceUsers ?? [];

  let tokens!: Awaited<ReturnType<typeof federatedTokens>>;
  const sources = await triggerSources(async () => {
    tokens = await federatedTokens('ada');
  });

  // The default template has no pre sign-up trigger; post confirmation and pre token generation run.
  expect(sources).toEqual(['PostConfirmation_ConfirmSignUp', 'TokenGeneration_HostedAuth']);
  const id = claims(tokens.id_token);
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
  const after =
    (
      await sandbox.adminUserPoolClient.send(
        new ListUsersCommand({ UserPoolId: sandbox.config.userPoolId }),
      )
    ).Users ?? [];
  expect(after.length).toBe(before.length + 1);
  const chimeAfter =
    (
      await chimeAdmin().send(
        new ListAppInstanceUsersCommand({ AppInstanceArn: sandbox.config.appInstanceArn }),
      )
    ).AppInstanceUsers ?? [];
  expect(chimeAfter.length).toBe(chimeBefore.length + 1);
  const appInstanceUser = await chimeAdmin().send(
    new DescribeAppInstanceUserCommand({
      AppInstanceUserArn: appInstanceUserArn(sandbox.config.appInstanceArn, String(id.sub)),
    }),
  );
  expect(appInstanceUser.AppInstanceUser?.Name).toBe('Ada Lovelace');

  // Identity pool credentials carry the user pool sub as principal tag, as for password users.
  const { credentials } = await sandbox.credentialsFor(tokens.id_token);
  expect(credentials.accessKeyId).toBeTruthy();
});

test('a second sign-in creates nothing: same sub, post authentication + token generation', async () => {
  const first = claims((await federatedTokens('ada')).id_token);
  const users =
    (
      await sandbox.adminUserPoolClient.send(
        new ListUsersCommand({ UserPoolId: sandbox.config.userPoolId }),
      )
    ).Users ?? [];
  const chimeUsers =
    (
      await chimeAdmin().send(
        new ListAppInstanceUsersCommand({ AppInstanceArn: sandbox.config.appInstanceArn }),
      )
    ).AppInstanceUsers ?? [];

  let second!: Record<string, unknown>;
  const sources = await triggerSources(async () => {
    second = claims((await federatedTokens('ada')).id_token);
  });

  expect(sources).toEqual(['PostAuthentication_Authentication', 'TokenGeneration_HostedAuth']);
  expect(second.sub).toBe(first.sub);
  expect(
    (
      (
        await sandbox.adminUserPoolClient.send(
          new ListUsersCommand({ UserPoolId: sandbox.config.userPoolId }),
        )
      ).Users ?? []
    ).length,
  ).toBe(users.length);
  expect(
    (
      (
        await chimeAdmin().send(
          new ListAppInstanceUsersCommand({ AppInstanceArn: sandbox.config.appInstanceArn }),
        )
      ).AppInstanceUsers ?? []
    ).length,
  ).toBe(chimeUsers.length);
});

test('two people of the provider are two users; a password user with the same email stays separate (default)', async () => {
  const grace = person('grace');
  const password = await sandbox.signUpUser(grace.email);
  const federated = claims((await federatedTokens('grace')).id_token);
  expect(federated.sub).not.toBe(password.sub);
  expect(federated['cognito:username']).toBe(`${LOCAL_OIDC_PROVIDER_NAME}_${grace.sub}`);
});

test('a disabled federated user is refused at the next sign-in (error back to the app)', async () => {
  const alan = person('alan');
  await federatedTokens('alan');
  const username = `${LOCAL_OIDC_PROVIDER_NAME}_${alan.sub}`;
  await sandbox.adminUserPoolClient.send(
    new AdminDisableUserCommand({ UserPoolId: sandbox.config.userPoolId, Username: username }),
  );
  try {
    const { back } = await federatedRedirect('alan');
    expect(back.status).toBe(302);
    const location = new URL(String(back.headers.location));
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('code')).toBeNull();
  } finally {
    await sandbox.adminUserPoolClient.send(
      new AdminEnableUserCommand({ UserPoolId: sandbox.config.userPoolId, Username: username }),
    );
  }
});

test('the provider answer must come back to the browser that left (state cookie), once', async () => {
  const { callback, cookie } = await (async () => {
    const verifier = randomBytes(48).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const out = await call(
      hosted(
        `/oauth2/authorize?${authorizeQuery(challenge, { identity_provider: LOCAL_OIDC_PROVIDER_NAME })}`,
      ),
    );
    const c = String(out.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
    const { callback: cb } = await signInAtProvider({
      authorizeUrl: String(out.headers.location),
      redirectUri: hosted('/oauth2/idpresponse'),
      username: 'ada',
      password: person('ada').password,
    });
    return { callback: cb, cookie: c };
  })();
  const withoutCookie = await call(callback.toString());
  expect(withoutCookie.status).toBe(400);
  expect(withoutCookie.body).toContain('started in another browser');
  // The state was used up by that attempt: even the right browser cannot replay it.
  const replay = await call(callback.toString(), { headers: { cookie } });
  expect(replay.status).toBe(400);
});

test('an unknown or non-emulated provider goes back to the app with an error', async () => {
  const out = await call(
    hosted(`/oauth2/authorize?${authorizeQuery('x'.repeat(43), { identity_provider: 'Nope' })}`),
  );
  expect(out.status).toBe(302);
  const location = new URL(String(out.headers.location));
  expect(location.searchParams.get('error')).toBe('invalid_request');
});
