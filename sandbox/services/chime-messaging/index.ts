/**
 * The Chime SDK messaging service module of the sandbox server (see the plugin interface at the
 * top of sandbox/server.ts): the REST API at the sandbox's endpoint and the messaging session
 * WebSocket at `/connect` on the same port.
 *
 * Every REST request: SigV4 (service `chime`) -> `x-amz-chime-bearer` present -> IAM allows
 * `chime:<Operation>` on the bearer's AppInstanceUser ARN and on the channel ARN (the resource
 * types the Service Authorization Reference lists) -> channel rules
 * (service.ts and ./operations/).
 */
import type { IncomingMessage } from 'node:http';
import type { SandboxContext, SandboxRequest, SandboxResponse, ServiceModule } from '../../server';
import { requestFromUpgrade } from '../../server';
import { shown } from '../../../contracts/assert';
import { AwsError } from '../../core/errors';
import {
  parseAppInstanceUserArn,
  parseChannelArn,
  parseChannelFlowArn,
} from '../../../contracts/chime-arns';
import { badRequest } from './errors';
import {
  OPERATIONS,
  type OperationSpec,
  UNSUPPORTED,
  type UnsupportedOperation,
} from './http-bindings';
import { type AppInstanceUserDirectory, MessagingService } from './service';
import { BEARER_HEADER, single } from './requests';
import { FileMutationLog, type MutationLog } from './state';
import {
  CLOSE_BAD_REQUEST,
  CLOSE_FORBIDDEN,
  CLOSE_NOT_AUTHORIZED,
  type ConnectDecision,
  MessagingSessions,
} from './websocket';

export { MessagingService } from './service';
export type { AppInstanceUserDirectory, ChannelEvent } from './service';

export interface ChimeMessagingModuleOptions {
  /** Who exists. Default: `ctx.services.chimeIdentity` (looked up per request). */
  readonly users?: AppInstanceUserDirectory;
  /** Where state goes. Default: `.sandbox/chime-messaging/` (snapshot + append log). */
  readonly log?: MutationLog;
}

/** How long an IAM decision is reused for the same session, action and resource. */
export const DECISION_TTL_MS = 60_000;

type Caller = Awaited<ReturnType<SandboxContext['authenticate']>>;

/**
 * Memoizes `ctx.authorize` per (session, action, resource). A chat sends every message through
 * two IAM evaluations (bearer and channel) that cost milliseconds each in the policy engine, the
 * same answer every time: the role's policies are fixed by the template and a session's principal
 * tags never change. Denials are memoized too (the same error is thrown again). Entries live
 * `DECISION_TTL_MS`, so a policy with time conditions would be re-evaluated at least that often;
 * the project's policies have none.
 */
export class DecisionCache {
  private readonly entries = new Map<string, { at: number; outcome: Promise<void> }>();

  constructor(
    private readonly authorize: SandboxContext['authorize'],
    private readonly now: () => number = Date.now,
  ) {}

  check(caller: Caller, action: string, resource: string): Promise<void> {
    const key = `${caller.session.accessKeyId}|${action}|${resource}`;
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < DECISION_TTL_MS) return hit.outcome;
    if (this.entries.size > 10_000) this.entries.clear();
    const outcome = this.authorize(caller, { action, resource, protocol: 'restJson' });
    // Keep failures for the same key as they are (an AwsError denial); drop unexpected ones.
    outcome.catch((error: unknown) => {
      if (!(error instanceof AwsError)) this.entries.delete(key);
    });
    this.entries.set(key, { at: now, outcome });
    return outcome;
  }
}

/** restJson1 writes body timestamps as epoch seconds. */
function toWire(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v: unknown) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : v;
  });
}

