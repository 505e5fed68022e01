/**
 * The guest invite calls of the HTTP API, as a moderator makes them (docs/guests.md):
 * `POST <apiUrl>/guest-invites` with the moderator's ID token creates the guest's AppInstanceUser
 * and a signed invite; `DELETE <apiUrl>/guest-invites/<guestId>` cancels it (the guest's next
 * renewal is refused). Adding the guest to the channel is the chat's job (chat-api.ts), with the
 * moderator's own bearer: the server never writes memberships as a user.
 */
import { cancelGuestInvite, createGuestInvite, guestIdOfArn } from '../../contracts/guests';
import { inviteLink } from './guest-link';
import { idToken } from './id-token';

export interface CreatedInvite {
  readonly guestArn: string;
  /** `<site>/#invite=<token>`: the token rides in the fragment, never sent to a server. */
  readonly link: string;
  readonly expiresAt: string;
}

export interface GuestInviteApi {
  create(channelArn: string, name: string, lifetimeHours: number): Promise<CreatedInvite>;
  cancel(guestArn: string): Promise<void>;
}

export function guestInviteApi(apiUrl: string, origin: string): GuestInviteApi {
  return {
    async create(channelArn, name, lifetimeHours) {
      const created = await createGuestInvite(apiUrl, await idToken(), {
        channelArn,
        ...(name && { name }),
        lifetimeHours,
      });
      return {
        guestArn: created.guestArn,
        link: inviteLink(origin, created.invite),
        expiresAt: created.expiresAt,
      };
    },
    async cancel(guestArn) {
      const guestId = guestIdOfArn(guestArn);
      if (!guestId) throw new Error(`not a guest: ${guestArn}`);
      await cancelGuestInvite(apiUrl, await idToken(), guestId);
    },
  };
}
