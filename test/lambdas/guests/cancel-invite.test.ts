/**
 * `DELETE /guest-invites/{guestId}` core: only a moderator of the guest's own channel (from the
 * guest's metadata) may cancel; cancelling deletes the guest's AppInstanceUser; a second cancel
 * is 404.
 */
import {
  ChimeSDKIdentityClient,
  DeleteAppInstanceUserCommand,
  DescribeAppInstanceUserCommand,
} from '@aws-sdk/client-chime-sdk-identity';
import {
  ChimeSDKMessagingClient,
  DescribeChannelModeratorCommand,
} from '@aws-sdk/client-chime-sdk-messaging';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { cancelInvite, type CancelInviteDeps } from '../../../lambdas/lib/guests/cancel-invite';
import { recordingLogger } from '../support/http-api-events';
import {
  ALICE,
  ALICE_ARN,
  APP_INSTANCE,
  CHANNEL,
  GUEST_ARN,
  GUEST_ID,
  guestUserRecord,
  sdkError,
} from './support';

const identity = mockClient(ChimeSDKIdentityClient);
const messaging = mockClient(ChimeSDKMessagingClient);
let counted: string[];

function deps(): CancelInviteDeps {
  return {
    chimeIdentity: new ChimeSDKIdentityClient({ region: 'us-east-1' }),
    messaging: new ChimeSDKMessagingClient({ region: 'us-east-1' }),
    appInstanceArn: APP_INSTANCE,
    consumeCancel: (caller) => {
      counted.push(caller);
      return Promise.resolve({ allowed: true, remaining: 1 });
    },
    logger: recordingLogger().logger,
  };
}

const cancel = (guestId: string | undefined) =>
  cancelInvite(deps(), { claims: { sub: ALICE, token_use: 'id' }, pathParameters: { guestId } });

beforeEach(() => {
  identity.reset();
  messaging.reset();
  counted = [];
  identity.on(DescribeAppInstanceUserCommand).resolves(guestUserRecord());
  identity.on(DeleteAppInstanceUserCommand).resolves({});
  messaging.on(DescribeChannelModeratorCommand).resolves({});
});

test("a moderator of the guest's channel: 204, the guest's AppInstanceUser is deleted", async () => {
  const response = await cancel(GUEST_ID);
  expect(response.statusCode).toBe(204);
  expect(messaging).toHaveReceivedCommandWith(DescribeChannelModeratorCommand, {
    ChannelArn: CHANNEL,
    ChannelModeratorArn: ALICE_ARN,
    ChimeBearer: ALICE_ARN,
  });
  expect(identity).toHaveReceivedCommandWith(DeleteAppInstanceUserCommand, {
    AppInstanceUserArn: GUEST_ARN,
  });
  expect(counted).toEqual([ALICE]);
});

test('not a moderator of that channel: 403 not_moderator, nothing deleted', async () => {
  messaging.on(DescribeChannelModeratorCommand).rejects(sdkError('NotFoundException', 404));
  const response = await cancel(GUEST_ID);
  expect(response.statusCode).toBe(403);
  expect(JSON.parse(response.body)).toMatchObject({ error: 'not_moderator' });
  expect(identity).not.toHaveReceivedCommand(DeleteAppInstanceUserCommand);
});

test('no such guest, or a user that is not a guest of this project: 404', async () => {
  identity.on(DescribeAppInstanceUserCommand).rejects(sdkError('NotFoundException', 404));
  expect((await cancel(GUEST_ID)).statusCode).toBe(404);
  identity
    .on(DescribeAppInstanceUserCommand)
    .resolves({ AppInstanceUser: { Metadata: 'hand-made' } });
  expect((await cancel(GUEST_ID)).statusCode).toBe(404);
  expect(identity).not.toHaveReceivedCommand(DeleteAppInstanceUserCommand);
});

test('a path that is not a guest id (a user id, nothing, a wildcard): 400, not counted', async () => {
  for (const id of [ALICE, undefined, 'guest-*', `${GUEST_ID}/x`]) {
    expect((await cancel(id)).statusCode).toBe(400);
  }
  expect(counted).toEqual([]);
});

test('Chime down: 503', async () => {
  identity.on(DescribeAppInstanceUserCommand).rejects(sdkError('ServiceUnavailableException', 503));
  expect((await cancel(GUEST_ID)).statusCode).toBe(503);
});
