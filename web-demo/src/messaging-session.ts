/**
 * Real-time delivery over amazon-chime-sdk-js `DefaultMessagingSession`, imported by deep paths:
 * the package root is 1.3 MB of meeting code; these modules are the messaging part only.
 */
import {
  type ChimeSDKMessagingClient,
  GetMessagingSessionEndpointCommand,
} from '@aws-sdk/client-chime-sdk-messaging';
import * as DefaultMessagingSessionModule from 'amazon-chime-sdk-js/build/messagingsession/DefaultMessagingSession';
import * as MessagingSessionConfigurationModule from 'amazon-chime-sdk-js/build/messagingsession/MessagingSessionConfiguration';
import * as DefaultWebSocketAdapterModule from 'amazon-chime-sdk-js/build/websocketadapter/DefaultWebSocketAdapter';
import * as LogLevelModule from 'amazon-chime-sdk-js/build/logger/LogLevel';
import type Logger from 'amazon-chime-sdk-js/build/logger/Logger';
import type LogLevel from 'amazon-chime-sdk-js/build/logger/LogLevel';
import type Message from 'amazon-chime-sdk-js/build/message/Message';
import type { ClientConfig } from '../../contracts/client-config';
import { messagingSessionHost } from '../../contracts/messaging-session-endpoint';
import { redactSigned, websocketUrl } from './format';
import { sessionEndpointKey, startOnSessionEndpoint } from './session-endpoint';

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

export interface SessionCallbacks {
  /** SESSION_ESTABLISHED: from now on every event of my channels arrives on this socket. */
  onLive(): void;
  /**
   * The socket closed, or never opened (`code` undefined: endpoint or network failure). Called
   * at once and at most once per session; the caller decides whether and when to try again.
   */
  onClosed(code: number | undefined): void;
  onEvent(type: string, payload: unknown): void;
}

export interface MessagingSessionHandle {
  stop(): void;
}

/**
 * Starts one session for `userArn` on `endpointHost` (GetMessagingSessionEndpoint's answer: from
 * the client config, remembered, or just asked, session-endpoint.ts; undefined: the SDK asks for
 * it); the client signs with its provider.
 * The SDK's own reconnect loop is switched off (`reconnectTimeoutMs = 0`): it retried for 10 s
 * while telling observers nothing, so the app showed "Live" over a dead socket and then gave up
 * for good. The app reconnects instead (state.ts decides when, with backoff), with a new session.
 */
export function startMessagingSession(
  client: ChimeSDKMessagingClient,
  userArn: string,
  messagingEndpoint: string | undefined,
  endpointHost: string | undefined,
  callbacks: SessionCallbacks,
): MessagingSessionHandle {
  const logger = new QuietLogger();
  let done = false;
  let live = false;
  // Plain ws:// for the local sandbox on loopback; AWS is always wss://.
  class LoopbackAwareAdapter extends DefaultWebSocketAdapter {
    override create(url: string, protocols: string[], isSignedUrl?: boolean): void {
      super.create(websocketUrl(url, messagingEndpoint), protocols, isSignedUrl);
      // Stopped while the URL was being signed: the SDK opens the socket anyway; close it.
      if (done) this.close();
      // A socket the page's CSP blocks (e.g. a remembered endpoint gone stale) fires `error` and
      // never `close`, so the SDK never settles: a failure before the session opened is a close.
      this.addEventListener('error', () => {
        if (live || done) return;
        closed(undefined);
        session.stop();
      });
    }
  }
  const configuration = new MessagingSessionConfiguration(userArn, null, endpointHost, client);
  configuration.reconnectTimeoutMs = 0;
  const session = new DefaultMessagingSession(
    configuration,
    logger,
    new LoopbackAwareAdapter(logger),
  );
  const closed = (code: number | undefined) => {
    if (done) return;
    done = true;
    callbacks.onClosed(code);
  };
  session.addObserver({
    messagingSessionDidStart() {
      live = true;
      if (!done) callbacks.onLive();
    },
    messagingSessionDidStop(event: CloseEvent) {
      closed(event.code);
    },
    messagingSessionDidReceiveMessage(message: Message) {
      if (done || message.type === 'SESSION_ESTABLISHED') return;
      callbacks.onEvent(message.type, message.payload);
    },
  });
  session.start().catch((event: unknown) => {
    const code = (event as { code?: unknown } | undefined)?.code;
    closed(typeof code === 'number' ? code : undefined);
  });
  return {
    stop() {
      done = true;
      session.stop();
    },
  };
}

/**
 * A session for `userArn` on the endpoint session-endpoint.ts chooses for this app: the client
 * config's, else the remembered one, else GetMessagingSessionEndpoint's answer (then remembered),
 * with one retry on the service's answer when a known endpoint fails before the session opens.
 * Signed-in people and guests both open their sessions here.
 */
export function startAppMessagingSession(
  client: ChimeSDKMessagingClient,
  userArn: string,
  config: ClientConfig,
  callbacks: SessionCallbacks,
): MessagingSessionHandle {
  return startOnSessionEndpoint({
    store: localStorage,
    key: sessionEndpointKey(config.region, config.appInstanceArn),
    ...(config.messagingSessionEndpoint && { configured: config.messagingSessionEndpoint }),
    fetchEndpoint: async () => {
      const answer = await client.send(new GetMessagingSessionEndpointCommand({}));
      // The SDK signs wss://<host>/connect: a URL answer is read as its host, as the config's.
      const host = answer.Endpoint?.Url && messagingSessionHost(answer.Endpoint.Url);
      if (!host) throw new Error('no messaging session endpoint');
      return host;
    },
    start: (host, sessionCallbacks) =>
      startMessagingSession(client, userArn, config.endpoints?.chimeMessaging, host, {
        ...sessionCallbacks,
        onEvent: (type, payload) => callbacks.onEvent(type, payload),
      }),
    callbacks: {
      onLive: () => callbacks.onLive(),
      onClosed: (code) => callbacks.onClosed(code),
    },
  });
}
