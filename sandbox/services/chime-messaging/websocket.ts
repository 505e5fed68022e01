/**
 * The messaging session WebSocket (`GET /connect`, SigV4-presigned, service `chime`), as
 * https://docs.aws.amazon.com/chime-sdk/latest/dg/websockets.html describes it and as
 * amazon-chime-sdk-js `DefaultMessagingSession` consumes it:
 *
 * - the upgrade is accepted, then the session is either closed with a WebSocket close code (auth
 *   failures) or sent `SESSION_ESTABLISHED`, after which every event of every channel the user is
 *   a member of is delivered for as long as the socket stays open;
 * - frames are `{"Headers":{"x-amz-chime-event-type":..., "x-amz-chime-message-type":...},
 *   "Payload":"<JSON string>"}`; payload timestamps are ISO 8601 strings;
 * - with `prefetch-on=connect`, `CHANNEL_DETAILS` events follow `SESSION_ESTABLISHED`.
 *
 * Close codes (the documented ones; the JS SDK retries every 4xxx except 4002/4003/4401):
 * 4401 authentication failed (signature, expired URL or credentials) or chime:Connect denied;
 * 4003 the userArn is no existing AppInstanceUser; 4400 userArn/sessionId missing or malformed (the sandbox's
 * choice); 1001 the credentials that opened the session expired (reconnect with fresh ones).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { ChannelEvent } from './service';

export const CLOSE_NOT_AUTHORIZED = 4401;
export const CLOSE_FORBIDDEN = 4003;
export const CLOSE_BAD_REQUEST = 4400;
export const CLOSE_GOING_AWAY = 1001;

/**
 * The largest frame a client may send (ws closes the socket with 1009 beyond it, having buffered
 * no more). Clients send nothing the service acts on, authenticated or not; AWS's own limit is
 * not published.
 */
export const MAX_CLIENT_FRAME_BYTES = 16 * 1024;

/** What the upgrade handler decided about a connection attempt. */
export type ConnectDecision =
  | {
      readonly ok: true;
      readonly userArn: string;
      readonly sessionId: string;
      readonly expiresAt?: number;
      /** `CHANNEL_DETAILS` payloads to send after `SESSION_ESTABLISHED` (prefetch-on=connect). */
      readonly prefetch?: () => readonly unknown[];
    }
  | { readonly ok: false; readonly code: number; readonly reason: string };

export type ConnectCheck = (req: IncomingMessage) => Promise<ConnectDecision>;

interface Session {
  readonly socket: WebSocket;
  readonly userArn: string;
  readonly sessionId: string;
  alive: boolean;
  expiryTimer?: NodeJS.Timeout;
}

/** Close reasons are limited to 123 bytes by the WebSocket protocol. */
function reason(text: string): string {
  let value = text;
  while (Buffer.byteLength(value) > 123) value = value.slice(0, -1);
  return value;
}

export function frame(eventType: string, messageType: string, payload: unknown): string {
  return JSON.stringify({
    Headers: { 'x-amz-chime-event-type': eventType, 'x-amz-chime-message-type': messageType },
    Payload: payload === undefined ? '' : JSON.stringify(payload),
  });
}

export interface MessagingSessionsOptions {
  readonly check: ConnectCheck;
  /** Ping interval (AWS pings regularly); unanswered sockets are dropped at the next ping. */
  readonly pingIntervalMs?: number;
  readonly onError?: (error: unknown) => void;
}

/** Open sessions by user, and the fan-out of channel events to them. */
export class MessagingSessions {
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_CLIENT_FRAME_BYTES,
  });
  private readonly byUser = new Map<string, Set<Session>>();
  private readonly pinger: NodeJS.Timeout;

  constructor(private readonly options: MessagingSessionsOptions) {
    this.pinger = setInterval(() => this.ping(), options.pingIntervalMs ?? 30_000);
    this.pinger.unref();
  }

  /** Number of open sessions (all users). */
  get size(): number {
    let n = 0;
    for (const set of this.byUser.values()) n += set.size;
    return n;
  }

  /** `router.upgrade('/connect', sessions.handleUpgrade)`. */
  readonly handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/connect') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    const decided = this.options.check(req).catch((error: unknown): ConnectDecision => {
      this.options.onError?.(error);
      return { ok: false, code: 1011, reason: 'Internal error' };
    });
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', (error) => {
        this.options.onError?.(error);
        // E.g. a frame over MAX_CLIENT_FRAME_BYTES: drop the socket rather than read the rest.
        ws.terminate();
      });
      // Nothing a client sends is read before the decision (no buffering for strangers).
      ws.pause();
      // Frames are only sent once the decision is known; the client sees an open socket that is
      // then either closed with a code or sent SESSION_ESTABLISHED, as with AWS.
      void decided.then((decision) => this.admit(ws, decision));
    });
  };

  private admit(ws: WebSocket, decision: ConnectDecision): void {
    if (!decision.ok) {
      ws.close(decision.code, reason(decision.reason));
      // Read on for the client's close frame: frames over MAX_CLIENT_FRAME_BYTES end the socket.
      ws.resume();
      return;
    }
    ws.resume();
    if (ws.readyState !== WebSocket.OPEN) return;
    const session: Session = {
      socket: ws,
      userArn: decision.userArn,
      sessionId: decision.sessionId,
      alive: true,
    };
    let set = this.byUser.get(session.userArn);
    if (!set) this.byUser.set(session.userArn, (set = new Set()));
    set.add(session);
    ws.on('pong', () => (session.alive = true));
    ws.on('close', () => {
      if (session.expiryTimer) clearTimeout(session.expiryTimer);
      const sessions = this.byUser.get(session.userArn);
      sessions?.delete(session);
      if (sessions?.size === 0) this.byUser.delete(session.userArn);
    });
    // Clients send nothing the service acts on; AWS ignores client frames too.
    ws.on('message', () => {});
    if (decision.expiresAt !== undefined) {
      const delay = Math.max(0, decision.expiresAt - Date.now());
      // setTimeout holds at most ~24.8 days; credentials last hours.
      session.expiryTimer = setTimeout(
        () => ws.close(CLOSE_GOING_AWAY, 'The credentials of the session expired'),
        Math.min(delay, 2 ** 31 - 1),
      );
      session.expiryTimer.unref();
    }
    ws.send(frame('SESSION_ESTABLISHED', 'SYSTEM', undefined));
    for (const details of decision.prefetch?.() ?? []) {
      ws.send(frame('CHANNEL_DETAILS', 'SYSTEM', details));
    }
  }

  /** Delivers a channel event to every open session of its recipients. */
  publish(event: ChannelEvent): void {
    let text: string | undefined;
    for (const userArn of event.recipients) {
      const sessions = this.byUser.get(userArn);
      if (!sessions) continue;
      text ??= frame(event.eventType, event.messageType, event.payload);
      for (const session of sessions) {
        if (session.socket.readyState === WebSocket.OPEN) session.socket.send(text);
      }
    }
  }

  private ping(): void {
    for (const sessions of this.byUser.values()) {
      for (const session of sessions) {
        if (!session.alive) {
          session.socket.terminate();
          continue;
        }
        session.alive = false;
        session.socket.ping();
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.pinger);
    for (const sessions of this.byUser.values()) {
      for (const session of sessions)
        session.socket.close(CLOSE_GOING_AWAY, 'The sandbox is stopping');
    }
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
