/**
 * SigV4 verification for every sandbox service, as AWS verifies it for any client (AWS SDKs, the
 * AWS CLI / botocore, hand-signed requests), with the signer AWS SDK v3 itself uses
 * (@smithy/signature-v4): the sandbox re-signs exactly the request the caller describes (the
 * headers it signed, its date, its credential scope) with the secret it issued, and compares.
 *
 * - The payload hash is `x-amz-content-sha256` when the client sent it (it must then be the body's
 *   hash), otherwise the hash of the body: only S3 requires the header, and the AWS CLI, botocore
 *   and most non-JS clients do not send it.
 * - `host` must be among the signed headers (header and presigned forms).
 * - The credential scope must name the endpoint's region and service (its signing name: `sts`,
 *   `cognito-idp`, `cognito-identity`, `chime` for both Chime SDK APIs).
 *
 * Checks, in the order the sandbox reports them: authentication present and complete, `host`
 * signed, known access key, session token matches, credentials not expired, scope names the
 * right service and region, date within 5 minutes (header signing) or presigned URL not expired
 * (query signing), payload hash, signature. Messages are AWS's own where known.
 */
import { createHash } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest, QueryParameterBag } from '@smithy/types';
import { authError, type Protocol } from './errors';
import { type CredentialStore, type Session, sameSecret } from './credentials';

export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;
export const MAX_PRESIGN_EXPIRES_S = 7 * 24 * 3600;
const ALGORITHM = 'AWS4-HMAC-SHA256';

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
  /** Signing name the scope must name (`chime`, `cognito-identity`, `cognito-idp`, `sts`...). */
  service: string;
  /** The endpoint's region (the sandbox's, from the template): the scope must name it. */
  region: string;
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
  if (parts.length !== 5) {
    throw authError(
      'incomplete',
      protocol,
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
    );
  }
  const [accessKeyId = '', date = '', region = '', service = '', terminator = ''] = parts;
  if (terminator !== 'aws4_request') {
    throw authError(
      'badSignature',
      protocol,
      `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'. `,
    );
  }
  return { accessKeyId, date, region, service };
}

/**
 * `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`: comma-separated key=value
 * pairs in any order, as AWS accepts them. What is missing is listed in one message, as AWS does.
 */
function parseAuthorizationHeader(
  request: SignedRequest,
  authorization: string,
  protocol: Protocol,
): ParsedAuth {
  const params = new Map<string, string>();
  if (authorization.startsWith(`${ALGORITHM} `)) {
    for (const part of authorization.slice(ALGORITHM.length + 1).split(',')) {
      const pair = part.trim();
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      if (eq < 0) {
        throw authError(
          'incomplete',
          protocol,
          `'${pair}' not a valid key=value pair (missing equal-sign) in Authorization header: '${authorization}'.`,
        );
      }
      params.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  }
  const amzDate = header(request, 'x-amz-date');
  const missing = [
    ...['Credential', 'Signature', 'SignedHeaders']
      // An empty SignedHeaders is present (AWS then asks for `host`); the others must have values.
      .filter((name) => (name === 'SignedHeaders' ? !params.has(name) : !params.get(name)))
      .map((name) => `Authorization header requires '${name}' parameter.`),
    // The `Date` header alternative is not supported by the sandbox (no AWS SDK uses it).
    ...(amzDate
      ? []
      : ["Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."]),
  ];
  if (missing.length > 0) {
    throw authError('incomplete', protocol, `${missing.join(' ')} Authorization=${authorization}`);
  }
  return {
    ...parseScope(params.get('Credential') ?? '', protocol),
    signedHeaders: (params.get('SignedHeaders') ?? '').split(';'),
    signature: params.get('Signature') ?? '',
    amzDate: amzDate ?? '',
    sessionToken: header(request, 'x-amz-security-token'),
    expiresIn: undefined,
  };
}

function parsePresigned(request: SignedRequest, protocol: Protocol): ParsedAuth {
  const credential = queryValue(request, 'X-Amz-Credential');
  const amzDate = queryValue(request, 'X-Amz-Date');
  const signedHeaders = queryValue(request, 'X-Amz-SignedHeaders');
  const signature = queryValue(request, 'X-Amz-Signature');
  const missing = [
    ['X-Amz-Credential', credential],
    ['X-Amz-Date', amzDate],
    ['X-Amz-SignedHeaders', signedHeaders],
    ['X-Amz-Signature', signature],
  ]
    .filter(([name, value]) => (name === 'X-Amz-SignedHeaders' ? value === undefined : !value))
    .map(([name]) => `AWS query-string parameters must include '${name}'.`);
  if (missing.length > 0) {
    throw authError(
      'incomplete',
      protocol,
      `${missing.join(' ')} Re-examine the query-string parameters.`,
    );
  }
  const expires = Number(queryValue(request, 'X-Amz-Expires'));
  if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGN_EXPIRES_S) {
    throw authError(
      'badSignature',
      protocol,
      `X-Amz-Expires must be an integer from 1 to ${MAX_PRESIGN_EXPIRES_S}.`,
    );
  }
  return {
    ...parseScope(credential ?? '', protocol),
    signedHeaders: (signedHeaders ?? '').split(';'),
    signature: signature ?? '',
    amzDate: amzDate ?? '',
    sessionToken: queryValue(request, 'X-Amz-Security-Token'),
    expiresIn: expires,
  };
}

