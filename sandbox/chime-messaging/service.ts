/**
 * Chime SDK messaging channel semantics, as the API reference describes them (see
 * docs/chime-messaging-sandbox.md for the choices made where it is silent).
 *
 * Pure domain: no HTTP, no IAM. Every operation takes the bearer (the `x-amz-chime-bearer`
 * AppInstanceUser ARN, already authorized by IAM) and the API's input shape, and returns the API's
 * output shape with `Date` timestamps (the HTTP layer writes epoch seconds, the WebSocket layer
 * ISO strings). State changes are checked and applied synchronously (one event loop turn, so no
 * interleaving), then made durable, then announced to the channel's members.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  channelArn as buildChannelArn,
  CHANNEL_ID_PATTERN,
  isAppInstanceArn,
  parseAppInstanceUserArn,
  parseChannelArn,
  parseChannelFlowArn,
} from '../../contracts/chime-arns';
import { badRequest, conflict, forbidden, notFound, unauthorized } from './errors';
import { paginate } from './pagination';
import type {
  ChannelMode,
  ChannelPrivacy,
  MembershipType,
  MessageType,
  Mutation,
  MutationLog,
  Persistence,
  StoredChannel,
  StoredGrant,
  StoredMembership,
  StoredMessage,
} from './state';

/** Who exists: the sandbox's Chime identity service (AppInstanceUsers). */
export interface AppInstanceUserDirectory {
  /** The user's display name, or `undefined` when no such AppInstanceUser exists. */
  nameOf(userArn: string): string | undefined;
}

export type EventMessageType = 'STANDARD' | 'CONTROL' | 'SYSTEM';

/** A WebSocket event for the members of a channel. */
export interface ChannelEvent {
  readonly eventType: string;
  readonly messageType: EventMessageType;
  readonly channelArn: string;
  readonly payload: Record<string, unknown>;
  /** AppInstanceUser ARNs to deliver to (members at the time, plus a removed member). */
  readonly recipients: readonly string[];
}

export interface MessagingServiceOptions {
  readonly users: AppInstanceUserDirectory;
  readonly log: MutationLog;
  /** The WebSocket host (`host:port`) GetMessagingSessionEndpoint returns. */
  readonly endpointHost: () => string;
  readonly now?: () => number;
  readonly onEvent?: (event: ChannelEvent) => void;
}

export interface Identity {
  Arn: string;
  Name?: string;
}

interface ChannelRecord {
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

const NAME_MAX = 256;
const METADATA_MAX = 1024;
const STANDARD_MAX_BYTES = 4096;
const CONTROL_MAX_BYTES = 30;
const CLIENT_TOKEN_RE = /^[-_a-zA-Z0-9]{2,64}$/;
const MAX_CREATE_MEMBERS = 50;
const MAX_CREATE_MODERATORS = 10;

function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0) throw badRequest(`${name} is required`);
  return value;
}

function optionalString(value: unknown, name: string, max?: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest(`${name} must be a string`);
  if (max !== undefined && value.length > max) {
    throw badRequest(`${name} must be at most ${max} characters`);
  }
  return value;
}

