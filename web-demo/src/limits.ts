/**
 * What the service would refuse, checked in the browser first so a person gets a sentence next to
 * the field instead of an error after the round trip. Pure, unit-tested in Node.
 */

/** SendChannelMessage: STANDARD message content, in UTF-8 bytes. */
export const MESSAGE_LIMIT_BYTES = 4096;
/** Show the counter from here on. */
export const MESSAGE_COUNTER_FROM_BYTES = 3584;
/** CreateChannel Name: 1-256 characters. */
export const CHANNEL_NAME_MAX = 256;

const encoder = new TextEncoder();

export function utf8Bytes(text: string): number {
  return encoder.encode(text).length;
}

export interface MessageCheck {
  readonly bytes: number;
  /** Whether the counter should show. */
  readonly nearLimit: boolean;
  /** Why it cannot be sent; absent when it can. */
  readonly problem?: 'empty' | 'tooLong';
}

export function checkMessage(content: string): MessageCheck {
  const bytes = utf8Bytes(content);
  const nearLimit = bytes >= MESSAGE_COUNTER_FROM_BYTES;
  if (content.trim() === '') return { bytes, nearLimit, problem: 'empty' };
  if (bytes > MESSAGE_LIMIT_BYTES) return { bytes, nearLimit, problem: 'tooLong' };
  return { bytes, nearLimit };
}

/** A channel name's problem in plain words, or undefined when it is fine. */
export function channelNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'Enter a name. Spaces alone do not count.';
  if ([...name.trim()].length > CHANNEL_NAME_MAX) {
    return `Names are at most ${CHANNEL_NAME_MAX} characters.`;
  }
  return undefined;
}

/** AppInstanceUserId: 1-64 characters (the API reference's pattern). A `sub` is a UUID. */
const USER_ID = /^[A-Za-z0-9]([A-Za-z0-9:\-_.@]{0,62}[A-Za-z0-9])?$/;

/** Enough of an address to ask the people API (which checks it fully, docs/people.md). */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** RFC 5321's path limit, as the people API's. */
const EMAIL_MAX = 254;

/** An email address rather than a user id: ours (Cognito subs, guest ids) never hold an `@`. */
export function isEmailQuery(text: string): boolean {
  return text.includes('@');
}

/** What is wrong with the text of "Add people" (an email or a user id), in words. */
export function personProblem(text: string): string | undefined {
  const query = text.trim();
  if (query === '') return 'Enter their email or user id.';
  if (!isEmailQuery(query)) return userIdProblem(query);
  if (query.length > EMAIL_MAX || !EMAIL.test(query)) {
    return 'That is not an email address. It looks like name@example.com.';
  }
  return undefined;
}

export function userIdProblem(id: string): string | undefined {
  if (id.trim() === '') return 'Enter their user id.';
  if (!USER_ID.test(id.trim())) {
    return 'That is not a user id. It looks like 1b2c3d4e-…: ask them to copy it from their Identity panel.';
  }
  return undefined;
}
