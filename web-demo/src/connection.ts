/**
 * The messaging connection as a person should see it, and the reconnect policy. Pure: the
 * reducer decides, the wiring starts sessions and timers.
 */

export type ConnectionStatus =
  | { readonly kind: 'connecting' }
  | { readonly kind: 'live' }
  /** Lost (or never reached): retrying with backoff; `attempt` counts failed tries. */
  | { readonly kind: 'reconnecting'; readonly attempt: number }
  /** Closed by the service in a way a retry does not fix by itself (kicked, refused). */
  | { readonly kind: 'stopped'; readonly reason: string };

/**
 * Close codes retried, as amazon-chime-sdk-js's DefaultMessagingSession decides (`canReconnect`):
 * going away, abnormal closure, server errors, and the 4xxx codes other than 4002 / 4003 (kicked)
 * / 4401 (unauthorized). `undefined`: the session never opened (endpoint or network failure).
 */
export function isRetryableClose(code: number | undefined): boolean {
  if (code === undefined) return true;
  return (
    code === 1001 ||
    code === 1006 ||
    (code >= 1011 && code <= 1014) ||
    (code > 4000 && code !== 4002 && code !== 4003 && code !== 4401)
  );
}

/** Why a non-retried close happened, in plain words. */
export function stoppedReason(code: number | undefined): string {
  if (code === 4401) return 'The server could not verify this session.';
  if (code === 4003 || code === 4002) return 'The server ended this session.';
  return 'The connection was closed.';
}

const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 15_000;

/**
 * Exponential backoff with jitter for retry `attempt` (1, 2, ...): 1 s, 2 s, 4 s, 8 s, then
 * 15 s at most, each scaled by 0.5-1 (`random` in [0, 1)), so many clients do not retry in step.
 */
export function reconnectDelayMs(attempt: number, random: number): number {
  const base = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.5 + random / 2));
}

/** The words of the connection indicator. */
export function connectionLabel(status: ConnectionStatus, online: boolean): string {
  switch (status.kind) {
    case 'connecting':
      return 'Connecting…';
    case 'live':
      return 'Live';
    case 'reconnecting':
      return online ? 'Reconnecting…' : 'Offline';
    case 'stopped':
      return 'Disconnected';
  }
}