export function chimeMessagingModule(options: ChimeMessagingModuleOptions = {}): ServiceModule & {
  readonly service: () => MessagingService;
} {
  let service: MessagingService | undefined;
  let sessions: MessagingSessions | undefined;
  let log: MutationLog | undefined;

  const handler =
    (
      ctx: SandboxContext,
      decisions: DecisionCache,
      specs: readonly OperationSpec[],
      unsupported: readonly UnsupportedOperation[],
    ) =>
    async (req: SandboxRequest): Promise<SandboxResponse> => {
      // Authentication first, as AWS: an unsigned caller learns nothing, not even what is served.
      const caller = await ctx.authenticate(req, { service: 'chime', protocol: 'restJson' });
      const selected = (d?: readonly [string, string]) =>
        d !== undefined && single(req.query[d[0]]) === d[1];
      let spec =
        specs.find((s) => selected(s.discriminator)) ?? specs.find((s) => !s.discriminator);
      const refused =
        unsupported.find((u) => selected(u.discriminator)) ??
        (spec ? undefined : unsupported.find((u) => u.discriminator === undefined));
      if (refused) spec = undefined;
      if (refused || !spec) {
        throw new AwsError(
          'BadRequestException',
          `${refused?.name ?? 'This operation'} is not supported by the sandbox`,
          400,
        );
      }
      const action = `chime:${spec.name}`;
      const input = spec.read(req);
      if (spec.bearer) {
        const bearer = single(req.headers[BEARER_HEADER]) ?? '';
        if (bearer === '') throw badRequest('The x-amz-chime-bearer header is required');
        // Only well-formed ARNs reach IAM (a wildcard or a path in an id is no resource).
        if (!parseAppInstanceUserArn(bearer)) {
          throw badRequest(`x-amz-chime-bearer is not an AppInstanceUser ARN: ${bearer}`);
        }
        const resources: string[] = [];
        for (const member of spec.resources) {
          const arn = input[member];
          if (arn === undefined || arn === null || arn === '') continue;
          const parse = member === 'ChannelFlowArn' ? parseChannelFlowArn : parseChannelArn;
          if (typeof arn !== 'string' || !parse(arn)) {
            throw badRequest(
              `${member} is not a ${member === 'ChannelFlowArn' ? 'channel flow' : 'channel'} ARN: ${shown(arn)}`,
            );
          }
          resources.push(arn);
        }
        await decisions.check(caller, action, bearer);
        for (const arn of resources) await decisions.check(caller, action, arn);
      } else {
        await ctx.authorize(caller, { action, resource: '*', protocol: 'restJson' });
      }
      if (!service)
        throw new AwsError(
          'ServiceUnavailableException',
          'The messaging service is not ready',
          503,
        );
      const output = await spec.invoke(service, input);
      if (spec.status === 204 || output === undefined) return { status: spec.status };
      return {
        status: spec.status,
        headers: { 'content-type': 'application/json' },
        body: toWire(output),
      };
    };

  const connectCheck =
    (ctx: SandboxContext) =>
    async (req: IncomingMessage): Promise<ConnectDecision> => {
      const request = requestFromUpgrade(req);
      const userArn = single(request.query.userArn);
      const sessionId = single(request.query.sessionId);
      let caller;
      try {
        caller = await ctx.authenticate(request, { service: 'chime', protocol: 'restJson' });
      } catch (error) {
        if (error instanceof AwsError)
          return { ok: false, code: CLOSE_NOT_AUTHORIZED, reason: error.message };
        throw error;
      }
      if (!caller.presigned) {
        return {
          ok: false,
          code: CLOSE_NOT_AUTHORIZED,
          reason: 'The connect request must be a presigned URL',
        };
      }
      if (!userArn || !sessionId) {
        return { ok: false, code: CLOSE_BAD_REQUEST, reason: 'userArn and sessionId are required' };
      }
      if (!parseAppInstanceUserArn(userArn)) {
        return {
          ok: false,
          code: CLOSE_BAD_REQUEST,
          reason: 'userArn is not an AppInstanceUser ARN',
        };
      }
      try {
        await ctx.authorize(caller, {
          action: 'chime:Connect',
          resource: userArn,
          protocol: 'restJson',
        });
      } catch (error) {
        if (error instanceof AwsError)
          return { ok: false, code: CLOSE_NOT_AUTHORIZED, reason: error.message };
        throw error;
      }
      if (!service?.userExists(userArn)) {
        return { ok: false, code: CLOSE_FORBIDDEN, reason: `AppInstanceUser ${userArn} not found` };
      }
      const prefetchOn = single(request.query['prefetch-on']);
      const sortBy = single(request.query['prefetch-sort-by']);
      const messaging = service;
      return {
        ok: true,
        userArn,
        sessionId,
        expiresAt: caller.session.expiration,
        ...(prefetchOn === 'connect' && {
          prefetch: () => messaging.channelDetails(userArn, sortBy),
        }),
      };
    };

  return {
    name: 'chime-messaging',
    service() {
      if (!service) throw new Error('the chime-messaging module is not registered yet');
      return service;
    },
    register(router, ctx) {
      const users: AppInstanceUserDirectory = options.users ?? {
        nameOf(arn) {
          const directory = ctx.services.chimeIdentity;
          if (!directory) {
            throw new AwsError(
              'ServiceFailureException',
              'The sandbox has no chime-identity service to look AppInstanceUsers up',
              500,
            );
          }
          return directory.nameOf(arn);
        },
      };
      log =
        options.log ??
        new FileMutationLog(ctx.state.subdir('chime-messaging'), {
          repair: ctx.state.repairing,
          log: (line) => ctx.log(line),
        });
      sessions = new MessagingSessions({
        check: connectCheck(ctx),
        onError: (e) => ctx.log(`chime-messaging websocket: ${String(e)}`),
      });
      const hub = sessions;
      service = new MessagingService({
        users,
        log,
        endpointHost: () => new URL(ctx.url).host,
        onEvent: (event) => hub.publish(event),
      });
      service.compactLog();
      ctx.services.chimeMessaging = service;

      const decisions = new DecisionCache(ctx.authorize, () => ctx.clock.now());
      const groups = new Map<string, OperationSpec[]>();
      for (const spec of OPERATIONS) {
        const key = `${spec.method} ${spec.path}`;
        groups.set(key, [...(groups.get(key) ?? []), spec]);
      }
      for (const { method, path } of UNSUPPORTED) {
        if (!groups.has(`${method} ${path}`)) groups.set(`${method} ${path}`, []);
      }
      for (const [key, specs] of groups) {
        const [method = 'GET', path = '/'] = key.split(' ');
        const unsupported = UNSUPPORTED.filter((u) => u.method === method && u.path === path);
        router.rest(method, path, handler(ctx, decisions, specs, unsupported));
      }
      router.upgrade('/connect', hub.handleUpgrade);
    },
    async close() {
      await sessions?.close();
      await log?.close();
      // Leave a snapshot behind, so the next start replays one file instead of a long log.
      service?.compactLog();
    },
  };
}
