/**
 * Immediate sync (`-c userEvents=true`), in the sandbox: the user pool's administrator and user
 * calls reach the event rule as CloudTrail events, and the real user-event bundle (its own role,
 * IAM enforced) brings the user's AppInstanceUser in line within seconds.
 */
import {
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminUpdateUserAttributesCommand,
  DeleteUserCommand,
  UpdateUserAttributesCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { ChimeSDKIdentityClient } from '@aws-sdk/client-chime-sdk-identity';
import {
  CreateChannelCommand,
  CreateChannelMembershipCommand,
  CreateChannelModeratorCommand,
  ListChannelMembershipsCommand,
  ListChannelModeratorsCommand,
} from '@aws-sdk/client-chime-sdk-messaging';
import { startTestSandbox, type TestSandbox } from '../../../sandbox/testing';
import { adminChimeIdentity, chatUser, chimeNameOf, userEventsAssembly, within } from './support';

jest.setTimeout(120_000);

let sandbox: TestSandbox;
let chime: ChimeSDKIdentityClient;
const lambdaLines: string[] = [];

beforeAll(async () => {
  sandbox = await startTestSandbox({
    cdkOutDir: await userEventsAssembly(),
    lambdaLog: (_fn, line) => lambdaLines.push(line),
  });
  chime = adminChimeIdentity(sandbox);
}, 180_000);

afterAll(async () => {
  chime?.destroy();
  await sandbox?.stop();
});

it('serves the event rule of the template', () => {
  expect(sandbox.eventBus.rules).toHaveLength(1);
  expect(sandbox.eventBus.rules[0]!.functions).toHaveLength(1);
});

it('an administrator deletes a user: within 5 s the AppInstanceUser is gone and the person is in no member or moderator list', async () => {
  const alice = await chatUser(sandbox, 'alice@example.com');
  const bob = await chatUser(sandbox, 'bob@example.com');
  const appInstanceArn = sandbox.config.appInstanceArn;
  // Alice's channel, with bob in it; bob's channel, with alice as a moderator.
  const { ChannelArn: aliceChannel } = await alice.chime.send(
    new CreateChannelCommand({
      AppInstanceArn: appInstanceArn,
      Name: 'alice',
      ChimeBearer: alice.arn,
    }),
  );
  await alice.chime.send(
    new CreateChannelMembershipCommand({
      ChannelArn: aliceChannel,
      MemberArn: bob.arn,
      Type: 'DEFAULT',
      ChimeBearer: alice.arn,
    }),
  );
  const { ChannelArn: bobChannel } = await bob.chime.send(
    new CreateChannelCommand({ AppInstanceArn: appInstanceArn, Name: 'bob', ChimeBearer: bob.arn }),
  );
  await bob.chime.send(
    new CreateChannelModeratorCommand({
      ChannelArn: bobChannel,
      ChannelModeratorArn: alice.arn,
      ChimeBearer: bob.arn,
    }),
  );
  const members = async (channel: string | undefined) =>
    (
      await bob.chime.send(
        new ListChannelMembershipsCommand({ ChannelArn: channel, ChimeBearer: bob.arn }),
      )
    ).ChannelMemberships?.map((m) => m.Member?.Arn);
  const moderators = async (channel: string | undefined) =>
    (
      await bob.chime.send(
        new ListChannelModeratorsCommand({ ChannelArn: channel, ChimeBearer: bob.arn }),
      )
    ).ChannelModerators?.map((m) => m.Moderator?.Arn);
  expect(await members(aliceChannel)).toContain(alice.arn);
  expect(await moderators(bobChannel)).toContain(alice.arn);

  await sandbox.adminUserPoolClient.send(
    new AdminDeleteUserCommand({ UserPoolId: sandbox.config.userPoolId, Username: alice.email }),
  );

  const took = await within(5_000, async () => (await chimeNameOf(chime, alice.arn)) === undefined);
  expect(took).toBeLessThan(5_000);
  expect(await members(aliceChannel)).toEqual([bob.arn]);
  expect(await moderators(bobChannel)).toEqual([bob.arn]);
});

it('a rename by an administrator or by the user themself reaches the Chime name', async () => {
  const carol = await chatUser(sandbox, 'carol@example.com');
  expect(await chimeNameOf(chime, carol.arn)).toBe('carol');

  // The pool is case-insensitive: the user named in another case is the same user (and sub).
  await sandbox.adminUserPoolClient.send(
    new AdminUpdateUserAttributesCommand({
      UserPoolId: sandbox.config.userPoolId,
      Username: carol.email.toUpperCase(),
      UserAttributes: [{ Name: 'name', Value: 'Carol Danvers' }],
    }),
  );
  await within(5_000, async () => (await chimeNameOf(chime, carol.arn)) === 'Carol Danvers');

  // The user's own call names no pool: the rule's second branch, the same code.
  await sandbox.userPoolClient.send(
    new UpdateUserAttributesCommand({
      AccessToken: carol.accessToken,
      UserAttributes: [{ Name: 'name', Value: '  Captain\u202E Marvel ' }],
    }),
  );
  await within(5_000, async () => (await chimeNameOf(chime, carol.arn)) === 'Captain Marvel');
});

it('a user who deletes themself is gone from Chime too', async () => {
  const dave = await chatUser(sandbox, 'dave@example.com');
  await sandbox.userPoolClient.send(new DeleteUserCommand({ AccessToken: dave.accessToken }));
  await within(5_000, async () => (await chimeNameOf(chime, dave.arn)) === undefined);
});

it('disabling keeps the AppInstanceUser (with its memberships); enabling changes nothing', async () => {
  const erin = await chatUser(sandbox, 'erin@example.com');
  const seen = lambdaLines.length;
  await sandbox.adminUserPoolClient.send(
    new AdminDisableUserCommand({ UserPoolId: sandbox.config.userPoolId, Username: erin.email }),
  );
  await within(5_000, () =>
    lambdaLines.slice(seen).some((l) => l.includes('user synced') && l.includes(erin.sub)),
  );
  expect(await chimeNameOf(chime, erin.arn)).toBe('erin');
  await sandbox.adminUserPoolClient.send(
    new AdminEnableUserCommand({ UserPoolId: sandbox.config.userPoolId, Username: erin.email }),
  );
  await sandbox.eventBus.idle();
  expect(await chimeNameOf(chime, erin.arn)).toBe('erin');
});

it('ignores malformed and foreign events with a log line saying why, and changes nothing', async () => {
  const fn = sandbox.lambda.functions.find((f) => f.logicalId.startsWith('UserLifecycleUserEvent'));
  expect(fn).toBeDefined();
  const frank = await chatUser(sandbox, 'frank@example.com');
  const cloudTrail = (detail: Record<string, unknown>) => ({
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.cognito-idp',
    detail: {
      eventSource: 'cognito-idp.amazonaws.com',
      eventName: 'AdminDeleteUser',
      requestParameters: { userPoolId: sandbox.config.userPoolId },
      additionalEventData: { sub: frank.sub },
      ...detail,
    },
  });
  const cases: [unknown, string][] = [
    ['just a string', 'not a JSON object'],
    [{ 'detail-type': 'Scheduled Event', source: 'aws.scheduler' }, 'not an API call'],
    [
      cloudTrail({ requestParameters: { userPoolId: 'us-east-1_SomeoneElse' } }),
      'another user pool',
    ],
    [cloudTrail({ errorCode: 'NotAuthorizedException' }), 'the call failed'],
    [cloudTrail({ additionalEventData: {} }), 'no sub'],
    [cloudTrail({ additionalEventData: { sub: '../../etc' } }), 'not a user pool sub'],
  ];
  for (const [payload, reason] of cases) {
    const seen = lambdaLines.length;
    const result = await sandbox.lambda.invoke(fn!.functionName, JSON.stringify(payload));
    expect(result.FunctionError).toBeUndefined();
    expect(JSON.parse(result.Payload)).toEqual({ ignored: expect.stringContaining(reason) });
    // The function's stdout arrives beside its result, not always before it.
    let line: string | undefined;
    await within(3_000, () => {
      line = lambdaLines.slice(seen).find((l) => l.includes('event ignored'));
      return line !== undefined;
    });
    expect(JSON.parse(line!)).toMatchObject({
      level: 'INFO',
      reason: expect.stringContaining(reason),
    });
  }
  expect(await chimeNameOf(chime, frank.arn)).toBe('frank');

  // A foreign pool's administrator call does not even match the rule.
  const delivered = await sandbox.eventBus.publish(
    cloudTrail({ requestParameters: { userPoolId: 'us-east-1_SomeoneElse' } }),
  );
  expect(delivered).toBe(0);
  expect(await sandbox.eventBus.publish(cloudTrail({ additionalEventData: {} }))).toBe(1);
  expect(await chimeNameOf(chime, frank.arn)).toBe('frank');
});
