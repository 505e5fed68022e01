import { parseUserLifecycleEvent } from '../../../lambdas/lib/user-lifecycle/cloudtrail-event';

const POOL = 'us-east-1_AbCdEf123';
const SUB = '11111111-1111-4111-8111-111111111111';

function event(detail: Record<string, unknown> = {}, top: Record<string, unknown> = {}) {
  return {
    version: '0',
    id: 'e1',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.cognito-idp',
    detail: {
      eventSource: 'cognito-idp.amazonaws.com',
      eventName: 'AdminDeleteUser',
      eventID: 'ct-1',
      requestParameters: { userPoolId: POOL, username: 'HIDDEN_DUE_TO_SECURITY_REASONS' },
      additionalEventData: { sub: SUB },
      ...detail,
    },
    ...top,
  };
}

describe('parseUserLifecycleEvent', () => {
  it('reads the sub of an administrator call on this pool', () => {
    expect(parseUserLifecycleEvent(event(), POOL)).toEqual({
      ok: true,
      sub: SUB,
      eventName: 'AdminDeleteUser',
      eventId: 'ct-1',
    });
  });

  it('reads UserSub too, and a user call that names no pool', () => {
    const parsed = parseUserLifecycleEvent(
      event({
        eventName: 'DeleteUser',
        requestParameters: { accessToken: 'HIDDEN' },
        additionalEventData: { UserSub: SUB },
      }),
      POOL,
    );
    expect(parsed).toMatchObject({ ok: true, sub: SUB, eventName: 'DeleteUser' });
  });

  it.each([
    ['not an object', 'hello', 'not a JSON object'],
    ['an array', [], 'not a JSON object'],
    ['another detail-type', event({}, { 'detail-type': 'Scheduled Event' }), 'detail-type'],
    ['another source', event({}, { source: 'aws.s3' }), 'source'],
    ['no detail', event({}, { detail: 'x' }), 'no detail'],
    ['another event source', event({ eventSource: 'iam.amazonaws.com' }), 'eventSource'],
    ['another call', event({ eventName: 'AdminCreateUser' }), 'not a lifecycle call'],
    ['a failed call', event({ errorCode: 'UserNotFoundException' }), 'the call failed'],
    [
      'another pool',
      event({ requestParameters: { userPoolId: 'us-east-1_Other' } }),
      'another user pool',
    ],
    ['no sub', event({ additionalEventData: {} }), 'no sub'],
    [
      'a masked sub',
      event({ additionalEventData: { sub: 'HIDDEN_DUE_TO_SECURITY_REASONS' } }),
      'not a user pool sub',
    ],
    [
      'a sub that is not a string',
      event({ additionalEventData: { sub: { $ne: null } } }),
      'not a user pool sub',
    ],
    ['a guest id', event({ additionalEventData: { sub: 'guest-1' } }), 'not a user pool sub'],
  ])('ignores %s, saying why', (_what, input, reason) => {
    const parsed = parseUserLifecycleEvent(input, POOL);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok === false && parsed.reason).toContain(reason);
  });

  it('never repeats more than 80 printable characters of what it was sent', () => {
    const parsed = parseUserLifecycleEvent(
      event({ eventName: `\u001b[31m${'x'.repeat(500)}` }),
      POOL,
    );
    expect(parsed.ok === false && parsed.reason).not.toContain('\u001b');
    expect(parsed.ok === false && parsed.reason.length).toBeLessThan(140);
  });
});
