import { POOL_USER_ID_PATTERN } from '../../../contracts/user-lifecycle';
import { evaluateBrake, isChatEligible, planDrift } from '../../../lambdas/lib/user-lifecycle/plan';
import type { ChimeUser, PoolUser } from '../../../lambdas/lib/user-lifecycle/sources';

const AI = 'arn:aws:chime:us-east-1:123456789012:app-instance/abc';
const A = 'a1111111-1111-4111-8111-11111111111f';
const B = '22222222-2222-4222-8222-222222222222';
const C = '33333333-3333-4333-8333-333333333333';
const D = '44444444-4444-4444-8444-444444444444';

const pool = (
  sub: string,
  attributes: Record<string, string> = {},
  extra: Partial<PoolUser> = {},
): PoolUser => ({
  sub,
  enabled: true,
  status: 'CONFIRMED',
  attributes: { sub, ...attributes },
  ...extra,
});
const chime = (id: string, name: string): ChimeUser => ({ id, arn: `${AI}/user/${id}`, name });

describe('planDrift', () => {
  it('creates the missing, renames the changed, deletes the orphans, in id order', () => {
    const plan = planDrift(
      [
        pool(B, { name: 'Bea' }),
        pool(A, { email: 'al@example.com' }),
        pool(C, { preferred_username: 'cy' }),
      ],
      [chime(C, 'old'), chime(D, 'gone'), chime(A, 'al')],
    );
    expect(plan.creates).toEqual([{ id: B, name: 'Bea', attributes: { sub: B, name: 'Bea' } }]);
    expect(plan.renames).toEqual([{ id: C, arn: `${AI}/user/${C}`, from: 'old', to: 'cy' }]);
    expect(plan.deletes).toEqual([{ id: D, arn: `${AI}/user/${D}`, name: 'gone' }]);
    expect(plan).toMatchObject({ poolUsers: 3, appInstanceUsers: 3, poolFormUsers: 3, foreign: 0 });
  });

  it("uses the triggers' name rule (one definition), so a freshly created user never looks renamed", () => {
    const plan = planDrift(
      [pool(A, { email: 'someone@example.com', name: ' \u202E ' })],
      [chime(A, 'someone')],
    );
    expect(plan.renames).toEqual([]);
  });

  it('never deletes AppInstanceUsers whose id is not a pool sub', () => {
    const plan = planDrift(
      [],
      [chime('guest-1', 'g'), chime('bot', 'b'), chime(A.toUpperCase(), 'u'), chime(A, 'a')],
    );
    expect(plan.deletes.map((d) => d.id)).toEqual([A]);
    expect(plan.foreign).toBe(3);
    expect(plan.poolFormUsers).toBe(1);
  });

  it('creates nothing for disabled or unconfirmed users, but keeps and renames their existing ones', () => {
    const plan = planDrift(
      [
        pool(A, {}, { enabled: false }),
        pool(B, {}, { status: 'UNCONFIRMED' }),
        pool(C, { name: 'New' }, { enabled: false }),
      ],
      [chime(C, 'Old')],
    );
    expect(plan.creates).toEqual([]);
    expect(plan.notEligible).toBe(2);
    expect(plan.renames.map((r) => r.to)).toEqual(['New']);
    expect(plan.deletes).toEqual([]);
  });

  it('skips a pool user whose sub cannot be an AppInstanceUserId', () => {
    const plan = planDrift([pool('not a sub!')], []);
    expect(plan).toMatchObject({ creates: [], invalidSubs: 1 });
  });

  it('keeps the metadata of a renamed user (UpdateAppInstanceUser requires it)', () => {
    const plan = planDrift([pool(A, { name: 'x' })], [{ ...chime(A, 'y'), metadata: 'm' }]);
    expect(plan.renames[0]).toMatchObject({ metadata: 'm' });
  });
});

describe('isChatEligible', () => {
  it.each([
    ['CONFIRMED', true, true],
    ['EXTERNAL_PROVIDER', true, true],
    ['FORCE_CHANGE_PASSWORD', true, true],
    ['RESET_REQUIRED', true, true],
    ['UNCONFIRMED', true, false],
    ['CONFIRMED', false, false],
    ['UNKNOWN', true, false],
  ])('%s, enabled %s -> %s', (status, enabled, expected) => {
    expect(isChatEligible(pool(A, {}, { status, enabled }))).toBe(expected);
  });
});

describe('evaluateBrake', () => {
  const brake = { maxPercent: 5, maxCount: 50 };
  it('allows up to 5 % (at least one) and up to 50', () => {
    expect(evaluateBrake(5, 100, brake)).toMatchObject({ engaged: false, limit: 5 });
    expect(evaluateBrake(6, 100, brake)).toMatchObject({ engaged: true, limit: 5 });
    expect(evaluateBrake(1, 3, brake)).toMatchObject({ engaged: false, limit: 1 });
    expect(evaluateBrake(2, 3, brake)).toMatchObject({ engaged: true });
    expect(evaluateBrake(50, 10_000, brake)).toMatchObject({ engaged: false, limit: 50 });
    expect(evaluateBrake(51, 10_000, brake)).toMatchObject({ engaged: true, limit: 50 });
    expect(evaluateBrake(0, 0, brake)).toMatchObject({ engaged: false });
  });

  it('says why, with the numbers and what to do', () => {
    const decision = evaluateBrake(60, 100, brake);
    expect(decision.reason).toContain('60 AppInstanceUsers (60.0 % of 100)');
    expect(decision.reason).toContain('at most 5');
    expect(decision.reason).toContain('--apply --force');
  });

  it('a count of 0 turns automatic deletion off', () => {
    expect(evaluateBrake(1, 1000, { maxPercent: 5, maxCount: 0 })).toMatchObject({
      engaged: true,
      limit: 0,
    });
  });

  it('engages when every AppInstanceUser would go (an empty listing, a wrong pool)', () => {
    expect(evaluateBrake(40, 40, brake).engaged).toBe(true);
  });
});

it('the pool id form is a lowercase UUID', () => {
  expect(POOL_USER_ID_PATTERN.test(A)).toBe(true);
  expect(POOL_USER_ID_PATTERN.test(A.toUpperCase())).toBe(false);
  expect(POOL_USER_ID_PATTERN.test(`${A}x`)).toBe(false);
  expect(POOL_USER_ID_PATTERN.test('guest-1')).toBe(false);
});
