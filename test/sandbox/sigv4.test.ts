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

function signer(secret = session.secretAccessKey, service = 'chime') {
  return new SignatureV4({
    credentials: {
      accessKeyId: session.accessKeyId,
      secretAccessKey: secret,
      sessionToken: session.sessionToken,
    },
    region: 'us-east-1',
    service,
    sha256: Sha256,
  });
}

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
});
