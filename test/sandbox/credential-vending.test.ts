/**
 * The credential-vending route `POST /credentials` end to end, offline: a user of the local
 * sandbox signs in (real user-pool tokens); the HTTP API emulation checks the access token as API
 * Gateway's JWT authorizer does (scope `aws.cognito.signin.user.admin` included) and runs the
 * deployed vending bundle with its own role's credentials; the function asks the user pool
 * (`GetUser`) whether the token still stands, counts the call in DynamoDB and calls the sandbox's
 * STS AssumeRole (trust policy enforced); the vended credentials then act in Chime messaging as the
 * user only, as identity pool credentials do. After GlobalSignOut, AdminDisableUser or
 * AdminDeleteUser the route answers 401 and no credentials are issued.
 */
import {
  ChimeSDKMessagingClient,
  CreateChannelCommand,
  ListChannelMessagesCommand,
  SendChannelMessageCommand,
} from '@aws-sdk/client-chime-sdk-messaging';
import {
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  GlobalSignOutCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { appInstanceUserArn } from '../../contracts/chime-arns';
import { parseVendedCredentialsResponse } from '../../contracts/credential-vending';
import { API_PATHS, apiRouteUrl } from '../../contracts/http-api';
import { resourcesOfType } from '../../sandbox/cloudformation/template';
import {
  type AwsCredentials,
  startTestSandbox,
  testAssembly,
  type TestSandbox,
} from '../../sandbox/testing';

let sandbox: TestSandbox;
let serverRoleArn: string;
let userRoleArn: string;
let principalTagKey: string;
let sessionDurationSeconds: number;
const accessTokens: Record<string, string> = {};
const idTokens: Record<string, string> = {};
const subs: Record<string, string> = {};
/** AssumeRole calls the sandbox's STS answered, by role session name (the caller's sub). */
const assumedFor: string[] = [];

async function signUpAndIn(name: string): Promise<void> {
  const user = await sandbox.signUpUser(`${name}@example.com`);
  subs[name] = user.sub;
  const session = await sandbox.signIn(user);
  idTokens[name] = session.idToken;
  accessTokens[name] = session.accessToken;
}

beforeAll(async () => {
  // `cdk synth -c credentialVending=true` (shared with the browser test; hosting stays out).
  sandbox = await startTestSandbox({
    cdkOutDir: await testAssembly('credential-vending', { credentialVending: 'true' }),
    lambdaLog: (_fn, line) => {
      const session = /"roleSessionName":"([^"]+)"/.exec(line)?.[1];
      if (line.includes('credentials vended') && session) assumedFor.push(session);
    },
  });

  const { resources } = sandbox;
  const vendingFunction = resourcesOfType(resources.stack.template, 'AWS::Lambda::Function').find(
    (id) => id.includes('CredentialVending'),
  );
  if (!vendingFunction) throw new Error('no credential-vending function in the template');
  const props = resources.properties(vendingFunction);
  const env = (props.Environment as { Variables: Record<string, string> }).Variables;
  serverRoleArn = String(props.Role);
  userRoleArn = env.USER_ROLE_ARN!;
  principalTagKey = env.PRINCIPAL_TAG_KEY!;
  sessionDurationSeconds = Number(env.SESSION_DURATION_SECONDS);

  for (const name of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']) await signUpAndIn(name);
}, 240_000);

afterAll(async () => {
  await sandbox?.stop();
});

const url = () => sandbox.config.credentialVendingUrl!;

