/**
 * A Chime SDK messaging WebSocket in Node: amazon-chime-sdk-js `DefaultMessagingSession` (the
 * client the web demo uses), on Node's global WebSocket. For the local sandbox (an `http://`
 * messaging endpoint) the presigned `wss://` URL it builds is used as `ws://` on loopback only.
 */
import type { ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import {
  DefaultMessagingSession,
  DefaultWebSocketAdapter,
  type Message,
  MessagingSessionConfiguration,
  NoOpLogger,
} from 'amazon-chime-sdk-js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export interface OpenMessagingSession {
  /** Resolves with the first message (after SESSION_ESTABLISHED) matching `predicate`. */
  next(predicate: (message: Message) => boolean, timeoutMs: number): Promise<Message>;
  stop(): void;
}

/** Opens the session of `userArn` with `client`'s credentials; resolves once it is established. */
export async function openMessagingSession(
  client: ChimeSDKMessagingClient,
  userArn: string,
  messagingEndpoint: string | undefined,
): Promise<OpenMessagingSession> {
  const logger = new NoOpLogger(); // the SDK logs the presigned URL at info level
  class LoopbackAdapter extends DefaultWebSocketAdapter {
    override create(url: string, protocols: string[], isSignedUrl?: boolean): void {
      const parsed = new URL(url);
      const plain =
        messagingEndpoint?.startsWith('http://') &&
        parsed.protocol === 'wss:' &&
        LOOPBACK.has(parsed.hostname);
      super.create(plain ? `ws://${url.slice('wss://'.length)}` : url, protocols, isSignedUrl);
    }
  }
  const session = new DefaultMessagingSession(
    new MessagingSessionConfiguration(userArn, null, undefined, client),
    logger,
    new LoopbackAdapter(logger),
  );
  const received: Message[] = [];
  const waiters = new Set<(message: Message) => void>();
  session.addObserver({
    messagingSessionDidReceiveMessage(message) {
      if (message.type === 'SESSION_ESTABLISHED') return;
      received.push(message);
      for (const waiter of waiters) waiter(message);
    },
  });
  await session.start();
  return {
    next(predicate, timeoutMs) {
      const seen = received.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = (message: Message) => {
          if (!predicate(message)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(message);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`nothing arrived over the WebSocket within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    stop: () => session.stop(),
  };
}
