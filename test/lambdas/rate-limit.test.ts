/**
 * The per-caller limiter against DynamoDB semantics (dynalite, in memory): the conditional
 * counter, windows, scopes, Retry-After, and failing closed.
 */
import type { AddressInfo, Server } from 'node:net';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import {
  assertValidRateLimit,
  consumeRateLimit,
  RateLimitUnavailableError,
} from '../../lambdas/lib/http-api/rate-limit';

let server: Server;
let dynamodb: DynamoDBClient;
let now = Date.UTC(2030, 0, 1, 12, 0, 10);
const deps = () => ({ dynamodb, tableName: 'limits', now: () => now });
const limit = { scope: 'users', limit: 3, windowSeconds: 60 };

beforeAll(async () => {
  server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  dynamodb = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  await dynamodb.send(
    new CreateTableCommand({
      TableName: 'limits',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
});

afterAll(async () => {
  dynamodb.destroy();
  await new Promise((resolve) => server.close(resolve));
});

test('allows `limit` requests per caller and window, then says when to come back', async () => {
  const results = [];
  for (let i = 0; i < 4; i++) results.push(await consumeRateLimit(deps(), limit, 'alice'));
  expect(results.slice(0, 3).map((r) => r.allowed)).toEqual([true, true, true]);
  expect(results[2]).toEqual({ allowed: true, remaining: 0 });
  expect(results[3]).toEqual({ allowed: false, retryAfterSeconds: 50 });
  // Another caller, and the same caller in another scope, count apart.
  expect((await consumeRateLimit(deps(), limit, 'bob')).allowed).toBe(true);
  expect(
    (await consumeRateLimit(deps(), { ...limit, scope: 'credentials' }, 'alice')).allowed,
  ).toBe(true);
  // The next window starts afresh.
  now += 60_000;
  expect(await consumeRateLimit(deps(), limit, 'alice')).toEqual({ allowed: true, remaining: 2 });
});

test('the counter carries a TTL a minute past its window', async () => {
  now = Date.UTC(2030, 0, 1, 13, 0, 0);
  await consumeRateLimit(deps(), limit, 'carol');
  const windowStart = now / 1000;
  const item = await dynamodb.send(
    new GetItemCommand({ TableName: 'limits', Key: { pk: { S: `users#carol#${windowStart}` } } }),
  );
  expect(item.Item?.requests?.N).toBe('1');
  expect(Number(item.Item?.expiresAt?.N)).toBe(windowStart + 60 + 60);
});

test('fails closed when the table cannot be written; refuses ids that could forge a key', async () => {
  await expect(
    consumeRateLimit({ ...deps(), tableName: 'missing-table' }, limit, 'alice'),
  ).rejects.toBeInstanceOf(RateLimitUnavailableError);
  await expect(consumeRateLimit(deps(), limit, 'a#b')).rejects.toThrow(/no #/);
  expect(() => assertValidRateLimit({ ...limit, limit: 0 })).toThrow(/positive whole number/);
  expect(() => assertValidRateLimit({ ...limit, scope: 'Bad#' })).toThrow(/scope/);
});
