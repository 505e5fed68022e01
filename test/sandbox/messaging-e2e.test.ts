/**
 * The whole sandbox, as an app sees it: `npm run sandbox`'s command in a child process and a client
 * that only reads `<state>/config.json`. Sign up and confirm (the real PostConfirmation bundle
 * creates the AppInstanceUser), sign in, identity pool credentials tagged with `sub`, then chat
 * with ChimeSDKMessagingClient and DefaultMessagingSession - and meet the same refusals.
 */
import {
  CreateChannelCommand,
  CreateChannelMembershipCommand,
  ListChannelMessagesCommand,
  SendChannelMessageCommand,
} from '@aws-sdk/client-chime-sdk-messaging';
import {
  type FullSandbox,
  messagingClient,
  signUpAndIn,
  startFullSandbox,
} from '../../testing/sandbox/messaging/full-sandbox';
import { openSession } from '../../testing/sandbox/messaging/harness';

jest.setTimeout(180_000);

let sandbox: FullSandbox | undefined;

beforeAll(async () => {
  sandbox = await startFullSandbox();
});

afterAll(async () => {
  await sandbox?.stop();
});

it('two signed-up users chat in real time, one cannot speak for the other, and it all survives a restart', async () => {
  if (!sandbox) throw new Error('the sandbox did not start');
  const alice = await signUpAndIn(sandbox, 'alice@example.com');
  const bob = await signUpAndIn(sandbox, 'bob@example.com');

  const { ChannelArn } = await alice.client.send(
    new CreateChannelCommand({
      AppInstanceArn: sandbox.config.appInstanceArn,
      Name: 'alice and bob',
      Privacy: 'PRIVATE',
      ChimeBearer: alice.arn,
    }),
  );
  await alice.client.send(
    new CreateChannelMembershipCommand({
      ChannelArn,
      MemberArn: bob.arn,
      ChimeBearer: alice.arn,
      Type: 'DEFAULT',
    }),
  );
  const bobSession = await openSession(bob.client, bob.arn);
  try {
    await alice.client.send(
      new SendChannelMessageCommand({
        ChannelArn,
        ChimeBearer: alice.arn,
        Content: 'hi bob',
        Type: 'STANDARD',
        Persistence: 'PERSISTENT',
      }),
    );
    const live = await bobSession.next((m) => m.type === 'CREATE_CHANNEL_MESSAGE');
    expect(JSON.parse(live.payload)).toMatchObject({
      Content: 'hi bob',
      Sender: { Arn: alice.arn, Name: expect.any(String) },
    });
    const read = await bob.client.send(
      new ListChannelMessagesCommand({ ChannelArn, ChimeBearer: bob.arn }),
    );
    expect(read.ChannelMessages?.map((m) => m.Content)).toEqual(['hi bob']);

    // Bob's credentials carry bob's sub: IAM refuses alice's ARN as his bearer and session.
    await expect(
      bob.client.send(
        new SendChannelMessageCommand({
          ChannelArn,
          ChimeBearer: alice.arn,
          Content: 'I am alice',
          Type: 'STANDARD',
          Persistence: 'PERSISTENT',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ForbiddenException', $metadata: { httpStatusCode: 403 } });
    await expect(openSession(bob.client, alice.arn)).rejects.toMatchObject({ code: 4401 });
  } finally {
    bobSession.stop();
  }

  // The whole sandbox restarts: users, credentials, channels and messages are all still there.
  await sandbox.restart();
  const bobAgain = messagingClient(sandbox, bob.credentials);
  const after = await bobAgain.send(
    new ListChannelMessagesCommand({ ChannelArn, ChimeBearer: bob.arn }),
  );
  expect(after.ChannelMessages?.map((m) => m.Content)).toEqual(['hi bob']);
  const again = await openSession(bobAgain, bob.arn);
  again.stop();
});
