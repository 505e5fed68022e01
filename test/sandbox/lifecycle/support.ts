/**
 * Helpers of the user lifecycle sandbox tests: chat users with their own identity pool
 * credentials, the administrator's Chime identity client, and waiting for an effect.
 */
import {
  ChimeSDKIdentityClient,
  DescribeAppInstanceUserCommand,
} from '@aws-sdk/client-chime-sdk-identity';
import { ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import { appInstanceUserArn } from '../../../contracts/chime-arns';
import { type TestSandbox, type TestUser, testAssembly } from '../../../sandbox/testing';

export interface ChatUser extends TestUser {
  readonly arn: string;
  readonly accessToken: string;
  /** Chime messaging with the user's own identity pool credentials. */
  readonly chime: ChimeSDKMessagingClient;
}

/** Signs up, confirms, signs in and gets Chime credentials. */
export async function chatUser(sandbox: TestSandbox, email: string): Promise<ChatUser> {
  const user = await sandbox.signUpUser(email);
  const session = await sandbox.signIn(user);
  const { credentials } = await sandbox.credentialsFor(session.idToken);
  return {
    ...user,
    arn: appInstanceUserArn(sandbox.config.appInstanceArn, user.sub),
    accessToken: session.accessToken,
    chime: new ChimeSDKMessagingClient({
      region: sandbox.config.region,
      endpoint: sandbox.url,
      credentials,
    }),
  };
}

/** Chime identity with the sandbox administrator's credentials (what an operator has on AWS). */
export function adminChimeIdentity(sandbox: TestSandbox): ChimeSDKIdentityClient {
  return new ChimeSDKIdentityClient({
    region: sandbox.config.region,
    endpoint: sandbox.url,
    credentials: {
      ...sandbox.adminCredentials,
      expiration: new Date(sandbox.adminCredentials.expiration),
    },
  });
}

/** The AppInstanceUser's Name, or undefined when it does not exist. */
export async function chimeNameOf(
  chime: ChimeSDKIdentityClient,
  arn: string,
): Promise<string | undefined> {
  try {
    const out = await chime.send(new DescribeAppInstanceUserCommand({ AppInstanceUserArn: arn }));
    return out.AppInstanceUser?.Name;
  } catch (error) {
    if ((error as Error).name === 'NotFoundException') return undefined;
    throw error;
  }
}

/** Polls `check` until it returns true or `ms` pass; returns how long it took. */
export async function within(ms: number, check: () => boolean | Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > ms) throw new Error(`not true within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The cloud assembly of `-c userEvents=true`, shared by the files that need it (testAssembly). */
export function userEventsAssembly(): Promise<string> {
  return testAssembly('user-events', { userEvents: 'true' });
}
