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
import { PASSWORD_POLICY, passwordRules } from '../../contracts/password-policy';
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
    localSandbox: {
      codesUrl: 'http://127.0.0.1:4577/_sandbox/codes',
      hostedUiUrl: 'https://127.0.0.1:4578/',
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
    [{ ...valid, localSandbox: 'yes' }, /'localSandbox' must be an object/],
    [
      { ...valid, localSandbox: { codesUrl: 'https://evil.example/codes' } },
      /'localSandbox.codesUrl' must be an http\(s\):\/\/ URL on 127.0.0.1 or localhost/,
    ],
    [
      { ...valid, localSandbox: { codesUrl: 'javascript:alert(1)' } },
      /'localSandbox.codesUrl' must be an http\(s\):\/\/ URL on 127.0.0.1/,
    ],
    [
      { ...valid, localSandbox: { ...valid.localSandbox, hostedUiUrl: 'http://127.0.0.1:4578/' } },
      /'localSandbox.hostedUiUrl' must be an https:\/\/ URL/,
    ],
  ])('rejects %p', (input, message) => {
    expect(() => parseClientConfig(input)).toThrow(ClientConfigError);
    expect(() => parseClientConfig(input)).toThrow(message);
  });

  test('the local sandbox block is optional (absent on AWS)', () => {
    const { localSandbox: _omitted, ...onAws } = valid;
    expect(parseClientConfig(onAws)).not.toHaveProperty('localSandbox');
    expect(
      parseClientConfig({ ...onAws, localSandbox: { codesUrl: 'http://localhost:1/c' } }),
    ).toMatchObject({ localSandbox: { codesUrl: 'http://localhost:1/c' } });
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

  test('messagingSessionEndpoint: a host, or a wss:// URL read as its host; absent by default', () => {
    expect(parseClientConfig(valid)).not.toHaveProperty('messagingSessionEndpoint');
    const host = 'node001.ue1.ws-messaging.chime.aws';
    for (const [input, expected] of [
      [host, host],
      ['127.0.0.1:4631', '127.0.0.1:4631'],
      [`wss://${host}`, host],
      [`wss://${host}/`, host],
      [`wss://${host}/connect`, host],
      [`https://${host}:8443/`, `${host}:8443`],
    ] as const) {
      expect(parseClientConfig({ ...valid, messagingSessionEndpoint: input })).toMatchObject({
        messagingSessionEndpoint: expected,
      });
    }
    for (const bad of [
      'http://node001.example/',
      'wss://user:pw@node001.example/',
      'wss://node001.example/?x=1',
      'javascript:alert(1)',
      'a b',
      'host:99999999',
      'node001.example/connect',
    ]) {
      expect(() => parseClientConfig({ ...valid, messagingSessionEndpoint: bad })).toThrow(
        `'messagingSessionEndpoint' must be a host (name or name:port, as GetMessagingSessionEndpoint answers) or a wss:// URL without query, got ${JSON.stringify(bad)}`,
      );
    }
    expect(() => parseClientConfig({ ...valid, messagingSessionEndpoint: '' })).toThrow(
      /'messagingSessionEndpoint' must be a non-empty string/,
    );
    expect(() => parseClientConfig({ ...valid, messagingSessionEndpoint: 42 })).toThrow(
      /'messagingSessionEndpoint' must be a non-empty string/,
    );
  });

  test('builds AppInstanceUser ARNs', () => {
    expect(appInstanceUserArn(APP_INSTANCE_ARN, 'u-1')).toBe(`${APP_INSTANCE_ARN}/user/u-1`);
  });
});

describe('password policy', () => {
  test('the rules a person sees are the policy the user pool enforces', () => {
    expect(PASSWORD_POLICY).toEqual({
      minLength: 12,
      requireLowercase: true,
      requireUppercase: true,
      requireDigits: true,
      requireSymbols: true,
    });
    expect(passwordRules('').map((r) => [r.id, r.met])).toEqual([
      ['length', false],
      ['lowercase', false],
      ['uppercase', false],
      ['digit', false],
      ['symbol', false],
    ]);
    expect(passwordRules('Sandbox-Passw0rd!').every((r) => r.met)).toBe(true);
    expect(passwordRules('short A1!').find((r) => r.id === 'length')?.met).toBe(false);
    // A space between characters is one of Cognito's symbols.
    expect(passwordRules('with space').find((r) => r.id === 'symbol')?.met).toBe(true);
    expect(passwordRules(' edges ').find((r) => r.id === 'symbol')?.met).toBe(false);
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
