/**
 * From an HTTP request to the operation's request type of @aws-sdk/client-chime-sdk-messaging
 * (`CreateChannelRequest`, ...): path labels, query members, the `x-amz-chime-bearer` header and
 * the JSON body are gathered under the model's member names ({@link readRequest}), then each
 * member's JSON type is checked against the SDK type ({@link parseRequest}). What a member's value
 * may be (lengths, patterns, existing users) is the operations' business (./validation.ts).
 *
 * Hand-written because the SDK ships client serializers only; a server-side parser (smithy's
 * `ssdk`) is not published for this service. The SDK is imported for its types only.
 */
import type { SandboxRequest } from '../../server';
import { badRequest } from './errors';

/**
 * How a member travels: a string, one of an enum's values, an integer, a timestamp (ISO 8601
 * in the query), a list of strings, any other list, or a structure or map (a JSON object).
 */
export type MemberKind =
  'string' | 'integer' | 'timestamp' | 'strings' | 'list' | 'object' | readonly string[];

/** The kind a member of type `V` must be declared with (an enum lists its values). */
type KindOf<V> = [V] extends [Date]
  ? 'timestamp'
  : [V] extends [number]
    ? 'integer'
    : [V] extends [string]
      ? string extends V
        ? 'string'
        : readonly V[]
      : [V] extends [readonly string[]]
        ? 'strings'
        : [V] extends [readonly unknown[]]
          ? 'list'
          : 'object';

/**
 * Every member of the SDK's request type `Req`, with its kind: a member the SDK adds or retypes
 * is a compile error here, not a silent gap.
 */
export type RequestMembers<Req> = {
  readonly [K in keyof Req]-?: KindOf<Exclude<Req[K], undefined>>;
};

/** What the binding reads of an HTTP request (as the sandbox server parsed it). */
export type HttpRequest = Pick<SandboxRequest, 'params' | 'query' | 'headers' | 'json'>;

export const BEARER_HEADER = 'x-amz-chime-bearer';

export function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The request's members by model name, not yet checked: the JSON body, then the path labels,
 * the query members (`query`: parameter -> member; integers and timestamps converted) and the
 * bearer header, each of which wins over a body member of the same name.
 */
export function readRequest(
  req: HttpRequest,
  members: Readonly<Record<string, MemberKind>>,
  query: Readonly<Record<string, string>> = {},
): Record<string, unknown> {
  const input: Record<string, unknown> = { ...req.json, ...req.params };
  for (const [param, member] of Object.entries(query)) {
    const raw = single(req.query[param]);
    if (raw === undefined) continue;
    const kind = members[member];
    if (kind === 'integer') {
      if (!/^-?\d+$/.test(raw)) throw badRequest(`${param} must be an integer`);
      input[member] = Number(raw);
    } else if (kind === 'timestamp') {
      const date = new Date(raw);
      if (Number.isNaN(date.getTime())) throw badRequest(`${param} must be an ISO 8601 timestamp`);
      input[member] = date;
    } else {
      input[member] = raw;
    }
  }
  const bearer = single(req.headers[BEARER_HEADER]);
  if ('ChimeBearer' in members && bearer !== undefined) input.ChimeBearer = bearer;
  return input;
}

/**
 * The request type `Req` from the members read: each declared member checked against its kind
 * (`null` counts as absent, as the service reads JSON), undeclared members dropped.
 */
export function parseRequest<Req>(
  input: Readonly<Record<string, unknown>>,
  members: RequestMembers<Req>,
): Req {
  const request: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries<MemberKind>(members)) {
    const value = input[name];
    if (value !== undefined && value !== null) request[name] = checked(value, name, kind);
  }
  // Every member of Req was checked against the kind its type requires (RequestMembers<Req>).
  return request as Req;
}

function checked(value: unknown, name: string, kind: MemberKind): unknown {
  switch (kind) {
    case 'string':
      if (typeof value !== 'string') throw badRequest(`${name} must be a string`);
      return value;
    case 'integer':
      if (!Number.isInteger(value)) throw badRequest(`${name} must be an integer`);
      return value;
    case 'timestamp':
      // The served operations take timestamps in the query only, which readRequest made Dates.
      if (!(value instanceof Date)) throw badRequest(`${name} must be a timestamp`);
      return value;
    case 'strings':
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
        throw badRequest(`${name} must be a list of strings`);
      }
      return value;
    case 'list':
      if (!Array.isArray(value)) throw badRequest(`${name} must be a list`);
      return value;
    case 'object':
      if (typeof value !== 'object' || Array.isArray(value)) {
        throw badRequest(`${name} must be a JSON object`);
      }
      return value;
    default:
      if (typeof value !== 'string' || !kind.includes(value)) {
        throw badRequest(`${name} must be one of ${kind.join(', ')}`);
      }
      return value;
  }
}
