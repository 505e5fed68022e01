/**
 * AWS-shaped errors for every sandbox service: the status code and exception name AWS returns, in
 * the wire format of the service's protocol, so unmodified SDK v3 clients raise the same typed
 * exceptions (`err.name`, `err.$metadata.httpStatusCode`) they raise against AWS.
 */
import { randomUUID } from 'node:crypto';

/** Wire protocols used by the services the sandbox stands in for. */
export type Protocol =
  /** awsJson1.1: Cognito user pools and identity pools (`X-Amz-Target`). */
  | 'json'
  /** restJson1: Chime SDK identity and messaging. */
  | 'restJson'
  /** awsQuery: STS (form-encoded request, XML response). */
  | 'query';

export class AwsError extends Error {
  constructor(
    /** Exception name as the SDK sees it, e.g. `NotAuthorizedException`. */
    public readonly code: string,
    message: string,
    public readonly status = 400,
    /** `Sender` (client) or `Receiver` (server) fault, for awsQuery. */
    public readonly fault: 'Sender' | 'Receiver' = status >= 500 ? 'Receiver' : 'Sender',
  ) {
    super(message);
    this.name = 'AwsError';
  }
}

/** The kinds of authentication failure, each mapped to the protocol's own name below. */
export type AuthFailure =
  | 'missing'
  | 'incomplete'
  | 'unknownKey'
  | 'badSignature'
  | 'skew'
  | 'presignExpired'
  | 'expiredToken'
  | 'invalidToken';

/*
 * Names and codes as the services return them: JSON services answer 400, REST services (API
 * Gateway front door) 403, STS (awsQuery) uses its own short codes.
 */
const AUTH_ERRORS: Record<AuthFailure, Record<Protocol, [string, number]>> = {
  missing: {
    json: ['MissingAuthenticationTokenException', 400],
    restJson: ['MissingAuthenticationTokenException', 403],
    query: ['MissingAuthenticationToken', 403],
  },
  incomplete: {
    json: ['IncompleteSignatureException', 400],
    restJson: ['IncompleteSignatureException', 403],
    query: ['IncompleteSignature', 400],
  },
  unknownKey: {
    json: ['UnrecognizedClientException', 400],
    restJson: ['UnrecognizedClientException', 403],
    query: ['InvalidClientTokenId', 403],
  },
  invalidToken: {
    json: ['UnrecognizedClientException', 400],
    restJson: ['UnrecognizedClientException', 403],
    query: ['InvalidClientTokenId', 403],
  },
  badSignature: {
    json: ['InvalidSignatureException', 400],
    restJson: ['InvalidSignatureException', 403],
    query: ['SignatureDoesNotMatch', 403],
  },
  skew: {
    json: ['InvalidSignatureException', 400],
    restJson: ['InvalidSignatureException', 403],
    query: ['SignatureDoesNotMatch', 403],
  },
  presignExpired: {
    json: ['InvalidSignatureException', 400],
    restJson: ['InvalidSignatureException', 403],
    query: ['SignatureDoesNotMatch', 403],
  },
  expiredToken: {
    json: ['ExpiredTokenException', 400],
    restJson: ['ExpiredTokenException', 403],
    query: ['ExpiredToken', 400],
  },
};

export function authError(kind: AuthFailure, protocol: Protocol, message: string): AwsError {
  const [code, status] = AUTH_ERRORS[kind][protocol];
  return new AwsError(code, message, status);
}

/** An IAM denial, named as each service names it. */
export function accessDenied(protocol: Protocol, message: string): AwsError {
  if (protocol === 'query') return new AwsError('AccessDenied', message, 403);
  if (protocol === 'restJson') return new AwsError('ForbiddenException', message, 403);
  return new AwsError('AccessDeniedException', message, 400);
}

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Renders an error the way the protocol's AWS services do. Unknown errors become a 500. */
export function renderError(error: unknown, protocol: Protocol): WireResponse {
  const err =
    error instanceof AwsError
      ? error
      : new AwsError(
          protocol === 'restJson' ? 'ServiceFailureException' : 'InternalFailure',
          'The sandbox failed to process the request.',
          500,
        );
  const requestId = randomUUID();
  if (protocol === 'query') {
    return {
      status: err.status,
      headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
      body:
        `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>` +
        `<Type>${err.fault}</Type><Code>${xmlEscape(err.code)}</Code>` +
        `<Message>${xmlEscape(err.message)}</Message></Error>` +
        `<RequestId>${requestId}</RequestId></ErrorResponse>`,
    };
  }
  if (protocol === 'restJson') {
    // Chime answers with `Code` (the short name) and `Message`; the SDK reads the header.
    return {
      status: err.status,
      headers: {
        'content-type': 'application/json',
        'x-amzn-errortype': err.code,
        'x-amzn-requestid': requestId,
      },
      body: JSON.stringify({ Code: err.code.replace(/Exception$/, ''), Message: err.message }),
    };
  }
  return {
    status: err.status,
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-errortype': err.code,
      'x-amzn-requestid': requestId,
    },
    body: JSON.stringify({ __type: err.code, message: err.message }),
  };
}
