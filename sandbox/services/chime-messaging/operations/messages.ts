/**
 * SendChannelMessage, ListChannelMessages, GetChannelMessage, UpdateChannelMessage,
 * RedactChannelMessage, GetChannelMessageStatus.
 */
import { randomUUID } from 'node:crypto';
import type {
  GetChannelMessageRequest,
  GetChannelMessageResponse,
  GetChannelMessageStatusRequest,
  GetChannelMessageStatusResponse,
  ListChannelMessagesRequest,
  ListChannelMessagesResponse,
  RedactChannelMessageRequest,
  RedactChannelMessageResponse,
  SendChannelMessageRequest,
  SendChannelMessageResponse,
  UpdateChannelMessageRequest,
  UpdateChannelMessageResponse,
} from '@aws-sdk/client-chime-sdk-messaging';
import { channelFor, checkBearer, isModerator, requireMember, requireReader } from '../access';
import type { Input, MessagingContext } from '../context';
import { badRequest, forbidden, notFound } from '../errors';
import { paginate } from '../pagination';
import { compact } from '../shapes';
import type { MessageType, Mutation, Persistence, StoredMessage } from '../state';
import type { ChannelRecord } from '../store';
import {
  checkAttributes,
  checkClientToken,
  checkContent,
  CONTENT_TYPE_MAX,
  METADATA_MAX,
  noElastic,
  oneOf,
  optionalString,
  requireString,
} from '../validation';

function messageIn(record: ChannelRecord, messageId: string | undefined): StoredMessage {
  const id = requireString(messageId, 'MessageId');
  const message = record.byId.get(id);
  if (!message) throw notFound(`Message ${id} not found in the channel`);
  return message;
}

export async function sendChannelMessage(
  ctx: MessagingContext,
  bearerArn: string | undefined,
  input: Input<SendChannelMessageRequest>,
): Promise<SendChannelMessageResponse> {
  const bearer = checkBearer(ctx, bearerArn);
  const record = channelFor(ctx, input.ChannelArn, bearer);
  noElastic(input.SubChannelId);
  const type = oneOf<MessageType>(input.Type, 'Type', ['STANDARD', 'CONTROL']);
  const persistence = oneOf<Persistence>(input.Persistence, 'Persistence', [
    'PERSISTENT',
    'NON_PERSISTENT',
  ]);
  const metadata = optionalString(input.Metadata, 'Metadata', METADATA_MAX);
  const content = checkContent(input.Content, type, metadata);
  const contentType = optionalString(input.ContentType, 'ContentType', CONTENT_TYPE_MAX);
  const attributes = checkAttributes(input.MessageAttributes);
  const token = checkClientToken(input.ClientRequestToken);
  if (input.Target !== undefined)
    throw badRequest('Target: targeted messages are not supported by the sandbox');
  requireMember(record, bearer.arn, 'send messages');
  if (token !== undefined) {
    const existing = record.tokens.get(`${bearer.arn}|${token}`);
    if (existing !== undefined) {
      return { ChannelArn: record.meta.arn, MessageId: existing, Status: { Value: 'SENT' } };
    }
  }
  const now = ctx.store.tick();
  const message: StoredMessage = compact({
    channelArn: record.meta.arn,
    id: randomUUID().replace(/-/g, ''),
    seq: record.nextSeq++,
    content,
    metadata,
    contentType,
    attributes,
    type,
    sender: bearer.arn,
    createdAt: now,
    lastUpdatedAt: now,
    redacted: false,
    clientRequestToken: persistence === 'PERSISTENT' ? token : undefined,
  });
  const event = ctx.shapes.messageEvent('CREATE_CHANNEL_MESSAGE', record, message, persistence);
  const mutations: Mutation[] = [{ k: 'channel', v: { ...record.meta, lastMessageAt: now } }];
  // Non-persistent messages are delivered to connected members, never stored.
  if (persistence === 'PERSISTENT') mutations.push({ k: 'message', v: message });
  await ctx.store.commit(mutations, [event]);
  return { ChannelArn: record.meta.arn, MessageId: message.id, Status: { Value: 'SENT' } };
}

