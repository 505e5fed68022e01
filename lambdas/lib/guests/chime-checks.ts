import {
  type ChimeSDKMessagingClient,
  DescribeChannelMembershipCommand,
  DescribeChannelModeratorCommand,
} from '@aws-sdk/client-chime-sdk-messaging';
import { errorNameOf } from '../errors';

/**
 * The read-only Chime calls the guest routes make, each with the bearer of the person it is about
 * (Chime itself then says yes or no; the functions' roles may make these reads and write nothing
 * as a user).
 */

/** Chime's answers meaning "no": not there, not allowed to see it, or no such bearer. */
const REFUSALS = new Set([
  'NotFoundException',
  'ForbiddenException',
  'UnauthorizedClientException',
]);

async function exists(call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (error) {
    if (REFUSALS.has(errorNameOf(error))) return false;
    throw error;
  }
}

/** Does `userArn` moderate the channel? `DescribeChannelModerator` as that user. */
export function moderatesChannel(
  messaging: Pick<ChimeSDKMessagingClient, 'send'>,
  channelArn: string,
  userArn: string,
): Promise<boolean> {
  return exists(() =>
    messaging.send(
      new DescribeChannelModeratorCommand({
        ChannelArn: channelArn,
        ChannelModeratorArn: userArn,
        ChimeBearer: userArn,
      }),
    ),
  );
}

/** Is `userArn` a member of the channel? `DescribeChannelMembership` as that user. */
export function isChannelMember(
  messaging: Pick<ChimeSDKMessagingClient, 'send'>,
  channelArn: string,
  userArn: string,
): Promise<boolean> {
  return exists(() =>
    messaging.send(
      new DescribeChannelMembershipCommand({
        ChannelArn: channelArn,
        MemberArn: userArn,
        ChimeBearer: userArn,
      }),
    ),
  );
}
