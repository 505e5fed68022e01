/**
 * The sandbox's DynamoDB (sandbox/services/dynamodb): dynalite behind SigV4 and the caller's role
 * policies, started by the first call. Driven by the handlers' own rate-limit code
 * (lambdas/lib/http-api/rate-limit.ts) with the people-lookup function's role, as the deployed
 * function calls DynamoDB.
 */
import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { consumeRateLimit, rateLimitKeyPrefix } from '../../lambdas/lib/http-api/rate-limit';
import { USERS_LOOKUP_RATE_SCOPE } from '../../lambdas/lib/users-lookup/config';
import { startTestSandbox, type TestSandbox } from '../../sandbox/testing';
import { peopleLookupCounters } from './support';

let sandbox: TestSandbox;
let dynamodb: DynamoDBClient;
let tableName: string;
let accountId: string;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  const counters = peopleLookupCounters(sandbox);
  ({ tableName, accountId } = counters);
  dynamodb = new DynamoDBClient({
    region: sandbox.config.region,
    endpoint: sandbox.url,
    credentials: counters.credentials,
  });
}, 120_000);

afterAll(async () => {
  dynamodb?.destroy();
  await sandbox?.stop();
});

const limit = { scope: USERS_LOOKUP_RATE_SCOPE, limit: 5, windowSeconds: 60 };
const NOW = Date.UTC(2026, 11, 7, 12, 0, 30);

test('concurrent first calls share one start: every request is counted once, the limit holds', async () => {
  // The sandbox has not served DynamoDB yet: these are its first calls, all at once.
  const decisions = await Promise.all(
    Array.from({ length: 7 }, () =>
      consumeRateLimit({ dynamodb, tableName, now: () => NOW }, limit, 'caller-a'),
    ),
  );
  expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
  expect(decisions.filter((d) => !d.allowed)).toEqual([
    { allowed: false, retryAfterSeconds: 30 },
    { allowed: false, retryAfterSeconds: 30 },
  ]);
  // Another caller has an allowance of its own.
  await expect(
    consumeRateLimit({ dynamodb, tableName, now: () => NOW }, limit, 'caller-b'),
  ).resolves.toEqual({ allowed: true, remaining: 4 });
});

test("a key outside the role's scope is refused by IAM (dynamodb:LeadingKeys), before DynamoDB", async () => {
  const foreignKey = `${rateLimitKeyPrefix('credentials')}caller-a#0`;
  await expect(
    dynamodb.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { pk: { S: foreignKey } },
        UpdateExpression: 'ADD #count :one',
        ExpressionAttributeNames: { '#count': 'requests' },
        ExpressionAttributeValues: { ':one': { N: '1' } },
      }),
    ),
  ).rejects.toMatchObject({ name: 'AccessDeniedException' });
});

test('an operation the role does not have is refused', async () => {
  const key = { pk: { S: `${rateLimitKeyPrefix(USERS_LOOKUP_RATE_SCOPE)}caller-a#0` } };
  await expect(
    dynamodb.send(new GetItemCommand({ TableName: tableName, Key: key })),
  ).rejects.toMatchObject({ name: 'AccessDeniedException' });
});

/** One rate-limit style UpdateItem on `table` with `client`. */
function countIn(client: DynamoDBClient, table: string) {
  return client.send(
    new UpdateItemCommand({
      TableName: table,
      Key: { pk: { S: `${rateLimitKeyPrefix(USERS_LOOKUP_RATE_SCOPE)}caller-a#0` } },
      UpdateExpression: 'ADD #count :one',
      ExpressionAttributeNames: { '#count': 'requests' },
      ExpressionAttributeValues: { ':one': { N: '1' } },
    }),
  );
}

test('IAM comes first: a table the role may not use is refused, whether or not it exists', async () => {
  for (const table of [
    'no-such-table',
    `arn:aws:dynamodb:${sandbox.config.region}:${accountId}:table/no-such-table`,
  ]) {
    await expect(countIn(dynamodb, table)).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
  }
});

test('a TableName that cannot name a table is a ValidationException, not a crash', async () => {
  for (const table of ['a*b?', 'x'.repeat(300), 'tab\u202ele', 'a b', 'arn:aws:s3:::bucket']) {
    await expect(countIn(dynamodb, table)).rejects.toMatchObject({
      name: 'ValidationException',
      $metadata: { httpStatusCode: 400 },
    });
  }
});

test('a caller allowed everywhere gets ResourceNotFoundException for a missing table', async () => {
  const admin = new DynamoDBClient({
    region: sandbox.config.region,
    endpoint: sandbox.url,
    credentials: {
      accessKeyId: sandbox.adminCredentials.accessKeyId,
      secretAccessKey: sandbox.adminCredentials.secretAccessKey,
      sessionToken: sandbox.adminCredentials.sessionToken,
    },
  });
  try {
    await expect(countIn(admin, 'no-such-table')).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    // The real table still counts.
    await expect(countIn(admin, tableName)).resolves.toBeDefined();
  } finally {
    admin.destroy();
  }
});