function post(token: string | undefined) {
  return fetch(url(), {
    method: 'POST',
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
}

async function vend(name: string) {
  const response = await post(accessTokens[name]);
  const text = await response.text();
  expect({ status: response.status, body: text }).toMatchObject({ status: 200 });
  return parseVendedCredentialsResponse(JSON.parse(text));
}

function messaging(credentials: AwsCredentials) {
  return new ChimeSDKMessagingClient({
    region: sandbox.config.region,
    endpoint: sandbox.url,
    credentials,
  });
}

const asSdk = (c: {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: string;
}) => ({
  ...c,
  expiration: new Date(c.expiration),
});

async function identityPoolCredentials(name: string): Promise<AwsCredentials> {
  return (await sandbox.credentialsFor(idTokens[name]!)).credentials;
}

/** Creates a channel as `bearer` and posts in it; resolves to 'allowed' or the error name. */
async function actAs(credentials: AwsCredentials, bearer: string, label: string) {
  const client = messaging(credentials);
  try {
    const { ChannelArn } = await client.send(
      new CreateChannelCommand({
        AppInstanceArn: sandbox.config.appInstanceArn,
        Name: `${label}-channel`,
        Mode: 'UNRESTRICTED',
        Privacy: 'PUBLIC',
        ClientRequestToken: `${label}-${Date.now()}`,
        ChimeBearer: bearer,
      }),
    );
    await client.send(
      new SendChannelMessageCommand({
        ChannelArn,
        Content: `hello from ${label}`,
        Type: 'STANDARD',
        Persistence: 'PERSISTENT',
        ClientRequestToken: `${label}-msg-${Date.now()}`,
        ChimeBearer: bearer,
      }),
    );
    const { ChannelMessages } = await client.send(
      new ListChannelMessagesCommand({ ChannelArn, ChimeBearer: bearer }),
    );
    return ChannelMessages?.some((m) => m.Content === `hello from ${label}`) ? 'allowed' : 'lost';
  } catch (error) {
    return (error as Error).name;
  }
}

describe('credential vending in the sandbox', () => {
  it('vends credentials of the user role, tagged with the caller, for the caller ARN', async () => {
    const vended = await vend('alice');
    const arnOf = (name: string) => appInstanceUserArn(sandbox.config.appInstanceArn, subs[name]!);
    expect(vended.appInstanceUserArn).toBe(arnOf('alice'));
    const sts = new STSClient({
      region: sandbox.config.region,
      endpoint: sandbox.url,
      credentials: asSdk(vended.credentials),
    });
    const me = await sts.send(new GetCallerIdentityCommand({}));
    const roleName = userRoleArn.split('/').at(-1);
    expect(me.Arn).toBe(
      `arn:aws:sts::${sandbox.resources.accountId}:assumed-role/${roleName}/${subs.alice}`,
    );
    const role = sandbox.resources.role(userRoleArn)!;
    const roleId = sandbox.resources.env.resources[role.logicalId]?.attributes.RoleId;
    expect(me.UserId).toBe(`${roleId}:${subs.alice}`);
    const expiresIn = Date.parse(vended.credentials.expiration) - Date.now();
    expect(expiresIn).toBeGreaterThan(sessionDurationSeconds * 1000 - 60_000);
    expect(expiresIn).toBeLessThanOrEqual(sessionDurationSeconds * 1000);
  });

  it('the vended credentials act in Chime as the caller, and are refused as someone else', async () => {
    const alice = asSdk((await vend('alice')).credentials);
    const arnOf = (name: string) => appInstanceUserArn(sandbox.config.appInstanceArn, subs[name]!);
    expect(await actAs(alice, arnOf('alice'), 'vended-self')).toBe('allowed');
    expect(await actAs(alice, arnOf('bob'), 'vended-other')).toMatch(/AccessDenied|Forbidden/);
  });

  it('gives the same decisions as identity pool credentials', async () => {
    const viaPool = await identityPoolCredentials('bob');
    const viaVending = asSdk((await vend('bob')).credentials);
    const arnOf = (name: string) => appInstanceUserArn(sandbox.config.appInstanceArn, subs[name]!);
    const results = [];
    for (const [path, credentials] of [
      ['identity pool', viaPool],
      ['vending', viaVending],
    ] as const) {
      results.push([
        path,
        await actAs(credentials, arnOf('bob'), `${path.replace(' ', '-')}-self`),
        await actAs(credentials, arnOf('alice'), `${path.replace(' ', '-')}-other`),
      ]);
    }
    expect(results[0]!.slice(1)).toEqual(results[1]!.slice(1));
    expect(results[1]!.slice(1)[0]).toBe('allowed');
  });

  it('STS enforces the trust policy: no tag, or another caller, gets no credentials', async () => {
    const server = sandbox.credentials.issue({
      roleArn: serverRoleArn,
      roleSessionName: 'credential-vending',
      durationSeconds: 3600,
      issuedBy: 'test: the vending Lambda execution role',
    });
    const asServer = new STSClient({
      region: sandbox.config.region,
      endpoint: sandbox.url,
      credentials: {
        accessKeyId: server.accessKeyId,
        secretAccessKey: server.secretAccessKey,
        sessionToken: server.sessionToken,
      },
    });
    const untagged = await asServer
      .send(new AssumeRoleCommand({ RoleArn: userRoleArn, RoleSessionName: 'no-tag' }))
      .catch((e: Error) => e.name);
    expect(untagged).toBe('AccessDenied');

    const alice = asSdk((await vend('alice')).credentials);
    const asAlice = new STSClient({
      region: sandbox.config.region,
      endpoint: sandbox.url,
      credentials: alice,
    });
    const selfService = await asAlice
      .send(
        new AssumeRoleCommand({
          RoleArn: userRoleArn,
          RoleSessionName: 'self-service',
          Tags: [{ Key: principalTagKey, Value: subs.bob! }],
        }),
      )
      .catch((e: Error) => e.name);
    expect(selfService).toBe('AccessDenied');
  });
});

describe('the route', () => {
  it('is <apiUrl>/credentials in config.json when the template has it', () => {
    expect(url()).toBe(apiRouteUrl(sandbox.config.apiUrl!, API_PATHS.credentials));
  });

  it('refuses a missing token, an ID token (no scope) and a forged token at the authorizer', async () => {
    const missing = await post(undefined);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ message: 'Unauthorized' });
    const idToken = await post(idTokens.alice);
    expect(idToken.status).toBe(403);
    expect(await idToken.json()).toEqual({ message: 'Forbidden' });
    const [header, payload] = accessTokens.bob!.split('.');
    const forged = await post(`${header}.${payload}.AAAA`);
    expect(forged.status).toBe(401);
  });

  it('answers a CORS preflight for the template origin only', async () => {
    const preflight = (origin: string) =>
      fetch(url(), {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization',
        },
      });
    expect(
      (await preflight('http://localhost:5173')).headers.get('access-control-allow-origin'),
    ).toBe('http://localhost:5173');
    expect(
      (await preflight('https://evil.example')).headers.get('access-control-allow-origin'),
    ).toBeNull();
  });
});

