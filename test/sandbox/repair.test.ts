/**
 * A sandbox whose state was damaged while it was stopped (a disk error, a hand edit): the start
 * names the file and the line, and `repair: true` (`--repair`) starts it anyway, keeping the
 * users, their credentials flow and every record before the damage.
 */
import {
  ChimeSDKMessagingClient,
  CreateChannelCommand,
  ListChannelMessagesCommand,
  SendChannelMessageCommand,
} from '@aws-sdk/client-chime-sdk-messaging';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appInstanceUserArn } from '../../contracts/chime-arns';
import { type AwsCredentials, startTestSandbox, type TestUser } from '../../sandbox/testing';

const stateDir = mkdtempSync(join(tmpdir(), 'sandbox-repair-'));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

function messaging(region: string, url: string, credentials: AwsCredentials) {
  return new ChimeSDKMessagingClient({ region, endpoint: url, credentials });
}

it('names the damaged file and line, and --repair keeps the users and the good records', async () => {
  let alice: TestUser;
  let channelArn: string | undefined;
  const first = await startTestSandbox({ stateDir });
  try {
    alice = await first.signUpUser('alice@example.com');
    const { credentials } = await first.credentialsFor((await first.signIn(alice)).idToken);
    const chime = messaging(first.config.region, first.url, credentials);
    const bearer = appInstanceUserArn(first.config.appInstanceArn, alice.sub);
    ({ ChannelArn: channelArn } = await chime.send(
      new CreateChannelCommand({
        AppInstanceArn: first.config.appInstanceArn,
        Name: 'kept',
        ChimeBearer: bearer,
      }),
    ));
    for (const content of ['one', 'two']) {
      await chime.send(
        new SendChannelMessageCommand({
          ChannelArn: channelArn,
          Content: content,
          Type: 'STANDARD',
          Persistence: 'PERSISTENT',
          ChimeBearer: bearer,
        }),
      );
    }
    chime.destroy();
  } finally {
    await first.stop();
  }

  // The damage: the snapshot loses its end (mid-record), resources.json is garbled.
  const snapshot = join(stateDir, 'chime-messaging', 'snapshot.json');
  const text = readFileSync(snapshot, 'utf8');
  const lines = text.trimEnd().split('\n').length;
  writeFileSync(snapshot, text.slice(0, text.length - 30));
  writeFileSync(join(stateDir, 'resources.json'), '{\n  "userPoolId": "loc');

  await expect(startTestSandbox({ stateDir })).rejects.toThrow(
    /resources\.json' is damaged at line 2 column 21: Unterminated string.*--repair/,
  );
  writeFileSync(join(stateDir, 'resources.json'), '{}');
  await expect(startTestSandbox({ stateDir })).rejects.toThrow(
    new RegExp(`snapshot\\.json' is damaged at line ${lines}: .*--repair`),
  );

  const repairs: string[] = [];
  writeFileSync(join(stateDir, 'resources.json'), '{\n  "userPoolId": "loc');
  const repaired = await startTestSandbox({ stateDir, repair: true, log: (l) => repairs.push(l) });
  try {
    expect(repairs.join('\n')).toMatch(/resources\.json was damaged/);
    expect(repairs.join('\n')).toMatch(new RegExp(`snapshot\\.json was damaged at line ${lines}`));
    expect(readdirSync(join(stateDir, 'chime-messaging'))).toContainEqual(
      expect.stringMatching(/^snapshot\.json\.damaged-/),
    );
    // The same user pool (found again from its files): alice signs in with her password.
    const session = await repaired.signIn(alice!);
    const { credentials } = await repaired.credentialsFor(session.idToken);
    const chime = messaging(repaired.config.region, repaired.url, credentials);
    const listed = await chime.send(
      new ListChannelMessagesCommand({
        ChannelArn: channelArn,
        SortOrder: 'ASCENDING',
        ChimeBearer: appInstanceUserArn(repaired.config.appInstanceArn, alice!.sub),
      }),
    );
    // The last record (message 'two') was cut; the channel and 'one' are kept.
    expect(listed.ChannelMessages?.map((m) => m.Content)).toEqual(['one']);
    chime.destroy();
  } finally {
    await repaired.stop();
  }
}, 180_000);
