/**
 * Moderators and bans: CreateChannelModerator, DeleteChannelModerator, DescribeChannelModerator,
 * ListChannelModerators, ListChannelsModeratedByAppInstanceUser, CreateChannelBan,
 * DeleteChannelBan, DescribeChannelBan, ListChannelBans.
 *
 * A moderator and a ban are the same record (a grant: who, on which channel, set by whom, when);
 * deleting, describing and listing them is one implementation driven by a {@link GrantKind}, which
 * holds what differs: the input member naming the user, who may look, the messages.
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
import type { Input, MessagingContext } from '../context';
import { badRequest, forbidden, notFound } from '../errors';
import { paginate } from '../pagination';
import { compact } from '../shapes';
import type { Mutation, StoredGrant } from '../state';
import type { ChannelEvent, ChannelRecord } from '../store';
import { requireString } from '../validation';

interface GrantKind {
  /** The operation name prefix of its list, for the pagination scope (`ListChannelBans`). */
  readonly list: string;
  readonly grants: (record: ChannelRecord) => Map<string, StoredGrant>;
  readonly deletion: 'moderator-' | 'ban-';
  /** The input member that names the user. */
  readonly userMember: 'ChannelModeratorArn' | 'MemberArn';
  readonly missing: (userArn: string) => string;
  /** Refuses the bearer if it may not do `what` (`'describe'`, `'list'`, `'delete'`). */
  readonly authorize: (record: ChannelRecord, bearerArn: string, what: GrantAction) => void;
}

type GrantAction = 'delete' | 'describe' | 'list';

/** Anyone who sees the channel sees its moderators; only moderators change them. */
const MODERATORS: GrantKind = {
  list: 'ListChannelModerators',
  grants: (record) => record.moderators,
  deletion: 'moderator-',
  userMember: 'ChannelModeratorArn',
  missing: (userArn) => `${userArn} is not a moderator of the channel`,
  authorize: (record, bearerArn, what) =>
    what === 'delete'
      ? requireModerator(record, bearerArn, 'remove moderators')
      : requireVisible(record, bearerArn),
};

/** Only moderators see and change bans. */
const BANS: GrantKind = {
  list: 'ListChannelBans',
  grants: (record) => record.bans,
  deletion: 'ban-',
  userMember: 'MemberArn',
  missing: (userArn) => `${userArn} is not banned from the channel`,
  authorize: (record, bearerArn, what) =>
    requireModerator(
      record,
      bearerArn,
      what === 'delete' ? 'lift bans' : what === 'list' ? 'list bans' : 'describe bans',
    ),
};

type GrantInput = Partial<Readonly<Record<'ChannelArn' | GrantKind['userMember'], string>>>;

function grantOf(
  ctx: MessagingContext,
  kind: GrantKind,
  bearerArn: string | undefined,
  input: GrantInput,
  what: GrantAction,
): { record: ChannelRecord; grant: StoredGrant } {
  const bearer = checkBearer(ctx, bearerArn);
  const record = channelFor(ctx, input.ChannelArn, bearer);
  kind.authorize(record, bearer.arn, what);
  const userArn = requireString(input[kind.userMember], kind.userMember);
  const grant = kind.grants(record).get(userArn);
  if (!grant) throw notFound(kind.missing(userArn));
  return { record, grant };
}

async function deleteGrant(
  ctx: MessagingContext,
  kind: GrantKind,
  bearerArn: string | undefined,
  input: GrantInput,
): Promise<void> {
  const { record, grant } = grantOf(ctx, kind, bearerArn, input, 'delete');
  await ctx.store.commit([{ k: kind.deletion, ch: record.meta.arn, arn: grant.userArn }]);
}

function describeGrant(
  ctx: MessagingContext,
  kind: GrantKind,
  bearerArn: string | undefined,
  input: GrantInput,
) {
  const { record, grant } = grantOf(ctx, kind, bearerArn, input, 'describe');
  return {
    user: ctx.shapes.identity(grant.userArn),
    ChannelArn: record.meta.arn,
    CreatedTimestamp: new Date(grant.createdAt),
    CreatedBy: ctx.shapes.identity(grant.createdBy),
  };
}

