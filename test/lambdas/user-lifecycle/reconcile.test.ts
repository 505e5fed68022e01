import {
  ChimeSDKIdentityClient,
  ConflictException,
  CreateAppInstanceUserCommand,
  type CreateAppInstanceUserCommandInput,
  DeleteAppInstanceUserCommand,
  DescribeAppInstanceUserCommand,
  ForbiddenException,
  ListAppInstanceUsersCommand,
  NotFoundException,
  ThrottledClientException,
  UpdateAppInstanceUserCommand,
} from '@aws-sdk/client-chime-sdk-identity';
import {
  ChimeSDKMessagingClient,
  DeleteChannelMembershipCommand,
  DeleteChannelModeratorCommand,
  ListChannelMembershipsForAppInstanceUserCommand,
  ListChannelsModeratedByAppInstanceUserCommand,
} from '@aws-sdk/client-chime-sdk-messaging';
import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
  TooManyRequestsException,
  UserNotFoundException,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { LifecycleDeps } from '../../../lambdas/lib/user-lifecycle/context';
import { reconcileUsers, syncUser } from '../../../lambdas/lib/user-lifecycle/reconcile';
import { fakeClock } from '../support/fake-clock';

const AI = 'arn:aws:chime:us-east-1:123456789012:app-instance/abc';
const POOL = 'us-east-1_Pool';
const A = 'a1111111-1111-4111-8111-111111111111';
const B = 'b2222222-2222-4222-8222-222222222222';
const C = 'c3333333-3333-4333-8333-333333333333';
const arn = (id: string) => `${AI}/user/${id}`;

const chime = mockClient(ChimeSDKIdentityClient);
const messaging = mockClient(ChimeSDKMessagingClient);
const cognito = mockClient(CognitoIdentityProviderClient);

function deps(
  clock = fakeClock(),
  rates = { cognitoPerSecond: 0, chimePerSecond: 0 },
): LifecycleDeps {
  return {
    chime: new ChimeSDKIdentityClient({ region: 'us-east-1' }),
    messaging: new ChimeSDKMessagingClient({ region: 'us-east-1' }),
    cognito: new CognitoIdentityProviderClient({ region: 'us-east-1' }),
    appInstanceArn: AI,
    userPoolId: POOL,
    clock,
    rates,
  };
}

const poolUser = (sub: string, name: string, extra: Partial<UserType> = {}): UserType => ({
  Username: sub,
  Enabled: true,
  UserStatus: 'CONFIRMED',
  Attributes: [
    { Name: 'sub', Value: sub },
    { Name: 'name', Value: name },
  ],
  ...extra,
});
const chimeUser = (id: string, name: string) => ({ AppInstanceUserArn: arn(id), Name: name });
const brake = { maxPercent: 100, maxCount: 100 };
const meta = { $metadata: {} };

beforeEach(() => {
  chime.reset();
  messaging.reset();
  cognito.reset();
  messaging.on(ListChannelsModeratedByAppInstanceUserCommand).resolves({ Channels: [] });
  messaging
    .on(ListChannelMembershipsForAppInstanceUserCommand)
    .resolves({ ChannelMemberships: [] });
  chime.on(CreateAppInstanceUserCommand).callsFake((input: CreateAppInstanceUserCommandInput) => ({
    AppInstanceUserArn: arn(input.AppInstanceUserId ?? ''),
  }));
  chime.on(UpdateAppInstanceUserCommand).resolves({});
  chime.on(DeleteAppInstanceUserCommand).resolves({});
  cognito.on(AdminGetUserCommand).rejects(new UserNotFoundException({ message: 'no', ...meta }));
});

