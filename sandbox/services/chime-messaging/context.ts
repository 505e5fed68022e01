/** What every messaging operation works with (see ./operations/). */
import type { AppInstanceUserDirectory, Shapes } from './shapes';
import type { ChannelStore } from './store';

export interface MessagingContext {
  readonly store: ChannelStore;
  readonly users: AppInstanceUserDirectory;
  readonly shapes: Shapes;
  /** The WebSocket host (`host:port`) GetMessagingSessionEndpoint returns. */
  readonly endpointHost: () => string;
}

/**
 * An operation's input: the members of the SDK's request type but `ChimeBearer`, which operations
 * take as their first argument (the `x-amz-chime-bearer` header, checked by ./access.ts). Each
 * member's type is the SDK's; whether a required one is there is checked by the operation (with
 * the message the API gives), so every member may be left out here.
 */
export type Input<Req> = Readonly<Partial<Omit<Req, 'ChimeBearer'>>>;
