/**
 * The smoke test's scenario: one temporary person goes through what every user of the stack does,
 * with the clients an app uses (Amplify v6 for sign-in and credentials, the AWS SDK v3 Chime
 * client, amazon-chime-sdk-js for the WebSocket), and the operator's credentials clean up after
 * them. Every resource it creates is removed, whatever step fails.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  ChimeSDKIdentityClient,
  CreateAppInstanceUserCommand,
  DeleteAppInstanceUserCommand,
  DescribeAppInstanceUserCommand,
} from '@aws-sdk/client-chime-sdk-identity';
import {
  ChimeSDKMessagingClient,
  CreateChannelCommand,
  DeleteChannelCommand,
  GetMessagingSessionEndpointCommand,
  ListChannelsCommand,
  SendChannelMessageCommand,
} from '@aws-sdk/client-chime-sdk-messaging';
import { CognitoIdentityClient, DeleteIdentitiesCommand } from '@aws-sdk/client-cognito-identity';
import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { Amplify } from 'aws-amplify';
import { confirmSignIn, fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import { appInstanceUserArn } from '../../contracts/chime-arns';
import { messagingSessionHost } from '../../contracts/messaging-session-endpoint';
import { amplifyConfig } from '../../web-demo/src/amplify-config';
import { type OpenMessagingSession, openMessagingSession } from './messaging-session';
import { StepLog } from './report';
import type { StackTarget } from '../stack-target';

/** The sign-in healing trigger must have created the AppInstanceUser within this time. */
export const APP_INSTANCE_USER_WAIT_MS = 10_000;
/** A message sent must arrive over the WebSocket within this time. */
const DELIVERY_WAIT_MS = 10_000;
const POLL_MS = 250;

/** A password the pool's policy accepts (12+ characters, all four classes), never printed. */
function randomPassword(): string {
  return `${randomBytes(18).toString('base64url')}Aa1!`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** AWS error names that mean "there is no such thing (any more)". */
const GONE = new Set(['NotFoundException', 'ResourceNotFoundException', 'UserNotFoundException']);
const isGone = (error: unknown) => error instanceof Error && GONE.has(error.name);

function httpStatusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata
    ?.httpStatusCode;
}

/**
 * A step that passes only when `call` fails with an error `refusal` recognizes (it returns the
 * step's detail); any other error, or success, fails the step.
 */
async function mustBeRefused(
  call: () => Promise<unknown>,
  refusal: (error: unknown) => string | undefined,
  acceptedMessage: string,
): Promise<{ value: true; detail: string }> {
  try {
    await call();
  } catch (error) {
    const detail = refusal(error);
    if (detail !== undefined) return { value: true, detail };
    throw error;
  }
  throw new Error(acceptedMessage);
}

