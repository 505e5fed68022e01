/**
 * Chime SDK messaging channel semantics, as the API reference describes them (see
 * docs/chime-messaging-sandbox.md for the choices made where it is silent).
 *
 * Pure domain: no HTTP, no IAM. Every operation takes the bearer (the `x-amz-chime-bearer`
 * AppInstanceUser ARN, already authorized by IAM) and the members of the SDK's request type
 * (`Input<CreateChannelRequest>`; their values still to be checked), and returns the SDK's
 * response type with `Date` timestamps (the HTTP layer writes epoch seconds, the WebSocket layer
 * ISO strings).
 *
 * This class only gathers the parts: the state (./store.ts), the access rules (./access.ts), the
 * value checks (./validation.ts), the pagination (./pagination.ts), the output shapes (./shapes.ts)
 * and one module per operation group (./operations/).
 */
import type { MessagingContext } from './context';
import { userExists } from './access';
import * as channelFlows from './operations/channel-flows';
import * as channels from './operations/channels';
import * as memberships from './operations/memberships';
import * as messages from './operations/messages';
import * as moderation from './operations/moderation';
import { channelDetails, getMessagingSessionEndpoint } from './operations/session';
import { type AppInstanceUserDirectory, Shapes } from './shapes';
import type { MutationLog } from './state';
import { type ChannelEvent, ChannelStore } from './store';

export type { AppInstanceUserDirectory } from './shapes';
export type { ChannelEvent, EventMessageType } from './store';

export interface MessagingServiceOptions {
  readonly users: AppInstanceUserDirectory;
  readonly log: MutationLog;
  /** The WebSocket host (`host:port`) GetMessagingSessionEndpoint returns. */
  readonly endpointHost: () => string;
  readonly now?: () => number;
  readonly onEvent?: (event: ChannelEvent) => void;
}

/** An operation's arguments after the context. */
type Args<F> = F extends (ctx: MessagingContext, ...args: infer A) => unknown ? A : never;

export class MessagingService {
  private readonly store: ChannelStore;
  private readonly ctx: MessagingContext;

  constructor(options: MessagingServiceOptions) {
    this.store = new ChannelStore({
      log: options.log,
      ...(options.now && { now: options.now }),
      ...(options.onEvent && { onEvent: options.onEvent }),
    });
    this.ctx = {
      store: this.store,
      users: options.users,
      shapes: new Shapes(options.users),
      endpointHost: options.endpointHost,
    };
  }

  /** Rewrites the log as a snapshot of the current state (start-up and shutdown). */
  compactLog(): void {
    this.store.compactLog();
  }

  /** Whether `userArn` is a member of the channel now (WebSocket fan-out). */
  isMember(channelArn: string, userArn: string): boolean {
    return this.store.channels.get(channelArn)?.members.has(userArn) ?? false;
  }

  /** For the WebSocket: SESSION_ESTABLISHED is only for existing users. */
  userExists(userArn: string): boolean {
    return userExists(this.ctx, userArn);
  }

  /** `CHANNEL_DETAILS` payloads for the WebSocket's `prefetch-on=connect`. */
  channelDetails(userArn: string, sortBy?: string) {
    return channelDetails(this.ctx, userArn, sortBy);
  }

  getMessagingSessionEndpoint() {
    return getMessagingSessionEndpoint(this.ctx);
  }

  // ---------------------------------------------------------------- channels

  createChannel(...args: Args<typeof channels.createChannel>) {
    return channels.createChannel(this.ctx, ...args);
  }
  describeChannel(...args: Args<typeof channels.describeChannel>) {
    return channels.describeChannel(this.ctx, ...args);
  }
  listChannels(...args: Args<typeof channels.listChannels>) {
    return channels.listChannels(this.ctx, ...args);
  }
  updateChannel(...args: Args<typeof channels.updateChannel>) {
    return channels.updateChannel(this.ctx, ...args);
  }
  deleteChannel(...args: Args<typeof channels.deleteChannel>) {
    return channels.deleteChannel(this.ctx, ...args);
  }

