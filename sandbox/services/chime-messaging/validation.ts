/**
 * Input checks of the messaging API, with the limits and messages of the API reference. Inputs
 * arrive as parsed JSON, so every value is checked before use (a `BadRequestException` names the
 * member).
 */
import { badRequest } from './errors';
import type { MessageType, StoredMessage } from './state';

const NAME_MAX = 256;
export const METADATA_MAX = 1024;
export const CONTENT_TYPE_MAX = 45;
const STANDARD_MAX_BYTES = 4096;
const CONTROL_MAX_BYTES = 30;
const CLIENT_TOKEN_RE = /^[-_a-zA-Z0-9]{2,64}$/;

export function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0) throw badRequest(`${name} is required`);
  return value;
}

export function optionalString(value: unknown, name: string, max?: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest(`${name} must be a string`);
  if (max !== undefined && value.length > max) {
    throw badRequest(`${name} must be at most ${max} characters`);
  }
  return value;
}

export function oneOf<T extends string>(
  value: unknown,
  name: string,
  allowed: readonly T[],
  fallback?: T,
): T {
  if ((value === undefined || value === null) && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw badRequest(`${name} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

export function checkClientToken(token: unknown): string | undefined {
  const value = optionalString(token, 'ClientRequestToken');
  if (value !== undefined && !CLIENT_TOKEN_RE.test(value)) {
    throw badRequest('ClientRequestToken must be 2-64 characters of [-_a-zA-Z0-9]');
  }
  return value;
}

export function checkName(value: unknown): string {
  const name = requireString(value, 'Name');
  if (name.length > NAME_MAX || !/\S/.test(name)) {
    throw badRequest(`Name must be 1-${NAME_MAX} characters and not blank`);
  }
  return name;
}

export function noElastic(subChannelId: unknown): void {
  if (subChannelId !== undefined && subChannelId !== null) {
    throw badRequest('SubChannelId: elastic channels are not supported by the sandbox');
  }
}

export function checkContent(
  content: unknown,
  type: MessageType,
  metadata: string | undefined,
): string {
  const value = requireString(content, 'Content');
  const bytes = Buffer.byteLength(value, 'utf8');
  if (type === 'CONTROL') {
    if (bytes > CONTROL_MAX_BYTES)
      throw badRequest(`CONTROL messages are limited to ${CONTROL_MAX_BYTES} bytes`);
    if (metadata !== undefined) throw badRequest('CONTROL messages cannot contain metadata');
  } else if (bytes > STANDARD_MAX_BYTES) {
    throw badRequest(`STANDARD messages are limited to ${STANDARD_MAX_BYTES} bytes`);
  }
  return value;
}

export function checkAttributes(value: unknown): StoredMessage['attributes'] {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value))
    throw badRequest('MessageAttributes must be a map');
  for (const [key, attribute] of Object.entries(value as Record<string, unknown>)) {
    const values = (attribute as { StringValues?: unknown } | null)?.StringValues;
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) {
      throw badRequest(`MessageAttributes.${key}.StringValues must be a list of strings`);
    }
  }
  return value as StoredMessage['attributes'];
}

/** A page request's `MaxResults` and `NextToken`, as the pagination helper takes them. */
export function pageRequest(input: { MaxResults?: unknown; NextToken?: unknown }) {
  return {
    maxResults: input.MaxResults as number | undefined,
    nextToken: input.NextToken as string | undefined,
  };
}

/**
 * An operation's input as it arrives: the members of the SDK's request type, each still to be
 * checked (`unknown`), since any client can send any JSON.
 */
export type Unchecked<T> = { readonly [K in keyof T]?: unknown };
