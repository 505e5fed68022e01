/**
 * SigV4 verification for every sandbox service, with the signer AWS SDK v3 itself uses
 * (@smithy/signature-v4): the sandbox re-signs the request the caller describes (its signed
 * headers, its date, its credential scope) with the secret it issued, and compares signatures.
 *
 * Checks, in the order AWS reports them: authentication present, known access key, session token
 * matches, credentials not expired, scope names the right service, date within 5 minutes (header
 * signing) or presigned URL not expired (query signing), signature matches.
 */
import { createHash } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest, QueryParameterBag } from '@smithy/types';
import { authError, type Protocol } from './errors';
import { type CredentialStore, type Session, sameSecret } from './credentials';

export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;
export const MAX_PRESIGN_EXPIRES_S = 7 * 24 * 3600;

/** The parts of an incoming HTTP request the verifier needs. */
export interface SignedRequest {
  method: string;
  /** Raw path as received (still percent-encoded), without the query string. */
  path: string;
  /** Decoded query parameters. */
  query: Record<string, string | string[]>;
  /** Lower-case header names. */
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
}

export interface VerifyOptions {
  /** Signing service the scope must name (`chime`, `cognito-identity`, `sts`, `lambda`...). */
  service: string;
  protocol: Protocol;
  credentials: CredentialStore;
  now?: () => number;
}

export interface VerifiedCaller {
  session: Session;
  region: string;
  /** True when the request was a presigned URL (query signing). */
  presigned: boolean;
}

interface ParsedAuth {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  amzDate: string;
  sessionToken: string | undefined;
  expiresIn: number | undefined;
}

function header(request: SignedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function queryValue(request: SignedRequest, name: string): string | undefined {
  const value = request.query[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseScope(credential: string, protocol: Protocol) {
  const parts = credential.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request') {
    throw authError(
      'badSignature',
      protocol,
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${parts.slice(1).join('/')}'`,
    );
  }
  const [accessKeyId = '', date = '', region = '', service = ''] = parts;
  return { accessKeyId, date, region, service };
}

function parse(request: SignedRequest, protocol: Protocol): ParsedAuth {
  const authorization = header(request, 'authorization');
  if (authorization) {
    const match =
      /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]+)\s*$/.exec(
        authorization,
      );
    if (!match?.[1] || !match[2] || !match[3]) {
      throw authError(
        'badSignature',
        protocol,
        'Authorization header is not a valid SigV4 header.',
      );
    }
    const amzDate = header(request, 'x-amz-date');
    if (!amzDate) {
      throw authError('missing', protocol, 'Authorization header requires an X-Amz-Date header.');
    }
    return {
      ...parseScope(match[1], protocol),
      signedHeaders: match[2].split(';'),
      signature: match[3],
      amzDate,
      sessionToken: header(request, 'x-amz-security-token'),
      expiresIn: undefined,
    };
  }
  if (queryValue(request, 'X-Amz-Algorithm') === 'AWS4-HMAC-SHA256') {
    const credential = queryValue(request, 'X-Amz-Credential');
    const amzDate = queryValue(request, 'X-Amz-Date');
    const signedHeaders = queryValue(request, 'X-Amz-SignedHeaders');
    const signature = queryValue(request, 'X-Amz-Signature');
    const expires = Number(queryValue(request, 'X-Amz-Expires'));
    if (!credential || !amzDate || !signedHeaders || !signature) {
      throw authError('missing', protocol, 'Presigned URL is missing SigV4 query parameters.');
    }
    if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGN_EXPIRES_S) {
      throw authError(
        'badSignature',
        protocol,
        `X-Amz-Expires must be an integer from 1 to ${MAX_PRESIGN_EXPIRES_S}.`,
      );
    }
    return {
      ...parseScope(credential, protocol),
      signedHeaders: signedHeaders.split(';'),
      signature,
      amzDate,
      sessionToken: queryValue(request, 'X-Amz-Security-Token'),
      expiresIn: expires,
    };
  }
  throw authError('missing', protocol, 'Missing Authentication Token');
}

function parseAmzDate(amzDate: string, protocol: Protocol): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!m)
    throw authError('badSignature', protocol, `X-Amz-Date '${amzDate}' is not ISO 8601 basic.`);
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

