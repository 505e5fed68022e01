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
  const moderated = await ctx.collect(async (token) => {
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
    const items = (page.Channels ?? []).flatMap((c) => c.ChannelSummary?.ChannelArn ?? []);
    return { items, ...(page.NextToken && { next: page.NextToken }) };
  });
  const memberOf = await ctx.collect(async (token) => {
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
    const items = (page.ChannelMemberships ?? []).flatMap(
      (m) => m.ChannelSummary?.ChannelArn ?? [],
    );
    return { items, ...(page.NextToken && { next: page.NextToken }) };
  });

  /** Sends one removal per channel; a channel the user already left counts as done. */
  const removeFrom = async (
    channels: readonly string[],
    what: string,
    remove: (channelArn: string) => Promise<unknown>,
  ) => {
    let removed = 0;
    for (const channelArn of channels) {
      try {
        await ctx.chimeCall(what, () => remove(channelArn), deadline);
        removed += 1;
      } catch (error) {
        if (!isGone(error)) throw error;
      }
    }
    return removed;
  };
  const moderatorRoles = await removeFrom(moderated, 'DeleteChannelModerator', (ChannelArn) =>
    messaging.send(
      new DeleteChannelModeratorCommand({
        ChannelArn,
        ChannelModeratorArn: userArn,
        ChimeBearer: userArn,
      }),
    ),
  );
  const memberships = await removeFrom(memberOf, 'DeleteChannelMembership', (ChannelArn) =>
    messaging.send(
      new DeleteChannelMembershipCommand({ ChannelArn, MemberArn: userArn, ChimeBearer: userArn }),
    ),
  );
  return { memberships, moderatorRoles };
}