export function listChannelMessages(
  ctx: MessagingContext,
  bearerArn: string | undefined,
  input: Input<ListChannelMessagesRequest>,
): ListChannelMessagesResponse {
  const bearer = checkBearer(ctx, bearerArn);
  const record = channelFor(ctx, input.ChannelArn, bearer);
  noElastic(input.SubChannelId);
  requireReader(record, bearer.arn);
  const order = oneOf(input.SortOrder, 'SortOrder', ['ASCENDING', 'DESCENDING'], 'DESCENDING');
  const notBefore = input.NotBefore?.getTime();
  const notAfter = input.NotAfter?.getTime();
  const page = paginate(input, {
    scope: `ListChannelMessages|${record.meta.arn}|${order}`,
    items: record.messages.filter(
      (m) =>
        (notBefore === undefined || m.createdAt >= notBefore) &&
        (notAfter === undefined || m.createdAt <= notAfter),
    ),
    key: (m) => m.seq,
    descending: order === 'DESCENDING',
  });
  return compact({
    ChannelArn: record.meta.arn,
    NextToken: page.NextToken,
    ChannelMessages: page.items.map((m) => ctx.shapes.messageSummary(m)),
  });
}

export function getChannelMessage(
  ctx: MessagingContext,
  bearerArn: string | undefined,
  input: Input<GetChannelMessageRequest>,
): GetChannelMessageResponse {
  const bearer = checkBearer(ctx, bearerArn);
  const record = channelFor(ctx, input.ChannelArn, bearer);
  noElastic(input.SubChannelId);
  requireReader(record, bearer.arn);
  return {
    ChannelMessage: ctx.shapes.message(messageIn(record, input.MessageId), 'PERSISTENT'),
  };
}

export async function updateChannelMessage(
  ctx: MessagingContext,
  bearerArn: string | undefined,
  input: Input<UpdateChannelMessageRequest>,
): Promise<UpdateChannelMessageResponse> {
  const bearer = checkBearer(ctx, bearerArn);
  const record = channelFor(ctx, input.ChannelArn, bearer);
  noElastic(input.SubChannelId);
  const message = messageIn(record, input.MessageId);
  if (message.sender !== bearer.arn) throw forbidden('Only the sender of a message can update it');
  requireMember(record, bearer.arn, 'update messages');
  if (message.redacted) throw badRequest('A redacted message cannot be updated');
  const metadata = optionalString(input.Metadata, 'Metadata', METADATA_MAX);
  const content = checkContent(input.Content, message.type, metadata);
  const contentType = optionalString(input.ContentType, 'ContentType', CONTENT_TYPE_MAX);
  const now = ctx.store.tick();
  const updated: StoredMessage = compact({
    ...message,
    content,
    metadata,
    contentType,
    lastUpdatedAt: now,
    lastEditedAt: now,
  });
  await ctx.store.commit(
    [{ k: 'message', v: updated }],
    [ctx.shapes.messageEvent('UPDATE_CHANNEL_MESSAGE', record, updated, 'PERSISTENT')],
  );
  return { ChannelArn: record.meta.arn, MessageId: message.id, Status: { Value: 'SENT' } };
}

export async function redactChannelMessage(
  ctx: MessagingContext,
  bearerArn: string | undefined,
  input: Input<RedactChannelMessageRequest>,
): Promise<RedactChannelMessageResponse> {
  const bearer = checkBearer(ctx, bearerArn);
  const record = channelFor(ctx, input.ChannelArn, bearer);
  noElastic(input.SubChannelId);
  const message = messageIn(record, input.MessageId);
  const ownMessage = message.sender === bearer.arn && record.members.has(bearer.arn);
  if (!ownMessage && !isModerator(record, bearer.arn)) {
    throw forbidden('Only the sender of a message or a moderator can redact it');
  }
  const result = { ChannelArn: record.meta.arn, MessageId: message.id };
  if (message.redacted) return result;
  const redacted: StoredMessage = {
    channelArn: message.channelArn,
    id: message.id,
    seq: message.seq,
    type: message.type,
    sender: message.sender,
    createdAt: message.createdAt,
    lastUpdatedAt: ctx.store.tick(),
    ...(message.lastEditedAt !== undefined && { lastEditedAt: message.lastEditedAt }),
    redacted: true,
  };
  await ctx.store.commit(
    [{ k: 'message', v: redacted }],
    [ctx.shapes.messageEvent('REDACT_CHANNEL_MESSAGE', record, redacted, 'PERSISTENT')],
  );
  return result;
}

export function getChannelMessageStatus(
  ctx: MessagingContext,
  bearerArn: string | undefined,
  input: Input<GetChannelMessageStatusRequest>,
): GetChannelMessageStatusResponse {
  const bearer = checkBearer(ctx, bearerArn);
  const record = channelFor(ctx, input.ChannelArn, bearer);
  noElastic(input.SubChannelId);
  const message = messageIn(record, input.MessageId);
  if (message.sender !== bearer.arn)
    throw forbidden('Only the sender of a message can get its status');
  return { Status: { Value: 'SENT' } };
}
