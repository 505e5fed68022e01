import {
  CLOUDTRAIL_API_CALL_DETAIL_TYPE,
  COGNITO_IDP_EVENT_BUS_SOURCE,
  COGNITO_IDP_EVENT_SOURCE,
  POOL_USER_ID_PATTERN,
  USER_LIFECYCLE_EVENT_NAMES,
  type UserLifecycleEventName,
} from '../../../contracts/user-lifecycle';

/**
 * Reads an EventBridge "AWS API Call via CloudTrail" event of a user pool call, trusting nothing:
 * any event that is not a successful lifecycle call about one user of this pool is ignored, with
 * the reason (never the event itself: it can hold user attributes).
 *
 * Where the user is: Cognito records the user's `sub` (not the user name, which it masks) in the
 * events of calls about one user. The developer guide says it records `UserSub`; the field is read
 * from `additionalEventData.sub` or `additionalEventData.UserSub`. Which one AWS writes needs a real
 * account to confirm (docs/user-lifecycle.md); an event without either is ignored and the next
 * scheduled reconcile repairs the user.
 */

export type ParsedEvent =
  | {
      readonly ok: true;
      readonly sub: string;
      readonly eventName: UserLifecycleEventName;
      /** For logs: CloudTrail's event id and time. */
      readonly eventId?: string;
      readonly eventTime?: string;
    }
  | { readonly ok: false; readonly reason: string; readonly eventName?: string };

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** At most 80 printable characters of an untrusted string, for a log line. */
function shown(value: unknown): string {
  if (typeof value !== 'string') return `a ${value === null ? 'null' : typeof value}`;
  return JSON.stringify(value.replace(/[^\x20-\x7e]/g, '?').slice(0, 80));
}

export function parseUserLifecycleEvent(event: unknown, userPoolId: string): ParsedEvent {
  if (!isObject(event)) return { ok: false, reason: 'the event is not a JSON object' };
  if (event['detail-type'] !== CLOUDTRAIL_API_CALL_DETAIL_TYPE) {
    return { ok: false, reason: `detail-type is ${shown(event['detail-type'])}, not an API call` };
  }
  if (event.source !== COGNITO_IDP_EVENT_BUS_SOURCE) {
    return {
      ok: false,
      reason: `source is ${shown(event.source)}, not ${COGNITO_IDP_EVENT_BUS_SOURCE}`,
    };
  }
  const detail = event.detail;
  if (!isObject(detail)) return { ok: false, reason: 'the event has no detail object' };
  if (detail.eventSource !== COGNITO_IDP_EVENT_SOURCE) {
    return { ok: false, reason: `eventSource is ${shown(detail.eventSource)}` };
  }
  const eventName = text(detail.eventName);
  if (!eventName || !(USER_LIFECYCLE_EVENT_NAMES as readonly string[]).includes(eventName)) {
    return { ok: false, reason: `eventName ${shown(detail.eventName)} is not a lifecycle call` };
  }
  const errorCode = detail.errorCode;
  if (errorCode !== undefined && errorCode !== null && errorCode !== '') {
    return {
      ok: false,
      eventName,
      reason: `the call failed (${shown(errorCode)}): nothing changed`,
    };
  }
  const request = detail.requestParameters;
  const poolId = isObject(request) ? request.userPoolId : undefined;
  if (poolId !== undefined && poolId !== userPoolId) {
    return {
      ok: false,
      eventName,
      reason: `the call is about another user pool (${shown(poolId)})`,
    };
  }
  const extra = isObject(detail.additionalEventData) ? detail.additionalEventData : {};
  const sub = extra.sub ?? extra.UserSub;
  if (sub === undefined) {
    return {
      ok: false,
      eventName,
      reason: 'the event carries no sub (the next reconcile repairs the user)',
    };
  }
  if (typeof sub !== 'string' || !POOL_USER_ID_PATTERN.test(sub)) {
    return { ok: false, eventName, reason: `the sub ${shown(sub)} is not a user pool sub` };
  }
  return {
    ok: true,
    sub,
    eventName: eventName as UserLifecycleEventName,
    ...(text(detail.eventID) && { eventId: text(detail.eventID)!.slice(0, 64) }),
    ...(text(detail.eventTime) && { eventTime: text(detail.eventTime)!.slice(0, 40) }),
  };
}
