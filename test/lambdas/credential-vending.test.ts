/**
 * The vending core behind the HTTP API's JWT authorizer (which has checked the access token's
 * signature, issuer, client, expiry and scope): token kind, per-caller limit, the Cognito
 * revocation check (GetUser), AssumeRole with the session tag. Cognito, STS and the limiter are
 * mocked (aws-sdk-client-mock); each refusal is asserted to call no STS.
 */
import {
  CognitoIdentityProviderClient,
  GetUserCommand,
  NotAuthorizedException,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { parseVendedCredentialsResponse } from '../../contracts/credential-vending';
import { readVendingSettings } from '../../lambdas/lib/credential-vending/config';
import {
  roleSessionNameFor,
  vendCredentials,
  type VendingDeps,
} from '../../lambdas/lib/credential-vending/core';
import {
  type RateDecision,
  RateLimitUnavailableError,
} from '../../lambdas/lib/http-api/rate-limit';
import { recordingLogger } from './support/http-api-events';

const ALICE = 'b7a1c0de-2222-4c3d-8e9f-abcdefabcdef';
const TOKEN = 'header.payload.signature';
const settings = {
  userRoleArn: 'arn:aws:iam::123456789012:role/VendingUser',
  principalTagKey: 'chime_user_id',
  appInstanceArn: 'arn:aws:chime:us-east-1:123456789012:app-instance/abc',
  sessionDurationSeconds: 3600,
};
const cognito = mockClient(CognitoIdentityProviderClient);
const sts = mockClient(STSClient);
let decision: RateDecision | Error;
let counted: string[];
let log: ReturnType<typeof recordingLogger>;

function deps(): VendingDeps {
  return {
    cognito: new CognitoIdentityProviderClient({ region: 'us-east-1' }),
    sts: new STSClient({ region: 'us-east-1' }),
    settings,
    consumeRequest: (caller) => {
      counted.push(caller);
      return decision instanceof Error ? Promise.reject(decision) : Promise.resolve(decision);
    },
    logger: log.logger,
  };
}

const claims = (extra: Record<string, string> = {}) => ({
  sub: ALICE,
  token_use: 'access',
  scope: 'aws.cognito.signin.user.admin',
  client_id: 'webclient',
  ...extra,
});

const vend = (c = claims(), authorization: string | undefined = `Bearer ${TOKEN}`) =>
  vendCredentials(deps(), { claims: c, authorization });

beforeEach(() => {
  cognito.reset();
  sts.reset();
  counted = [];
  decision = { allowed: true, remaining: 9 };
  log = recordingLogger();
  cognito.on(GetUserCommand).resolves({
    Username: ALICE,
    UserAttributes: [{ Name: 'sub', Value: ALICE }],
  });
  sts.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: 'ASIAEXAMPLE',
      SecretAccessKey: 'secret-value',
      SessionToken: 'session-token-value',
      Expiration: new Date('2030-01-01T01:00:00Z'),
    },
  });
});

test('vends credentials tagged with the caller, after checking the token with Cognito', async () => {
  const response = await vend();
  expect(response.statusCode).toBe(200);
  expect(response.headers['cache-control']).toBe('no-store');
  const body = parseVendedCredentialsResponse(JSON.parse(response.body));
  expect(body.appInstanceUserArn).toBe(`${settings.appInstanceArn}/user/${ALICE}`);
  expect(cognito).toHaveReceivedCommandWith(GetUserCommand, { AccessToken: TOKEN });
  expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
    RoleArn: settings.userRoleArn,
    RoleSessionName: ALICE,
    DurationSeconds: 3600,
    Tags: [{ Key: 'chime_user_id', Value: ALICE }],
  });
  expect(counted).toEqual([ALICE]);
});

test.each([
  [
    'revoked (GlobalSignOut)',
    new NotAuthorizedException({ message: 'Access Token has been revoked', $metadata: {} }),
  ],
  [
    'disabled (AdminDisableUser)',
    new NotAuthorizedException({ message: 'User is disabled.', $metadata: {} }),
  ],
  [
    'deleted (AdminDeleteUser)',
    new UserNotFoundException({ message: 'User does not exist.', $metadata: {} }),
  ],
])('a %s user gets 401 and no STS call', async (_label, error) => {
  cognito.on(GetUserCommand).rejects(error);
  const response = await vend();
  expect(response.statusCode).toBe(401);
  expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  expect(JSON.parse(response.body)).toMatchObject({ error: 'invalid_token' });
  expect(sts).not.toHaveReceivedCommand(AssumeRoleCommand);
});

