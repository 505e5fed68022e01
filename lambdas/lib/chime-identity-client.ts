import { ChimeSDKIdentityClient } from '@aws-sdk/client-chime-sdk-identity';

/**
 * One Chime SDK identity client per container. Region and endpoint come from the standard SDK
 * settings: `AWS_REGION`, and `AWS_ENDPOINT_URL_CHIME_SDK_IDENTITY` or `AWS_ENDPOINT_URL` (the local
 * sandbox points them at its emulator). SDK retries are off: the core retries within the
 * invocation's deadline (see ensureAppInstanceUser).
 */
export const chimeIdentityClient = new ChimeSDKIdentityClient({ maxAttempts: 1 });