function listGrants(
  ctx: MessagingContext,
  kind: GrantKind,
  bearerArn: string | undefined,
  input: Input<ListChannelModeratorsRequest | ListChannelBansRequest>,
) {
  const bearer = checkBearer(ctx, bearerArn);
  const record = channelFor(ctx, input.ChannelArn, bearer);
  kind.authorize(record, bearer.arn, 'list');
  const page = paginate(input, {
    scope: `${kind.list}|${record.meta.arn}`,
    items: kind.grants(record).values(),
    key: (g) => g.userArn,
  });
  return {
    ChannelArn: record.meta.arn,
    users: page.items.map((g) => ctx.shapes.identity(g.userArn)),
    NextToken: page.NextToken,
  };
}

// ------------------------------------------------------------------------- moderators

export async function createChannelModerator(
  ctx: MessagingContext,
  bearerArn: string | undefined,
  input: Input<CreateChannelModeratorRequest>,
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
      { k: 'moderator', v: newGrant(ctx, record, moderatorArn, bearer.arn) },
    ]);
  }
  return { ChannelArn: record.meta.arn, ChannelModerator: ctx.shapes.identity(moderatorArn) };
}

export function deleteChannelModerator(
  ctx: MessagingContext,
  bearerArn: string | undefined,
  input: Input<DeleteChannelModeratorRequest>,
): Promise<void> {
  return deleteGrant(ctx, MODERATORS, bearerArn, input);
}

export function describeChannelModerator(
  ctx: MessagingContext,
  bearerArn: string | undefined,
  input: Input<DescribeChannelModeratorRequest>,
): DescribeChannelModeratorResponse {
  const { user, ...grant } = describeGrant(ctx, MODERATORS, bearerArn, input);
  return { ChannelModerator: { Moderator: user, ...grant } };
}

export function listChannelModerators(
  ctx: MessagingContext,
  bearerArn: string | undefined,
  input: Input<ListChannelModeratorsRequest>,
): ListChannelModeratorsResponse {
  const { ChannelArn, users, NextToken } = listGrants(ctx, MODERATORS, bearerArn, input);
  return compact({
    ChannelArn,
    ChannelModerators: users.map((Moderator) => ({ Moderator })),
    NextToken,
  });
}

/** The channels a user moderates (their own only: another user's needs an AppInstanceAdmin). */
export function listChannelsModeratedByAppInstanceUser(
  ctx: MessagingContext,
  bearerArn: string | undefined,
  input: Input<ListChannelsModeratedByAppInstanceUserRequest>,
): ListChannelsModeratedByAppInstanceUserResponse {
  const bearer = checkBearer(ctx, bearerArn);
  const userArn = input.AppInstanceUserArn ?? bearer.arn;
  if (userArn !== bearer.arn) {
    throw forbidden('Only an AppInstanceAdmin can list the channels another user moderates');
  }
  const page = paginate(input, {
    scope: `ListChannelsModeratedByAppInstanceUser|${userArn}`,
    items: [...ctx.store.channels.values()].filter((r) => r.moderators.has(userArn)),
    key: (r) => r.meta.arn,
  });
  return compact({
    Channels: page.items.map((r) => ({ ChannelSummary: ctx.shapes.channelSummary(r.meta) })),
    NextToken: page.NextToken,
  });
}

// ------------------------------------------------------------------------- bans

export async function createChannelBan(
  ctx: MessagingContext,
  bearerArn: string | undefined,
  input: Input<CreateChannelBanRequest>,
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
  const mutations: Mutation[] = [{ k: 'ban', v: newGrant(ctx, record, memberArn, bearer.arn) }];
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

export function deleteChannelBan(
  ctx: MessagingContext,
  bearerArn: string | undefined,
  input: Input<DeleteChannelBanRequest>,
): Promise<void> {
  return deleteGrant(ctx, BANS, bearerArn, input);
}

export function describeChannelBan(
  ctx: MessagingContext,
  bearerArn: string | undefined,
  input: Input<DescribeChannelBanRequest>,
): DescribeChannelBanResponse {
  const { user, ...grant } = describeGrant(ctx, BANS, bearerArn, input);
  return { ChannelBan: { Member: user, ...grant } };
}

export function listChannelBans(
  ctx: MessagingContext,
  bearerArn: string | undefined,
  input: Input<ListChannelBansRequest>,
): ListChannelBansResponse {
  const { ChannelArn, users, NextToken } = listGrants(ctx, BANS, bearerArn, input);
  return compact({ ChannelArn, ChannelBans: users.map((Member) => ({ Member })), NextToken });
}

function newGrant(
  ctx: MessagingContext,
  record: ChannelRecord,
  userArn: string,
  createdBy: string,
): StoredGrant {
  return { channelArn: record.meta.arn, userArn, createdBy, createdAt: ctx.store.tick() };
}
