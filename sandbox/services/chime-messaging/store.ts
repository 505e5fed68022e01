/**
 * The messaging state in memory, indexed for the channel rules: channels with their members,
 * moderators, bans and messages, who is a member of what, and the idempotency tokens. It changes
 * only through {@link ChannelStore.commit}: a change is applied (synchronously, one event loop
 * turn, so requests never interleave), then made durable in the log (./state.ts), then announced
 * to the channel's members.
 */
import type {
  Mutation,
  MutationLog,
  StoredChannel,
  StoredGrant,
  StoredMembership,
  StoredMessage,
} from './state';

export type EventMessageType = 'STANDARD' | 'CONTROL' | 'SYSTEM';

/** A WebSocket event for the members of a channel. */
export interface ChannelEvent {
  readonly eventType: string;
  readonly messageType: EventMessageType;
  readonly channelArn: string;
  readonly payload: object;
  /** AppInstanceUser ARNs to deliver to (members at the time, plus a removed member). */
  readonly recipients: readonly string[];
}

export interface ChannelRecord {
  meta: StoredChannel;
  members: Map<string, StoredMembership>;
  moderators: Map<string, StoredGrant>;
  bans: Map<string, StoredGrant>;
  /** Persistent messages in creation order. */
  messages: StoredMessage[];
  byId: Map<string, StoredMessage>;
  /** `sender|ClientRequestToken` -> message id, for idempotent sends. */
  tokens: Map<string, string>;
  nextSeq: number;
}

export interface ChannelStoreOptions {
  readonly log: MutationLog;
  readonly now?: () => number;
  readonly onEvent?: (event: ChannelEvent) => void;
}

export class ChannelStore {
  readonly channels = new Map<string, ChannelRecord>();
  /** userArn -> channel ARNs the user is a member of (fan-out and per-user listing). */
  readonly memberOf = new Map<string, Set<string>>();
  /** `bearer|ClientRequestToken` -> channel ARN, for idempotent CreateChannel. */
  readonly channelTokens = new Map<string, string>();
  private readonly now: () => number;
  private lastNow = 0;

  constructor(private readonly options: ChannelStoreOptions) {
    this.now = options.now ?? Date.now;
    for (const mutation of options.log.load()) this.apply(mutation);
  }

  /** Rewrites the log as a snapshot of the current state (start-up and shutdown). */
  compactLog(): void {
    const current: Mutation[] = [];
    for (const record of this.channels.values()) {
      current.push({ k: 'channel', v: record.meta });
      for (const v of record.members.values()) current.push({ k: 'member', v });
      for (const v of record.moderators.values()) current.push({ k: 'moderator', v });
      for (const v of record.bans.values()) current.push({ k: 'ban', v });
      for (const v of record.messages) current.push({ k: 'message', v });
    }
    this.options.log.compact(current);
  }

  /** Applies, persists, then announces. */
  async commit(mutations: Mutation[], events: ChannelEvent[] = []): Promise<void> {
    for (const m of mutations) this.apply(m);
    await this.options.log.append(mutations);
    for (const event of events) this.options.onEvent?.(event);
  }

  /** Strictly increasing milliseconds, so creation order and timestamps agree. */
  tick(): number {
    const now = Math.max(this.now(), this.lastNow + 1);
    this.lastNow = now;
    return now;
  }

  private apply(m: Mutation): void {
    switch (m.k) {
      case 'channel': {
        const existing = this.channels.get(m.v.arn);
        if (existing) existing.meta = m.v;
        else {
          this.channels.set(m.v.arn, {
            meta: m.v,
            members: new Map(),
            moderators: new Map(),
            bans: new Map(),
            messages: [],
            byId: new Map(),
            tokens: new Map(),
            nextSeq: 1,
          });
          if (m.v.clientRequestToken) {
            this.channelTokens.set(`${m.v.createdBy}|${m.v.clientRequestToken}`, m.v.arn);
          }
        }
        return;
      }
      case 'channel-': {
        const record = this.channels.get(m.arn);
        if (!record) return;
        for (const member of record.members.keys()) this.memberOf.get(member)?.delete(m.arn);
        if (record.meta.clientRequestToken) {
          this.channelTokens.delete(`${record.meta.createdBy}|${record.meta.clientRequestToken}`);
        }
        this.channels.delete(m.arn);
        return;
      }
      case 'member': {
        const record = this.channels.get(m.v.channelArn);
        if (!record) return;
        record.members.set(m.v.memberArn, m.v);
        let set = this.memberOf.get(m.v.memberArn);
        if (!set) this.memberOf.set(m.v.memberArn, (set = new Set()));
        set.add(m.v.channelArn);
        return;
      }
      case 'member-':
        this.channels.get(m.ch)?.members.delete(m.arn);
        this.memberOf.get(m.arn)?.delete(m.ch);
        return;
      case 'moderator':
        this.channels.get(m.v.channelArn)?.moderators.set(m.v.userArn, m.v);
        return;
      case 'moderator-':
        this.channels.get(m.ch)?.moderators.delete(m.arn);
        return;
      case 'ban':
        this.channels.get(m.v.channelArn)?.bans.set(m.v.userArn, m.v);
        return;
      case 'ban-':
        this.channels.get(m.ch)?.bans.delete(m.arn);
        return;
      case 'message': {
        const record = this.channels.get(m.v.channelArn);
        if (!record) return;
        const existing = record.byId.get(m.v.id);
        if (existing) {
          record.messages[record.messages.indexOf(existing)] = m.v;
        } else {
          record.messages.push(m.v);
          record.nextSeq = Math.max(record.nextSeq, m.v.seq + 1);
        }
        record.byId.set(m.v.id, m.v);
        if (m.v.clientRequestToken)
          record.tokens.set(`${m.v.sender}|${m.v.clientRequestToken}`, m.v.id);
        return;
      }
    }
  }
}
