import type { Logger } from '@aws-lambda-powertools/logger';
import { type RateDecision, RateLimitUnavailableError } from './rate-limit';
import { errorResponse, type RouteResponse } from './responses';
import { errorNameOf } from '../errors';

/** The largest JSON body a route reads (its own bodies are far smaller). */
export const MAX_JSON_BODY_BYTES = 8 * 1024;

/** The request body is missing, too large or not JSON. */
export class RequestBodyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RequestBodyError';
  }
}

/** The parsed JSON body of a payload format 2.0 event (API Gateway base64-encodes binary bodies). */
export function jsonBodyOf(
  body: string | undefined,
  isBase64Encoded: boolean | undefined,
): unknown {
  if (body === undefined || body === '') throw new RequestBodyError('a JSON body is required');
  const text = isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
  if (Buffer.byteLength(text) > MAX_JSON_BODY_BYTES) {
    throw new RequestBodyError(`the body is larger than ${MAX_JSON_BODY_BYTES} bytes`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new RequestBodyError('the body is not valid JSON');
  }
}

/** The Logger methods a route core uses (the project's Powertools Logger, or a spy in tests). */
export type RouteLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

/**
 * Counts one request against a per-caller limit; answers the refusal (429 with `Retry-After`, or
 * 503 when the table fails: fail closed), or undefined when the request may go on.
 */
export async function refusalOfRateLimit(
  consume: () => Promise<RateDecision>,
  logger: RouteLogger,
  logFields: Record<string, unknown>,
): Promise<RouteResponse | undefined> {
  let decision: RateDecision;
  try {
    decision = await consume();
  } catch (error) {
    logger.error('rate-limit table unavailable', {
      ...logFields,
      errorName: error instanceof RateLimitUnavailableError ? error.errorName : errorNameOf(error),
    });
    return errorResponse(503, 'service_unavailable', 'try again later');
  }
  if (decision.allowed) return undefined;
  logger.warn('rate limit reached', logFields);
  return errorResponse(429, 'too_many_requests', 'too many requests; try again later', {
    retryAfterSeconds: decision.retryAfterSeconds,
  });
}
