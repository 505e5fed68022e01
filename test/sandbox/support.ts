/** Shared by the sandbox tests. */
import { ApiError } from '../../contracts/http-api';
import { readRateLimitConfig } from '../../lambdas/lib/http-api/config';
import { USERS_LOOKUP_RATE_SCOPE } from '../../lambdas/lib/users-lookup/config';
import type { AwsCredentials, TestSandbox } from '../../sandbox/testing';

/** Awaits a rejection with this AWS error name (and HTTP status); returns its message. */
export async function expectAwsError(
  promise: Promise<unknown>,
  name: string,
  status?: number,
): Promise<string> {
  const error = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  expect(error?.name).toBe(name);
  if (status !== undefined) expect(error?.$metadata?.httpStatusCode).toBe(status);
  return error?.message ?? '';
}

/** The claims of a JWT (not verified: the token comes from the pool under test). */
export function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

/**
 * A user pool API call with a raw JSON body (what an untyped client can send), unsigned:
 * the HTTP status and the error's `__type` and `message`.
 */
export async function rawCall(
  url: string,
  operation: string,
  body: unknown,
): Promise<{ status: number; type?: string; message?: string; json: Record<string, unknown> }> {
  const response = await fetch(`${url}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSCognitoIdentityProviderService.${operation}`,
    },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  const type = typeof json.__type === 'string' ? json.__type.split('#').at(-1) : undefined;
  return {
    status: response.status,
    ...(type && { type }),
    ...(typeof json.message === 'string' && { message: json.message }),
    json,
  };
}

/**
 * `call` (a contracts/ client of the HTTP API), again while the route throttle refuses it (API
 * Gateway's 429, which has no error code; never the function's own 429 too_many_requests): a
 * burst of a test empties the route's bucket, which refills in a fraction of a second.
 */
export async function pastRouteThrottle<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const throttled = error instanceof ApiError && error.status === 429 && !error.code;
      if (!throttled || attempt > 30) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/**
 * The people-lookup function's rate-limit counters, as that function reaches them: the table its
 * environment names and its own role's credentials (for DynamoDB calls the sandbox authorizes).
 */
export function peopleLookupCounters(sandbox: TestSandbox): {
  readonly tableName: string;
  readonly credentials: AwsCredentials;
  readonly accountId: string;
} {
  const prefix = 'HttpApiUsersLookup';
  const fn = sandbox.lambda.functions.find((f) => f.logicalId.startsWith(prefix));
  if (!fn) throw new Error('the template has no people-lookup function');
  return {
    tableName: readRateLimitConfig(USERS_LOOKUP_RATE_SCOPE, fn.environment).tableName,
    credentials: sandbox.functionRoleCredentials(prefix),
    accountId: fn.functionArn.split(':')[4]!,
  };
}