export async function runSmokeScenario(target: StackTarget): Promise<StepLog> {
  const { config } = target;
  const endpoints = config.endpoints ?? {};
  // The operator's clients: their own credentials, at the target's endpoints (the sandbox's).
  const operator = (endpoint: string | undefined) => ({
    region: config.region,
    ...(target.operatorCredentials && { credentials: target.operatorCredentials }),
    ...(endpoint && { endpoint }),
  });
  const cognitoAdmin = new CognitoIdentityProviderClient(operator(endpoints.userPool));
  const identityAdmin = new CognitoIdentityClient(operator(endpoints.identityPool));
  const chimeAdmin = new ChimeSDKIdentityClient(operator(endpoints.chimeIdentity));
  const messagingAdmin = new ChimeSDKMessagingClient(operator(endpoints.chimeMessaging));
  // The person's client signs with the identity pool credentials, as the web demo's does.
  const messaging = new ChimeSDKMessagingClient({
    region: config.region,
    ...(endpoints.chimeMessaging && { endpoint: endpoints.chimeMessaging }),
    credentials: async () => {
      const { credentials } = await fetchAuthSession();
      if (!credentials) throw new Error('the identity pool gave no credentials');
      return credentials;
    },
  });
  Amplify.configure(amplifyConfig(config));

  const log = new StepLog();
  const id = randomUUID().slice(0, 8);
  const email = `smoke-${id}@example.com`;
  const temporaryPassword = randomPassword();
  const created: {
    username?: string;
    sub?: string;
    appInstanceUserArn?: string;
    otherUserArn?: string;
    identityId?: string;
    channelArn?: string;
  } = {};
  let session: OpenMessagingSession | undefined;
  const skip = (what: string) => `skipped: ${what} failed`;

  try {
    const sub = await log.step('create a temporary user (AdminCreateUser)', async () => {
      const out = await cognitoAdmin.send(
        new AdminCreateUserCommand({
          UserPoolId: config.userPoolId,
          Username: email,
          TemporaryPassword: temporaryPassword,
          UserAttributes: [
            { Name: 'email', Value: email },
            { Name: 'email_verified', Value: 'true' },
            { Name: 'name', Value: `Smoke test ${id}` },
          ],
          // No invitation email: the default sender allows 50 a day per account.
          MessageAction: 'SUPPRESS',
        }),
      );
      created.username = out.User?.Username ?? email;
      const value = out.User?.Attributes?.find((a) => a.Name === 'sub')?.Value;
      if (!value) throw new Error('AdminCreateUser returned no sub');
      created.sub = value;
      return { value, detail: `sub ${value}` };
    });
    const ownArn = sub && appInstanceUserArn(config.appInstanceArn, sub);

    const signedIn = await log.step(
      'sign in with SRP, choose a new password (NEW_PASSWORD_REQUIRED)',
      async () => {
        const first = await signIn({
          username: email,
          password: temporaryPassword,
          options: { authFlowType: 'USER_SRP_AUTH' },
        });
        const step = first.nextStep.signInStep;
        if (step !== 'CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED') {
          throw new Error(`expected the new-password challenge, got ${step}`);
        }
        const done = await confirmSignIn({ challengeResponse: randomPassword() });
        if (!done.isSignedIn) throw new Error(`not signed in: ${done.nextStep.signInStep}`);
        return { value: true, detail: 'USER_SRP_AUTH, then NEW_PASSWORD_REQUIRED answered' };
      },
      sub ? undefined : skip('creating the user'),
    );

    // The post-confirmation trigger never sees administrator-created users: sign-in healing
    // (post authentication) must have created the AppInstanceUser. On AWS this also settles
    // whether the trigger's grant on <app-instance>/user/* allows CreateAppInstanceUser.
    const healed = await log.step(
      `AppInstanceUser created by sign-in healing (within ${APP_INSTANCE_USER_WAIT_MS / 1000} s)`,
      async () => {
        const started = Date.now();
        for (;;) {
          try {
            const out = await chimeAdmin.send(
              new DescribeAppInstanceUserCommand({ AppInstanceUserArn: ownArn }),
            );
            created.appInstanceUserArn = ownArn;
            return {
              value: true,
              detail: `found after ${Date.now() - started} ms, Name "${out.AppInstanceUser?.Name ?? ''}"`,
            };
          } catch (error) {
            // A missing user answers NotFound, or Forbidden as Chime has been seen to do.
            const name = error instanceof Error ? error.name : '';
            if (name !== 'NotFoundException' && name !== 'ForbiddenException') throw error;
            if (Date.now() - started > APP_INSTANCE_USER_WAIT_MS) {
              throw new Error(
                `no AppInstanceUser ${ownArn} after ${APP_INSTANCE_USER_WAIT_MS} ms (last answer ${name}): see the sign-in-heal function's log`,
              );
            }
            await sleep(POLL_MS);
          }
        }
      },
      signedIn ? undefined : skip('signing in'),
    );

    const credentials = await log.step(
      'identity pool credentials (GetId, GetCredentialsForIdentity)',
      async () => {
        const authSession = await fetchAuthSession();
        if (!authSession.credentials || !authSession.identityId) {
          throw new Error('fetchAuthSession returned no credentials');
        }
        created.identityId = authSession.identityId;
        if (authSession.userSub !== sub) {
          throw new Error(`the session's sub ${authSession.userSub ?? '?'} is not the user's`);
        }
        return { value: true, detail: `identity ${authSession.identityId}` };
      },
      signedIn ? undefined : skip('signing in'),
    );

    const asOneself = credentials && healed ? undefined : skip('credentials or healing');
    const channelArn = await log.step(
      'create a channel as oneself (CreateChannel)',
      async () => {
        const out = await messaging.send(
          new CreateChannelCommand({
            AppInstanceArn: config.appInstanceArn,
            Name: `smoke test ${id}`,
            Mode: 'RESTRICTED',
            Privacy: 'PRIVATE',
            ChimeBearer: ownArn,
            ClientRequestToken: `smoke-${id}`,
          }),
        );
        if (!out.ChannelArn) throw new Error('CreateChannel returned no ChannelArn');
        created.channelArn = out.ChannelArn;
        return { value: out.ChannelArn, detail: out.ChannelArn };
      },
      asOneself,
    );

    await log.step(
      "the config's messagingSessionEndpoint is GetMessagingSessionEndpoint's answer",
      async () => {
        // The web demo connects there without asking (the stack asked at deploy time).
        const out = await messaging.send(new GetMessagingSessionEndpointCommand({}));
        const answered = out.Endpoint?.Url && messagingSessionHost(out.Endpoint.Url);
        if (!answered)
          throw new Error(`the service answered no host: ${String(out.Endpoint?.Url)}`);
        if (config.messagingSessionEndpoint !== answered) {
          throw new Error(
            `the config says ${String(config.messagingSessionEndpoint)}, the service ${answered}: redeploy`,
          );
        }
        return { value: true, detail: answered };
      },
      credentials ? undefined : skip('credentials'),
    );

    session = await log.step(
      'open the messaging WebSocket (GetMessagingSessionEndpoint, connect)',
      async () => ({
        value: await openMessagingSession(messaging, ownArn!, endpoints.chimeMessaging),
        detail: 'session established',
      }),
      asOneself,
    );

    await log.step(
      'send a message as oneself, receive it over the WebSocket',
      async () => {
        const sent = await messaging.send(
          new SendChannelMessageCommand({
            ChannelArn: channelArn,
            ChimeBearer: ownArn,
            Content: `smoke test ${id}`,
            Type: 'STANDARD',
            Persistence: 'PERSISTENT',
            ClientRequestToken: `smoke-message-${id}`,
          }),
        );
        const started = Date.now();
        await session!.next((message) => {
          if (message.type !== 'CREATE_CHANNEL_MESSAGE') return false;
          const payload = JSON.parse(message.payload) as { MessageId?: string };
          return payload.MessageId === sent.MessageId;
        }, DELIVERY_WAIT_MS);
        return {
          value: true,
          detail: `message ${sent.MessageId} arrived after ${Date.now() - started} ms`,
        };
      },
      channelArn && session ? undefined : skip('the channel or the WebSocket'),
    );

    // Another AppInstanceUser that exists, so that a refusal can only come from IAM (a bearer
    // that does not exist would be refused anyway) and ListChannels needs no membership.
    const otherToken = randomUUID();
    const createOther = () =>
      chimeAdmin.send(
        new CreateAppInstanceUserCommand({
          AppInstanceArn: config.appInstanceArn,
          AppInstanceUserId: `smoke-other-${id}`,
          Name: `Smoke test other ${id}`,
          ClientRequestToken: otherToken,
        }),
      );
    const otherArn = await log.step(
      'another AppInstanceUser to impersonate (operator CreateAppInstanceUser)',
      async () => {
        const out = await createOther();
        if (!out.AppInstanceUserArn) throw new Error('CreateAppInstanceUser returned no ARN');
        created.otherUserArn = out.AppInstanceUserArn;
        return { value: out.AppInstanceUserArn, detail: out.AppInstanceUserArn };
      },
      asOneself,
    );

    // Why the triggers use a new token per invocation: a repeated one answers success.
    await log.step(
      'the same CreateAppInstanceUser again (same token): success, an idempotent retry',
      async () => {
        const out = await createOther();
        if (out.AppInstanceUserArn !== otherArn) {
          throw new Error(`answered ${out.AppInstanceUserArn ?? 'no ARN'}`);
        }
        return { value: true, detail: 'success for a user that exists' };
      },
      otherArn ? undefined : skip('creating the other user'),
    );

    await log.step(
      'refused acting as another user (ListChannels as them: 403)',
      () =>
        mustBeRefused(
          () =>
            messaging.send(
              new ListChannelsCommand({
                AppInstanceArn: config.appInstanceArn,
                ChimeBearer: otherArn,
              }),
            ),
          (error) => (httpStatusOf(error) === 403 ? `${(error as Error).name} (403)` : undefined),
          `ListChannels with the bearer ${otherArn} was accepted`,
        ),
      otherArn ? undefined : skip('creating the other user'),
    );

    // The triggers tell "created" from "exists" by this answer (lambdas/lib/app-instance-user.ts).
    await log.step(
      'CreateAppInstanceUser of an existing user with a new token: ConflictException',
      () =>
        mustBeRefused(
          () =>
            chimeAdmin.send(
              new CreateAppInstanceUserCommand({
                AppInstanceArn: config.appInstanceArn,
                AppInstanceUserId: sub,
                Name: 'smoke test duplicate',
                ClientRequestToken: randomUUID(),
              }),
            ),
          (error) =>
            error instanceof Error && error.name === 'ConflictException'
              ? 'ConflictException, as the triggers assume'
              : undefined,
          'it answered success: the triggers would count existing users as created',
        ),
      healed ? undefined : skip('healing'),
    );
  } finally {
    session?.stop();
    await cleanUp();
    for (const client of [cognitoAdmin, identityAdmin, chimeAdmin, messagingAdmin, messaging]) {
      client.destroy();
    }
  }
  return log;

  /** Removes what the run created, newest first, with the operator's credentials. */
  async function cleanUp(): Promise<void> {
    await signOut().catch(() => undefined); // local tokens only
    if (created.channelArn) {
      await log.step('clean up: delete the channel', async () => {
        await messagingAdmin.send(
          new DeleteChannelCommand({
            ChannelArn: created.channelArn,
            ChimeBearer: created.appInstanceUserArn,
          }),
        );
        return { value: true, detail: created.channelArn! };
      });
    }
    // Attempted whenever the user existed: healing may have created it after the wait.
    const userArn =
      created.appInstanceUserArn ??
      (created.sub && appInstanceUserArn(config.appInstanceArn, created.sub));
    if (userArn) {
      await log.step('clean up: delete the AppInstanceUser', async () => {
        try {
          await chimeAdmin.send(new DeleteAppInstanceUserCommand({ AppInstanceUserArn: userArn }));
          return { value: true, detail: userArn };
        } catch (error) {
          if (!created.appInstanceUserArn && isGone(error)) {
            return { value: true, detail: 'none was created' };
          }
          throw error;
        }
      });
    }
    if (created.otherUserArn) {
      await log.step('clean up: delete the other AppInstanceUser', async () => {
        await chimeAdmin.send(
          new DeleteAppInstanceUserCommand({ AppInstanceUserArn: created.otherUserArn }),
        );
        return { value: true, detail: created.otherUserArn! };
      });
    }
    if (created.identityId) {
      await log.step('clean up: delete the identity pool identity', async () => {
        const out = await identityAdmin.send(
          new DeleteIdentitiesCommand({ IdentityIdsToDelete: [created.identityId!] }),
        );
        if (out.UnprocessedIdentityIds?.length) {
          throw new Error(`not deleted: ${out.UnprocessedIdentityIds[0]?.ErrorCode ?? '?'}`);
        }
        return { value: true, detail: created.identityId! };
      });
    }
    if (created.username) {
      await log.step('clean up: delete the user (AdminDeleteUser)', async () => {
        await cognitoAdmin.send(
          new AdminDeleteUserCommand({ UserPoolId: config.userPoolId, Username: created.username }),
        );
        return { value: true, detail: 'deleted' };
      });
    }
  }
}
