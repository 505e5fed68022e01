/**
 * Chime SDK identity (restJson, signing name `chime`): the AppInstanceUser operations, with the
 * API's validation, idempotency (`ClientRequestToken`) and errors. Every call is SigV4-verified
 * and authorized against the caller's role policies (resource: the AppInstanceUser ARN, or the
 * AppInstance ARN for listing).
 *
 * Other modules (messaging) read users through `ctx.services.chimeIdentity`, typed
 * {@link ChimeIdentityDirectory}.
 *
 * `ExpirationSettings` (`CREATED_TIMESTAMP`, 1-5475 days) are honoured: a user whose time is up
 * is deleted at the next request that touches the identity store, by the sandbox clock
 * (`ctx.clock`, which tests move forward). AWS deletes such users "some hours" after expiry: the
 * sandbox deletes at the instant, the strictest reading.
 */
import { appInstanceUserArn, assertAppInstanceUserId } from '../../../contracts/chime-arns';
import { AwsError } from '../../core/errors';
import type { JsonStore } from '../../core/state';
import type { SandboxRequest, SandboxResponse, ServiceModule } from '../../server';

export interface AppInstanceUserRecord {
  readonly appInstanceUserArn: string;
  readonly appInstanceUserId: string;
  readonly name: string;
  readonly metadata?: string;
  readonly clientRequestToken?: string;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly expiration?: ExpirationSettings;
}

export interface ExpirationSettings {
  readonly ExpirationDays: number;
  readonly ExpirationCriterion: 'CREATED_TIMESTAMP';
}

const DAY_MS = 86_400_000;
const MAX_EXPIRATION_DAYS = 5475;

/** When Chime deletes the user (epoch ms), or undefined when it never expires. */
export function expiresAt(user: AppInstanceUserRecord): number | undefined {
  return user.expiration && user.createdAt + user.expiration.ExpirationDays * DAY_MS;
}

function validateExpiration(value: unknown): ExpirationSettings | undefined {
  if (value === undefined || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const days = v.ExpirationDays;
  if (
    typeof days !== 'number' ||
    !Number.isInteger(days) ||
    days < 1 ||
    days > MAX_EXPIRATION_DAYS
  ) {
    throw badRequest(
      `ExpirationSettings.ExpirationDays must be a whole number from 1 to ${MAX_EXPIRATION_DAYS}.`,
    );
  }
  if (v.ExpirationCriterion !== 'CREATED_TIMESTAMP') {
    throw badRequest('ExpirationSettings.ExpirationCriterion must be CREATED_TIMESTAMP.');
  }
  return { ExpirationDays: days, ExpirationCriterion: 'CREATED_TIMESTAMP' };
}

/** What the messaging module may ask about users. */
export interface ChimeIdentityDirectory {
  readonly appInstanceArn: string;
  getUser(appInstanceUserArn: string): AppInstanceUserRecord | undefined;
  /** The user's name, or `undefined` when no such AppInstanceUser exists. */
  nameOf(appInstanceUserArn: string): string | undefined;
  listUsers(): readonly AppInstanceUserRecord[];
}

interface IdentityState {
  users: Record<string, AppInstanceUserRecord>;
}

const NAME = /^.*\S.*$/s;
const TOKEN = /^[-_a-zA-Z0-9]{2,64}$/;
const MAX_RESULTS = 50;

/** The API's validation error, in the shape the shared validators throw (contracts/assert.ts). */
class BadRequestException extends AwsError {
  constructor(message: string) {
    super('BadRequestException', message, 400);
  }
}

function badRequest(message: string): AwsError {
  return new BadRequestException(message);
}

function validateName(value: unknown, field = 'Name'): string {
  if (typeof value !== 'string' || value.length < 1 || value.length > 100 || !NAME.test(value)) {
    throw badRequest(`${field} must be 1-100 characters and not blank.`);
  }
  return value;
}

function validateMetadata(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > 1024) {
    throw badRequest('Metadata must be a string of at most 1024 characters.');
  }
  return value;
}

