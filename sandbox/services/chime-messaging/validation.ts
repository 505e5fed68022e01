/**
 * Input checks of the messaging API, with the limits and messages of the API reference. The HTTP
 * binding has checked each member's JSON type (./requests.ts); these check what the values may be
 * (required, lengths, enums, sizes), for the HTTP binding and direct callers alike (a
 * `BadRequestException` names the member).
 */
import type { MessageAttributeValue } from '@aws-sdk/client-chime-sdk-messaging';
import { badRequest } from './errors';
import type { MessageType, StoredMessage } from './state';

const NAME_MAX = 256;
export const METADATA_MAX = 1024;
export const CONTENT_TYPE_MAX = 45;
const STANDARD_MAX_BYTES = 4096;
const CONTROL_MAX_BYTES = 30;
const CLIENT_TOKEN_RE = /^[-_a-zA-Z0-9]{2,64}$/;

export function requireString(value: string | undefined, name: string): string {
  if (typeof value !== 'string' || value.length === 0) throw badRequest(`${name} is required`);
  return value;
}

export function optionalString(
  value: string | undefined,
  name: string,
  max?: number,
): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest(`${name} must be a string`);
  if (max !== undefined && value.length > max) {
    throw badRequest(`${name} must be at most ${max} characters`);
  }
  return value;
}

export function oneOf<T extends string>(
  value: T | undefined,
  name: string,
  allowed: readonly T[],
  fallback?: T,
): T {
  if (value === undefined && fallback !== undefined) return fallback;
  if (value === undefined || !allowed.includes(value)) {
    throw badRequest(`${name} must be one of ${allowed.join(', ')}`);
  }
  return value;
}

export function checkClientToken(token: string | undefined): string | undefined {
  const value = optionalString(token, 'ClientRequestToken');
  if (value !== undefined && !CLIENT_TOKEN_RE.test(value)) {
    throw badRequest('ClientRequestToken must be 2-64 characters of [-_a-zA-Z0-9]');
  }
  return value;
}

export function checkName(value: string | undefined): string {
  const name = requireString(value, 'Name');
  if (name.length > NAME_MAX || !/\S/.test(name)) {
    throw badRequest(`Name must be 1-${NAME_MAX} characters and not blank`);
  }
  return name;
}

export function noElastic(subChannelId: string | undefined): void {
  if (subChannelId !== undefined && subChannelId !== null) {
    throw badRequest('SubChannelId: elastic channels are not supported by the sandbox');
  }
}

export function checkContent(
  content: string | undefined,
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

export function checkAttributes(
  value: Record<string, MessageAttributeValue> | undefined,
): StoredMessage['attributes'] {
  if (value === undefined) return undefined;
  // The binding checked the map; each value's members arrive unchecked.
  for (const [key, attribute] of Object.entries<unknown>(value)) {
    const values: unknown =
      typeof attribute === 'object' && attribute !== null && 'StringValues' in attribute
        ? attribute.StringValues
        : undefined;
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) {
      throw badRequest(`MessageAttributes.${key}.StringValues must be a list of strings`);
    }
  }
  // Every value's StringValues is a list of strings (checked above).
  return value as StoredMessage['attributes'];
}
