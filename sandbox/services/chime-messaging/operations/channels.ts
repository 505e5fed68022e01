/** CreateChannel, DescribeChannel, ListChannels, UpdateChannel, DeleteChannel. */
import { randomBytes } from 'node:crypto';
import type {
  CreateChannelRequest,
  CreateChannelResponse,
  DeleteChannelRequest,
  DescribeChannelRequest,
  DescribeChannelResponse,
  ListChannelsRequest,
  ListChannelsResponse,
  UpdateChannelRequest,
  UpdateChannelResponse,
} from '@aws-sdk/client-chime-sdk-messaging';
import {
  channelArn as buildChannelArn,
  CHANNEL_ID_PATTERN,
  isAppInstanceArn,
} from '../../../../contracts/chime-arns';
import {
  channelFor,
  checkBearer,
  existingUsers,
  requireModerator,
  requireVisible,
} from '../access';
import type { Input, MessagingContext } from '../context';
import { badRequest, conflict, forbidden } from '../errors';
import { paginate } from '../pagination';
import { compact, recipients } from '../shapes';
import type { ChannelMode, ChannelPrivacy, Mutation, StoredChannel } from '../state';
import type { ChannelEvent } from '../store';
import {
  checkClientToken,
  checkName,
  METADATA_MAX,
  oneOf,
  optionalString,
  requireString,
} from '../validation';

const MAX_CREATE_MEMBERS = 50;
const MAX_CREATE_MODERATORS = 10;

export async function createChannel(
  ctx: MessagingContext,
  bearerArn: string | undefined,
  input: Input<CreateChannelRequest>,
): Promise<CreateChannelResponse> {
  const bearer = checkBearer(ctx, bearerArn);
  const appInstanceArn = requireString(input.AppInstanceArn, 'AppInstanceArn');
  if (!isAppInstanceArn(appInstanceArn)) {
    throw badRequest(`AppInstanceArn is not an AppInstance ARN: ${appInstanceArn}`);
  }
  if (appInstanceArn !== bearer.appInstanceArn) {
    throw forbidden('The bearer does not belong to the AppInstance');
  }
  const name = checkName(input.Name);
  const mode = oneOf<ChannelMode>(
    input.Mode,
    'Mode',
    ['UNRESTRICTED', 'RESTRICTED'],
    'UNRESTRICTED',
  );
  const privacy = oneOf<ChannelPrivacy>(input.Privacy, 'Privacy', ['PUBLIC', 'PRIVATE'], 'PUBLIC');
  const metadata = optionalString(input.Metadata, 'Metadata', METADATA_MAX);
  const token = checkClientToken(input.ClientRequestToken);
  if (input.ElasticChannelConfiguration !== undefined) {
    throw badRequest(
      'ElasticChannelConfiguration: elastic channels are not supported by the sandbox',
    );
  }
  if (input.ExpirationSettings !== undefined) {
    throw badRequest('ExpirationSettings: channel expiration is not supported by the sandbox');
  }
  if (token !== undefined) {
    const existing = ctx.store.channelTokens.get(`${bearer.arn}|${token}`);
    if (existing !== undefined) return { ChannelArn: existing };
  }
  const channelId = optionalString(input.ChannelId, 'ChannelId');
  if (channelId !== undefined && !CHANNEL_ID_PATTERN.test(channelId)) {
    throw badRequest(
      'ChannelId must be 1-64 characters of [A-Za-z0-9:-_.@], starting and ending alphanumeric',
    );
  }
  const arn = buildChannelArn(appInstanceArn, channelId ?? randomBytes(32).toString('hex'));
  if (ctx.store.channels.has(arn)) throw conflict(`Channel ${arn} already exists`);

  const memberArns = existingUsers(
    ctx,
    input.MemberArns,
    'MemberArns',
    MAX_CREATE_MEMBERS,
    appInstanceArn,
  );
  const moderatorArns = existingUsers(
    ctx,
    input.ModeratorArns,
    'ModeratorArns',
    MAX_CREATE_MODERATORS,
    appInstanceArn,
  );

  const now = ctx.store.tick();
  const meta: StoredChannel = compact({
    arn,
    appInstanceArn,
    name,
    mode,
    privacy,
    metadata,
    createdBy: bearer.arn,
    createdAt: now,
    lastUpdatedAt: now,
    clientRequestToken: token,
  });
  const mutations: Mutation[] = [{ k: 'channel', v: meta }];
  // The creator is a member and a moderator of the channel it creates.
  for (const member of new Set([bearer.arn, ...memberArns])) {
    mutations.push({
      k: 'member',
      v: {
        channelArn: arn,
        memberArn: member,
        type: 'DEFAULT',
        invitedBy: bearer.arn,
        createdAt: now,
        lastUpdatedAt: now,
      },
    });
  }
  for (const moderator of new Set([bearer.arn, ...moderatorArns])) {
    mutations.push({
      k: 'moderator',
      v: { channelArn: arn, userArn: moderator, createdBy: bearer.arn, createdAt: now },
    });
  }
  await ctx.store.commit(mutations);
  return { ChannelArn: arn };
}

