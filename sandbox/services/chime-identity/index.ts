/**
 * Chime SDK identity (restJson, signing name `chime`): the AppInstanceUser operations, with the
 * API's validation, idempotency (`ClientRequestToken`) and errors. Every call is SigV4-verified
 * and authorized against the caller's role policies (resource: the AppInstanceUser ARN, or the
 * AppInstance ARN for listing).
 *
 * Other modules (messaging) read users through `ctx.services.chimeIdentity`, typed
 * {@link ChimeIdentityDirectory}; users whose `ExpirationSettings` ran out are deleted as users.ts
 * says.
 */
import { appInstanceUserArn, assertAppInstanceUserId } from '../../../contracts/chime-arns';
import { AwsError } from '../../core/errors';
import type { SandboxRequest, SandboxResponse, ServiceModule } from '../../server';
import {
  type AppInstanceUserRecord,
  appInstanceUserDirectory,
  appInstanceUserStore,
} from './users';
import {
  BadRequestException,
  badRequest,
  validateExpiration,
  validateMetadata,
  validateName,
} from './validation';

export type { AppInstanceUserRecord, ChimeIdentityDirectory } from './users';

const TOKEN = /^[-_a-zA-Z0-9]{2,64}$/;
const MAX_RESULTS = 50;

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
    const store = appInstanceUserStore(ctx.state, ctx.clock, (line) => ctx.log(line));
    const directory = appInstanceUserDirectory(appInstanceArn, store);
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
