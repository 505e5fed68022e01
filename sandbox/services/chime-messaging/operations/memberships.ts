/**
 * CreateChannelMembership, DeleteChannelMembership, DescribeChannelMembership,
 * ListChannelMemberships, ListChannelMembershipsForAppInstanceUser, UpdateChannelReadMarker.
 */
import type {
  CreateChannelMembershipRequest,
  CreateChannelMembershipResponse,
  DeleteChannelMembershipRequest,
  DescribeChannelMembershipRequest,
  DescribeChannelMembershipResponse,
  ListChannelMembershipsForAppInstanceUserRequest,
  ListChannelMembershipsForAppInstanceUserResponse,
  ListChannelMembershipsRequest,
  ListChannelMembershipsResponse,
  UpdateChannelReadMarkerRequest,
  UpdateChannelReadMarkerResponse,
} from '@aws-sdk/client-chime-sdk-messaging';
import {
  channelFor,
  checkBearer,
  existingUser,
  isModerator,
  requireModerator,
  requireVisible,
} from '../access';
import type { Input, MessagingContext } from '../context';
import { forbidden, notFound } from '../errors';
import { paginate } from '../pagination';
import { compact, recipients, toDate } from '../shapes';
import type { MembershipType, StoredMembership } from '../state';
import type { ChannelEvent, ChannelRecord } from '../store';
import { noElastic, oneOf, requireString } from '../validation';

export async function createChannelMembership(
  ctx: MessagingContext,
  bearerArn: string | undefined,
  input: Input<CreateChannelMembershipRequest>,
): Promise<CreateChannelMembershipResponse> {
  const bearer = checkBearer(ctx, bearerArn);
  const record = channelFor(ctx, input.ChannelArn, bearer);
  noElastic(input.SubChannelId);
  const memberArn = existingUser(ctx, input.MemberArn, 'MemberArn', record.meta.appInstanceArn);
  const type = oneOf<MembershipType>(input.Type, 'Type', ['DEFAULT', 'HIDDEN'], 'DEFAULT');
  const moderator = isModerator(record, bearer.arn);
  if (!moderator) {
    if (record.meta.mode === 'RESTRICTED') {
      throw forbidden('Only moderators can add members to a RESTRICTED channel');
    }
    const selfJoinPublic = memberArn === bearer.arn && record.meta.privacy === 'PUBLIC';
    if (!record.members.has(bearer.arn) && !selfJoinPublic) {
      throw forbidden(`${bearer.arn} is not a member of the channel and cannot add members`);
    }
    if (type === 'HIDDEN') throw forbidden('Only moderators can add HIDDEN members');
  }
  if (record.bans.has(memberArn)) {
    throw forbidden(`${memberArn} is banned from the channel`);
  }
  const result = { ChannelArn: record.meta.arn, Member: ctx.shapes.identity(memberArn) };
  if (record.members.has(memberArn)) return result;
  const now = ctx.store.tick();
  const membership: StoredMembership = {
    channelArn: record.meta.arn,
    memberArn,
    type,
    invitedBy: bearer.arn,
    createdAt: now,
    lastUpdatedAt: now,
  };
  const event: ChannelEvent = {
    eventType: 'CREATE_CHANNEL_MEMBERSHIP',
    messageType: 'SYSTEM',
    channelArn: record.meta.arn,
    payload: ctx.shapes.membership(membership),
    recipients: recipients(record, memberArn),
  };
  await ctx.store.commit([{ k: 'member', v: membership }], [event]);
  return result;
}

export async function deleteChannelMembership(
  ctx: MessagingContext,
  bearerArn: string | undefined,
  input: Input<DeleteChannelMembershipRequest>,
): Promise<void> {
  const bearer = checkBearer(ctx, bearerArn);
  const record = channelFor(ctx, input.ChannelArn, bearer);
  noElastic(input.SubChannelId);
  const memberArn = requireString(input.MemberArn, 'MemberArn');
  if (memberArn !== bearer.arn) requireModerator(record, bearer.arn, 'remove other members');
  const membership = record.members.get(memberArn);
  if (!membership) throw notFound(`${memberArn} is not a member of the channel`);
  await ctx.store.commit(
    [{ k: 'member-', ch: record.meta.arn, arn: memberArn }],
    [ctx.shapes.membershipRemoved(record, membership)],
  );
}

