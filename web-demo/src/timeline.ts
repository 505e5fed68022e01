/**
 * How a conversation reads: date separators, messages grouped by sender, an unread divider, and
 * times in words ("just now", "5 min ago", "14:05") with the exact time for hovering. Pure,
 * unit-tested in Node (a time zone and locale can be passed; the browser uses its own).
 */
import type { ChatMessage, Outgoing } from './messages';

export interface TimeOptions {
  readonly locale?: string;
  readonly timeZone?: string;
}

/** Consecutive messages of one sender closer than this share one header. */
const GROUP_GAP_MS = 5 * 60_000;
const DAY_MS = 86_400_000;

/**
 * One Intl.DateTimeFormat per locale, time zone and options, built at first use. Building one
 * resolves the locale's data and costs far more than formatting with it, and a conversation
 * formats several times per message on every render: building them per call was the demo's main
 * script cost in the browser tests (3.8 of 17 CPU-s in one file). The options are the few
 * literals of this module, so the map stays small; the bound is for time zones passed in.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
const MAX_FORMATTERS = 100;

function formatter(locale: string | undefined, options: Intl.DateTimeFormatOptions) {
  const key = JSON.stringify([locale ?? null, options]);
  let found = formatters.get(key);
  if (!found) {
    if (formatters.size >= MAX_FORMATTERS) formatters.clear();
    found = new Intl.DateTimeFormat(locale, options);
    formatters.set(key, found);
  }
  return found;
}

function format(ts: number, options: Intl.DateTimeFormatOptions, o: TimeOptions): string {
  return formatter(o.locale, { ...options, timeZone: o.timeZone }).format(ts);
}

/** "2026-03-14" in the given time zone: the calendar day a time falls on. */
function dayKey(ts: number, o: TimeOptions): string {
  return formatter('en-CA', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    timeZone: o.timeZone,
  }).format(ts);
}

export function clockTime(ts: number, o: TimeOptions = {}): string {
  return format(ts, { hour: 'numeric', minute: '2-digit' }, o);
}

/** Date and time in full, for a title attribute. */
export function exactTime(ts: number, o: TimeOptions = {}): string {
  return format(ts, { dateStyle: 'full', timeStyle: 'medium' }, o);
}

/** "just now", "5 min ago", "14:05", "Yesterday 14:05", "Mon 14:05", "3 Mar 2025, 14:05". */
export function relativeTime(ts: number, now: number, o: TimeOptions = {}): string {
  const ago = now - ts;
  if (ago < 45_000) return 'just now';
  if (ago < 3_600_000) return `${Math.max(1, Math.round(ago / 60_000))} min ago`;
  const clock = clockTime(ts, o);
  const day = dayKey(ts, o);
  if (day === dayKey(now, o)) return clock;
  if (day === dayKey(now - DAY_MS, o)) return `Yesterday ${clock}`;
  if (ago < 6 * DAY_MS) return `${format(ts, { weekday: 'short' }, o)} ${clock}`;
  return format(
    ts,
    { day: 'numeric', month: 'short', year: 'numeric', hour: 'numeric', minute: '2-digit' },
    o,
  );
}

/** When something ends (a guest's access): "today 14:05", "tomorrow 9:00", "Sat 12 Dec, 9:00". */
export function untilTime(ts: number, now: number, o: TimeOptions = {}): string {
  const clock = clockTime(ts, o);
  const day = dayKey(ts, o);
  if (day === dayKey(now, o)) return `today ${clock}`;
  if (day === dayKey(now + DAY_MS, o)) return `tomorrow ${clock}`;
  return format(
    ts,
    { weekday: 'short', day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit' },
    o,
  );
}

/** "Today", "Yesterday", "Monday 9 March", "9 March 2025". */
export function dayLabel(ts: number, now: number, o: TimeOptions = {}): string {
  const day = dayKey(ts, o);
  if (day === dayKey(now, o)) return 'Today';
  if (day === dayKey(now - DAY_MS, o)) return 'Yesterday';
  if (now - ts < 6 * DAY_MS)
    return format(ts, { weekday: 'long', day: 'numeric', month: 'long' }, o);
  return format(ts, { day: 'numeric', month: 'long', year: 'numeric' }, o);
}

export type TimelineItem =
  | { readonly kind: 'day'; readonly key: string; readonly label: string }
  | { readonly kind: 'unread'; readonly key: string }
  | {
      readonly kind: 'message';
      readonly key: string;
      readonly message: ChatMessage;
      readonly mine: boolean;
      /** Starts a group: show the sender and the time. */
      readonly first: boolean;
    }
  | {
      readonly kind: 'outgoing';
      readonly key: string;
      readonly outgoing: Outgoing;
      readonly first: boolean;
    };

export interface TimelineOptions extends TimeOptions {
  /** My AppInstanceUser ARN. */
  readonly me: string;
  readonly now: number;
  /** Messages from others newer than this get an unread divider before the first of them. */
  readonly unreadAfter?: number;
}

/** The items a conversation renders, in order. Outgoing messages come last (they are newest). */
export function timeline(
  messages: readonly ChatMessage[],
  outgoing: readonly Outgoing[],
  options: TimelineOptions,
): TimelineItem[] {
  const items: TimelineItem[] = [];
  let lastDay: string | undefined;
  let previous: { sender: string; at: number } | undefined;
  let dividerPlaced = false;
  const place = (sender: string, at: number): boolean => {
    const day = dayKey(at, options);
    if (day !== lastDay) {
      items.push({ kind: 'day', key: `day-${day}`, label: dayLabel(at, options.now, options) });
      lastDay = day;
      previous = undefined;
    }
    const first = !previous || previous.sender !== sender || at - previous.at > GROUP_GAP_MS;
    previous = { sender, at };
    return first;
  };
  for (const message of messages) {
    const mine = message.senderArn === options.me;
    let first = place(message.senderArn, message.createdAt);
    if (
      !dividerPlaced &&
      !mine &&
      options.unreadAfter !== undefined &&
      message.createdAt > options.unreadAfter
    ) {
      items.push({ kind: 'unread', key: 'unread' });
      dividerPlaced = true;
      first = true;
    }
    items.push({ kind: 'message', key: message.id, message, mine, first });
  }
  for (const o of outgoing) {
    items.push({
      kind: 'outgoing',
      key: `out-${o.token}`,
      outgoing: o,
      first: place(options.me, o.createdAt),
    });
  }
  return items;
}

/** One or two letters for an avatar: "alice" -> "A", "Ada Lovelace" -> "AL". */
export function initials(name: string): string {
  const words = name
    .trim()
    .split(/[\s._@-]+/)
    .filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[1]] : [words[0] ?? '?'];
  return letters
    .map((w) => [...(w ?? '')][0] ?? '')
    .join('')
    .toUpperCase();
}
