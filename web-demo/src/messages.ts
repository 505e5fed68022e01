/**
 * The chat's message model and the pure rules that keep a channel's list right when the same
 * message arrives twice (REST page + WebSocket event), out of order, edited, redacted, or again
 * after a reconnect's catch-up fetch. No DOM, no SDK: unit-tested in Node.
 */

export interface ChatMessage {
  readonly id: string;
  readonly channelArn: string;
  readonly content: string;
  readonly senderArn: string;
  /** The sender's AppInstanceUser Name, when the service said it (never made up from the id). */
  readonly senderName?: string;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  /** Epoch milliseconds of the last change (edit or redaction); orders versions of one message. */
  readonly updatedAt: number;
  readonly edited: boolean;
  readonly redacted: boolean;
  /**
   * Made up in the browser from a send's answer (its time is the browser's clock) until the
   * service's own copy arrives; never a catch-up starting point.
   */
  readonly provisional?: boolean;
}

/** A message this browser is sending: shown at once, then replaced by the service's copy. */
export interface Outgoing {
  /** The ClientRequestToken: the same on every retry, so the service stores the message once. */
  readonly token: string;
  readonly channelArn: string;
  readonly content: string;
  /** Epoch milliseconds, browser clock. */
  readonly createdAt: number;
  readonly status: 'sending' | 'failed';
  /** Why it failed, in plain words. */
  readonly error?: string;
}

/** The fields shared by the SDK's `ChannelMessageSummary` / `ChannelMessage` and event payloads. */
export interface RawChannelMessage {
  readonly MessageId?: string;
  readonly ChannelArn?: string;
  readonly Content?: string;
  readonly Sender?: { readonly Arn?: string; readonly Name?: string };
  readonly CreatedTimestamp?: Date | string | number;
  readonly LastUpdatedTimestamp?: Date | string | number;
  readonly LastEditedTimestamp?: Date | string | number;
  readonly Redacted?: boolean;
}

function toMillis(value: Date | string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') {
    // The SDK's JSON protocol serializes epoch seconds; events carry ISO strings.
    return value < 1e12 ? value * 1000 : value;
  }
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** Converts an SDK message or an event payload; `undefined` when it lacks an id or a time. */
export function toChatMessage(
  raw: RawChannelMessage,
  channelArn?: string,
): ChatMessage | undefined {
  const createdAt = toMillis(raw.CreatedTimestamp);
  const arn = raw.ChannelArn ?? channelArn;
  if (!raw.MessageId || createdAt === undefined || !arn) return undefined;
  const editedAt = toMillis(raw.LastEditedTimestamp);
  const updatedAt = Math.max(createdAt, toMillis(raw.LastUpdatedTimestamp) ?? 0, editedAt ?? 0);
  const senderArn = raw.Sender?.Arn ?? '';
  const senderName = raw.Sender?.Name;
  return {
    id: raw.MessageId,
    channelArn: arn,
    content: raw.Redacted ? '' : (raw.Content ?? ''),
    senderArn,
    ...(senderName && { senderName }),
    createdAt,
    updatedAt,
    edited: editedAt !== undefined,
    redacted: raw.Redacted === true,
  };
}

function newer(a: ChatMessage, b: ChatMessage): ChatMessage {
  // The service's copy always replaces the browser's provisional one.
  if (a.provisional !== b.provisional) return a.provisional ? b : a;
  // A redaction is final: an older "edited" copy arriving late must not bring the text back.
  if (a.redacted !== b.redacted) return a.redacted ? a : b;
  return b.updatedAt > a.updatedAt ? b : a;
}

function byTime(a: ChatMessage, b: ChatMessage): number {
  return a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Merges `incoming` into `current`: one entry per message id (the newest version wins), sorted
 * oldest first. Returns `current` itself when nothing changed, so callers can skip a re-render.
 */
export function mergeMessages(
  current: readonly ChatMessage[],
  incoming: readonly ChatMessage[],
): readonly ChatMessage[] {
  if (incoming.length === 0) return current;
  const byId = new Map(current.map((m) => [m.id, m]));
  let changed = false;
  for (const message of incoming) {
    const existing = byId.get(message.id);
    const winner = existing ? newer(existing, message) : message;
    if (winner !== existing) {
      byId.set(message.id, winner);
      changed = true;
    }
  }
  return changed ? [...byId.values()].sort(byTime) : current;
}

/**
 * Where a catch-up fetch after a reconnect starts: the newest creation time seen. `NotBefore` is
 * inclusive, so the last seen message comes back once more and {@link mergeMessages} drops it.
 */
export function catchUpFrom(messages: readonly ChatMessage[]): Date | undefined {
  let newest: number | undefined;
  for (const m of messages) {
    if (m.provisional) continue;
    if (newest === undefined || m.createdAt > newest) newest = m.createdAt;
  }
  return newest === undefined ? undefined : new Date(newest);
}

/** Drops one message (e.g. DELETE_CHANNEL_MESSAGE). */
export function removeMessage(current: readonly ChatMessage[], id: string): readonly ChatMessage[] {
  return current.some((m) => m.id === id) ? current.filter((m) => m.id !== id) : current;
}