  // ---------------------------------------------------------------- memberships

  createChannelMembership(...args: Args<typeof memberships.createChannelMembership>) {
    return memberships.createChannelMembership(this.ctx, ...args);
  }
  deleteChannelMembership(...args: Args<typeof memberships.deleteChannelMembership>) {
    return memberships.deleteChannelMembership(this.ctx, ...args);
  }
  listChannelMemberships(...args: Args<typeof memberships.listChannelMemberships>) {
    return memberships.listChannelMemberships(this.ctx, ...args);
  }
  describeChannelMembership(...args: Args<typeof memberships.describeChannelMembership>) {
    return memberships.describeChannelMembership(this.ctx, ...args);
  }
  listChannelMembershipsForAppInstanceUser(
    ...args: Args<typeof memberships.listChannelMembershipsForAppInstanceUser>
  ) {
    return memberships.listChannelMembershipsForAppInstanceUser(this.ctx, ...args);
  }
  updateChannelReadMarker(...args: Args<typeof memberships.updateChannelReadMarker>) {
    return memberships.updateChannelReadMarker(this.ctx, ...args);
  }

  // ---------------------------------------------------------------- moderation

  createChannelModerator(...args: Args<typeof moderation.createChannelModerator>) {
    return moderation.createChannelModerator(this.ctx, ...args);
  }
  deleteChannelModerator(...args: Args<typeof moderation.deleteChannelModerator>) {
    return moderation.deleteChannelModerator(this.ctx, ...args);
  }
  listChannelModerators(...args: Args<typeof moderation.listChannelModerators>) {
    return moderation.listChannelModerators(this.ctx, ...args);
  }
  listChannelsModeratedByAppInstanceUser(
    ...args: Args<typeof moderation.listChannelsModeratedByAppInstanceUser>
  ) {
    return moderation.listChannelsModeratedByAppInstanceUser(this.ctx, ...args);
  }
  describeChannelModerator(...args: Args<typeof moderation.describeChannelModerator>) {
    return moderation.describeChannelModerator(this.ctx, ...args);
  }
  createChannelBan(...args: Args<typeof moderation.createChannelBan>) {
    return moderation.createChannelBan(this.ctx, ...args);
  }
  deleteChannelBan(...args: Args<typeof moderation.deleteChannelBan>) {
    return moderation.deleteChannelBan(this.ctx, ...args);
  }
  listChannelBans(...args: Args<typeof moderation.listChannelBans>) {
    return moderation.listChannelBans(this.ctx, ...args);
  }
  describeChannelBan(...args: Args<typeof moderation.describeChannelBan>) {
    return moderation.describeChannelBan(this.ctx, ...args);
  }

  // ---------------------------------------------------------------- messages

  sendChannelMessage(...args: Args<typeof messages.sendChannelMessage>) {
    return messages.sendChannelMessage(this.ctx, ...args);
  }
  listChannelMessages(...args: Args<typeof messages.listChannelMessages>) {
    return messages.listChannelMessages(this.ctx, ...args);
  }
  getChannelMessage(...args: Args<typeof messages.getChannelMessage>) {
    return messages.getChannelMessage(this.ctx, ...args);
  }
  updateChannelMessage(...args: Args<typeof messages.updateChannelMessage>) {
    return messages.updateChannelMessage(this.ctx, ...args);
  }
  redactChannelMessage(...args: Args<typeof messages.redactChannelMessage>) {
    return messages.redactChannelMessage(this.ctx, ...args);
  }
  getChannelMessageStatus(...args: Args<typeof messages.getChannelMessageStatus>) {
    return messages.getChannelMessageStatus(this.ctx, ...args);
  }

  // ---------------------------------------------------------------- channel-flows

  associateChannelFlow(...args: Args<typeof channelFlows.associateChannelFlow>) {
    return channelFlows.associateChannelFlow(this.ctx, ...args);
  }
  disassociateChannelFlow(...args: Args<typeof channelFlows.disassociateChannelFlow>) {
    return channelFlows.disassociateChannelFlow(this.ctx, ...args);
  }
}
