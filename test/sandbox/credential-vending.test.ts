/**
 * End to end, offline: a user of the local sandbox signs in (cognito-local, real JWT), the vending
 * core verifies the ID token against the pool's JWKS and calls the sandbox's STS AssumeRole (SigV4,
 * trust policy of the synthesized user role enforced) with the vending function role's credentials,
 * and the vended credentials then act in Chime messaging as the user only, as identity pool
 * credentials do.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChimeSDKMessagingClient,
  CreateChannelCommand,
  ListChannelMessagesCommand,
  SendChannelMessageCommand,
} from '@aws-sdk/client-chime-sdk-messaging';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { appInstanceUserArn } from '../../contracts/client-config';
import { parseVendedCredentialsResponse } from '../../contracts/credential-vending';
import { vendCredentials, type VendingDeps } from '../../lambdas/lib/credential-vending/core';
import { createIdTokenVerifier } from '../../lambdas/lib/credential-vending/verifier';
import { resourcesOfType } from '../../sandbox/iam/template';
import {
  CREDENTIAL_VENDING_PATH,
  sandboxCredentialVendingUrl,
} from '../../sandbox/services/credential-vending';
import { type AwsCredentials, startTestSandbox, type TestSandbox } from '../../sandbox/testing';
import { synthesizeApp } from '../support/cdk-synth';

const silent = { info() {}, warn() {}, error() {} } as unknown as VendingDeps['logger'];

let outdir: string;
let sandbox: TestSandbox;
let deps: VendingDeps;
let serverRoleArn: string;
let userRoleArn: string;
const idTokens: Record<string, string> = {};
const subs: Record<string, string> = {};

/** `cdk synth -c credentialVending=true`, in-process, into a temporary cloud assembly. */

async function signUpAndIn(name: string): Promise<void> {
  const user = await sandbox.signUpUser(`${name}@example.com`);
  subs[name] = user.sub;
  idTokens[name] = (await sandbox.signIn(user)).idToken;
}

beforeAll(async () => {
  outdir = mkdtempSync(join(tmpdir(), 'vending-cdkout-'));
  // Hosting the web demo is beside the point here (and needs its build).
  synthesizeApp({ outdir, context: { credentialVending: 'true', webHosting: 'false' } });
  sandbox = await startTestSandbox({ cdkOutDir: outdir });

  const { resources } = sandbox;
  const vendingFunction = resourcesOfType(resources.stack.template, 'AWS::Lambda::Function').find(
    (id) => id.startsWith('CredentialVending'),
  );
  if (!vendingFunction) throw new Error('no credential-vending function in the template');
  const props = resources.properties(vendingFunction);
  const env = (props.Environment as { Variables: Record<string, string> }).Variables;
  serverRoleArn = String(props.Role);
  userRoleArn = env.USER_ROLE_ARN!;

  // The vending function as deployed: its settings from the template, its role's credentials,
  // STS at the sandbox; tokens of the sandbox's user pool through the OIDC seam (cognito-local is
  // not a `cognito-idp.<region>.amazonaws.com` issuer, so CognitoJwtVerifier cannot check it).
  const serverSession = sandbox.credentials.issue({
    roleArn: serverRoleArn,
    roleSessionName: 'credential-vending',
    durationSeconds: 3600,
    issuedBy: 'test: the vending Lambda execution role',
  });
  deps = {
    verifyIdToken: createIdTokenVerifier({
      kind: 'oidc',
      issuer: resources.userPoolIssuer,
      audience: [sandbox.config.userPoolClientId],
      jwksUri: `${resources.userPoolIssuer}/.well-known/jwks.json`,
    }),
    sts: new STSClient({
      region: sandbox.config.region,
      endpoint: sandbox.url,
      credentials: {
        accessKeyId: serverSession.accessKeyId,
        secretAccessKey: serverSession.secretAccessKey,
        sessionToken: serverSession.sessionToken,
      },
    }),
    settings: {
      userRoleArn,
      principalTagKey: env.PRINCIPAL_TAG_KEY!,
      appInstanceArn: env.APP_INSTANCE_ARN!,
      sessionDurationSeconds: Number(env.SESSION_DURATION_SECONDS),
    },
    logger: silent,
  };

  await signUpAndIn('alice');
  await signUpAndIn('bob');
}, 180_000);

afterAll(async () => {
  await sandbox?.stop();
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

async function vend(name: string) {
  const response = await vendCredentials(deps, {
    method: 'POST',
    authorization: `Bearer ${idTokens[name]}`,
  });
  expect({ status: response.statusCode, body: response.body }).toMatchObject({ status: 200 });
  return parseVendedCredentialsResponse(JSON.parse(response.body));
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
    expect(expiresIn).toBeGreaterThan(deps.settings.sessionDurationSeconds * 1000 - 60_000);
    expect(expiresIn).toBeLessThanOrEqual(deps.settings.sessionDurationSeconds * 1000);
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
    const untagged = await deps.sts
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
          Tags: [{ Key: deps.settings.principalTagKey, Value: subs.bob! }],
        }),
      )
      .catch((e: Error) => e.name);
    expect(selfService).toBe('AccessDenied');
  });

  it('refuses a token with a tampered payload, without calling STS', async () => {
    const [header, payload, signature] = idTokens.alice!.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: subs.bob })).toString('base64url');
    const response = await vendCredentials(deps, {
      method: 'POST',
      authorization: `Bearer ${header}.${forged}.${signature}`,
    });
    expect(response.statusCode).toBe(401);
  });
});

describe('the sandbox credential-vending route (for the web demo, offline)', () => {
  const url = () => sandboxCredentialVendingUrl(sandbox.resources, sandbox.url)!;

  it('is at a fixed path of the sandbox endpoint, and in config.json, when the template has it', () => {
    expect(url()).toBe(`${sandbox.url}${CREDENTIAL_VENDING_PATH}`);
    expect(sandbox.config.credentialVendingUrl).toBe(url());
  });

  it('answers POST with an ID token like the function URL, and the credentials work', async () => {
    const response = await fetch(url(), {
      method: 'POST',
      headers: { authorization: `Bearer ${idTokens.alice}`, origin: 'http://localhost:5173' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('access-control-allow-origin')).toBeTruthy();
    const vended = parseVendedCredentialsResponse(await response.json());
    const arnOf = (name: string) => appInstanceUserArn(sandbox.config.appInstanceArn, subs[name]!);
    expect(vended.appInstanceUserArn).toBe(arnOf('alice'));
    expect(await actAs(asSdk(vended.credentials), arnOf('alice'), 'route-self')).toBe('allowed');
  });

  it('answers a CORS preflight, and refuses a missing or forged token', async () => {
    const preflight = await fetch(url(), {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get('access-control-allow-origin')).toBeTruthy();

    const missing = await fetch(url(), { method: 'POST' });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: 'missing_token' });
    const [header, payload] = idTokens.bob!.split('.');
    const forged = await fetch(url(), {
      method: 'POST',
      headers: { authorization: `Bearer ${header}.${payload}.AAAA` },
    });
    expect(forged.status).toBe(401);
  });
});
