import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';

/** A payload format 2.0 event as API Gateway sends it after its JWT authorizer accepted the token. */
export function httpApiEvent(options: {
  routeKey: string;
  claims: Record<string, string>;
  rawQueryString?: string;
  authorization?: string;
}): APIGatewayProxyEventV2WithJWTAuthorizer {
  const [method = 'GET', path = '/'] = options.routeKey.split(' ');
  return {
    version: '2.0',
    routeKey: options.routeKey,
    rawPath: `/api${path}`,
    rawQueryString: options.rawQueryString ?? '',
    headers: options.authorization ? { authorization: options.authorization } : {},
    requestContext: {
      accountId: '123456789012',
      apiId: 'api123',
      authorizer: {
        principalId: '',
        integrationLatency: 0,
        jwt: { claims: options.claims, scopes: [] },
      },
      domainName: 'api123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'api123',
      http: {
        method,
        path: `/api${path}`,
        protocol: 'HTTP/1.1',
        sourceIp: '192.0.2.1',
        userAgent: 'test',
      },
      requestId: 'req-1',
      routeKey: options.routeKey,
      stage: 'api',
      time: '01/Jan/2030:00:00:00 +0000',
      timeEpoch: 1893456000000,
    },
    isBase64Encoded: false,
  };
}

/** A Logger stand-in that keeps every line (to assert what is, and is not, logged). */
export function recordingLogger() {
  const lines: { level: string; message: string; extra: unknown }[] = [];
  const log =
    (level: string) =>
    (message: unknown, ...extra: unknown[]) => {
      lines.push({ level, message: String(message), extra: extra[0] });
    };
  const logger = { info: log('info'), warn: log('warn'), error: log('error') };
  return { lines, logger: logger as unknown as Pick<Logger, 'info' | 'warn' | 'error'> };
}