function summary(user: AppInstanceUserRecord) {
  return {
    AppInstanceUserArn: user.appInstanceUserArn,
    Name: user.name,
    ...(user.metadata !== undefined && { Metadata: user.metadata }),
  };
}

function json(status: number, body: unknown): SandboxResponse {
  return { status, headers: { 'content-type': 'application/json' }, body };
}

export const chimeIdentity: ServiceModule = {
  name: 'chime-identity',
  register(router, ctx) {
    const appInstanceArn = ctx.resources.appInstanceArn;
    const saved: JsonStore<IdentityState> = ctx.state.store('chime-identity', () => ({
      users: {},
    }));
    /** The store, with users whose expiration has come deleted first (as Chime deletes them). */
    const store = {
      get(): IdentityState {
        const now = ctx.clock.now();
        const expired = Object.values(saved.get().users).filter(
          (u) => (expiresAt(u) ?? Infinity) <= now,
        );
        if (expired.length > 0) {
          saved.update((s) => {
            for (const user of expired) delete s.users[user.appInstanceUserArn];
          });
          for (const user of expired) {
            ctx.log(
              `chime-identity: AppInstanceUser ${user.appInstanceUserId} expired and was deleted`,
            );
          }
        }
        return saved.get();
      },
      update(change: (s: IdentityState) => void): void {
        store.get();
        saved.update(change);
      },
    };
    const directory: ChimeIdentityDirectory = {
      appInstanceArn,
      getUser: (arn) => store.get().users[arn],
      nameOf: (arn) => store.get().users[arn]?.name,
      listUsers: () => Object.values(store.get().users),
    };
    ctx.services.chimeIdentity = directory;

    const caller = (req: SandboxRequest) =>
      ctx.authenticate(req, { service: 'chime', protocol: 'restJson' });
    const authorize = async (req: SandboxRequest, action: string, resource: string) => {
      await ctx.authorize(await caller(req), {
        action: `chime:${action}`,
        resource,
        protocol: 'restJson',
      });
    };
    const existing = (arn: string) => {
      const user = store.get().users[arn];
      if (!user) throw new AwsError('NotFoundException', `AppInstanceUser ${arn} not found.`, 404);
      return user;
    };
    const userArnParam = (req: SandboxRequest) => {
      const arn = req.params.arn ?? '';
      if (!/^arn:[\w+=/,.@:-]+$/.test(arn) || arn.length > 1600) {
        throw badRequest(`AppInstanceUserArn '${arn}' is not a valid ARN.`);
      }
      return arn;
    };

    router.rest('POST', '/app-instance-users', async (req) => {
      const body = req.json;
      const instance = body.AppInstanceArn;
      const userId = body.AppInstanceUserId;
      if (typeof instance !== 'string' || !instance.startsWith('arn:')) {
        throw badRequest('AppInstanceArn is required and must be an ARN.');
      }
      assertAppInstanceUserId('AppInstanceUserId', userId, BadRequestException);
      const name = validateName(body.Name);
      const metadata = validateMetadata(body.Metadata);
      const expiration = validateExpiration(body.ExpirationSettings);
      const token = body.ClientRequestToken;
      if (token !== undefined && (typeof token !== 'string' || !TOKEN.test(token))) {
        throw badRequest('ClientRequestToken must be 2-64 characters of [-_a-zA-Z0-9].');
      }
      const arn = appInstanceUserArn(instance, userId);
      await authorize(req, 'CreateAppInstanceUser', arn);
      if (instance !== appInstanceArn) {
        throw new AwsError('NotFoundException', `AppInstance ${instance} not found.`, 404);
      }
      const found = store.get().users[arn];
      if (found) {
        // A retry with the same idempotency token succeeds; anything else conflicts.
        if (token !== undefined && found.clientRequestToken === token) {
          return json(201, { AppInstanceUserArn: arn });
        }
        throw new AwsError(
          'ConflictException',
          `AppInstanceUser ${userId} already exists in the AppInstance.`,
          409,
        );
      }
      const now = ctx.clock.now();
      store.update((s) => {
        s.users[arn] = {
          appInstanceUserArn: arn,
          appInstanceUserId: userId,
          name,
          ...(metadata !== undefined && { metadata }),
          ...(typeof token === 'string' && { clientRequestToken: token }),
          createdAt: now,
          updatedAt: now,
          ...(expiration && { expiration }),
        };
      });
      ctx.log(`chime-identity: created AppInstanceUser ${userId}`);
      return json(201, { AppInstanceUserArn: arn });
    });

    router.rest('GET', '/app-instance-users/:arn', async (req) => {
      const arn = userArnParam(req);
      await authorize(req, 'DescribeAppInstanceUser', arn);
      const user = existing(arn);
      return json(200, {
        AppInstanceUser: {
          ...summary(user),
          CreatedTimestamp: user.createdAt / 1000,
          LastUpdatedTimestamp: user.updatedAt / 1000,
          ...(user.expiration && { ExpirationSettings: user.expiration }),
        },
      });
    });

    router.rest('GET', '/app-instance-users', async (req) => {
      const instance = req.query['app-instance-arn'];
      if (typeof instance !== 'string' || !instance.startsWith('arn:')) {
        throw badRequest('AppInstanceArn is required.');
      }
      const maxRaw = req.query['max-results'];
      const max = maxRaw === undefined ? MAX_RESULTS : Number(maxRaw);
      if (!Number.isInteger(max) || max < 1 || max > MAX_RESULTS) {
        throw badRequest(`MaxResults must be an integer from 1 to ${MAX_RESULTS}.`);
      }
      await authorize(req, 'ListAppInstanceUsers', instance);
      if (instance !== appInstanceArn) {
        throw new AwsError('NotFoundException', `AppInstance ${instance} not found.`, 404);
      }
      const users = Object.values(store.get().users).sort((a, b) =>
        a.appInstanceUserArn.localeCompare(b.appInstanceUserArn),
      );
      const nextToken = req.query['next-token'];
      let start = 0;
      if (typeof nextToken === 'string') {
        const after = Buffer.from(nextToken, 'base64url').toString('utf8');
        start = users.findIndex((u) => u.appInstanceUserArn > after);
        if (start < 0) start = users.length;
      }
      const page = users.slice(start, start + max);
      const last = page[page.length - 1];
      const more = start + max < users.length && last !== undefined;
      return json(200, {
        AppInstanceArn: instance,
        AppInstanceUsers: page.map(summary),
        ...(more && { NextToken: Buffer.from(last.appInstanceUserArn).toString('base64url') }),
      });
    });

    router.rest('PUT', '/app-instance-users/:arn', async (req) => {
      const arn = userArnParam(req);
      const name = validateName(req.json.Name);
      const metadata = validateMetadata(req.json.Metadata);
      if (metadata === undefined) throw badRequest('Metadata is required.');
      await authorize(req, 'UpdateAppInstanceUser', arn);
      const user = existing(arn);
      store.update((s) => {
        s.users[arn] = { ...user, name, metadata, updatedAt: ctx.clock.now() };
      });
      return json(200, { AppInstanceUserArn: arn });
    });

    router.rest('PUT', '/app-instance-users/:arn/expiration-settings', async (req) => {
      const arn = userArnParam(req);
      const expiration = validateExpiration(req.json.ExpirationSettings);
      await authorize(req, 'PutAppInstanceUserExpirationSettings', arn);
      const user = existing(arn);
      store.update((s) => {
        const { expiration: _old, ...rest } = user;
        s.users[arn] = {
          ...rest,
          ...(expiration && { expiration }),
          updatedAt: ctx.clock.now(),
        };
      });
      return json(200, {
        AppInstanceUserArn: arn,
        ...(expiration && { ExpirationSettings: expiration }),
      });
    });

    router.rest('DELETE', '/app-instance-users/:arn', async (req) => {
      const arn = userArnParam(req);
      await authorize(req, 'DeleteAppInstanceUser', arn);
      existing(arn);
      store.update((s) => {
        delete s.users[arn];
      });
      return { status: 204 };
    });
  },
};