function oneOf<T extends string>(
  value: unknown,
  name: string,
  allowed: readonly T[],
  fallback?: T,
): T {
  if ((value === undefined || value === null) && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw badRequest(`${name} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function checkClientToken(token: unknown): string | undefined {
  const value = optionalString(token, 'ClientRequestToken');
  if (value !== undefined && !CLIENT_TOKEN_RE.test(value)) {
    throw badRequest('ClientRequestToken must be 2-64 characters of [-_a-zA-Z0-9]');
  }
  return value;
}

function checkName(value: unknown): string {
  const name = requireString(value, 'Name');
  if (name.length > NAME_MAX || !/\S/.test(name)) {
    throw badRequest(`Name must be 1-${NAME_MAX} characters and not blank`);
  }
  return name;
}

function noElastic(subChannelId: unknown): void {
  if (subChannelId !== undefined && subChannelId !== null) {
    throw badRequest('SubChannelId: elastic channels are not supported by the sandbox');
  }
}

const toDate = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));

/** Drops `undefined` members so JSON output carries only what is set, like the service. */
function compact<T extends Record<string, unknown>>(value: T): T {
  for (const key of Object.keys(value)) if (value[key] === undefined) delete value[key];
  return value;
}

export class MessagingService {
  private readonly channels = new Map<string, ChannelRecord>();
  /** userArn -> channel ARNs the user is a member of (fan-out and per-user listing). */
  private readonly memberOf = new Map<string, Set<string>>();
  /** `bearer|ClientRequestToken` -> channel ARN, for idempotent CreateChannel. */
  private readonly channelTokens = new Map<string, string>();
  private readonly now: () => number;
  private lastNow = 0;

  constructor(private readonly options: MessagingServiceOptions) {
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

  /** Whether `userArn` is a member of the channel now (WebSocket fan-out). */
  isMember(channelArn: string, userArn: string): boolean {
    return this.channels.get(channelArn)?.members.has(userArn) ?? false;
  }

  // ---------------------------------------------------------------- state

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

  /** Applies, persists, then announces. */
  private async commit(mutations: Mutation[], events: ChannelEvent[] = []): Promise<void> {
    for (const m of mutations) this.apply(m);
    await this.options.log.append(mutations);
    for (const event of events) this.options.onEvent?.(event);
  }

  /** Strictly increasing milliseconds, so creation order and timestamps agree. */
  private tick(): number {
    const now = Math.max(this.now(), this.lastNow + 1);
    this.lastNow = now;
    return now;
  }

  // ---------------------------------------------------------------- checks

  private identity(arn: string): Identity {
    return compact({ Arn: arn, Name: this.options.users.nameOf(arn) });
  }

  /** The bearer must be an existing AppInstanceUser. Returns its AppInstance ARN. */
  private bearer(bearer: unknown): { arn: string; appInstanceArn: string } {
    if (typeof bearer !== 'string' || bearer === '') {
      throw badRequest('The x-amz-chime-bearer header is required');
    }
    const parsed = parseAppInstanceUserArn(bearer);
    if (!parsed || this.options.users.nameOf(bearer) === undefined) {
      throw unauthorized(
        'An invalid app instance user ARN was supplied for the x-amz-chime-bearer HTTP header.',
      );
    }
    return { arn: bearer, appInstanceArn: parsed.appInstanceArn };
  }

  private channel(channelArn: unknown, bearer: { appInstanceArn: string }): ChannelRecord {
    const arn = requireString(channelArn, 'ChannelArn');
    const parsed = parseChannelArn(arn);
    if (!parsed) throw badRequest(`ChannelArn is not a channel ARN: ${arn}`);
    const record = this.channels.get(arn);
    if (!record) throw notFound(`Channel ${arn} not found`);
    if (parsed.appInstanceArn !== bearer.appInstanceArn) {
      throw forbidden('The bearer does not belong to the AppInstance of the channel');
    }
    return record;
  }

  /** A user named in the input: well-formed, same AppInstance, existing. */
  private user(arn: unknown, name: string, appInstanceArn: string): string {
    const value = requireString(arn, name);
    const parsed = parseAppInstanceUserArn(value);
    if (!parsed) throw badRequest(`${name} is not an AppInstanceUser ARN: ${value}`);
    if (
      parsed.appInstanceArn !== appInstanceArn ||
      this.options.users.nameOf(value) === undefined
    ) {
      throw notFound(`AppInstanceUser ${value} not found`);
    }
    return value;
  }

  private isModerator(record: ChannelRecord, userArn: string): boolean {
    return record.moderators.has(userArn);
  }

  private requireModerator(record: ChannelRecord, userArn: string, what: string): void {
    if (!this.isModerator(record, userArn)) {
      throw forbidden(`Only moderators of the channel can ${what}`);
    }
  }

  private requireMember(record: ChannelRecord, userArn: string, what: string): void {
    if (!record.members.has(userArn)) {
      throw forbidden(`${userArn} is not a member of the channel and cannot ${what}`);
    }
  }

  /** Private channels are invisible outside their members and moderators. */
  private requireVisible(record: ChannelRecord, userArn: string): void {
    if (
      record.meta.privacy === 'PRIVATE' &&
      !record.members.has(userArn) &&
      !record.moderators.has(userArn)
    ) {
      throw forbidden(`${userArn} is not a member of the private channel`);
    }
  }

  private recipients(record: ChannelRecord, ...extra: string[]): string[] {
    const set = new Set(record.members.keys());
    for (const arn of extra) set.add(arn);
    return [...set];
  }

  // ---------------------------------------------------------------- shapes

  private channelShape(c: StoredChannel): Record<string, unknown> {
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

  private channelSummary(c: StoredChannel): Record<string, unknown> {
    return compact({
      Name: c.name,
      ChannelArn: c.arn,
      Mode: c.mode,
      Privacy: c.privacy,
      Metadata: c.metadata,
      LastMessageTimestamp: toDate(c.lastMessageAt),
    });
  }

  private membershipShape(m: StoredMembership): Record<string, unknown> {
    return {
      InvitedBy: this.identity(m.invitedBy),
      Type: m.type,
      Member: this.identity(m.memberArn),
      ChannelArn: m.channelArn,
      CreatedTimestamp: new Date(m.createdAt),
      LastUpdatedTimestamp: new Date(m.lastUpdatedAt),
    };
  }

  private messageSummary(m: StoredMessage): Record<string, unknown> {
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

  private messageShape(m: StoredMessage, persistence: Persistence): Record<string, unknown> {
    return { ChannelArn: m.channelArn, ...this.messageSummary(m), Persistence: persistence };
  }

  private messageEvent(
    eventType: string,
    record: ChannelRecord,
    m: StoredMessage,
    persistence: Persistence,
  ): ChannelEvent {
    return {
      eventType,
      messageType: m.type,
      channelArn: record.meta.arn,
      payload: this.messageShape(m, persistence),
      recipients: this.recipients(record),
    };
  }

  // ---------------------------------------------------------------- channels

  async createChannel(bearerArn: unknown, input: Record<string, unknown>) {
    const bearer = this.bearer(bearerArn);
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
    const privacy = oneOf<ChannelPrivacy>(
      input.Privacy,
      'Privacy',
      ['PUBLIC', 'PRIVATE'],
      'PUBLIC',
    );
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
      const existing = this.channelTokens.get(`${bearer.arn}|${token}`);
      if (existing !== undefined) return { ChannelArn: existing };
    }
    const channelId = optionalString(input.ChannelId, 'ChannelId');
    if (channelId !== undefined && !CHANNEL_ID_PATTERN.test(channelId)) {
      throw badRequest(
        'ChannelId must be 1-64 characters of [A-Za-z0-9:-_.@], starting and ending alphanumeric',
      );
    }
    const arn = buildChannelArn(appInstanceArn, channelId ?? randomBytes(32).toString('hex'));
    if (this.channels.has(arn)) throw conflict(`Channel ${arn} already exists`);

    const memberArns = this.arnList(
      input.MemberArns,
      'MemberArns',
      MAX_CREATE_MEMBERS,
      appInstanceArn,
    );
    const moderatorArns = this.arnList(
      input.ModeratorArns,
      'ModeratorArns',
      MAX_CREATE_MODERATORS,
      appInstanceArn,
    );

    const now = this.tick();
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
    await this.commit(mutations);
    return { ChannelArn: arn };
  }

  private arnList(value: unknown, name: string, max: number, appInstanceArn: string): string[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || value.length < 1 || value.length > max) {
      throw badRequest(`${name} must list 1 to ${max} AppInstanceUser ARNs`);
    }
    return value.map((arn) => this.user(arn, name, appInstanceArn));
  }

  describeChannel(bearerArn: unknown, input: Record<string, unknown>) {
    const bearer = this.bearer(bearerArn);
    const record = this.channel(input.ChannelArn, bearer);
    this.requireVisible(record, bearer.arn);
    return { Channel: this.channelShape(record.meta) };
  }

  listChannels(bearerArn: unknown, input: Record<string, unknown>) {
    const bearer = this.bearer(bearerArn);
    const appInstanceArn = requireString(input.AppInstanceArn, 'AppInstanceArn');
    if (appInstanceArn !== bearer.appInstanceArn) {
      throw forbidden('The bearer does not belong to the AppInstance');
    }
    const privacy = oneOf<ChannelPrivacy>(
      input.Privacy,
      'Privacy',
      ['PUBLIC', 'PRIVATE'],
      'PUBLIC',
    );
    if (privacy === 'PRIVATE') {
      throw forbidden('Only an AppInstanceAdmin can list PRIVATE channels');
    }
    const channels = [...this.channels.values()]
      .map((r) => r.meta)
      .filter((c) => c.appInstanceArn === appInstanceArn && c.privacy === 'PUBLIC')
      .sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
    const page = paginate(channels, (c) => c.arn, {
      scope: `ListChannels|${appInstanceArn}`,
      maxResults: input.MaxResults as number | undefined,
      nextToken: input.NextToken as string | undefined,
    });
    return compact({
      Channels: page.items.map((c) => this.channelSummary(c)),
      NextToken: page.nextToken,
    });
  }

  /** Not in the end-user role's actions (IAM refuses it to them); moderators only. */
  async updateChannel(bearerArn: unknown, input: Record<string, unknown>) {
    const bearer = this.bearer(bearerArn);
    const record = this.channel(input.ChannelArn, bearer);
    this.requireModerator(record, bearer.arn, 'update it');
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
      lastUpdatedAt: this.tick(),
    });
    await this.commit(
      [{ k: 'channel', v: meta }],
      [
        {
          eventType: 'UPDATE_CHANNEL',
          messageType: 'SYSTEM',
          channelArn: meta.arn,
          payload: this.channelShape(meta),
          recipients: this.recipients(record),
        },
      ],
    );
    return { ChannelArn: meta.arn };
  }

  async deleteChannel(bearerArn: unknown, input: Record<string, unknown>) {
    const bearer = this.bearer(bearerArn);
    const record = this.channel(input.ChannelArn, bearer);
    this.requireModerator(record, bearer.arn, 'delete it');
    const event: ChannelEvent = {
      eventType: 'DELETE_CHANNEL',
      messageType: 'SYSTEM',
      channelArn: record.meta.arn,
      payload: this.channelShape(record.meta),
      recipients: this.recipients(record),
    };
    await this.commit([{ k: 'channel-', arn: record.meta.arn }], [event]);
  }

  // ---------------------------------------------------------------- memberships

  async createChannelMembership(bearerArn: unknown, input: Record<string, unknown>) {
    const bearer = this.bearer(bearerArn);
    const record = this.channel(input.ChannelArn, bearer);
    noElastic(input.SubChannelId);
    const memberArn = this.user(input.MemberArn, 'MemberArn', record.meta.appInstanceArn);
    const type = oneOf<MembershipType>(input.Type, 'Type', ['DEFAULT', 'HIDDEN'], 'DEFAULT');
    const moderator = this.isModerator(record, bearer.arn);
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
    const result = { ChannelArn: record.meta.arn, Member: this.identity(memberArn) };
    if (record.members.has(memberArn)) return result;
    const now = this.tick();
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
      payload: this.membershipShape(membership),
      recipients: this.recipients(record, memberArn),
    };
    await this.commit([{ k: 'member', v: membership }], [event]);
    return result;
  }

  async deleteChannelMembership(bearerArn: unknown, input: Record<string, unknown>) {
    const bearer = this.bearer(bearerArn);
    const record = this.channel(input.ChannelArn, bearer);
    noElastic(input.SubChannelId);
    const memberArn = requireString(input.MemberArn, 'MemberArn');
    if (memberArn !== bearer.arn) this.requireModerator(record, bearer.arn, 'remove other members');
    const membership = record.members.get(memberArn);
    if (!membership) throw notFound(`${memberArn} is not a member of the channel`);
    await this.commit(
      [{ k: 'member-', ch: record.meta.arn, arn: memberArn }],
      [this.membershipRemoved(record, membership)],
    );
  }

  private membershipRemoved(record: ChannelRecord, membership: StoredMembership): ChannelEvent {
    return {
      eventType: 'DELETE_CHANNEL_MEMBERSHIP',
      messageType: 'SYSTEM',
      channelArn: record.meta.arn,
      payload: this.membershipShape(membership),
      recipients: this.recipients(record, membership.memberArn),
    };
  }

  listChannelMemberships(bearerArn: unknown, input: Record<string, unknown>) {
    const bearer = this.bearer(bearerArn);
    const record = this.channel(input.ChannelArn, bearer);
    noElastic(input.SubChannelId);
    this.requireVisible(record, bearer.arn);
    const type = oneOf<MembershipType>(input.Type, 'Type', ['DEFAULT', 'HIDDEN'], 'DEFAULT');
    if (type === 'HIDDEN') this.requireModerator(record, bearer.arn, 'list HIDDEN members');
    const members = [...record.members.values()]
      .filter((m) => m.type === type)
      .sort((a, b) => (a.memberArn < b.memberArn ? -1 : 1));
    const page = paginate(members, (m) => m.memberArn, {
      scope: `ListChannelMemberships|${record.meta.arn}|${type}`,
      maxResults: input.MaxResults as number | undefined,
      nextToken: input.NextToken as string | undefined,
    });
    return compact({
      ChannelArn: record.meta.arn,
      ChannelMemberships: page.items.map((m) => ({ Member: this.identity(m.memberArn) })),
      NextToken: page.nextToken,
    });
  }

  describeChannelMembership(bearerArn: unknown, input: Record<string, unknown>) {
    const bearer = this.bearer(bearerArn);
    const record = this.channel(input.ChannelArn, bearer);
    noElastic(input.SubChannelId);
    this.requireVisible(record, bearer.arn);
    const memberArn = requireString(input.MemberArn, 'MemberArn');
    const membership = record.members.get(memberArn);
    if (!membership) throw notFound(`${memberArn} is not a member of the channel`);
    return { ChannelMembership: this.membershipShape(membership) };
  }

  listChannelMembershipsForAppInstanceUser(bearerArn: unknown, input: Record<string, unknown>) {
    const bearer = this.bearer(bearerArn);
    const userArn = (input.AppInstanceUserArn as string | undefined) ?? bearer.arn;
    if (userArn !== bearer.arn) {
      throw forbidden('Only an AppInstanceAdmin can list the memberships of another user');
    }
    const channels = [...(this.memberOf.get(userArn) ?? [])]
      .sort()
      .map((arn) => this.channels.get(arn))
      .filter((r): r is ChannelRecord => r !== undefined);
    const page = paginate(channels, (r) => r.meta.arn, {
      scope: `ListChannelMembershipsForAppInstanceUser|${userArn}`,
      maxResults: input.MaxResults as number | undefined,
      nextToken: input.NextToken as string | undefined,
    });
    return compact({
      ChannelMemberships: page.items.map((r) => {
        const membership = r.members.get(userArn);
        return {
          ChannelSummary: this.channelSummary(r.meta),
          AppInstanceUserMembershipSummary: compact({
            Type: membership?.type,
            ReadMarkerTimestamp: toDate(membership?.readMarkerAt),
          }),
        };
      }),
      NextToken: page.nextToken,
    });
  }

  async updateChannelReadMarker(bearerArn: unknown, input: Record<string, unknown>) {
    const bearer = this.bearer(bearerArn);
    const record = this.channel(input.ChannelArn, bearer);
    const membership = record.members.get(bearer.arn);
    if (!membership) throw forbidden(`${bearer.arn} is not a member of the channel`);
    const now = this.tick();
    await this.commit([
      { k: 'member', v: { ...membership, readMarkerAt: now, lastUpdatedAt: now } },
    ]);
    return { ChannelArn: record.meta.arn };
  }

  // ---------------------------------------------------------------- moderators

  async createChannelModerator(bearerArn: unknown, input: Record<string, unknown>) {
    const bearer = this.bearer(bearerArn);
    const record = this.channel(input.ChannelArn, bearer);
    this.requireModerator(record, bearer.arn, 'add moderators');
    const moderatorArn = this.user(
      input.ChannelModeratorArn,
      'ChannelModeratorArn',
      record.meta.appInstanceArn,
    );
    if (record.bans.has(moderatorArn))
      throw forbidden(`${moderatorArn} is banned from the channel`);
    if (!record.moderators.has(moderatorArn)) {
      await this.commit([
        {
          k: 'moderator',
          v: {
            channelArn: record.meta.arn,
            userArn: moderatorArn,
            createdBy: bearer.arn,
            createdAt: this.tick(),
          },
        },
      ]);
    }
    return { ChannelArn: record.meta.arn, ChannelModerator: this.identity(moderatorArn) };
  }

  async deleteChannelModerator(bearerArn: unknown, input: Record<string, unknown>) {
    const bearer = this.bearer(bearerArn);
    const record = this.channel(input.ChannelArn, bearer);
    this.requireModerator(record, bearer.arn, 'remove moderators');
    const moderatorArn = requireString(input.ChannelModeratorArn, 'ChannelModeratorArn');
    if (!record.moderators.has(moderatorArn))
      throw notFound(`${moderatorArn} is not a moderator of the channel`);
    await this.commit([{ k: 'moderator-', ch: record.meta.arn, arn: moderatorArn }]);
  }

  listChannelModerators(bearerArn: unknown, input: Record<string, unknown>) {
    const bearer = this.bearer(bearerArn);
    const record = this.channel(input.ChannelArn, bearer);
    this.requireVisible(record, bearer.arn);
    const moderators = [...record.moderators.values()].sort((a, b) =>
      a.userArn < b.userArn ? -1 : 1,
    );
    const page = paginate(moderators, (m) => m.userArn, {
      scope: `ListChannelModerators|${record.meta.arn}`,
      maxResults: input.MaxResults as number | undefined,
      nextToken: input.NextToken as string | undefined,
    });
    return compact({
      ChannelArn: record.meta.arn,
      ChannelModerators: page.items.map((m) => ({ Moderator: this.identity(m.userArn) })),
      NextToken: page.nextToken,
    });
  }

  /** The channels a user moderates (their own only: another user's needs an AppInstanceAdmin). */
  listChannelsModeratedByAppInstanceUser(bearerArn: unknown, input: Record<string, unknown>) {
    const bearer = this.bearer(bearerArn);
    const userArn = (input.AppInstanceUserArn as string | undefined) ?? bearer.arn;
    if (userArn !== bearer.arn) {
      throw forbidden('Only an AppInstanceAdmin can list the channels another user moderates');
    }
    const channels = [...this.channels.values()]
      .filter((r) => r.moderators.has(userArn))
      .sort((a, b) => (a.meta.arn < b.meta.arn ? -1 : 1));
    const page = paginate(channels, (r) => r.meta.arn, {
      scope: `ListChannelsModeratedByAppInstanceUser|${userArn}`,
      maxResults: input.MaxResults as number | undefined,
      nextToken: input.NextToken as string | undefined,
    });
    return compact({
      Channels: page.items.map((r) => ({ ChannelSummary: this.channelSummary(r.meta) })),
      NextToken: page.nextToken,
    });
  }

  describeChannelModerator(bearerArn: unknown, input: Record<string, unknown>) {
    const bearer = this.bearer(bearerArn);
    const record = this.channel(input.ChannelArn, bearer);
    this.requireVisible(record, bearer.arn);
    const moderatorArn = requireString(input.ChannelModeratorArn, 'ChannelModeratorArn');
    const grant = record.moderators.get(moderatorArn);
    if (!grant) throw notFound(`${moderatorArn} is not a moderator of the channel`);
    return {
      ChannelModerator: {
        Moderator: this.identity(grant.userArn),
        ChannelArn: record.meta.arn,
        CreatedTimestamp: new Date(grant.createdAt),
        CreatedBy: this.identity(grant.createdBy),
      },
    };
  }

  // ---------------------------------------------------------------- bans

  async createChannelBan(bearerArn: unknown, input: Record<string, unknown>) {
    const bearer = this.bearer(bearerArn);
    const record = this.channel(input.ChannelArn, bearer);
    this.requireModerator(record, bearer.arn, 'ban members');
    const memberArn = this.user(input.MemberArn, 'MemberArn', record.meta.appInstanceArn);
    if (memberArn === bearer.arn) throw badRequest('A moderator cannot ban itself');
    if (record.moderators.has(memberArn)) {
      throw badRequest(`${memberArn} is a moderator: remove the moderator before banning`);
    }
    const result = { ChannelArn: record.meta.arn, Member: this.identity(memberArn) };
    if (record.bans.has(memberArn)) return result;
    const mutations: Mutation[] = [
      {
        k: 'ban',
        v: {
          channelArn: record.meta.arn,
          userArn: memberArn,
          createdBy: bearer.arn,
          createdAt: this.tick(),
        },
      },
    ];
    const events: ChannelEvent[] = [];
    // A banned member is removed from the channel at once.
    const membership = record.members.get(memberArn);
    if (membership) {
      events.push(this.membershipRemoved(record, membership));
      mutations.push({ k: 'member-', ch: record.meta.arn, arn: memberArn });
    }
    await this.commit(mutations, events);
    return result;
  }

  async deleteChannelBan(bearerArn: unknown, input: Record<string, unknown>) {
    const bearer = this.bearer(bearerArn);
    const record = this.channel(input.ChannelArn, bearer);
    this.requireModerator(record, bearer.arn, 'lift bans');
    const memberArn = requireString(input.MemberArn, 'MemberArn');
    if (!record.bans.has(memberArn)) throw notFound(`${memberArn} is not banned from the channel`);
    await this.commit([{ k: 'ban-', ch: record.meta.arn, arn: memberArn }]);
  }

  listChannelBans(bearerArn: unknown, input: Record<string, unknown>) {
    const bearer = this.bearer(bearerArn);
    const record = this.channel(input.ChannelArn, bearer);
    this.requireModerator(record, bearer.arn, 'list bans');
    const bans = [...record.bans.values()].sort((a, b) => (a.userArn < b.userArn ? -1 : 1));
    const page = paginate(bans, (b) => b.userArn, {
      scope: `ListChannelBans|${record.meta.arn}`,
      maxResults: input.MaxResults as number | undefined,
      nextToken: input.NextToken as string | undefined,
    });
    return compact({
      ChannelArn: record.meta.arn,
      ChannelBans: page.items.map((b) => ({ Member: this.identity(b.userArn) })),
      NextToken: page.nextToken,
    });
  }

  describeChannelBan(bearerArn: unknown, input: Record<string, unknown>) {
    const bearer = this.bearer(bearerArn);
    const record = this.channel(input.ChannelArn, bearer);
    this.requireModerator(record, bearer.arn, 'describe bans');
    const memberArn = requireString(input.MemberArn, 'MemberArn');
    const ban = record.bans.get(memberArn);
    if (!ban) throw notFound(`${memberArn} is not banned from the channel`);
    return {
      ChannelBan: {
        Member: this.identity(ban.userArn),
        ChannelArn: record.meta.arn,
        CreatedTimestamp: new Date(ban.createdAt),
        CreatedBy: this.identity(ban.createdBy),
      },
    };
  }

  // ---------------------------------------------------------------- messages

  private checkContent(content: unknown, type: MessageType, metadata: string | undefined): string {
    const value = requireString(content, 'Content');
    const bytes = Buffer.byteLength(value, 'utf8');
    if (type === 'CONTROL') {
      if (bytes > CONTROL_MAX_BYTES)
        throw badRequest(`CONTROL messages are limited to ${CONTROL_MAX_BYTES} bytes`);
      if (metadata !== undefined) throw badRequest('CONTROL messages cannot contain metadata');
    } else if (bytes > STANDARD_MAX_BYTES) {
      throw badRequest(`STANDARD messages are limited to ${STANDARD_MAX_BYTES} bytes`);
    }
    return value;
  }

  private checkAttributes(value: unknown): StoredMessage['attributes'] {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value))
      throw badRequest('MessageAttributes must be a map');
    for (const [key, attribute] of Object.entries(value as Record<string, unknown>)) {
      const values = (attribute as { StringValues?: unknown } | null)?.StringValues;
      if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) {
        throw badRequest(`MessageAttributes.${key}.StringValues must be a list of strings`);
      }
    }
    return value as StoredMessage['attributes'];
  }

  async sendChannelMessage(bearerArn: unknown, input: Record<string, unknown>) {
    const bearer = this.bearer(bearerArn);
    const record = this.channel(input.ChannelArn, bearer);
    noElastic(input.SubChannelId);
    const type = oneOf<MessageType>(input.Type, 'Type', ['STANDARD', 'CONTROL']);
    const persistence = oneOf<Persistence>(input.Persistence, 'Persistence', [
      'PERSISTENT',
      'NON_PERSISTENT',
    ]);
    const metadata = optionalString(input.Metadata, 'Metadata', METADATA_MAX);
    const content = this.checkContent(input.Content, type, metadata);
    const contentType = optionalString(input.ContentType, 'ContentType', 45);
    const attributes = this.checkAttributes(input.MessageAttributes);
    const token = checkClientToken(input.ClientRequestToken);
    if (input.Target !== undefined)
      throw badRequest('Target: targeted messages are not supported by the sandbox');
    this.requireMember(record, bearer.arn, 'send messages');
    if (token !== undefined) {
      const existing = record.tokens.get(`${bearer.arn}|${token}`);
      if (existing !== undefined) {
        return { ChannelArn: record.meta.arn, MessageId: existing, Status: { Value: 'SENT' } };
      }
    }
    const now = this.tick();
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
    const event = this.messageEvent('CREATE_CHANNEL_MESSAGE', record, message, persistence);
    const mutations: Mutation[] = [{ k: 'channel', v: { ...record.meta, lastMessageAt: now } }];
    // Non-persistent messages are delivered to connected members, never stored.
    if (persistence === 'PERSISTENT') mutations.push({ k: 'message', v: message });
    await this.commit(mutations, [event]);
    return { ChannelArn: record.meta.arn, MessageId: message.id, Status: { Value: 'SENT' } };
  }

  private message(record: ChannelRecord, messageId: unknown): StoredMessage {
    const id = requireString(messageId, 'MessageId');
    const message = record.byId.get(id);
    if (!message) throw notFound(`Message ${id} not found in the channel`);
    return message;
  }

  /** Public channels: anyone in the AppInstance may read; private: members and moderators. */
  private requireReader(record: ChannelRecord, userArn: string): void {
    if (
      record.meta.privacy === 'PRIVATE' &&
      !record.members.has(userArn) &&
      !record.moderators.has(userArn)
    ) {
      throw forbidden(
        `${userArn} is not a member of the private channel and cannot list its messages`,
      );
    }
  }

  listChannelMessages(bearerArn: unknown, input: Record<string, unknown>) {
    const bearer = this.bearer(bearerArn);
    const record = this.channel(input.ChannelArn, bearer);
    noElastic(input.SubChannelId);
    this.requireReader(record, bearer.arn);
    const order = oneOf(input.SortOrder, 'SortOrder', ['ASCENDING', 'DESCENDING'], 'DESCENDING');
    const notBefore = input.NotBefore instanceof Date ? input.NotBefore.getTime() : undefined;
    const notAfter = input.NotAfter instanceof Date ? input.NotAfter.getTime() : undefined;
    let messages = record.messages.filter(
      (m) =>
        (notBefore === undefined || m.createdAt >= notBefore) &&
        (notAfter === undefined || m.createdAt <= notAfter),
    );
    const descending = order === 'DESCENDING';
    if (descending) messages = messages.reverse();
    const page = paginate(messages, (m) => m.seq, {
      scope: `ListChannelMessages|${record.meta.arn}|${order}`,
      maxResults: input.MaxResults as number | undefined,
      nextToken: input.NextToken as string | undefined,
      descending,
    });
    return compact({
      ChannelArn: record.meta.arn,
      NextToken: page.nextToken,
      ChannelMessages: page.items.map((m) => this.messageSummary(m)),
    });
  }

  getChannelMessage(bearerArn: unknown, input: Record<string, unknown>) {
    const bearer = this.bearer(bearerArn);
    const record = this.channel(input.ChannelArn, bearer);
    noElastic(input.SubChannelId);
    this.requireReader(record, bearer.arn);
    return {
      ChannelMessage: this.messageShape(this.message(record, input.MessageId), 'PERSISTENT'),
    };
  }

  async updateChannelMessage(bearerArn: unknown, input: Record<string, unknown>) {
    const bearer = this.bearer(bearerArn);
    const record = this.channel(input.ChannelArn, bearer);
    noElastic(input.SubChannelId);
    const message = this.message(record, input.MessageId);
    if (message.sender !== bearer.arn)
      throw forbidden('Only the sender of a message can update it');
    this.requireMember(record, bearer.arn, 'update messages');
    if (message.redacted) throw badRequest('A redacted message cannot be updated');
    const metadata = optionalString(input.Metadata, 'Metadata', METADATA_MAX);
    const content = this.checkContent(input.Content, message.type, metadata);
    const contentType = optionalString(input.ContentType, 'ContentType', 45);
    const now = this.tick();
    const updated: StoredMessage = compact({
      ...message,
      content,
      metadata,
      contentType,
      lastUpdatedAt: now,
      lastEditedAt: now,
    });
    await this.commit(
      [{ k: 'message', v: updated }],
      [this.messageEvent('UPDATE_CHANNEL_MESSAGE', record, updated, 'PERSISTENT')],
    );
    return { ChannelArn: record.meta.arn, MessageId: message.id, Status: { Value: 'SENT' } };
  }

  async redactChannelMessage(bearerArn: unknown, input: Record<string, unknown>) {
    const bearer = this.bearer(bearerArn);
    const record = this.channel(input.ChannelArn, bearer);
    noElastic(input.SubChannelId);
    const message = this.message(record, input.MessageId);
    const ownMessage = message.sender === bearer.arn && record.members.has(bearer.arn);
    if (!ownMessage && !this.isModerator(record, bearer.arn)) {
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
      lastUpdatedAt: this.tick(),
      ...(message.lastEditedAt !== undefined && { lastEditedAt: message.lastEditedAt }),
      redacted: true,
    };
    await this.commit(
      [{ k: 'message', v: redacted }],
      [this.messageEvent('REDACT_CHANNEL_MESSAGE', record, redacted, 'PERSISTENT')],
    );
    return result;
  }

  getChannelMessageStatus(bearerArn: unknown, input: Record<string, unknown>) {
    const bearer = this.bearer(bearerArn);
    const record = this.channel(input.ChannelArn, bearer);
    noElastic(input.SubChannelId);
    const message = this.message(record, input.MessageId);
    if (message.sender !== bearer.arn)
      throw forbidden('Only the sender of a message can get its status');
    return { Status: { Value: 'SENT' } };
  }

  // ---------------------------------------------------------------- channel flows

  associateChannelFlow(bearerArn: unknown, input: Record<string, unknown>): never {
    const bearer = this.bearer(bearerArn);
    const record = this.channel(input.ChannelArn, bearer);
    const flowArn = requireString(input.ChannelFlowArn, 'ChannelFlowArn');
    if (!parseChannelFlowArn(flowArn))
      throw badRequest(`ChannelFlowArn is not a channel flow ARN: ${flowArn}`);
    this.requireModerator(record, bearer.arn, 'associate a channel flow');
    // Channel flows are created by administrators (CreateChannelFlow); the sandbox has none.
    throw notFound(`Channel flow ${flowArn} not found`);
  }

  disassociateChannelFlow(bearerArn: unknown, input: Record<string, unknown>): never {
    const bearer = this.bearer(bearerArn);
    const record = this.channel(input.ChannelArn, bearer);
    const flowArn = requireString(input.ChannelFlowArn, 'ChannelFlowArn');
    this.requireModerator(record, bearer.arn, 'disassociate a channel flow');
    throw notFound(`Channel flow ${flowArn} is not associated with the channel`);
  }

  // ---------------------------------------------------------------- prefetch

  /**
   * `CHANNEL_DETAILS` payloads for the WebSocket's `prefetch-on=connect`: up to 50 of the user's
   * channels (by default those with unread messages first, then by latest message; or by latest
   * message only), each with its latest 20 messages (newest first), up to 30 members and the
   * user's read marker, as the developer guide describes.
   */
  channelDetails(userArn: string, sortBy?: string): Record<string, unknown>[] {
    const records = [...(this.memberOf.get(userArn) ?? [])]
      .map((arn) => this.channels.get(arn))
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
        Channel: this.channelSummary(r.meta),
        ChannelMessages: messages.map((m) => this.messageSummary(m)),
        ChannelMemberships: [...r.members.values()]
          .filter((m) => m.type === 'DEFAULT')
          .slice(0, 30)
          .map((m) => ({ Member: this.identity(m.memberArn) })),
        ReadMarkerTimestamp: toDate(r.members.get(userArn)?.readMarkerAt),
        ChannelMessagesHasMore: r.messages.length > messages.length,
      });
    });
  }

  // ---------------------------------------------------------------- endpoint

  getMessagingSessionEndpoint() {
    return { Endpoint: { Url: this.options.endpointHost() } };
  }

  /** For the WebSocket: SESSION_ESTABLISHED is only for existing users. */
  userExists(userArn: string): boolean {
    return (
      parseAppInstanceUserArn(userArn) !== undefined &&
      this.options.users.nameOf(userArn) !== undefined
    );
  }
}
