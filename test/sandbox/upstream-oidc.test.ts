/**
 * The sandbox hosted UI as a relying party of the local OpenID provider (what Cognito does for a
 * user pool's OIDC identity provider), and which providers of a template the sandbox plays.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SandboxState } from '../../sandbox/core/state';
import {
  LOCAL_OIDC_PROVIDER_NAME,
  sandboxIdentityProviders,
} from '../../sandbox/services/hosted-ui/identity-providers';
import { mapAttributes, UpstreamOidc } from '../../sandbox/services/hosted-ui/upstream-oidc';
import {
  LOCAL_OIDC_PEOPLE,
  type RunningLocalOidcProvider,
  startLocalOidcProvider,
} from '../../sandbox/services/oidc-provider';
import { signInAtProvider } from '../support/oidc-code-flow';

const REDIRECT = 'https://127.0.0.1:9/oauth2/idpresponse';
const CLIENT = {
  client_id: 'corp-client',
  client_secret: 'corp-secret-0123456789',
  redirect_uris: [REDIRECT],
};

let dir: string;
let idp: RunningLocalOidcProvider;
let rp: UpstreamOidc;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'upstream-oidc-'));
  idp = await startLocalOidcProvider({ state: new SandboxState(dir), clients: [CLIENT] });
  rp = new UpstreamOidc({
    providerName: 'Corp',
    issuer: idp.issuer,
    clientId: CLIENT.client_id,
    clientSecret: CLIENT.client_secret,
    scopes: ['openid', 'email', 'profile'],
  });
}, 60_000);

afterAll(async () => {
  await idp?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function signIn(username: string, nonce = 'n-123', state = 's-123') {
  const person = LOCAL_OIDC_PEOPLE.find((p) => p.username === username)!;
  const authorizeUrl = await rp.authorizeUrl({ redirectUri: REDIRECT, state, nonce });
  const { callback } = await signInAtProvider({
    authorizeUrl,
    redirectUri: REDIRECT,
    username,
    password: person.password,
  });
  expect(callback.searchParams.get('state')).toBe(state);
  return callback.searchParams.get('code')!;
}

test('the code flow as a confidential client: sub and claims from the ID token and userInfo', async () => {
  const code = await signIn('grace');
  const { subject, claims } = await rp.complete({ code, redirectUri: REDIRECT, nonce: 'n-123' });
  expect(subject).toBe('local-grace-0002');
  expect(
    mapAttributes(claims, { email: 'email', email_verified: 'email_verified', name: 'name' }),
  ).toEqual({ email: 'grace@example.org', email_verified: 'true', name: 'Grace Hopper' });
});

test('a code is good once, and only with the nonce of its sign-in', async () => {
  const code = await signIn('ada', 'nonce-a');
  await expect(rp.complete({ code, redirectUri: REDIRECT, nonce: 'another' })).rejects.toThrow(
    /nonce/,
  );
  await expect(rp.complete({ code, redirectUri: REDIRECT, nonce: 'nonce-a' })).rejects.toThrow(
    /answered 400/,
  );
});

test('a wrong client secret gets nothing', async () => {
  const code = await signIn('ada');
  const wrong = new UpstreamOidc({ ...rp.client, clientSecret: 'not-the-secret-0123456789' });
  await expect(wrong.complete({ code, redirectUri: REDIRECT, nonce: 'n-123' })).rejects.toThrow(
    /answered 401/,
  );
});

test('mapAttributes: strings as they are, booleans as true/false, absent claims left out', () => {
  expect(
    mapAttributes(
      { mail: 'a@example.org', verified: false, display: 'A' },
      { email: 'mail', email_verified: 'verified', name: 'display', nickname: 'missing' },
    ),
  ).toEqual({ email: 'a@example.org', email_verified: 'false', name: 'A' });
});

describe('which providers the sandbox plays', () => {
  const oidc = {
    ProviderName: 'Corp',
    ProviderType: 'OIDC',
    ProviderDetails: {
      client_id: 'abc',
      client_secret: '{{resolve:secretsmanager:corp-oidc:SecretString:::}}',
      authorize_scopes: 'openid email profile',
    },
    AttributeMapping: { email: 'email', name: 'name' },
  };
  const google = {
    ProviderName: 'Google',
    ProviderType: 'Google',
    ProviderDetails: {},
    AttributeMapping: {},
  };

  test("the template's OIDC provider, under its own name, client id and scopes, with a local secret", () => {
    const [corp, g] = sandboxIdentityProviders([oidc, google]);
    expect(corp).toMatchObject({
      name: 'Corp',
      label: 'Corp',
      emulated: true,
      builtIn: false,
      oidc: { clientId: 'abc', scopes: ['openid', 'email', 'profile'] },
    });
    expect(corp!.oidc!.clientSecret).not.toContain('resolve');
    expect(g).toMatchObject({ name: 'Google', label: 'Google', emulated: false });
  });

  test('no OIDC provider in the template: a built-in Local OIDC', () => {
    expect(sandboxIdentityProviders([])).toEqual([
      expect.objectContaining({
        name: LOCAL_OIDC_PROVIDER_NAME,
        label: 'Local OIDC',
        builtIn: true,
      }),
    ]);
    expect(sandboxIdentityProviders([google]).map((p) => p.name)).toEqual([
      'Google',
      LOCAL_OIDC_PROVIDER_NAME,
    ]);
  });
});
