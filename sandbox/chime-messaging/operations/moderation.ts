/**
 * Moderators and bans: CreateChannelModerator, DeleteChannelModerator, DescribeChannelModerator,
 * ListChannelModerators, ListChannelsModeratedByAppInstanceUser, CreateChannelBan,
 * DeleteChannelBan, DescribeChannelBan, ListChannelBans.
 */
import type {
  CreateChannelBanRequest,
  CreateChannelBanResponse,
  CreateChannelModeratorRequest,
  CreateChannelModeratorResponse,
  DeleteChannelBanRequest,
  DeleteChannelModeratorRequest,
  DescribeChannelBanRequest,
  DescribeChannelBanResponse,
  DescribeChannelModeratorRequest,
  DescribeChannelModeratorResponse,
  ListChannelBansRequest,
  ListChannelBansResponse,
  ListChannelModeratorsRequest,
  ListChannelModeratorsResponse,
  ListChannelsModeratedByAppInstanceUserRequest,
  ListChannelsModeratedByAppInstanceUserResponse,
} from '@aws-sdk/client-chime-sdk-messaging';
import { channelFor, checkBearer, existingUser, requireModerator, requireVisible } from '../access';
import type { MessagingContext } from '../context';
import { badRequest, forbidden, notFound } from '../errors';
import { paginate } from '../pagination';
import { compact } from '../shapes';
import type { Mutation } from '../state';
import type { ChannelEvent } from '../store';
import { pageRequest, requireString, type Unchecked } from '../validation';

export async function createChannelModerator(
  ctx: MessagingContext,
  bearerArn: unknown,
  input: Unchecked<CreateChannelModeratorRequest>,
): Promise<CreateChannelModeratorResponse> {
  const bearer = checkBearer(ctx, bearerArn);
  const record = channelFor(ctx, input.ChannelArn, bearer);
  requireModerator(record, bearer.arn, 'add moderators');
  const moderatorArn = existingUser(
    ctx,
    input.ChannelModeratorArn,
    'ChannelModeratorArn',
    record.meta.appInstanceArn,
  );
  if (record.bans.has(moderatorArn)) throw forbidden(`${moderatorArn} is banned from the channel`);
  if (!record.moderators.has(moderatorArn)) {
    await ctx.store.commit([
      {
        k: 'moderator',
        v: {
          channelArn: record.meta.arn,
          userArn: moderatorArn,
          createdBy: bearer.arn,
          createdAt: ctx.store.tick(),
        },
      },
    ]);
  }
  return { ChannelArn: record.meta.arn, ChannelModerator: ctx.shapes.identity(moderatorArn) };
}

export async function deleteChannelModerator(
  ctx: MessagingContext,
  bearerArn: unknown,
  input: Unchecked<DeleteChannelModeratorRequest>,
): Promise<void> {
  const bearer = checkBearer(ctx, bearerArn);
  const record = channelFor(ctx, input.ChannelArn, bearer);
  requireModerator(record, bearer.arn, 'remove moderators');
  const moderatorArn = requireString(input.ChannelModeratorArn, 'ChannelModeratorArn');
  if (!record.moderators.has(moderatorArn))
    throw notFound(`${moderatorArn} is not a moderator of the channel`);
  await ctx.store.commit([{ k: 'moderator-', ch: record.meta.arn, arn: moderatorArn }]);
}

export function listChannelModerators(
  ctx: MessagingContext,
  bearerArn: unknown,
  input: Unchecked<ListChannelModeratorsRequest>,
): ListChannelModeratorsResponse {
  const bearer = checkBearer(ctx, bearerArn);
  const record = channelFor(ctx, input.ChannelArn, bearer);
  requireVisible(record, bearer.arn);
  const moderators = [...record.moderators.values()].sort((a, b) =>
    a.userArn < b.userArn ? -1 : 1,
  );
  const page = paginate(moderators, (m) => m.userArn, {
    scope: `ListChannelModerators|${record.meta.arn}`,
    ...pageRequest(input),
  });
  return compact({
    ChannelArn: record.meta.arn,
    ChannelModerators: page.items.map((m) => ({ Moderator: ctx.shapes.identity(m.userArn) })),
    NextToken: page.nextToken,
  });
}

/** The channels a user moderates (their own only: another user's needs an AppInstanceAdmin). */
export function listChannelsModeratedByAppInstanceUser(
  ctx: MessagingContext,
  bearerArn: unknown,
  input: Unchecked<ListChannelsModeratedByAppInstanceUserRequest>,
): ListChannelsModeratedByAppInstanceUserResponse {
  const bearer = checkBearer(ctx, bearerArn);
  const userArn = (input.AppInstanceUserArn as string | undefined) ?? bearer.arn;
  if (userArn !== bearer.arn) {
    throw forbidden('Only an AppInstanceAdmin can list the channels another user moderates');
  }
  const channels = [...ctx.store.channels.values()]
    .filter((r) => r.moderators.has(userArn))
    .sort((a, b) => (a.meta.arn < b.meta.arn ? -1 : 1));
  const page = paginate(channels, (r) => r.meta.arn, {
    scope: `ListChannelsModeratedByAppInstanceUser|${userArn}`,
    ...pageRequest(input),
  });
  return compact({
    Channels: page.items.map((r) => ({ ChannelSummary: ctx.shapes.channelSummary(r.meta) })),
    NextToken: page.nextToken,
  });
}

