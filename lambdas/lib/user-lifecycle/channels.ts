import {
  DeleteChannelMembershipCommand,
  DeleteChannelModeratorCommand,
  ListChannelMembershipsForAppInstanceUserCommand,
  ListChannelsModeratedByAppInstanceUserCommand,
} from '@aws-sdk/client-chime-sdk-messaging';
import type { LifecycleContext } from './context';

/**
 * Takes a departing AppInstanceUser out of every channel before it is deleted.
 *
 * The Chime SDK API reference says of DeleteAppInstanceUser only "Deletes an AppInstanceUser": it
 * does not say that the user's channel memberships and moderator roles go with it (the developer
 * guide says so only of DeleteChannel). So they are removed explicitly, acting as the user
 * themself (the bearer): a member may leave a channel and a moderator may step down, so no
 * AppInstanceAdmin is needed. If Chime does remove them on deletion, this costs a few calls.
 */

export interface ChannelCleanup {
  readonly memberships: number;
  readonly moderatorRoles: number;
}

const PAGE = 50;

function isGone(error: unknown): boolean {
  return error instanceof Error && error.name === 'NotFoundException';
}

/** Lists everything first, then removes: no deletion while a listing cursor is open. */
export async function leaveAllChannels(
  ctx: LifecycleContext,
  userArn: string,
  deadline: number,
): Promise<ChannelCleanup> {
  const messaging = ctx.deps.messaging;
  const moderated: string[] = [];
  let token: string | undefined;
  do {
    const page = await ctx.chimeCall(
      'ListChannelsModeratedByAppInstanceUser',
      () =>
        messaging.send(
          new ListChannelsModeratedByAppInstanceUserCommand({
            ChimeBearer: userArn,
            AppInstanceUserArn: userArn,
            MaxResults: PAGE,
            ...(token && { NextToken: token }),
          }),
        ),
      deadline,
    );
    for (const c of page.Channels ?? []) {
      if (c.ChannelSummary?.ChannelArn) moderated.push(c.ChannelSummary.ChannelArn);
    }
    token = page.NextToken;
  } while (token);

  const memberOf: string[] = [];
  token = undefined;
  do {
    const page = await ctx.chimeCall(
      'ListChannelMembershipsForAppInstanceUser',
      () =>
        messaging.send(
          new ListChannelMembershipsForAppInstanceUserCommand({
            ChimeBearer: userArn,
            AppInstanceUserArn: userArn,
            MaxResults: PAGE,
            ...(token && { NextToken: token }),
          }),
        ),
      deadline,
    );
    for (const m of page.ChannelMemberships ?? []) {
      if (m.ChannelSummary?.ChannelArn) memberOf.push(m.ChannelSummary.ChannelArn);
    }
    token = page.NextToken;
  } while (token);

  let moderatorRoles = 0;
  for (const channelArn of moderated) {
    try {
      await ctx.chimeCall(
        'DeleteChannelModerator',
        () =>
          messaging.send(
            new DeleteChannelModeratorCommand({
              ChannelArn: channelArn,
              ChannelModeratorArn: userArn,
              ChimeBearer: userArn,
            }),
          ),
        deadline,
      );
      moderatorRoles += 1;
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  }
  let memberships = 0;
  for (const channelArn of memberOf) {
    try {
      await ctx.chimeCall(
        'DeleteChannelMembership',
        () =>
          messaging.send(
            new DeleteChannelMembershipCommand({
              ChannelArn: channelArn,
              MemberArn: userArn,
              ChimeBearer: userArn,
            }),
          ),
        deadline,
      );
      memberships += 1;
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  }
  return { memberships, moderatorRoles };
}
