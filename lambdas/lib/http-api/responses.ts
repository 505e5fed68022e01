import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ApiErrorBody, ApiErrorCode } from '../../../contracts/http-api';

/** What a route handler returns: the payload format 2.0 result API Gateway sends on. */
export type RouteResponse = APIGatewayProxyStructuredResultV2 & {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
};

/** Answers about people and credentials are personal: never cached by a browser or CloudFront. */
const NO_STORE = {
  'content-type': 'application/json',
  'cache-control': 'no-store',
} as const;

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): RouteResponse {
  return { statusCode, headers: { ...NO_STORE, ...headers }, body: JSON.stringify(body) };
}

/**
 * An error in the API's {@link ApiErrorBody} shape. A 401 names the Bearer scheme (RFC 6750); a
 * 429 says when to come back (`Retry-After`, seconds).
 */
export function errorResponse(
  statusCode: number,
  error: ApiErrorCode,
  message: string,
  options: { retryAfterSeconds?: number } = {},
): RouteResponse {
  const body: ApiErrorBody = { error, message };
  const headers: Record<string, string> = {};
  if (statusCode === 401) headers['www-authenticate'] = 'Bearer error="invalid_token"';
  if (options.retryAfterSeconds !== undefined) {
    headers['retry-after'] = String(options.retryAfterSeconds);
  }
  return jsonResponse(statusCode, body, headers);
}
