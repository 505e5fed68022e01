/** The messaging session: GetMessagingSessionEndpoint and the WebSocket's prefetch. */
import type {
  ChannelMembershipSummary,
  ChannelMessageSummary,
  ChannelSummary,
  GetMessagingSessionEndpointResponse,
} from '@aws-sdk/client-chime-sdk-messaging';
import type { MessagingContext } from '../context';
import { compact, toDate } from '../shapes';
import type { ChannelRecord } from '../store';

export function getMessagingSessionEndpoint(
  ctx: MessagingContext,
): GetMessagingSessionEndpointResponse {
  return { Endpoint: { Url: ctx.endpointHost() } };
}

/** One `CHANNEL_DETAILS` payload (the developer guide's shape; not in the SDK's model). */
export interface ChannelDetails {
  readonly Channel: ChannelSummary;
  readonly ChannelMessages: ChannelMessageSummary[];
  readonly ChannelMemberships: ChannelMembershipSummary[];
  readonly ReadMarkerTimestamp?: Date;
  readonly ChannelMessagesHasMore: boolean;
}

/**
 * `CHANNEL_DETAILS` payloads for the WebSocket's `prefetch-on=connect`: up to 50 of the user's
 * channels (by default those with unread messages first, then by latest message; or by latest
 * message only), each with its latest 20 messages (newest first), up to 30 members and the
 * user's read marker, as the developer guide describes.
 */
export function channelDetails(
  ctx: MessagingContext,
  userArn: string,
  sortBy?: string,
): ChannelDetails[] {
  const records = [...(ctx.store.memberOf.get(userArn) ?? [])]
    .map((arn) => ctx.store.channels.get(arn))
    .filter((r): r is ChannelRecord => r !== undefined);
  const last = (r: ChannelRecord) => r.meta.lastMessageAt ?? 0;
  const unread = (r: ChannelRecord) => {
    const marker = r.members.get(userArn)?.readMarkerAt ?? 0;
    return r.meta.lastMessageAt !== undefined && r.meta.lastMessageAt > marker ? 1 : 0;
  };
  records.sort((a, b) =>
    sortBy === 'last-message-timestamp'
      ? last(b) - last(a)
      : unread(b) - unread(a) || last(b) - last(a),
  );
  return records.slice(0, 50).map((r) => {
    const messages = r.messages.slice(-20).reverse();
    return compact({
      Channel: ctx.shapes.channelSummary(r.meta),
      ChannelMessages: messages.map((m) => ctx.shapes.messageSummary(m)),
      ChannelMemberships: [...r.members.values()]
        .filter((m) => m.type === 'DEFAULT')
        .slice(0, 30)
        .map((m) => ({ Member: ctx.shapes.identity(m.memberArn) })),
      ReadMarkerTimestamp: toDate(r.members.get(userArn)?.readMarkerAt),
      ChannelMessagesHasMore: r.messages.length > messages.length,
    });
  });
}