describe('reconcileUsers', () => {
  it('pages through both sides, Chime first, asking Cognito only for the attributes the name rule reads', async () => {
    chime
      .on(ListAppInstanceUsersCommand)
      .resolvesOnce({ AppInstanceUsers: [chimeUser(A, 'Al')], NextToken: 't1' })
      .resolvesOnce({ AppInstanceUsers: [chimeUser(B, 'Bo')] });
    cognito
      .on(ListUsersCommand)
      .resolvesOnce({ Users: [poolUser(A, 'Al')], PaginationToken: 'p1' })
      .resolvesOnce({ Users: [poolUser(B, 'Bo')] });
    const order: string[] = [];
    const report = await reconcileUsers(deps(), {
      mode: 'plan',
      brake,
      deadline: Infinity,
      onProgress: (phase, done) => order.push(`${phase}:${done}`),
    });
    expect(order).toEqual(['list-chime:1', 'list-chime:2', 'list-cognito:1', 'list-cognito:2']);
    expect(chime).toHaveReceivedNthCommandWith(2, ListAppInstanceUsersCommand, {
      AppInstanceArn: AI,
      MaxResults: 50,
      NextToken: 't1',
    });
    expect(cognito).toHaveReceivedNthCommandWith(2, ListUsersCommand, {
      UserPoolId: POOL,
      Limit: 60,
      PaginationToken: 'p1',
      AttributesToGet: [
        'sub',
        'name',
        'preferred_username',
        'given_name',
        'family_name',
        'nickname',
        'email',
      ],
    });
    expect(report.plan).toMatchObject({ creates: [], renames: [], deletes: [], poolUsers: 2 });
    expect(report.applied).toBeUndefined();
    expect(chime).not.toHaveReceivedCommand(CreateAppInstanceUserCommand);
  });

  it('retries throttled listings with full-jitter backoff and counts them', async () => {
    const clock = fakeClock();
    chime
      .on(ListAppInstanceUsersCommand)
      .rejectsOnce(new ThrottledClientException({ message: 'slow', ...meta }))
      .resolves({ AppInstanceUsers: [] });
    cognito
      .on(ListUsersCommand)
      .rejectsOnce(new TooManyRequestsException({ message: 'slow', ...meta }))
      .rejectsOnce(new TooManyRequestsException({ message: 'slow', ...meta }))
      .resolves({ Users: [] });
    const report = await reconcileUsers(deps(clock), { mode: 'plan', brake, deadline: Infinity });
    expect(report.throttled).toBe(3);
    // random() = 0.5: half of 200 * 2^attempt (BATCH_RETRY, the default when deps.retry is unset).
    expect(clock.sleeps).toEqual([200, 200, 400]);
  });

  it('backs off and gives up by the retry policy in deps.retry', async () => {
    const clock = fakeClock();
    chime
      .on(ListAppInstanceUsersCommand)
      .rejectsOnce(new ThrottledClientException({ message: 'slow', ...meta }))
      .resolves({ AppInstanceUsers: [] });
    cognito
      .on(ListUsersCommand)
      .rejects(new TooManyRequestsException({ message: 'slow', ...meta }));
    const withPolicy = { ...deps(clock), retry: { baseMs: 3, capMs: 10, maxAttempts: 3 } };
    await expect(
      reconcileUsers(withPolicy, { mode: 'plan', brake, deadline: Infinity }),
    ).rejects.toThrow(TooManyRequestsException);
    // random() = 0.5: half of min(10, 3 * 2^attempt), floored; ListUsers gave up at its 3rd attempt.
    expect(clock.sleeps).toEqual([3, 3, 5]);
    expect(cognito).toHaveReceivedCommandTimes(ListUsersCommand, 3);
  });

  it('paces calls to the configured rate', async () => {
    const clock = fakeClock();
    chime.on(ListAppInstanceUsersCommand).resolves({ AppInstanceUsers: [] });
    cognito
      .on(ListUsersCommand)
      .resolvesOnce({ Users: [], PaginationToken: '1' })
      .resolvesOnce({ Users: [], PaginationToken: '2' })
      .resolves({ Users: [] });
    await reconcileUsers(deps(clock, { cognitoPerSecond: 10, chimePerSecond: 10 }), {
      mode: 'plan',
      brake,
      deadline: Infinity,
    });
    expect(clock.sleeps).toEqual([100, 100]);
  });

  it('repairs: creates, renames, and deletes after taking the user out of every channel', async () => {
    chime.on(ListAppInstanceUsersCommand).resolves({
      AppInstanceUsers: [chimeUser(B, 'Old'), chimeUser(C, 'Gone'), chimeUser('guest-1', 'G')],
    });
    cognito.on(ListUsersCommand).resolves({ Users: [poolUser(A, 'Al'), poolUser(B, 'Bo')] });
    messaging
      .on(ListChannelsModeratedByAppInstanceUserCommand)
      .resolves({ Channels: [{ ChannelSummary: { ChannelArn: `${AI}/channel/m1` } }] });
    messaging
      .on(ListChannelMembershipsForAppInstanceUserCommand)
      .resolvesOnce({
        ChannelMemberships: [{ ChannelSummary: { ChannelArn: `${AI}/channel/c1` } }],
        NextToken: 'n',
      })
      .resolvesOnce({
        ChannelMemberships: [{ ChannelSummary: { ChannelArn: `${AI}/channel/c2` } }],
      });
    messaging.on(DeleteChannelModeratorCommand).resolves({});
    messaging
      .on(DeleteChannelMembershipCommand)
      .resolvesOnce({})
      .rejectsOnce(new NotFoundException({ message: 'left already', ...meta }));

    const report = await reconcileUsers(deps(), { mode: 'apply', brake, deadline: Infinity });

    expect(report.applied).toMatchObject({
      created: [A],
      renamed: [B],
      deleted: [C],
      membershipsRemoved: 1,
      moderatorRolesRemoved: 1,
      failed: [],
    });
    expect(chime).toHaveReceivedCommandWith(CreateAppInstanceUserCommand, {
      AppInstanceArn: AI,
      AppInstanceUserId: A,
      Name: 'Al',
    });
    expect(chime).toHaveReceivedCommandWith(UpdateAppInstanceUserCommand, {
      AppInstanceUserArn: arn(B),
      Name: 'Bo',
      Metadata: '',
    });
    // Confirmed gone first, then out of the channels as themself, then deleted.
    expect(cognito).toHaveReceivedCommandWith(AdminGetUserCommand, {
      UserPoolId: POOL,
      Username: C,
    });
    expect(messaging).toHaveReceivedCommandWith(DeleteChannelModeratorCommand, {
      ChannelArn: `${AI}/channel/m1`,
      ChannelModeratorArn: arn(C),
      ChimeBearer: arn(C),
    });
    for (const channel of ['c1', 'c2']) {
      expect(messaging).toHaveReceivedCommandWith(DeleteChannelMembershipCommand, {
        ChannelArn: `${AI}/channel/${channel}`,
        MemberArn: arn(C),
        ChimeBearer: arn(C),
      });
    }
    expect(chime).toHaveReceivedCommandWith(DeleteAppInstanceUserCommand, {
      AppInstanceUserArn: arn(C),
    });
    expect(chime).not.toHaveReceivedCommandWith(DeleteAppInstanceUserCommand, {
      AppInstanceUserArn: arn('guest-1'),
    });
  });

  it('keeps an AppInstanceUser whose Cognito user appeared after the listing', async () => {
    chime.on(ListAppInstanceUsersCommand).resolves({ AppInstanceUsers: [chimeUser(C, 'Cy')] });
    cognito.on(ListUsersCommand).resolves({ Users: [] });
    cognito.on(AdminGetUserCommand).resolves({
      Username: C,
      UserAttributes: [{ Name: 'sub', Value: C }],
      Enabled: true,
      UserStatus: 'CONFIRMED' as const,
    });
    const report = await reconcileUsers(deps(), { mode: 'apply', brake, deadline: Infinity });
    expect(report.applied).toMatchObject({ deleted: [], kept: [C] });
    expect(chime).not.toHaveReceivedCommand(DeleteAppInstanceUserCommand);
    expect(messaging).not.toHaveReceivedCommand(DeleteChannelMembershipCommand);
  });

  it('with the brake engaged: creates and renames, deletes nothing; force deletes', async () => {
    chime.on(ListAppInstanceUsersCommand).resolves({
      AppInstanceUsers: [chimeUser(B, 'Old'), chimeUser(C, 'Gone')],
    });
    cognito.on(ListUsersCommand).resolves({ Users: [poolUser(A, 'Al'), poolUser(B, 'Bo')] });
    const tight = { maxPercent: 5, maxCount: 0 };
    const held = await reconcileUsers(deps(), { mode: 'apply', brake: tight, deadline: Infinity });
    expect(held.brake).toMatchObject({ engaged: true, limit: 0, deletes: 1 });
    expect(held.forced).toBe(false);
    expect(held.applied).toMatchObject({ created: [A], renamed: [B], deleted: [] });
    expect(chime).not.toHaveReceivedCommand(DeleteAppInstanceUserCommand);

    const forced = await reconcileUsers(deps(), {
      mode: 'apply',
      brake: tight,
      force: true,
      deadline: Infinity,
    });
    expect(forced.forced).toBe(true);
    expect(forced.applied?.deleted).toEqual([C]);
  });

  it('reports a change that keeps failing and goes on with the others', async () => {
    chime.on(ListAppInstanceUsersCommand).resolves({
      AppInstanceUsers: [chimeUser(A, 'x'), chimeUser(B, 'y')],
    });
    cognito.on(ListUsersCommand).resolves({ Users: [poolUser(A, 'Al'), poolUser(B, 'Bo')] });
    chime
      .on(UpdateAppInstanceUserCommand, { AppInstanceUserArn: arn(A) })
      .rejects(new ForbiddenException({ message: 'no', ...meta }));
    const report = await reconcileUsers(deps(), { mode: 'apply', brake, deadline: Infinity });
    expect(report.applied).toMatchObject({
      renamed: [B],
      failed: [{ id: A, action: 'rename', errorName: 'ForbiddenException' }],
    });
  });

  it("reports a creation Chime refuses with the service's error name", async () => {
    chime.on(ListAppInstanceUsersCommand).resolves({ AppInstanceUsers: [] });
    cognito.on(ListUsersCommand).resolves({ Users: [poolUser(A, 'Al')] });
    chime
      .on(CreateAppInstanceUserCommand)
      .rejects(new ForbiddenException({ message: 'no', ...meta }));
    chime
      .on(DescribeAppInstanceUserCommand)
      .rejects(new NotFoundException({ message: 'no', ...meta }));
    const report = await reconcileUsers(deps(), { mode: 'apply', brake, deadline: Infinity });
    expect(report.applied?.failed).toEqual([
      expect.objectContaining({ id: A, action: 'create', errorName: 'ForbiddenException' }),
    ]);
  });

  it('starts nothing after the deadline and says how much is left', async () => {
    const clock = fakeClock();
    const deadline = clock.now() + 1_000;
    chime.on(ListAppInstanceUsersCommand).resolves({ AppInstanceUsers: [] });
    cognito.on(ListUsersCommand).callsFake(() => {
      clock.advance(2_000); // the listing took longer than the run had
      return { Users: [poolUser(A, 'Al'), poolUser(B, 'Bo')] };
    });
    const report = await reconcileUsers(deps(clock), { mode: 'apply', brake, deadline });
    expect(report.applied).toMatchObject({ created: [], unfinished: 2 });
    expect(chime).not.toHaveReceivedCommand(CreateAppInstanceUserCommand);
  });

  it('a listing that keeps failing fails the run before anything is changed', async () => {
    chime.on(ListAppInstanceUsersCommand).resolves({ AppInstanceUsers: [chimeUser(C, 'c')] });
    cognito
      .on(ListUsersCommand)
      .rejects(new TooManyRequestsException({ message: 'slow', ...meta }));
    await expect(
      reconcileUsers(deps(), { mode: 'apply', brake, deadline: Infinity }),
    ).rejects.toThrow(TooManyRequestsException);
    expect(chime).not.toHaveReceivedCommand(DeleteAppInstanceUserCommand);
  });
});

