/**
 * `npm run screenshots:readme`: regenerates the two screenshots near the top of README.md
 * (docs/images/conversation.png, docs/images/identity.png) from the real demo against a fresh
 * sandbox: three people with display names chat in a few channels; then the identity panel shows
 * AWS refusing to let one act as another. Takes about a minute.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfirmSignUpCommand, SignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import type { ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import { TEST_PASSWORD, type TestSandbox } from '../../sandbox/testing';
import {
  chimeAs,
  createChannelAs,
  message,
  openChannel,
  openIdentity,
  send,
  sendAs,
  signIn,
} from './chat-helpers';
import { DESKTOP, PROJECT_ROOT, startDemoStack } from '../../testing/browser/support';

const OUT = join(PROJECT_ROOT, 'docs', 'images');

interface Person {
  readonly email: string;
  readonly sub: string;
  chime: { client: ChimeSDKMessagingClient; bearer: string };
}

/** Signs up with a full name (the trigger makes it the AppInstanceUser Name) and confirms. */
async function person(sandbox: TestSandbox, email: string, name: string): Promise<Person> {
  const { userPoolClient, config } = sandbox;
  const out = await userPoolClient.send(
    new SignUpCommand({
      ClientId: config.userPoolClientId,
      Username: email,
      Password: TEST_PASSWORD,
      UserAttributes: [
        { Name: 'email', Value: email },
        { Name: 'name', Value: name },
      ],
    }),
  );
  await userPoolClient.send(
    new ConfirmSignUpCommand({
      ClientId: config.userPoolClientId,
      Username: email,
      ConfirmationCode: sandbox.latestCode(email) ?? '',
    }),
  );
  const sub = out.UserSub ?? '';
  return { email, sub, chime: await chimeAs(sandbox, { email, sub }) };
}

async function main(): Promise<void> {
  const stack = await startDemoStack();
  const errors: string[] = [];
  try {
    const { sandbox } = stack;
    const alice = await person(sandbox, 'alice@example.com', 'Alice Martin');
    const bob = await person(sandbox, 'bob@example.com', 'Bob Chen');
    const carol = await person(sandbox, 'carol@example.com', 'Carol Diaz');

    await createChannelAs(alice.chime, 'Release planning', { members: [bob.chime.bearer] });
    const design = await createChannelAs(bob.chime, 'Design reviews', {
      members: [alice.chime.bearer, carol.chime.bearer],
    });
    const lunch = await createChannelAs(alice.chime, 'Lunch crew', {
      members: [bob.chime.bearer, carol.chime.bearer],
    });
    await sendAs(carol.chime, lunch, 'Anyone up for lunch today?');
    await sendAs(bob.chime, lunch, 'Yes! The new ramen place opened on 5th street');
    await sendAs(bob.chime, lunch, 'Menu is here: https://example.com/ramen-menu');

    const page = await stack.newPage(errors, { viewport: DESKTOP });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(stack.demo.url);
    await signIn(page, alice.email);
    await openChannel(page, 'Lunch crew');
    await send(page, 'Count me in. 12:30 works for me');
    await sendAs(carol.chime, lunch, 'Great, I will book a table for three');
    await message(page, 'book a table for three').waitFor();
    // An unread channel in the list.
    await sendAs(bob.chime, design, 'New mockups are up, comments welcome');
    await page.getByLabel(/Design reviews, 1 unread message/).waitFor();
    await page.mouse.move(0, 0);
    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: join(OUT, 'conversation.png') });

    const panel = await openIdentity(page);
    await panel.getByRole('button', { name: /^Try to act as/ }).click();
    await panel.getByText(/Refused by AWS/).waitFor();
    await page.screenshot({ path: join(OUT, 'identity.png') });
    console.log(`wrote ${join(OUT, 'conversation.png')} and ${join(OUT, 'identity.png')}`);
    for (const p of [alice, bob, carol]) p.chime.client.destroy();
    // The one provoked refusal (403) is expected; anything else is a problem to fix first.
    const unexpected = errors.filter((e) => !/status of 403/.test(e));
    if (unexpected.length > 0) throw new Error(`page errors:\n${unexpected.join('\n')}`);
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
