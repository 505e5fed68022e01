import { fetchAuthSession } from 'aws-amplify/auth';
import { parseClientConfig } from '../../contracts/client-config';
import { CredentialProvider, CredentialsError } from '../../web-demo/src/credentials';

jest.mock('aws-amplify/auth', () => ({ fetchAuthSession: jest.fn() }));
const session = fetchAuthSession as jest.MockedFunction<typeof fetchAuthSession>;

const API_URL = 'https://chat.example.com/api';
const VENDING_URL = `${API_URL}/credentials`;
const config = parseClientConfig({
  version: 1,
  region: 'us-east-1',
  userPoolId: 'us-east-1_abc',
  userPoolClientId: 'client',
  identityPoolId: 'us-east-1:0000',
  appInstanceArn: 'arn:aws:chime:us-east-1:111122223333:app-instance/abc',
  principalTagKey: 'chime_user_id',
  signInFlow: 'USER_SRP_AUTH',
  apiUrl: API_URL,
  credentialVendingUrl: VENDING_URL,
});
const USER_ARN = 'arn:aws:chime:us-east-1:111122223333:app-instance/abc/user/sub-1';

function vendedBody(accessKeyId: string, expiresInMs: number) {
  return {
    credentials: {
      accessKeyId,
      secretAccessKey: 'secret',
      sessionToken: 'token',
      expiration: new Date(Date.now() + expiresInMs).toISOString(),
    },
    appInstanceUserArn: USER_ARN,
  };
}

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

beforeEach(() => {
  session.mockReset();
  session.mockResolvedValue({
    tokens: {
      idToken: { toString: () => 'id-token', payload: {} },
      accessToken: { toString: () => 'access-token', payload: {} },
    },
    credentials: {
      accessKeyId: 'ASIAPOOL',
      secretAccessKey: 's',
      sessionToken: 't',
      expiration: new Date(Date.now() + 3_600_000),
    },
    identityId: 'us-east-1:id',
  });
});

describe('CredentialProvider', () => {
  it('asks Amplify on every call by default (Amplify caches and refreshes)', async () => {
    const provider = new CredentialProvider(config, jest.fn());
    const seen: string[] = [];
    provider.onChange((info) => seen.push(`${info.source}:${info.accessKeyId}`));
    await expect(provider.provide()).resolves.toMatchObject({ accessKeyId: 'ASIAPOOL' });
    await provider.provide();
    expect(session).toHaveBeenCalledTimes(2);
    expect(seen).toEqual(['identityPool:ASIAPOOL']);
    expect(provider.info).toMatchObject({ source: 'identityPool', accessKeyId: 'ASIAPOOL' });
    expect(JSON.stringify(provider.info)).not.toMatch(/secret|token/i);
  });

  it('fails clearly when the identity pool gives no credentials', async () => {
    session.mockResolvedValue({});
    await expect(new CredentialProvider(config, jest.fn()).provide()).rejects.toThrow(
      CredentialsError,
    );
  });

  it('posts the access token to the vending API and caches until shortly before expiry', async () => {
    const fetchImpl = jest
      .fn<Promise<Response>, Parameters<typeof fetch>>()
      .mockResolvedValueOnce(jsonResponse(200, vendedBody('ASIAVEND1', 3_600_000)))
      .mockResolvedValueOnce(jsonResponse(200, vendedBody('ASIAVEND2', 3_600_000)));
    const provider = new CredentialProvider(config, fetchImpl);
    provider.use('vending');
    const first = await provider.provide();
    expect(first).toMatchObject({ accessKeyId: 'ASIAVEND1', sessionToken: 'token' });
    expect(first.expiration).toBeInstanceOf(Date);
    await provider.provide();
    expect(fetchImpl).toHaveBeenCalledTimes(1);
    expect(fetchImpl).toHaveBeenCalledWith(VENDING_URL, {
      method: 'POST',
      headers: { Authorization: 'Bearer access-token' },
    });
    expect(provider.info).toMatchObject({ source: 'vending', appInstanceUserArn: USER_ARN });
  });

  it('fetches again when the vended credentials are about to expire', async () => {
    const fetchImpl = jest
      .fn<Promise<Response>, Parameters<typeof fetch>>()
      .mockResolvedValueOnce(jsonResponse(200, vendedBody('ASIAOLD', 30_000)))
      .mockResolvedValueOnce(jsonResponse(200, vendedBody('ASIANEW', 3_600_000)));
    const provider = new CredentialProvider(config, fetchImpl);
    provider.use('vending');
    await provider.provide();
    await expect(provider.provide()).resolves.toMatchObject({ accessKeyId: 'ASIANEW' });
  });

  it("reports the API's refusal and rejects a malformed body", async () => {
    const refusing = new CredentialProvider(config, () =>
      Promise.resolve(jsonResponse(401, { error: 'invalid_token', message: 'token expired' })),
    );
    refusing.use('vending');
    await expect(refusing.provide()).rejects.toThrow(
      'the credential-vending API refused: token expired',
    );
    const malformed = new CredentialProvider(config, () =>
      Promise.resolve(jsonResponse(200, { credentials: {} })),
    );
    malformed.use('vending');
    await expect(malformed.provide()).rejects.toThrow(/invalid credential-vending response/);
  });

  it('refuses the vending source when no API is configured', () => {
    const { credentialVendingUrl: _, ...withoutVending } = config;
    const provider = new CredentialProvider(parseClientConfig(withoutVending), jest.fn());
    expect(() => provider.use('vending')).toThrow(/no credential-vending API is configured/);
  });
});