function parse(request: SignedRequest, protocol: Protocol): ParsedAuth {
  const authorization = header(request, 'authorization');
  let auth: ParsedAuth;
  if (authorization) {
    auth = parseAuthorizationHeader(request, authorization, protocol);
  } else if (queryValue(request, 'X-Amz-Algorithm') === ALGORITHM) {
    auth = parsePresigned(request, protocol);
  } else {
    throw authError('missing', protocol, 'Missing Authentication Token');
  }
  // A signature that does not cover the host could be replayed against another endpoint.
  if (!auth.signedHeaders.includes('host')) {
    throw authError(
      'badSignature',
      protocol,
      "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    );
  }
  return auth;
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

function checkScope(auth: ParsedAuth, options: VerifyOptions): void {
  const { protocol } = options;
  if (auth.service !== options.service) {
    throw authError(
      'badSignature',
      protocol,
      `Credential should be scoped to correct service: '${options.service}'. `,
    );
  }
  if (auth.region !== options.region) {
    throw authError('badSignature', protocol, 'Credential should be scoped to a valid region. ');
  }
}

function checkTime(auth: ParsedAuth, signingDate: Date, now: number, protocol: Protocol): void {
  if (auth.date !== auth.amzDate.slice(0, 8)) {
    throw authError(
      'badSignature',
      protocol,
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${auth.amzDate.slice(0, 8)}', from '${auth.amzDate}'.`,
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
    return;
  }
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

/** The signature of the request as the client described it (its signed headers, scope, date). */
async function expectedSignature(
  request: SignedRequest,
  auth: ParsedAuth,
  session: Session,
  signingDate: Date,
  protocol: Protocol,
): Promise<string | undefined> {
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
  // No session token in the signer's credentials and no checksum header: the signer would add
  // them to the request; whether they were signed is the client's choice, read from its list.
  const signer = new SignatureV4({
    credentials: { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey },
    region: auth.region,
    service: auth.service,
    sha256: Sha256,
    applyChecksum: false,
  });
  const signed = new Set(auth.signedHeaders);
  const scope = { signingDate, signingRegion: auth.region, signingService: auth.service };
  if (auth.expiresIn === undefined) {
    const result = await signer.sign(httpRequest, {
      ...scope,
      // Exactly the client's list: headers the SDK never signs (user-agent...) when it did sign
      // them, and not x-amz-date when it did not.
      signableHeaders: signed,
      unsignableHeaders: new Set(signed.has('x-amz-date') ? [] : ['x-amz-date']),
    });
    return /Signature=([0-9a-f]+)/.exec(String(result.headers.authorization ?? ''))?.[1];
  }
  const presigned = await signer.presign(httpRequest, {
    ...scope,
    expiresIn: auth.expiresIn,
    signableHeaders: signed,
    // Signed x-amz-* headers stay headers (the signer would move them into the query).
    unhoistableHeaders: signed,
  });
  const value = presigned.query?.['X-Amz-Signature'];
  return Array.isArray(value) ? value[0] : (value ?? undefined);
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
  checkScope(auth, options);
  const signingDate = parseAmzDate(auth.amzDate, protocol);
  checkTime(auth, signingDate, now, protocol);

  // A declared payload hash must be the body's (only S3 accepts anything else, e.g.
  // UNSIGNED-PAYLOAD); without the header the signer hashes the body itself.
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

  const expected = await expectedSignature(request, auth, session, signingDate, protocol);
  if (!expected || !sameSecret(expected, auth.signature)) {
    throw authError(
      'badSignature',
      protocol,
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
  return { session, region: auth.region, presigned: auth.expiresIn !== undefined };
}
