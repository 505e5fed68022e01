/** SigV4 verification: requests signed by the SDK's own signer, then altered one way at a time. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import { CredentialStore, type Session } from '../../sandbox/core/credentials';
import { AwsError } from '../../sandbox/core/errors';
import { type SignedRequest, verifySigV4 } from '../../sandbox/core/sigv4';
import { SandboxState } from '../../sandbox/core/state';

const dir = mkdtempSync(join(tmpdir(), 'sigv4-test-'));
const credentials = new CredentialStore(new SandboxState(dir));
let session: Session;

beforeAll(() => {
  session = credentials.issue({
    roleArn: 'arn:aws:iam::000000000000:role/TestRole',
    roleSessionName: 'test',
    durationSeconds: 3600,
    issuedBy: 'test',
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function signer(
  secret = session.secretAccessKey,
  service = 'chime',
  { region = 'us-east-1', applyChecksum = true } = {},
) {
  return new SignatureV4({
    credentials: {
      accessKeyId: session.accessKeyId,
      secretAccessKey: secret,
      sessionToken: session.sessionToken,
    },
    region,
    service,
    sha256: Sha256,
    applyChecksum,
  });
}

/** botocore (AWS CLI v2, boto3): no x-amz-content-sha256, and its own header set. */
const botocoreStyle = () => signer(session.secretAccessKey, 'chime', { applyChecksum: false });

function request(body = '{"Name":"x"}'): HttpRequest {
  return {
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 4577,
    path: '/app-instance-users/arn%3Aaws%3Achime%3Aus-east-1%3A000000000000%3Aapp-instance%2Fx',
    query: { 'max-results': '5' },
    headers: { host: '127.0.0.1:4577', 'content-type': 'application/json' },
    body,
  };
}

function asIncoming(signed: HttpRequest, body = String(signed.body ?? '')): SignedRequest {
  return {
    method: signed.method,
    path: signed.path,
    query: signed.query as Record<string, string>,
    headers: Object.fromEntries(
      Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]),
    ),
    body: Buffer.from(body),
  };
}

const verify = (req: SignedRequest, now?: number) =>
  verifySigV4(req, {
    service: 'chime',
    region: 'us-east-1',
    protocol: 'restJson',
    credentials,
    ...(now !== undefined && { now: () => now }),
  });

async function failure(promise: Promise<unknown>): Promise<AwsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AwsError);
  return error as AwsError;
}

