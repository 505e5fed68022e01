/**
 * The API's output shapes, built from the stored records, typed with the AWS SDK's own output
 * types (@aws-sdk/client-chime-sdk-messaging). Timestamps are `Date`s: the HTTP layer writes epoch
 * seconds, the WebSocket layer ISO strings.
 */
import type {
  Channel,
  ChannelMembership,
  ChannelMessage,
  ChannelMessageSummary,
  ChannelSummary,
  Identity,
} from '@aws-sdk/client-chime-sdk-messaging';
import type { Persistence, StoredChannel, StoredMembership, StoredMessage } from './state';
import type { ChannelEvent, ChannelRecord } from './store';

/** Who exists: the sandbox's Chime identity service (AppInstanceUsers). */
export interface AppInstanceUserDirectory {
  /** The user's display name, or `undefined` when no such AppInstanceUser exists. */
  nameOf(userArn: string): string | undefined;
}

export const toDate = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));

/** Drops `undefined` members so JSON output carries only what is set, like the service. */
export function compact<T extends object>(value: T): T {
  const members = value as Record<string, unknown>;
  for (const key of Object.keys(members)) if (members[key] === undefined) delete members[key];
  return value;
}

/** Builds output shapes; a user's `Identity` carries its current name. */
export class Shapes {
  constructor(private readonly users: AppInstanceUserDirectory) {}

  identity(arn: string): Identity {
    return compact({ Arn: arn, Name: this.users.nameOf(arn) });
  }

  channel(c: StoredChannel): Channel {
    return compact({
      Name: c.name,
      ChannelArn: c.arn,
      Mode: c.mode,
      Privacy: c.privacy,
      Metadata: c.metadata,
      CreatedBy: this.identity(c.createdBy),
      CreatedTimestamp: new Date(c.createdAt),
      LastMessageTimestamp: toDate(c.lastMessageAt),
      LastUpdatedTimestamp: new Date(c.lastUpdatedAt),
      ChannelFlowArn: c.channelFlowArn,
    });
  }

  channelSummary(c: StoredChannel): ChannelSummary {
    return compact({
      Name: c.name,
      ChannelArn: c.arn,
      Mode: c.mode,
      Privacy: c.privacy,
      Metadata: c.metadata,
      LastMessageTimestamp: toDate(c.lastMessageAt),
    });
  }

  membership(m: StoredMembership): ChannelMembership {
    return {
      InvitedBy: this.identity(m.invitedBy),
      Type: m.type,
      Member: this.identity(m.memberArn),
      ChannelArn: m.channelArn,
      CreatedTimestamp: new Date(m.createdAt),
      LastUpdatedTimestamp: new Date(m.lastUpdatedAt),
    };
  }

  messageSummary(m: StoredMessage): ChannelMessageSummary {
    return compact({
      MessageId: m.id,
      Content: m.redacted ? undefined : m.content,
      Metadata: m.redacted ? undefined : m.metadata,
      Type: m.type,
      CreatedTimestamp: new Date(m.createdAt),
      LastUpdatedTimestamp: new Date(m.lastUpdatedAt),
      LastEditedTimestamp: toDate(m.lastEditedAt),
      Sender: this.identity(m.sender),
      Redacted: m.redacted,
      Status: { Value: 'SENT' },
      MessageAttributes: m.redacted ? undefined : m.attributes,
      ContentType: m.redacted ? undefined : m.contentType,
    });
  }

  message(m: StoredMessage, persistence: Persistence): ChannelMessage {
    return { ChannelArn: m.channelArn, ...this.messageSummary(m), Persistence: persistence };
  }

  // ------------------------------------------------------------------------- events

  messageEvent(
    eventType: string,
    record: ChannelRecord,
    m: StoredMessage,
    persistence: Persistence,
  ): ChannelEvent {
    return {
      eventType,
      messageType: m.type,
      channelArn: record.meta.arn,
      payload: this.message(m, persistence),
      recipients: recipients(record),
    };
  }

  /** What a channel's members (and the removed member) see when a membership ends. */
  membershipRemoved(record: ChannelRecord, membership: StoredMembership): ChannelEvent {
    return {
      eventType: 'DELETE_CHANNEL_MEMBERSHIP',
      messageType: 'SYSTEM',
      channelArn: record.meta.arn,
      payload: this.membership(membership),
      recipients: recipients(record, membership.memberArn),
    };
  }
}

/** The channel's members now, plus `extra` (a member being added or removed). */
export function recipients(record: ChannelRecord, ...extra: string[]): string[] {
  const set = new Set(record.members.keys());
  for (const arn of extra) set.add(arn);
  return [...set];
}
