/**
 * Interprets Chime SDK messaging WebSocket events (`x-amz-chime-event-type` + JSON payload) as
 * changes the chat applies. Pure, unit-tested in Node.
 */
import { type ChatMessage, toChatMessage } from './messages';

export type ChatEvent =
  | { readonly kind: 'message'; readonly message: ChatMessage }
  | { readonly kind: 'messageDeleted'; readonly channelArn: string; readonly messageId: string }
  | {
      readonly kind: 'membership';
      readonly channelArn: string;
      readonly memberArn: string;
      readonly joined: boolean;
    }
  | { readonly kind: 'channelUpdated'; readonly channelArn: string; readonly name?: string }
  | { readonly kind: 'channelDeleted'; readonly channelArn: string }
  | { readonly kind: 'ignored'; readonly type: string };

const MESSAGE_EVENTS = new Set([
  'CREATE_CHANNEL_MESSAGE',
  'UPDATE_CHANNEL_MESSAGE',
  'REDACT_CHANNEL_MESSAGE',
]);

function parsePayload(payload: unknown): Record<string, unknown> | undefined {
  let value = payload;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return undefined;
    }
  }
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

/** `type` is the event type header; `payload` the message's payload (a JSON string on AWS). */
export function interpretEvent(type: string, payload: unknown): ChatEvent {
  const body = parsePayload(payload);
  if (!body) return { kind: 'ignored', type };
  const channelArn = str(body.ChannelArn);
  if (MESSAGE_EVENTS.has(type)) {
    const message = toChatMessage(body);
    if (type === 'REDACT_CHANNEL_MESSAGE' && message) {
      return { kind: 'message', message: { ...message, redacted: true, content: '' } };
    }
    return message ? { kind: 'message', message } : { kind: 'ignored', type };
  }
  if (!channelArn) return { kind: 'ignored', type };
  switch (type) {
    case 'DELETE_CHANNEL_MESSAGE': {
      const messageId = str(body.MessageId);
      return messageId
        ? { kind: 'messageDeleted', channelArn, messageId }
        : { kind: 'ignored', type };
    }
    case 'CREATE_CHANNEL_MEMBERSHIP':
    case 'DELETE_CHANNEL_MEMBERSHIP': {
      const member = body.Member as { Arn?: unknown } | undefined;
      const memberArn = str(member?.Arn);
      if (!memberArn) return { kind: 'ignored', type };
      return {
        kind: 'membership',
        channelArn,
        memberArn,
        joined: type === 'CREATE_CHANNEL_MEMBERSHIP',
      };
    }
    case 'UPDATE_CHANNEL': {
      const name = str(body.Name);
      return { kind: 'channelUpdated', channelArn, ...(name && { name }) };
    }
    case 'DELETE_CHANNEL':
      return { kind: 'channelDeleted', channelArn };
    default:
      return { kind: 'ignored', type };
  }
}
