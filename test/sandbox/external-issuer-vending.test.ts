/**
 * The credential-vending API for an external OpenID Connect issuer, end to end and offline: a
 * person signs in at the sandbox's local OpenID provider (real code flow, real RS256 ID token),
 * the vending core finds the provider's keys through discovery, derives their id, creates their
 * AppInstanceUser with the vending function role's own credentials (the synthesized `oidc-*` grant
 * enforced by the sandbox's IAM), and vends credentials that act in Chime as that id only. The
 * template names `https://login.corp.example`; the test points the same configuration at the
 * local provider (docs/federation.md, "What was checked locally").
 */
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
import { STSClient } from '@aws-sdk/client-sts';
import { appInstanceUserArn } from '../../contracts/client-config';
import { parseVendedCredentialsResponse } from '../../contracts/credential-vending';
import { vendCredentials, type VendingDeps } from '../../lambdas/lib/credential-vending/core';
import {
  externalUserId,
  vendingVerification,
} from '../../lambdas/lib/credential-vending/external-issuers';
import { SandboxState } from '../../sandbox/core/state';
import { resourcesOfType } from '../../sandbox/iam/template';
import {
  LOCAL_OIDC_PEOPLE,
  type RunningLocalOidcProvider,
  startLocalOidcProvider,
} from '../../sandbox/services/oidc-provider';
import { type AwsCredentials, startTestSandbox, type TestSandbox } from '../../sandbox/testing';
import { synthesizeApp } from '../support/cdk-synth';
import { runCodeFlow } from '../support/oidc-code-flow';

const APP_CLIENT = {
  client_id: 'chat-app',
  token_endpoint_auth_method: 'none',
  redirect_uris: ['http://localhost:9/'],
};

let outdir: string;
let idpDir: string;
let sandbox: TestSandbox;
let idp: RunningLocalOidcProvider;
let deps: VendingDeps;
let serverCredentials: AwsCredentials;
let appInstanceArn: string;

const person = (username: string) => LOCAL_OIDC_PEOPLE.find((p) => p.username === username)!;
const idTokenOf = async (username: string) =>
  (
    await runCodeFlow({
      issuer: idp.issuer,
      clientId: APP_CLIENT.client_id,
      redirectUri: APP_CLIENT.redirect_uris[0]!,
      username,
      password: person(username).password,
    })
  ).idToken;

const asSdk = (c: { expiration: string } & Omit<AwsCredentials, 'expiration'>) => ({
  ...c,
  expiration: new Date(c.expiration),
});

async function vend(idToken: string) {
  const response = await vendCredentials(deps, {
    method: 'POST',
    authorization: `Bearer ${idToken}`,
  });
  expect({ status: response.statusCode, body: response.body }).toMatchObject({ status: 200 });
  return parseVendedCredentialsResponse(JSON.parse(response.body));
}

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

beforeAll(async () => {
  outdir = mkdtempSync(join(tmpdir(), 'external-vending-cdkout-'));
  idpDir = mkdtempSync(join(tmpdir(), 'external-vending-idp-'));
  synthesizeApp({
    outdir,
    context: {
      credentialVending: 'true',
      webHosting: 'false',
      credentialVendingOidcIssuer: 'https://login.corp.example',
      credentialVendingOidcAudience: APP_CLIENT.client_id,
    },
  });
  [sandbox, idp] = await Promise.all([
    startTestSandbox({ cdkOutDir: outdir }),
    startLocalOidcProvider({ state: new SandboxState(idpDir), clients: [APP_CLIENT] }),
  ]);

  const { resources } = sandbox;
  const fnId = resourcesOfType(resources.stack.template, 'AWS::Lambda::Function').find((id) =>
    id.startsWith('CredentialVending'),
  )!;
  const props = resources.properties(fnId);
  const env = (props.Environment as { Variables: Record<string, string> }).Variables;
  expect(JSON.parse(env.EXTERNAL_OIDC_ISSUERS!)).toEqual([
    { issuer: 'https://login.corp.example', audience: [APP_CLIENT.client_id] },
  ]);
  appInstanceArn = env.APP_INSTANCE_ARN!;
  const session = sandbox.credentials.issue({
    roleArn: String(props.Role),
    roleSessionName: 'credential-vending',
    durationSeconds: 3600,
    issuedBy: 'test: the vending Lambda execution role',
  });
  serverCredentials = { ...session, expiration: new Date(session.expiration) };
  deps = {
    // The template's configuration, with the local provider standing in for the corporate one.
    ...vendingVerification(
      {
        issuer: {
          kind: 'oidc',
          issuer: resources.userPoolIssuer,
          audience: [sandbox.config.userPoolClientId],
          jwksUri: `${resources.userPoolIssuer}/.well-known/jwks.json`,
        },
        externalIssuers: [{ issuer: idp.issuer, audience: [APP_CLIENT.client_id] }],
      },
      { chime: identity(serverCredentials), appInstanceArn },
    ),
    sts: new STSClient({
      region: sandbox.config.region,
      endpoint: sandbox.url,
      credentials: serverCredentials,
    }),
    settings: {
      userRoleArn: env.USER_ROLE_ARN!,
      principalTagKey: env.PRINCIPAL_TAG_KEY!,
      appInstanceArn,
      sessionDurationSeconds: Number(env.SESSION_DURATION_SECONDS),
    },
    logger: { info() {}, warn() {}, error() {} } as unknown as VendingDeps['logger'],
  };
}, 240_000);

afterAll(async () => {
  await Promise.all([sandbox?.stop(), idp?.stop()]);
  for (const dir of [outdir, idpDir]) if (dir) rmSync(dir, { recursive: true, force: true });
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