test('GetUser answering for another user is refused', async () => {
  cognito
    .on(GetUserCommand)
    .resolves({ Username: 'x', UserAttributes: [{ Name: 'sub', Value: 'someone-else' }] });
  expect((await vend()).statusCode).toBe(401);
  expect(sts).not.toHaveReceivedCommand(AssumeRoleCommand);
});

test('Cognito throttled or down: 503, no STS call', async () => {
  cognito
    .on(GetUserCommand)
    .rejects(Object.assign(new Error('slow down'), { name: 'TooManyRequestsException' }));
  const response = await vend();
  expect(response.statusCode).toBe(503);
  expect(JSON.parse(response.body)).toMatchObject({ error: 'service_unavailable' });
  expect(sts).not.toHaveReceivedCommand(AssumeRoleCommand);
});

test('an ID token (or no bearer token) is refused before anything is counted or called', async () => {
  for (const [c, auth] of [
    [claims({ token_use: 'id' }), `Bearer ${TOKEN}`],
    [claims(), undefined],
    [claims(), 'Basic abc'],
  ] as const) {
    const response = await vendCredentials(deps(), { claims: c, authorization: auth });
    expect(response.statusCode).toBe(401);
  }
  expect(counted).toEqual([]);
  expect(cognito).not.toHaveReceivedAnyCommand();
  expect(sts).not.toHaveReceivedAnyCommand();
});

test('a subject that cannot be an AppInstanceUserId: 403', async () => {
  const response = await vend(claims({ sub: 'bad/sub' }));
  expect(response.statusCode).toBe(403);
  expect(sts).not.toHaveReceivedAnyCommand();
});

test('past the per-caller limit: 429 with Retry-After, before Cognito or STS', async () => {
  decision = { allowed: false, retryAfterSeconds: 17 };
  const response = await vend();
  expect(response.statusCode).toBe(429);
  expect(response.headers['retry-after']).toBe('17');
  expect(JSON.parse(response.body)).toMatchObject({ error: 'too_many_requests' });
  expect(cognito).not.toHaveReceivedAnyCommand();
  expect(sts).not.toHaveReceivedAnyCommand();
});

test('the limiter unavailable: 503 (fails closed)', async () => {
  decision = new RateLimitUnavailableError('ProvisionedThroughputExceededException');
  expect((await vend()).statusCode).toBe(503);
  expect(sts).not.toHaveReceivedAnyCommand();
});

test('STS failure: 502 without detail; incomplete credentials: 502', async () => {
  sts
    .on(AssumeRoleCommand)
    .rejects(Object.assign(new Error('role trust says no'), { name: 'AccessDenied' }));
  const failed = await vend();
  expect(failed.statusCode).toBe(502);
  expect(failed.body).not.toContain('trust');
  sts.on(AssumeRoleCommand).resolves({ Credentials: undefined });
  expect((await vend()).statusCode).toBe(502);
});

test('logs hold neither the token nor the credentials', async () => {
  await vend();
  cognito
    .on(GetUserCommand)
    .rejects(new NotAuthorizedException({ message: 'revoked', $metadata: {} }));
  await vend();
  const text = JSON.stringify(log.lines);
  expect(log.lines.length).toBeGreaterThan(0);
  for (const secret of [TOKEN, 'secret-value', 'session-token-value'])
    expect(text).not.toContain(secret);
});

test('roleSessionNameFor makes any id STS-safe and 2-64 long', () => {
  expect(roleSessionNameFor('a')).toBe('user-a');
  expect(roleSessionNameFor('x y/z')).toBe('x-y-z');
  expect(roleSessionNameFor('a'.repeat(80))).toHaveLength(64);
});

test('settings come from the environment, with errors that name the variable', () => {
  const env = {
    USER_ROLE_ARN: settings.userRoleArn,
    PRINCIPAL_TAG_KEY: 'chime_user_id',
    APP_INSTANCE_ARN: settings.appInstanceArn,
    SESSION_DURATION_SECONDS: '900',
  };
  expect(readVendingSettings(env).sessionDurationSeconds).toBe(900);
  expect(() => readVendingSettings({ ...env, USER_ROLE_ARN: '' })).toThrow(/USER_ROLE_ARN/);
  expect(() => readVendingSettings({ ...env, SESSION_DURATION_SECONDS: '60' })).toThrow(
    /900 to 3600/,
  );
  expect(() => readVendingSettings({ ...env, SESSION_DURATION_SECONDS: 'ten' })).toThrow(
    /whole number/,
  );
});
