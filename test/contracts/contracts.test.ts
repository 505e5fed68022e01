import fc from 'fast-check';
import {
  API_PATHS,
  ApiError,
  ApiResponseError,
  lookUpUserByEmail,
  parseUserLookupResponse,
} from '../../contracts/http-api';
import {
  CHIME_SESSION_ENDPOINT_ACTION,
  CHIME_USER_MESSAGING_ACTIONS,
  chimeUserPolicyDocument,
} from '../../contracts/chime-user-policy';
import { appInstanceUserArn } from '../../contracts/chime-arns';
import { ClientConfigError, parseClientConfig } from '../../contracts/client-config';
import {
  DEFAULT_PRINCIPAL_TAG_KEY,
  assertValidPrincipalTagKey,
  principalTagVariable,
} from '../../contracts/principal-tag';
import { isChimeSdkMessagingRegion } from '../../contracts/regions';

const APP_INSTANCE_ARN = 'arn:aws:chime:us-east-1:111122223333:app-instance/abc-123';

describe('chimeUserPolicyDocument', () => {
  const document = chimeUserPolicyDocument({
    appInstanceArn: APP_INSTANCE_ARN,
    principalTagKey: DEFAULT_PRINCIPAL_TAG_KEY,
  });

  test('is valid JSON that round-trips', () => {
    expect(JSON.parse(JSON.stringify(document))).toEqual(document);
    expect(document.Version).toBe('2012-10-17');
  });

  test("grants the seed page's actions but the channel-flow ones, each once, no wildcards", () => {
    expect(new Set(CHIME_USER_MESSAGING_ACTIONS).size).toBe(20);
    expect(CHIME_USER_MESSAGING_ACTIONS).toHaveLength(20);
    for (const action of CHIME_USER_MESSAGING_ACTIONS) expect(action).toMatch(/^chime:[A-Z]\w+$/);
    // They need a channel-flow resource the policy never grants: IAM would always refuse them.
    expect(CHIME_USER_MESSAGING_ACTIONS).not.toContain('chime:AssociateChannelFlow');
    expect(CHIME_USER_MESSAGING_ACTIONS).not.toContain('chime:DisassociateChannelFlow');
  });

  test('pins the user resource to the principal tag and keeps the endpoint apart', () => {
    expect(document.Statement).toEqual([
      {
        Sid: 'MessagingSessionEndpoint',
        Effect: 'Allow',
        Action: CHIME_SESSION_ENDPOINT_ACTION,
        Resource: '*',
      },
      {
        Sid: 'MessagingAsOwnAppInstanceUser',
        Effect: 'Allow',
        Action: [...CHIME_USER_MESSAGING_ACTIONS],
        Resource: [
          `${APP_INSTANCE_ARN}/user/\${aws:PrincipalTag/chime_user_id}`,
          `${APP_INSTANCE_ARN}/channel/*`,
        ],
      },
    ]);
  });
});

describe('principal tag key', () => {
  test('the default key is valid and renders the IAM variable literally', () => {
    expect(() => assertValidPrincipalTagKey(DEFAULT_PRINCIPAL_TAG_KEY)).not.toThrow();
    expect(principalTagVariable('k')).toBe('${aws:PrincipalTag/k}');
  });

  test('no accepted key can break out of the IAM variable', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 130 }), (key) => {
        let valid = true;
        try {
          assertValidPrincipalTagKey(key);
        } catch {
          valid = false;
        }
        if (valid) expect(key).not.toMatch(/[${}*?]/);
      }),
    );
  });
});

describe('regions', () => {
  test('knows the Chime SDK messaging regions', () => {
    expect(isChimeSdkMessagingRegion('us-east-1')).toBe(true);
    expect(isChimeSdkMessagingRegion('eu-central-1')).toBe(true);
    expect(isChimeSdkMessagingRegion('eu-west-1')).toBe(false);
  });
});

