/**
 * DynamoDB in the sandbox, for the tables of the template (the HTTP API's rate-limit counters).
 *
 * The data plane is dynalite (MIT, an implementation of DynamoDB's API and expression language),
 * in memory and on a loopback port of its own; this module is the part AWS adds in front of it:
 * every call is SigV4-verified and authorized against the caller's role policies with the
 * request's `dynamodb:LeadingKeys` (the partition key values), then forwarded unchanged, so the
 * SDK gets DynamoDB's own answers (ConditionalCheckFailedException, ValidationException, ...).
 *
 * dynalite starts, and the tables are created, at the first call: most sandbox runs (and test
 * files) never reach a rate-limited route, and loading dynalite and the DynamoDB client was a third
 * of a test sandbox's start.
 *
 * Not modelled: TTL deletion (counters are keyed by their window, and the state is in memory, so
 * a restart forgets them), capacity and throttling, streams, every operation but those below.
 */
import { request as httpRequest } from 'node:http';
import type { Server } from 'node:net';
import { AwsError } from '../../core/errors';
import { listenOnLoopback } from '../../core/listen';
import { resourcesOfType } from '../../cloudformation/template';
import type { SandboxResources } from '../../resources';
import type { SandboxRequest, SandboxResponse, ServiceModule } from '../../server';

const TARGET_PREFIX = 'DynamoDB_20120810.';

/** Operations served, with where their key is in the request. */
const OPERATIONS: Readonly<Record<string, 'Key' | 'Item'>> = {
  UpdateItem: 'Key',
  GetItem: 'Key',
  PutItem: 'Item',
  DeleteItem: 'Key',
};

/** DynamoDB's naming rules for tables; a request may also name the table by its ARN. */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const TABLE_ARN = /^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/[A-Za-z0-9_.-]{3,255}$/;

interface SandboxTable {
  readonly name: string;
  readonly arn: string;
  readonly hashKey: string;
  readonly properties: Record<string, unknown>;
}

/** The template's tables, with their physical names and ARNs in the sandbox. */
export function tablesOf(resources: SandboxResources): SandboxTable[] {
  return resourcesOfType(resources.stack.template, 'AWS::DynamoDB::Table').map((logicalId) => {
    const properties = resources.properties(logicalId);
    const keys = (properties.KeySchema ?? []) as { AttributeName: string; KeyType: string }[];
    const physical = resources.env.resources[logicalId];
    return {
      name: physical?.ref ?? logicalId,
      arn: physical?.attributes.Arn ?? logicalId,
      hashKey: keys.find((k) => k.KeyType === 'HASH')?.AttributeName ?? '',
      properties,
    };
  });
}

/** The partition key value(s) the request names, as IAM's `dynamodb:LeadingKeys` holds them. */
function leadingKeys(table: SandboxTable, key: unknown): string[] {
  const value = (key as Record<string, Record<string, unknown>> | undefined)?.[table.hashKey];
  const scalar = value?.S ?? value?.N ?? value?.B;
  return typeof scalar === 'string' ? [scalar] : [];
}

function forward(port: number, req: SandboxRequest): Promise<SandboxResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    for (const name of ['x-amz-target', 'content-type', 'authorization', 'x-amz-date']) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const outgoing = httpRequest(
      { host: '127.0.0.1', port, method: 'POST', path: '/', headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const passed: Record<string, string> = {};
          for (const name of ['content-type', 'x-amzn-requestid', 'x-amz-crc32']) {
            const value = res.headers[name];
            if (typeof value === 'string') passed[name] = value;
          }
          resolve({ status: res.statusCode ?? 500, headers: passed, body: Buffer.concat(chunks) });
        });
        res.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

/** dynalite on a loopback port of its own, with the template's tables created in it. */
async function startDataPlane(
  tables: readonly SandboxTable[],
  region: string,
): Promise<{ server: Server; port: number }> {
  const [{ default: dynalite }, { CreateTableCommand, DynamoDBClient }] = await Promise.all([
    import('dynalite'),
    import('@aws-sdk/client-dynamodb'),
  ]);
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const port = await listenOnLoopback(server, 0);
  // The tables as the template declares them (the administrator's own client, not a caller's).
  const admin = new DynamoDBClient({
    region,
    endpoint: `http://127.0.0.1:${port}`,
    credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
  });
  try {
    for (const table of tables) {
      const p = table.properties;
      await admin.send(
        new CreateTableCommand({
          TableName: table.name,
          KeySchema: p.KeySchema as never,
          AttributeDefinitions: p.AttributeDefinitions as never,
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    }
  } catch (error) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw error;
  } finally {
    admin.destroy();
  }
  return { server, port };
}

export function dynamodbModule(): ServiceModule {
  let dataPlane: Promise<{ server: Server; port: number }> | undefined;
  let closed = false;
  return {
    name: 'dynamodb',
    register(router, ctx) {
      const tables = tablesOf(ctx.resources);
      if (tables.length === 0) return;
      // Started once, by the first call; a failed start is tried again by the next call.
      const started = () => {
        if (closed) throw new AwsError('ServiceUnavailable', 'the sandbox is stopping', 503);
        if (!dataPlane) {
          dataPlane = startDataPlane(tables, ctx.region);
          dataPlane.catch(() => (dataPlane = undefined));
        }
        return dataPlane;
      };

      for (const [operation, keyField] of Object.entries(OPERATIONS)) {
        router.jsonTarget(TARGET_PREFIX + operation, async (req) => {
          const caller = await ctx.authenticate(req, { service: 'dynamodb', protocol: 'json' });
          const tableName = req.json.TableName;
          if (typeof tableName !== 'string' || tableName === '') {
            throw new AwsError(
              'ValidationException',
              "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null",
              400,
            );
          }
          if (!TABLE_NAME.test(tableName) && !TABLE_ARN.test(tableName)) {
            throw new AwsError(
              'ValidationException',
              "1 validation error detected: Value at 'tableName' failed to satisfy constraint: Member must be a table name (3-255 of a-z, A-Z, 0-9, _, -, .) or a table ARN",
              400,
            );
          }
          const table = tables.find((t) => t.name === tableName || t.arn === tableName);
          // IAM first, as DynamoDB does: a table the caller may not use is refused as such, whether
          // or not it exists. (Its key schema is unknown, so no LeadingKeys for a missing one.)
          await ctx.authorize(caller, {
            action: `dynamodb:${operation}`,
            resource:
              table?.arn ??
              (TABLE_ARN.test(tableName)
                ? tableName
                : `arn:aws:dynamodb:${ctx.region}:${ctx.accountId}:table/${tableName}`),
            protocol: 'json',
            ...(table && {
              context: { 'dynamodb:LeadingKeys': leadingKeys(table, req.json[keyField]) },
            }),
          });
          if (!table) {
            throw new AwsError('ResourceNotFoundException', 'Requested resource not found', 400);
          }
          const { port } = await started();
          return forward(port, req);
        });
      }
    },
    async close() {
      closed = true;
      const running = await dataPlane?.catch(() => undefined);
      if (running) await new Promise<void>((resolve) => running.server.close(() => resolve()));
    },
  };
}
