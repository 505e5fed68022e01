import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { Context, LambdaFunctionURLEvent, LambdaFunctionURLHandler } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import {
  createTestIssuer,
  idTokenClaims,
  type TestIssuer,
} from '../../testing/lambdas/credential-vending-tokens';

/**
 * The deployed entry point, configured only by environment variables as the stack sets them, with
 * the identity provider's JWKS served over loopback http (as the local sandbox's user pool does).
 */
const CLIENT_ID = 'sandboxclient';
const ALICE = 'b7a1c0de-2222-4c3d-8e9f-abcdefabcdef';
const sts = mockClient(STSClient);
let server: Server;
let idp: TestIssuer;
let jwksRequests = 0;
let handler: LambdaFunctionURLHandler;

beforeAll(async () => {
  server = createServer((req, res) => {
    jwksRequests += 1;
    if (req.url === '/local_pool/.well-known/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(idp.jwks));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  idp = createTestIssuer(`http://127.0.0.1:${port}/local_pool`);
  Object.assign(process.env, {
    USER_ROLE_ARN: 'arn:aws:iam::123456789012:role/VendingUser',
    PRINCIPAL_TAG_KEY: 'chime_user_id',
    APP_INSTANCE_ARN: 'arn:aws:chime:us-east-1:123456789012:app-instance/local',
    SESSION_DURATION_SECONDS: '900',
    TOKEN_ISSUER_KIND: 'oidc',
    OIDC_ISSUER: idp.issuer,
    OIDC_AUDIENCE: CLIENT_ID,
    AWS_REGION: 'us-east-1',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  ({ handler } = await import('../../lambdas/credential-vending'));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  sts.reset();
  sts.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: 'ASIALOCAL',
      SecretAccessKey: 'secret',
      SessionToken: 'session',
      Expiration: new Date(Date.now() + 900_000),
    },
  });
});

function urlEvent(method: string, headers: Record<string, string>): LambdaFunctionURLEvent {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers,
    isBase64Encoded: false,
    requestContext: {
      accountId: 'anonymous',
      apiId: 'abc',
      domainName: 'abc.lambda-url.us-east-1.on.aws',
      domainPrefix: 'abc',
      http: { method, path: '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
      requestId: 'r-1',
      routeKey: '$default',
      stage: '$default',
      time: '01/Jan/2030:00:00:00 +0000',
      timeEpoch: 0,
    },
  };
}

const invoke = async (method: string, headers: Record<string, string>) =>
  (await handler(urlEvent(method, headers), {} as Context, () => undefined)) as {
    statusCode: number;
    headers: Record<string, string>;
    body: string;
  };

describe('credential-vending handler (function URL)', () => {
  it('vends credentials for a token of the configured issuer, fetching its keys once', async () => {
    const token = idp.sign(idTokenClaims(idp.issuer, CLIENT_ID, ALICE));

    const first = await invoke('POST', { authorization: `Bearer ${token}` });
    const second = await invoke('POST', { authorization: `Bearer ${token}` });

    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    expect(JSON.parse(first.body)).toMatchObject({
      appInstanceUserArn: `arn:aws:chime:us-east-1:123456789012:app-instance/local/user/${ALICE}`,
      credentials: { accessKeyId: 'ASIALOCAL' },
    });
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: 'arn:aws:iam::123456789012:role/VendingUser',
      DurationSeconds: 900,
      Tags: [{ Key: 'chime_user_id', Value: ALICE }],
    });
    expect(jwksRequests).toBe(1);
  });

  it('refuses a request without a token, and a token of another audience', async () => {
    const foreign = idp.sign(idTokenClaims(idp.issuer, 'otherclient', ALICE));
    const missing = await invoke('POST', {});
    const wrong = await invoke('POST', { authorization: `Bearer ${foreign}` });
    expect([missing.statusCode, wrong.statusCode]).toEqual([401, 401]);
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });
});