function basicIso(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** Verifies the request's SigV4 signature and returns the calling session. Throws AwsError. */
export async function verifySigV4(
  request: SignedRequest,
  options: VerifyOptions,
): Promise<VerifiedCaller> {
  const { protocol } = options;
  const now = (options.now ?? Date.now)();
  const auth = parse(request, protocol);

  const session = options.credentials.find(auth.accessKeyId);
  if (!session) {
    throw authError(
      'unknownKey',
      protocol,
      'The security token included in the request is invalid.',
    );
  }
  if (auth.sessionToken === undefined || !sameSecret(auth.sessionToken, session.sessionToken)) {
    throw authError(
      'invalidToken',
      protocol,
      'The security token included in the request is invalid.',
    );
  }
  if (session.expiration <= now) {
    throw authError(
      'expiredToken',
      protocol,
      'The security token included in the request is expired',
    );
  }
  if (auth.service !== options.service) {
    throw authError(
      'badSignature',
      protocol,
      `Credential should be scoped to correct service: '${options.service}'.`,
    );
  }
  const signingDate = parseAmzDate(auth.amzDate, protocol);
  if (auth.date !== auth.amzDate.slice(0, 8)) {
    throw authError(
      'badSignature',
      protocol,
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${auth.amzDate.slice(0, 8)}'`,
    );
  }
  if (auth.expiresIn === undefined) {
    if (Math.abs(now - signingDate.getTime()) > MAX_CLOCK_SKEW_MS) {
      throw authError(
        'skew',
        protocol,
        `Signature expired: ${auth.amzDate} is now earlier than ${basicIso(now - MAX_CLOCK_SKEW_MS)} (${basicIso(now)} - 5 min.)`,
      );
    }
  } else {
    if (signingDate.getTime() - now > MAX_CLOCK_SKEW_MS) {
      throw authError(
        'skew',
        protocol,
        `Signature not yet current: ${auth.amzDate} is still later than ${basicIso(now + MAX_CLOCK_SKEW_MS)}`,
      );
    }
    if (signingDate.getTime() + auth.expiresIn * 1000 < now) {
      throw authError(
        'presignExpired',
        protocol,
        `Signature expired: ${basicIso(signingDate.getTime() + auth.expiresIn * 1000)} is now earlier than ${basicIso(now)}`,
      );
    }
  }

  // The signer trusts a declared payload hash; the body must match it.
  const declaredHash = header(request, 'x-amz-content-sha256');
  if (
    declaredHash !== undefined &&
    declaredHash !== createHash('sha256').update(request.body).digest('hex')
  ) {
    throw authError(
      'badSignature',
      protocol,
      'The provided x-amz-content-sha256 header does not match what was computed.',
    );
  }

  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = header(request, name);
    if (value === undefined) {
      throw authError(
        'badSignature',
        protocol,
        `Signed header '${name}' is missing from the request.`,
      );
    }
    headers[name] = value;
  }
  const query: QueryParameterBag = {};
  for (const [key, value] of Object.entries(request.query)) {
    if (key === 'X-Amz-Signature') continue;
    query[key] = value;
  }
  const httpRequest: HttpRequest = {
    method: request.method,
    protocol: 'http:',
    hostname: (headers.host ?? '').replace(/:\d+$/, ''),
    path: request.path,
    query,
    headers,
    body: request.body,
  };
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: session.accessKeyId,
      secretAccessKey: session.secretAccessKey,
      sessionToken: session.sessionToken,
    },
    region: auth.region,
    service: auth.service,
    sha256: Sha256,
  });
  let expected: string | undefined;
  if (auth.expiresIn === undefined) {
    const signed = await signer.sign(httpRequest, {
      signingDate,
      signingRegion: auth.region,
      signingService: auth.service,
    });
    expected = /Signature=([0-9a-f]+)/.exec(String(signed.headers.authorization ?? ''))?.[1];
  } else {
    const presigned = await signer.presign(httpRequest, {
      signingDate,
      expiresIn: auth.expiresIn,
      signingRegion: auth.region,
      signingService: auth.service,
    });
    const value = presigned.query?.['X-Amz-Signature'];
    expected = Array.isArray(value) ? value[0] : (value ?? undefined);
  }
  if (!expected || !sameSecret(expected, auth.signature)) {
    throw authError(
      'badSignature',
      protocol,
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
  return { session, region: auth.region, presigned: auth.expiresIn !== undefined };
}