export function describeChannelModerator(
  ctx: MessagingContext,
  bearerArn: unknown,
  input: Unchecked<DescribeChannelModeratorRequest>,
): DescribeChannelModeratorResponse {
  const bearer = checkBearer(ctx, bearerArn);
  const record = channelFor(ctx, input.ChannelArn, bearer);
  requireVisible(record, bearer.arn);
  const moderatorArn = requireString(input.ChannelModeratorArn, 'ChannelModeratorArn');
  const grant = record.moderators.get(moderatorArn);
  if (!grant) throw notFound(`${moderatorArn} is not a moderator of the channel`);
  return {
    ChannelModerator: {
      Moderator: ctx.shapes.identity(grant.userArn),
      ChannelArn: record.meta.arn,
      CreatedTimestamp: new Date(grant.createdAt),
      CreatedBy: ctx.shapes.identity(grant.createdBy),
    },
  };
}

export async function createChannelBan(
  ctx: MessagingContext,
  bearerArn: unknown,
  input: Unchecked<CreateChannelBanRequest>,
): Promise<CreateChannelBanResponse> {
  const bearer = checkBearer(ctx, bearerArn);
  const record = channelFor(ctx, input.ChannelArn, bearer);
  requireModerator(record, bearer.arn, 'ban members');
  const memberArn = existingUser(ctx, input.MemberArn, 'MemberArn', record.meta.appInstanceArn);
  if (memberArn === bearer.arn) throw badRequest('A moderator cannot ban itself');
  if (record.moderators.has(memberArn)) {
    throw badRequest(`${memberArn} is a moderator: remove the moderator before banning`);
  }
  const result = { ChannelArn: record.meta.arn, Member: ctx.shapes.identity(memberArn) };
  if (record.bans.has(memberArn)) return result;
  const mutations: Mutation[] = [
    {
      k: 'ban',
      v: {
        channelArn: record.meta.arn,
        userArn: memberArn,
        createdBy: bearer.arn,
        createdAt: ctx.store.tick(),
      },
    },
  ];
  const events: ChannelEvent[] = [];
  // A banned member is removed from the channel at once.
  const membership = record.members.get(memberArn);
  if (membership) {
    events.push(ctx.shapes.membershipRemoved(record, membership));
    mutations.push({ k: 'member-', ch: record.meta.arn, arn: memberArn });
  }
  await ctx.store.commit(mutations, events);
  return result;
}

export async function deleteChannelBan(
  ctx: MessagingContext,
  bearerArn: unknown,
  input: Unchecked<DeleteChannelBanRequest>,
): Promise<void> {
  const bearer = checkBearer(ctx, bearerArn);
  const record = channelFor(ctx, input.ChannelArn, bearer);
  requireModerator(record, bearer.arn, 'lift bans');
  const memberArn = requireString(input.MemberArn, 'MemberArn');
  if (!record.bans.has(memberArn)) throw notFound(`${memberArn} is not banned from the channel`);
  await ctx.store.commit([{ k: 'ban-', ch: record.meta.arn, arn: memberArn }]);
}

export function listChannelBans(
  ctx: MessagingContext,
  bearerArn: unknown,
  input: Unchecked<ListChannelBansRequest>,
): ListChannelBansResponse {
  const bearer = checkBearer(ctx, bearerArn);
  const record = channelFor(ctx, input.ChannelArn, bearer);
  requireModerator(record, bearer.arn, 'list bans');
  const bans = [...record.bans.values()].sort((a, b) => (a.userArn < b.userArn ? -1 : 1));
  const page = paginate(bans, (b) => b.userArn, {
    scope: `ListChannelBans|${record.meta.arn}`,
    ...pageRequest(input),
  });
  return compact({
    ChannelArn: record.meta.arn,
    ChannelBans: page.items.map((b) => ({ Member: ctx.shapes.identity(b.userArn) })),
    NextToken: page.nextToken,
  });
}

export function describeChannelBan(
  ctx: MessagingContext,
  bearerArn: unknown,
  input: Unchecked<DescribeChannelBanRequest>,
): DescribeChannelBanResponse {
  const bearer = checkBearer(ctx, bearerArn);
  const record = channelFor(ctx, input.ChannelArn, bearer);
  requireModerator(record, bearer.arn, 'describe bans');
  const memberArn = requireString(input.MemberArn, 'MemberArn');
  const ban = record.bans.get(memberArn);
  if (!ban) throw notFound(`${memberArn} is not banned from the channel`);
  return {
    ChannelBan: {
      Member: ctx.shapes.identity(ban.userArn),
      ChannelArn: record.meta.arn,
      CreatedTimestamp: new Date(ban.createdAt),
      CreatedBy: ctx.shapes.identity(ban.createdBy),
    },
  };
}
