/**
 * The vending API "instead of" the user pool, end to end and offline (docs/federation.md, "Beside
 * or instead of the user pool"): synthesized with `-c credentialVendingUserPool=false` and the
 * local OpenID provider as the issuer, the sandbox's HTTP API has no `POST /credentials` (so its
 * client config offers no `credentialVendingUrl`), and the external route still vends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseVendedCredentialsResponse } from '../../contracts/credential-vending';
import { API_PATHS, apiRouteUrl, externalCredentialsPath } from '../../contracts/http-api';
import { externalUserId } from '../../lambdas/lib/credential-vending/external-issuers';
import { SandboxState } from '../../sandbox/core/state';
import {
  LOCAL_OIDC_PEOPLE,
  type RunningLocalOidcProvider,
} from '../../sandbox/services/oidc-provider';
import {
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

let idpDir: string;
let sandbox: TestSandbox;
let idp: RunningLocalOidcProvider;

const ada = LOCAL_OIDC_PEOPLE.find((p) => p.username === 'ada')!;
const adaToken = async () =>
  (
    await runCodeFlow({
      issuer: idp.issuer,
      clientId: APP_CLIENT.client_id,
      redirectUri: APP_CLIENT.redirect_uris[0]!,
      username: ada.username,
      password: ada.password,
    })
  ).idToken;
const post = (url: string, token: string) =>
  fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}` } });

beforeAll(async () => {
  idpDir = mkdtempSync(join(tmpdir(), 'external-only-idp-'));
  // The issuer (its port) is in the template: the same port as last time keeps the cached assembly.
  idp = await startAssemblyIssuer('external-vending-only', {
    state: new SandboxState(idpDir),
    clients: [APP_CLIENT],
  });
  const cdkOutDir = await testAssembly('external-vending-only', {
    credentialVending: 'true',
    credentialVendingUserPool: 'false',
    credentialVendingOidcIssuer: idp.issuer,
    credentialVendingOidcAudience: APP_CLIENT.client_id,
    credentialVendingOidcName: 'corp',
  });
  sandbox = await startTestSandbox({ cdkOutDir });
}, 240_000);

afterAll(async () => {
  await Promise.all([sandbox?.stop(), idp?.stop()]);
  if (idpDir) rmSync(idpDir, { recursive: true, force: true });
});

test('the client config offers no user pool vending route, and the API has none', async () => {
  expect(sandbox.config.apiUrl).toBeDefined();
  expect(sandbox.config.credentialVendingUrl).toBeUndefined();
  const response = await post(apiRouteUrl(sandbox.config.apiUrl!, API_PATHS.credentials), 'x');
  expect(response.status).toBe(404);
});

test("the external route vends credentials for the person's derived id", async () => {
  const url = apiRouteUrl(sandbox.config.apiUrl!, externalCredentialsPath('corp'));
  const response = await post(url, await adaToken());
  const text = await response.text();
  expect({ status: response.status, body: text }).toMatchObject({ status: 200 });
  const vended = parseVendedCredentialsResponse(JSON.parse(text));
  expect(vended.appInstanceUserArn).toMatch(
    new RegExp(`/user/${externalUserId(idp.issuer, ada.sub)}$`),
  );
});
