/**
 * Real-time delivery over amazon-chime-sdk-js `DefaultMessagingSession`, imported by deep paths:
 * the package root is 1.3 MB of meeting code; these modules are the messaging part only.
 */
import type { ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import * as DefaultMessagingSessionModule from 'amazon-chime-sdk-js/build/messagingsession/DefaultMessagingSession';
import * as MessagingSessionConfigurationModule from 'amazon-chime-sdk-js/build/messagingsession/MessagingSessionConfiguration';
import * as DefaultWebSocketAdapterModule from 'amazon-chime-sdk-js/build/websocketadapter/DefaultWebSocketAdapter';
import * as LogLevelModule from 'amazon-chime-sdk-js/build/logger/LogLevel';
import type Logger from 'amazon-chime-sdk-js/build/logger/Logger';
import type LogLevel from 'amazon-chime-sdk-js/build/logger/LogLevel';
import type Message from 'amazon-chime-sdk-js/build/message/Message';
import { redactSigned, websocketUrl } from './format';

/**
 * Vite hands a deep CommonJS import back as `{ default }` (sometimes nested once more); unwrap
 * whichever shape arrives.
 */
function interop<T>(module: unknown): T {
  let value = module as { default?: unknown };
  while (value && typeof value !== 'function' && 'default' in value && value.default) {
    value = value.default;
  }
  return value as T;
}

const DefaultMessagingSession = interop<typeof DefaultMessagingSessionModule.default>(
  DefaultMessagingSessionModule,
);
const MessagingSessionConfiguration = interop<typeof MessagingSessionConfigurationModule.default>(
  MessagingSessionConfigurationModule,
);
const DefaultWebSocketAdapter = interop<typeof DefaultWebSocketAdapterModule.default>(
  DefaultWebSocketAdapterModule,
);
const LogLevels = interop<typeof LogLevelModule.default>(LogLevelModule);

/**
 * The SDK logs the presigned WebSocket URL at info level; keep info/debug out of the console and
 * strip signature material from what remains.
 */
class QuietLogger implements Logger {
  private level: LogLevel = LogLevels.WARN;
  debug(): void {}
  info(): void {}
  warn(msg: string): void {
    console.warn('[chime]', redactSigned(msg));
  }
  error(msg: string): void {
    // Reconnects are expected and shown in the UI; a warning, not an application error.
    console.warn('[chime]', redactSigned(msg));
  }
  setLogLevel(level: LogLevel): void {
    this.level = level;
  }
  getLogLevel(): LogLevel {
    return this.level;
  }
}

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed' | 'failed';

export interface SessionCallbacks {
  onState(state: ConnectionState, detail?: string): void;
  /** Called on every (re)established session: the caller catches up on missed messages. */
  onEstablished(reconnected: boolean): void;
  onEvent(type: string, payload: unknown): void;
}

export interface MessagingSessionHandle {
  stop(): void;
}

/** Starts a session for `userArn`; the client resolves the endpoint and signs with its provider. */
export function startMessagingSession(
  client: ChimeSDKMessagingClient,
  userArn: string,
  messagingEndpoint: string | undefined,
  callbacks: SessionCallbacks,
): MessagingSessionHandle {
  const logger = new QuietLogger();
  // Plain ws:// for the local sandbox on loopback; AWS is always wss://.
  class LoopbackAwareAdapter extends DefaultWebSocketAdapter {
    override create(url: string, protocols: string[], isSignedUrl?: boolean): void {
      super.create(websocketUrl(url, messagingEndpoint), protocols, isSignedUrl);
    }
  }
  const configuration = new MessagingSessionConfiguration(userArn, null, undefined, client);
  const session = new DefaultMessagingSession(
    configuration,
    logger,
    new LoopbackAwareAdapter(logger),
  );
  let established = false;
  let stopped = false;
  session.addObserver({
    messagingSessionDidStartConnecting(reconnecting: boolean) {
      callbacks.onState(reconnecting ? 'reconnecting' : 'connecting');
    },
    messagingSessionDidStart() {
      callbacks.onState('open');
      callbacks.onEstablished(established);
      established = true;
    },
    messagingSessionDidStop(event: CloseEvent) {
      if (!stopped) callbacks.onState('closed', `code ${event.code}`);
    },
    messagingSessionDidReceiveMessage(message: Message) {
      if (message.type === 'SESSION_ESTABLISHED') return;
      callbacks.onEvent(message.type, message.payload);
    },
  });
  session.start().catch((event: unknown) => {
    const code = (event as { code?: unknown } | undefined)?.code;
    if (!stopped)
      callbacks.onState('failed', typeof code === 'number' ? `code ${code}` : undefined);
  });
  return {
    stop() {
      stopped = true;
      session.stop();
    },
  };
}
