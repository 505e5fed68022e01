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