describe('syncUser', () => {
  it('creates the AppInstanceUser of a user who may chat and has none (Forbidden from Describe = missing)', async () => {
    cognito.on(AdminGetUserCommand).resolves({
      Username: A,
      UserAttributes: [
        { Name: 'sub', Value: A },
        { Name: 'email', Value: 'al@example.com' },
      ],
      Enabled: true,
      UserStatus: 'CONFIRMED' as const,
    });
    chime
      .on(DescribeAppInstanceUserCommand)
      .rejects(new ForbiddenException({ message: 'no', ...meta }));
    const report = await syncUser(deps(), A, Infinity);
    expect(report.applied.created).toEqual([A]);
    expect(chime).toHaveReceivedCommandWith(CreateAppInstanceUserCommand, { Name: 'al' });
  });

  it('counts a creation Chime already had as existing', async () => {
    cognito.on(AdminGetUserCommand).resolves({
      Username: A,
      UserAttributes: [{ Name: 'sub', Value: A }],
      Enabled: true,
      UserStatus: 'CONFIRMED' as const,
    });
    chime
      .on(DescribeAppInstanceUserCommand)
      .rejects(new NotFoundException({ message: 'no', ...meta }));
    chime
      .on(CreateAppInstanceUserCommand)
      .rejects(new ConflictException({ message: 'exists', ...meta }));
    const report = await syncUser(deps(), A, Infinity);
    expect(report.applied).toMatchObject({ created: [], alreadyExisted: [A] });
  });

  it('deletes the AppInstanceUser of a deleted user without asking Cognito twice', async () => {
    chime.on(DescribeAppInstanceUserCommand).resolves({
      AppInstanceUser: { AppInstanceUserArn: arn(A), Name: 'Al' },
    });
    const report = await syncUser(deps(), A, Infinity);
    expect(report.applied.deleted).toEqual([A]);
    expect(cognito).toHaveReceivedCommandTimes(AdminGetUserCommand, 1);
  });

  it('changes nothing for a disabled user who has an AppInstanceUser', async () => {
    cognito.on(AdminGetUserCommand).resolves({
      Username: A,
      UserAttributes: [
        { Name: 'sub', Value: A },
        { Name: 'name', Value: 'Al' },
      ],
      Enabled: false,
      UserStatus: 'CONFIRMED' as const,
    });
    chime.on(DescribeAppInstanceUserCommand).resolves({
      AppInstanceUser: { AppInstanceUserArn: arn(A), Name: 'Al' },
    });
    const report = await syncUser(deps(), A, Infinity);
    expect(report.applied).toMatchObject({ created: [], renamed: [], deleted: [] });
    expect(chime).not.toHaveReceivedCommand(DeleteAppInstanceUserCommand);
  });
});