export function listChannelMemberships(
  ctx: MessagingContext,
  bearerArn: string | undefined,
  input: Input<ListChannelMembershipsRequest>,
): ListChannelMembershipsResponse {
  const bearer = checkBearer(ctx, bearerArn);
  const record = channelFor(ctx, input.ChannelArn, bearer);
  noElastic(input.SubChannelId);
  requireVisible(record, bearer.arn);
  const type = oneOf<MembershipType>(input.Type, 'Type', ['DEFAULT', 'HIDDEN'], 'DEFAULT');
  if (type === 'HIDDEN') requireModerator(record, bearer.arn, 'list HIDDEN members');
  const page = paginate(input, {
    scope: `ListChannelMemberships|${record.meta.arn}|${type}`,
    items: [...record.members.values()].filter((m) => m.type === type),
    key: (m) => m.memberArn,
  });
  return compact({
    ChannelArn: record.meta.arn,
    ChannelMemberships: page.items.map((m) => ({ Member: ctx.shapes.identity(m.memberArn) })),
    NextToken: page.NextToken,
  });
}

export function describeChannelMembership(
  ctx: MessagingContext,
  bearerArn: string | undefined,
  input: Input<DescribeChannelMembershipRequest>,
): DescribeChannelMembershipResponse {
  const bearer = checkBearer(ctx, bearerArn);
  const record = channelFor(ctx, input.ChannelArn, bearer);
  noElastic(input.SubChannelId);
  requireVisible(record, bearer.arn);
  const memberArn = requireString(input.MemberArn, 'MemberArn');
  const membership = record.members.get(memberArn);
  if (!membership) throw notFound(`${memberArn} is not a member of the channel`);
  return { ChannelMembership: ctx.shapes.membership(membership) };
}

export function listChannelMembershipsForAppInstanceUser(
  ctx: MessagingContext,
  bearerArn: string | undefined,
  input: Input<ListChannelMembershipsForAppInstanceUserRequest>,
): ListChannelMembershipsForAppInstanceUserResponse {
  const bearer = checkBearer(ctx, bearerArn);
  const userArn = input.AppInstanceUserArn ?? bearer.arn;
  if (userArn !== bearer.arn) {
    throw forbidden('Only an AppInstanceAdmin can list the memberships of another user');
  }
  const page = paginate(input, {
    scope: `ListChannelMembershipsForAppInstanceUser|${userArn}`,
    items: [...(ctx.store.memberOf.get(userArn) ?? [])]
      .map((arn) => ctx.store.channels.get(arn))
      .filter((r): r is ChannelRecord => r !== undefined),
    key: (r) => r.meta.arn,
  });
  return compact({
    ChannelMemberships: page.items.map((r) => {
      const membership = r.members.get(userArn);
      return {
        ChannelSummary: ctx.shapes.channelSummary(r.meta),
        AppInstanceUserMembershipSummary: compact({
          Type: membership?.type,
          ReadMarkerTimestamp: toDate(membership?.readMarkerAt),
        }),
      };
    }),
    NextToken: page.NextToken,
  });
}

export async function updateChannelReadMarker(
  ctx: MessagingContext,
  bearerArn: string | undefined,
  input: Input<UpdateChannelReadMarkerRequest>,
): Promise<UpdateChannelReadMarkerResponse> {
  const bearer = checkBearer(ctx, bearerArn);
  const record = channelFor(ctx, input.ChannelArn, bearer);
  const membership = record.members.get(bearer.arn);
  if (!membership) throw forbidden(`${bearer.arn} is not a member of the channel`);
  const now = ctx.store.tick();
  await ctx.store.commit([
    { k: 'member', v: { ...membership, readMarkerAt: now, lastUpdatedAt: now } },
  ]);
  return { ChannelArn: record.meta.arn };
}
