/**
 * The template's own providers in the sandbox (docs/examples/identity-providers.json): its OIDC
 * provider "Corp" is played by the local OpenID provider under that name and client id, the
 * others (SAML, social) are listed but not emulated; and Corp's `accountLinking: verified-email`
 * runs for real: the deployed pre sign-up trigger (its bundle, its role, the sandbox's IAM) lists
 * users and calls AdminLinkProviderForUser, so a person with a verified password account keeps
 * their `sub`, and one whose provider email is unverified stays separate.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminGetUserCommand,
  AdminLinkProviderForUserCommand,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { LOCAL_OIDC_PEOPLE } from '../../sandbox/services/oidc-provider';
import { PROJECT_ROOT } from '../../sandbox/synth';
import { startTestSandbox, type TestSandbox, testAssembly } from '../../sandbox/testing';
import {
  federatedTokens,
  jwtClaims,
  TEST_APP_URL,
  triggerSourcesDuring,
} from '../support/hosted-ui-federation';

jest.setTimeout(90_000);

let stateDir: string;
let sandbox: TestSandbox;

const person = (username: string) => LOCAL_OIDC_PEOPLE.find((p) => p.username === username)!;
const signInWithCorp = async (username: string) =>
  jwtClaims((await federatedTokens(sandbox, 'Corp', username)).id_token);

const userCount = async () =>
  (
    (
      await sandbox.adminUserPoolClient.send(
        new ListUsersCommand({ UserPoolId: sandbox.config.userPoolId }),
      )
    ).Users ?? []
  ).length;

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'federation-linking-state-'));
  // The example file is a source of this assembly: editing it synthesizes again.
  const identityProviders = join(PROJECT_ROOT, 'docs', 'examples', 'identity-providers.json');
  sandbox = await startTestSandbox({
    cdkOutDir: await testAssembly('identity-providers', { identityProviders }),
    stateDir,
    hostedUi: { port: 0, localAppUrls: [TEST_APP_URL] },
  });
}, 240_000);

afterAll(async () => {
  await sandbox?.stop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

test("the template's OIDC provider is offered (played locally); SAML and social are not", () => {
  expect(sandbox.config.hostedUi?.identityProviders).toEqual([{ name: 'Corp', label: 'Corp' }]);
});

test('a verified provider email of a confirmed password user: linked, same sub, no new user', async () => {
  const ada = person('ada');
  const password = await sandbox.signUpUser(ada.email);
  const before = await userCount();

  let id!: Record<string, unknown>;
  const ran = await triggerSourcesDuring(sandbox, async () => {
    id = await signInWithCorp('ada');
  });

  expect(ran).toEqual([
    'PreSignUp_ExternalProvider',
    'PostAuthentication_Authentication',
    'TokenGeneration_HostedAuth',
  ]);
  expect(id.sub).toBe(password.sub);
  expect(id.identities).toEqual([
    expect.objectContaining({ providerName: 'Corp', userId: ada.sub, providerType: 'OIDC' }),
  ]);
  expect(await userCount()).toBe(before);
  const linked = await sandbox.adminUserPoolClient.send(
    new AdminGetUserCommand({ UserPoolId: sandbox.config.userPoolId, Username: password.sub }),
  );
  expect(linked.UserStatus).toBe('CONFIRMED');

  // The next sign-in through Corp is the same person again, without the pre sign-up trigger.
  expect((await signInWithCorp('ada')).sub).toBe(password.sub);
});

test('an email the provider does not vouch for is kept separate', async () => {
  const alan = person('alan');
  const password = await sandbox.signUpUser(alan.email);
  const id = await signInWithCorp('alan');
  expect(id.sub).not.toBe(password.sub);
  expect(id['cognito:username']).toBe(`Corp_${alan.sub}`);
});

describe('AdminLinkProviderForUser (the sandbox user pool implements it)', () => {
  const link = (destination: string, provider: string, subject: string) =>
    sandbox.adminUserPoolClient
      .send(
        new AdminLinkProviderForUserCommand({
          UserPoolId: sandbox.config.userPoolId,
          DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: destination },
          SourceUser: {
            ProviderName: provider,
            ProviderAttributeName: 'Cognito_Subject',
            ProviderAttributeValue: subject,
          },
        }),
      )
      .then(
        () => 'linked',
        (e: Error) => e.name,
      );

  test('refuses an identity that signed in before, an unknown provider, an unknown user', async () => {
    const grace = await sandbox.signUpUser(`grace-${Date.now()}@example.org`);
    // Alan signed in through Corp above: his identity is a user of its own.
    expect(await link(grace.sub, 'Corp', person('alan').sub)).toBe('InvalidParameterException');
    expect(await link(grace.sub, 'Okta', 'x')).toBe('InvalidParameterException');
    expect(await link('no-such-user', 'Corp', 'new-subject')).toBe('UserNotFoundException');
    expect(await link(grace.sub, 'Corp', 'new-subject')).toBe('linked');
    expect(await link(grace.sub, 'Corp', 'new-subject')).toBe('InvalidParameterException');
  });
});