describe('parseClientConfig', () => {
  const valid = {
    version: 1,
    region: 'us-east-1',
    userPoolId: 'us-east-1_abc',
    userPoolClientId: 'client',
    identityPoolId: 'us-east-1:0000',
    appInstanceArn: APP_INSTANCE_ARN,
    principalTagKey: 'chime_user_id',
    signInFlow: 'USER_PASSWORD_AUTH',
    endpoints: { userPool: 'http://127.0.0.1:9229', identityPool: 'http://127.0.0.1:9230' },
    hostedUi: {
      domain: 'localhost:9443',
      redirectSignIn: ['http://localhost:5173/'],
      redirectSignOut: ['http://localhost:5173/'],
      scopes: ['openid'],
    },
  };

  test('accepts a complete config', () => {
    expect(parseClientConfig(valid)).toEqual(valid);
  });

  test.each([
    [null, /expected a JSON object/],
    [{ ...valid, version: 2 }, /'version' must be 1, got 2/],
    [
      { ...valid, signInFlow: 'CUSTOM' },
      /'signInFlow' must be USER_SRP_AUTH or USER_PASSWORD_AUTH/,
    ],
    [{ ...valid, region: '' }, /'region' must be a non-empty string/],
    [{ ...valid, appInstanceArn: 'arn:aws:s3:::bucket' }, /not an AppInstance ARN/],
    [
      { ...valid, endpoints: { userPool: 'ftp://x' } },
      /'endpoints.userPool' must be an http\(s\) URL/,
    ],
    [
      { ...valid, hostedUi: { ...valid.hostedUi, domain: 'https://x' } },
      /'hostedUi.domain' must not include a scheme/,
    ],
    [
      { ...valid, hostedUi: { ...valid.hostedUi, scopes: [''] } },
      /'hostedUi.scopes' must be an array/,
    ],
  ])('rejects %p', (input, message) => {
    expect(() => parseClientConfig(input)).toThrow(ClientConfigError);
    expect(() => parseClientConfig(input)).toThrow(message);
  });

  test('apiUrl: https, or http on loopback; credentialVendingUrl is <apiUrl>/credentials', () => {
    const api = 'https://abc.execute-api.us-east-1.amazonaws.com/api';
    expect(parseClientConfig({ ...valid, apiUrl: api }).apiUrl).toBe(api);
    expect(parseClientConfig({ ...valid, apiUrl: 'http://127.0.0.1:4579/api' }).apiUrl).toBe(
      'http://127.0.0.1:4579/api',
    );
    expect(
      parseClientConfig({ ...valid, apiUrl: api, credentialVendingUrl: `${api}/credentials` })
        .credentialVendingUrl,
    ).toBe(`${api}/credentials`);
    for (const [input, message] of [
      [{ apiUrl: 'http://api.example.com/api' }, /'apiUrl' must be an https URL/],
      [{ apiUrl: 'https://a.example/api?x=1' }, /without query or fragment/],
      [{ apiUrl: 'not a url' }, /'apiUrl' must be an absolute URL/],
      [{ credentialVendingUrl: 'https://a.example/x' }, /apiUrl is missing/],
      [
        { apiUrl: api, credentialVendingUrl: 'https://evil.example/credentials' },
        /<apiUrl>\/credentials/,
      ],
    ] as const) {
      expect(() => parseClientConfig({ ...valid, ...input })).toThrow(message);
    }
  });

  test('builds AppInstanceUser ARNs', () => {
    expect(appInstanceUserArn(APP_INSTANCE_ARN, 'u-1')).toBe(`${APP_INSTANCE_ARN}/user/u-1`);
  });
});

describe('the HTTP API contract', () => {
  const ARN = `${APP_INSTANCE_ARN}/user/u-1`;

  test('parseUserLookupResponse: a user with exactly the two fields, or null', () => {
    expect(parseUserLookupResponse({ user: null })).toEqual({ user: null });
    expect(
      parseUserLookupResponse({ user: { appInstanceUserArn: ARN, name: 'Bob', email: 'x' } }),
    ).toEqual({ user: { appInstanceUserArn: ARN, name: 'Bob' } });
    for (const bad of [
      {},
      [],
      { user: [] },
      { user: { appInstanceUserArn: 'x', name: 'B' } },
      { user: { appInstanceUserArn: ARN, name: ' ' } },
    ]) {
      expect(() => parseUserLookupResponse(bad)).toThrow(ApiResponseError);
    }
  });

  test('lookUpUserByEmail: GET <apiUrl>/users?email= with the ID token; errors as ApiError', async () => {
    const calls: [string, RequestInit | undefined][] = [];
    const answer =
      (status: number, body: unknown, headers: Record<string, string> = {}) =>
      (input: string, init?: RequestInit) => {
        calls.push([input, init]);
        return Promise.resolve(new Response(JSON.stringify(body), { status, headers }));
      };
    await expect(
      lookUpUserByEmail(
        'https://x/api/',
        'tok',
        'a+b@c.co',
        answer(200, { user: { appInstanceUserArn: ARN, name: 'A' } }),
      ),
    ).resolves.toEqual({ appInstanceUserArn: ARN, name: 'A' });
    expect(calls[0]![0]).toBe(
      `https://x${API_PATHS.users.replace('/users', '/api/users')}?email=a%2Bb%40c.co`,
    );
    expect(calls[0]![1]).toMatchObject({ method: 'GET', headers: { Authorization: 'Bearer tok' } });
    await expect(
      lookUpUserByEmail(
        'https://x/api',
        't',
        'a@b.co',
        answer(429, { error: 'too_many_requests', message: 'slow' }, { 'retry-after': '12' }),
      ),
    ).rejects.toMatchObject({ status: 429, code: 'too_many_requests', retryAfterSeconds: 12 });
    await expect(
      lookUpUserByEmail('https://x/api', 't', 'a@b.co', answer(401, { message: 'Unauthorized' })),
    ).rejects.toEqual(new ApiError(401, undefined, 'Unauthorized'));
  });
});