describe('verifySigV4', () => {
  it('accepts a request signed with the issued secret and returns the session', async () => {
    const signed = await signer().sign(request());
    const caller = await verify(asIncoming(signed));
    expect(caller.session.accessKeyId).toBe(session.accessKeyId);
    expect(caller).toMatchObject({ region: 'us-east-1', presigned: false });
  });

  it('refuses a changed body, a wrong secret and a changed query', async () => {
    const signed = await signer().sign(request());
    expect((await failure(verify(asIncoming(signed, '{"Name":"y"}')))).code).toBe(
      'InvalidSignatureException',
    );
    const wrongSecret = await signer('not-the-secret').sign(request());
    expect((await failure(verify(asIncoming(wrongSecret)))).status).toBe(403);
    const changedQuery = asIncoming(signed);
    changedQuery.query['max-results'] = '50';
    expect((await failure(verify(changedQuery))).code).toBe('InvalidSignatureException');
  });

  it('refuses a signature scoped to another service', async () => {
    const signed = await signer(session.secretAccessKey, 'sts').sign(request());
    expect((await failure(verify(asIncoming(signed)))).message).toMatch(
      /scoped to correct service/,
    );
  });

  it('refuses a request dated more than 5 minutes away', async () => {
    const signed = await signer().sign(request());
    const error = await failure(verify(asIncoming(signed), Date.now() + 6 * 60_000));
    expect(error.code).toBe('InvalidSignatureException');
    expect(error.message).toMatch(/Signature expired/);
  });

  it('refuses a missing Authorization, with the protocol names', async () => {
    const error = await failure(
      verifySigV4(asIncoming(request()), {
        service: 'sts',
        region: 'us-east-1',
        protocol: 'query',
        credentials,
      }),
    );
    expect(error.code).toBe('MissingAuthenticationToken');
  });

  it('accepts a presigned URL until it expires', async () => {
    const presigned = await signer().presign(
      { ...request(''), method: 'GET', headers: { host: '127.0.0.1:4577' } },
      { expiresIn: 60 },
    );
    const incoming = asIncoming(presigned, '');
    await expect(verify(incoming)).resolves.toMatchObject({ presigned: true });
    const later = await failure(verify(incoming, Date.now() + 61_000 + 60_000));
    expect(later.message).toMatch(/Signature expired/);
  });

  it('refuses an unknown key, a wrong session token and expired credentials', async () => {
    const signed = await signer().sign(request());
    const unknown = asIncoming(signed);
    unknown.headers.authorization = String(unknown.headers.authorization).replace(
      session.accessKeyId,
      'ASIAUNKNOWN000000000',
    );
    expect((await failure(verify(unknown))).code).toBe('UnrecognizedClientException');
    const wrongToken = asIncoming(signed);
    wrongToken.headers['x-amz-security-token'] = 'bm90LWl0';
    expect((await failure(verify(wrongToken))).code).toBe('UnrecognizedClientException');
    expect((await failure(verify(asIncoming(signed), session.expiration + 1000))).code).toBe(
      'ExpiredTokenException',
    );
  });

  it('accepts a request signed without x-amz-content-sha256 (botocore, the AWS CLI)', async () => {
    const signed = await botocoreStyle().sign(request());
    expect(signed.headers['x-amz-content-sha256']).toBeUndefined();
    await expect(verify(asIncoming(signed))).resolves.toMatchObject({ presigned: false });
    // The payload hash is still part of the canonical request: a changed body is refused.
    expect((await failure(verify(asIncoming(signed, '{"Name":"y"}')))).code).toBe(
      'InvalidSignatureException',
    );
  });

  it('accepts whatever header set the client signed, user-agent and amz-sdk-* included', async () => {
    const withExtras: HttpRequest = {
      ...request(),
      headers: {
        ...request().headers,
        'user-agent': 'aws-cli/2.9.19 Python/3.11.2',
        'amz-sdk-invocation-id': 'a6f3e1c2-0000-4000-8000-000000000000',
        'x-amz-target': 'AWSCognitoIdentityProviderService.AdminGetUser',
      },
    };
    const signed = await botocoreStyle().sign(withExtras, {
      signableHeaders: new Set(['user-agent']),
    });
    expect(String(signed.headers.authorization)).toMatch(/SignedHeaders=[^,]*user-agent/);
    await expect(verify(asIncoming(signed))).resolves.toBeDefined();
    // An unsigned header may change; a signed one may not.
    const changedUnsigned = asIncoming(signed);
    changedUnsigned.headers['cache-control'] = 'no-cache';
    await expect(verify(changedUnsigned)).resolves.toBeDefined();
    const changedSigned = asIncoming(signed);
    changedSigned.headers['user-agent'] = 'something-else';
    expect((await failure(verify(changedSigned))).code).toBe('InvalidSignatureException');
  });

  it('refuses a declared x-amz-content-sha256 that is not the body hash', async () => {
    const signed = await signer().sign({
      ...request(),
      headers: { ...request().headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    });
    const error = await failure(verify(asIncoming(signed)));
    expect(error.code).toBe('InvalidSignatureException');
    expect(error.message).toMatch(/x-amz-content-sha256/);
  });

  it('refuses a credential scoped to another region, as AWS words it', async () => {
    for (const region of ['eu-west-3', 'zz-fake-9']) {
      const signed = await signer(session.secretAccessKey, 'chime', { region }).sign(request());
      const error = await failure(verify(asIncoming(signed)));
      expect(error).toMatchObject({
        code: 'InvalidSignatureException',
        status: 403,
        message: 'Credential should be scoped to a valid region. ',
      });
    }
    const presigned = await signer(session.secretAccessKey, 'chime', {
      region: 'eu-west-3',
    }).presign({ ...request(''), method: 'GET', headers: { host: '127.0.0.1:4577' } });
    expect((await failure(verify(asIncoming(presigned, '')))).message).toBe(
      'Credential should be scoped to a valid region. ',
    );
  });

  it('names the service and region errors per protocol (JSON 400, STS SignatureDoesNotMatch)', async () => {
    const signed = await signer(session.secretAccessKey, 'sts', { region: 'eu-west-3' }).sign(
      request(),
    );
    const error = await failure(
      verifySigV4(asIncoming(signed), {
        service: 'sts',
        region: 'us-east-1',
        protocol: 'query',
        credentials,
      }),
    );
    expect(error).toMatchObject({ code: 'SignatureDoesNotMatch', status: 403 });
    const wrongService = await failure(
      verifySigV4(asIncoming(await signer().sign(request())), {
        service: 'cognito-idp',
        region: 'us-east-1',
        protocol: 'json',
        credentials,
      }),
    );
    expect(wrongService).toMatchObject({
      code: 'InvalidSignatureException',
      status: 400,
      message: "Credential should be scoped to correct service: 'cognito-idp'. ",
    });
  });

  it('requires host among the signed headers (header and presigned forms)', async () => {
    const signed = await signer().sign(request(), { unsignableHeaders: new Set(['host']) });
    expect(String(signed.headers.authorization)).not.toMatch(/SignedHeaders=[^,]*host/);
    const error = await failure(verify(asIncoming(signed)));
    expect(error).toMatchObject({
      code: 'InvalidSignatureException',
      message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    });
    const presigned = await signer().presign(
      { ...request(''), method: 'GET', headers: { host: '127.0.0.1:4577' } },
      { unsignableHeaders: new Set(['host']) },
    );
    expect(presigned.query?.['X-Amz-SignedHeaders']).not.toMatch(/host/);
    expect((await failure(verify(asIncoming(presigned, '')))).message).toMatch(
      /'Host' or ':authority' must be a 'SignedHeader'/,
    );
  });

  it('answers an incomplete Authorization header with IncompleteSignature and what is missing', async () => {
    const req = asIncoming(await signer().sign(request()));
    req.headers.authorization = 'AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date';
    const error = await failure(verify(req));
    expect(error).toMatchObject({ code: 'IncompleteSignatureException', status: 403 });
    expect(error.message).toContain("Authorization header requires 'Credential' parameter.");
    expect(error.message).toContain("Authorization header requires 'Signature' parameter.");
    expect(error.message).not.toContain("requires 'SignedHeaders'");
    const query = await failure(
      verifySigV4(req, { service: 'chime', region: 'us-east-1', protocol: 'query', credentials }),
    );
    expect(query).toMatchObject({ code: 'IncompleteSignature', status: 400 });
    const undated = asIncoming(await signer().sign(request()));
    delete undated.headers['x-amz-date'];
    expect((await failure(verify(undated))).message).toContain(
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    );
  });
});