export function describeChannel(
  ctx: MessagingContext,
  bearerArn: string | undefined,
  input: Input<DescribeChannelRequest>,
): DescribeChannelResponse {
  const bearer = checkBearer(ctx, bearerArn);
  const record = channelFor(ctx, input.ChannelArn, bearer);
  requireVisible(record, bearer.arn);
  return { Channel: ctx.shapes.channel(record.meta) };
}

export function listChannels(
  ctx: MessagingContext,
  bearerArn: string | undefined,
  input: Input<ListChannelsRequest>,
): ListChannelsResponse {
  const bearer = checkBearer(ctx, bearerArn);
  const appInstanceArn = requireString(input.AppInstanceArn, 'AppInstanceArn');
  if (appInstanceArn !== bearer.appInstanceArn) {
    throw forbidden('The bearer does not belong to the AppInstance');
  }
  const privacy = oneOf<ChannelPrivacy>(input.Privacy, 'Privacy', ['PUBLIC', 'PRIVATE'], 'PUBLIC');
  if (privacy === 'PRIVATE') {
    throw forbidden('Only an AppInstanceAdmin can list PRIVATE channels');
  }
  const page = paginate(input, {
    scope: `ListChannels|${appInstanceArn}`,
    items: [...ctx.store.channels.values()]
      .map((r) => r.meta)
      .filter((c) => c.appInstanceArn === appInstanceArn && c.privacy === 'PUBLIC'),
    key: (c) => c.arn,
  });
  return compact({
    Channels: page.items.map((c) => ctx.shapes.channelSummary(c)),
    NextToken: page.NextToken,
  });
}

/** Not in the end-user role's actions (IAM refuses it to them); moderators only. */
export async function updateChannel(
  ctx: MessagingContext,
  bearerArn: string | undefined,
  input: Input<UpdateChannelRequest>,
): Promise<UpdateChannelResponse> {
  const bearer = checkBearer(ctx, bearerArn);
  const record = channelFor(ctx, input.ChannelArn, bearer);
  requireModerator(record, bearer.arn, 'update it');
  const name = input.Name === undefined ? record.meta.name : checkName(input.Name);
  const mode = oneOf<ChannelMode>(
    input.Mode,
    'Mode',
    ['UNRESTRICTED', 'RESTRICTED'],
    record.meta.mode,
  );
  const metadata =
    input.Metadata === undefined
      ? record.meta.metadata
      : optionalString(input.Metadata, 'Metadata', METADATA_MAX);
  const meta: StoredChannel = compact({
    ...record.meta,
    name,
    mode,
    metadata,
    lastUpdatedAt: ctx.store.tick(),
  });
  await ctx.store.commit(
    [{ k: 'channel', v: meta }],
    [
      {
        eventType: 'UPDATE_CHANNEL',
        messageType: 'SYSTEM',
        channelArn: meta.arn,
        payload: ctx.shapes.channel(meta),
        recipients: recipients(record),
      },
    ],
  );
  return { ChannelArn: meta.arn };
}

export async function deleteChannel(
  ctx: MessagingContext,
  bearerArn: string | undefined,
  input: Input<DeleteChannelRequest>,
): Promise<void> {
  const bearer = checkBearer(ctx, bearerArn);
  const record = channelFor(ctx, input.ChannelArn, bearer);
  requireModerator(record, bearer.arn, 'delete it');
  const event: ChannelEvent = {
    eventType: 'DELETE_CHANNEL',
    messageType: 'SYSTEM',
    channelArn: record.meta.arn,
    payload: ctx.shapes.channel(record.meta),
    recipients: recipients(record),
  };
  await ctx.store.commit([{ k: 'channel-', arn: record.meta.arn }], [event]);
}