describe('hardening: revoked, disabled and deleted users get 401 and no credentials', () => {
  const admin = () => sandbox.adminUserPoolClient;
  const poolId = () => sandbox.config.userPoolId;

  it.each([
    [
      'after GlobalSignOut',
      'carol',
      async () => {
        await sandbox.userPoolClient.send(
          new GlobalSignOutCommand({ AccessToken: accessTokens.carol! }),
        );
      },
    ],
    [
      'after AdminDisableUser',
      'dave',
      async () => {
        await admin().send(
          new AdminDisableUserCommand({ UserPoolId: poolId(), Username: subs.dave! }),
        );
      },
    ],
    [
      'after AdminDeleteUser',
      'erin',
      async () => {
        await admin().send(
          new AdminDeleteUserCommand({ UserPoolId: poolId(), Username: subs.erin! }),
        );
      },
    ],
  ])('%s', async (_label, name, revoke) => {
    await vend(name); // the token worked before
    const before = assumedFor.filter((s) => s === subs[name]).length;
    expect(before).toBeGreaterThan(0); // the function's log shows each AssumeRole it made
    await revoke();
    const response = await post(accessTokens[name]);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_token' });
    // Give the function's log line time to arrive: still no new AssumeRole for this user.
    await new Promise((r) => setTimeout(r, 200));
    expect(assumedFor.filter((s) => s === subs[name]).length).toBe(before);
  });
});

describe('rate limits', () => {
  it('429 past the per-caller limit (10 a minute); other callers still get credentials', async () => {
    // The limiter counts per caller in fixed, epoch-aligned minutes: a burst that crosses into the
    // next minute gets a fresh allowance there. Time one request; when the 12 might not fit in
    // what is left of this minute (3x margin for a loaded machine), start in the next one.
    const WINDOW_MS = 60_000;
    const probeStarted = Date.now();
    const probe = await post(accessTokens.frank);
    const probeMs = Date.now() - probeStarted;
    const statuses: number[] = [];
    const leftInWindow = WINDOW_MS - (Date.now() % WINDOW_MS);
    if (leftInWindow < 3 * 12 * (probeMs + 120)) {
      await new Promise((r) => setTimeout(r, leftInWindow + 100));
    } else {
      statuses.push(probe.status);
    }
    while (statuses.length < 12) {
      const response = await post(accessTokens.frank);
      statuses.push(response.status);
      // A 429 here must be the per-caller limit, not the route throttle (10/s).
      if (response.status === 429)
        expect(await response.json()).toMatchObject({ error: 'too_many_requests' });
      await new Promise((r) => setTimeout(r, 120));
    }
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(10);
    expect(statuses.filter((s) => s === 200).length).toBeLessThan(12);
    const last = await post(accessTokens.frank);
    if (last.status === 429) {
      expect(await last.json()).toMatchObject({ error: 'too_many_requests' });
      expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect((await post(accessTokens.alice)).status).toBe(200);
    // Up to a minute's wait for the next window, then the burst.
  }, 150_000);
});
