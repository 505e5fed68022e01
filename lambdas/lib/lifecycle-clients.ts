import { ChimeSDKIdentityClient } from '@aws-sdk/client-chime-sdk-identity';
import { ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';

/**
 * The clients of the user lifecycle functions, one each per container. Region and endpoints come
 * from the standard SDK settings (`AWS_REGION`, `AWS_ENDPOINT_URL_<SERVICE>`, which the local
 * sandbox sets). SDK retries are off: the lifecycle core paces and retries within its deadline. A
 * request that hangs is abandoned after 10 s (and retried), so one stuck call cannot eat the run.
 */
const settings = { maxAttempts: 1, requestHandler: { requestTimeout: 10_000 } } as const;

export const lifecycleChimeIdentity = new ChimeSDKIdentityClient(settings);
export const lifecycleChimeMessaging = new ChimeSDKMessagingClient(settings);
export const lifecycleCognito = new CognitoIdentityProviderClient(settings);
