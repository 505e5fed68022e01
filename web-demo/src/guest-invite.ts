/**
 * "Invite a guest" for a channel's moderators: `POST <apiUrl>/guest-invites` with the moderator's
 * ID token creates the guest's AppInstanceUser and the invite; then this client (never the server)
 * adds the guest to the channel with the moderator's own bearer. "Cancel invite" calls
 * `DELETE <apiUrl>/guest-invites/<guestId>`: the guest's next renewal is refused (docs/guests.md).
 */
import {
  type ChimeSDKMessagingClient,
  CreateChannelMembershipCommand,
} from '@aws-sdk/client-chime-sdk-messaging';
import { fetchAuthSession } from 'aws-amplify/auth';
import { html, nothing, type TemplateResult } from 'lit-html';
import {
  DEFAULT_GUEST_LIFETIME_HOURS,
  GUEST_NAME_MAX_LENGTH,
  MAX_GUEST_LIFETIME_HOURS,
  MIN_GUEST_LIFETIME_HOURS,
  cancelGuestInvite,
  createGuestInvite,
  guestIdOfArn,
} from '../../contracts/guests';
import { inviteLink } from './guest-link';

export interface GuestInviteOptions {
  readonly apiUrl: string;
  readonly client: ChimeSDKMessagingClient;
  /** The moderator's AppInstanceUser ARN (the bearer of the membership call). */
  readonly userArn: string;
  /** Runs an action with the app's busy state and error display. */
  readonly run: <T>(action: () => Promise<T>) => Promise<T | undefined>;
  /** The guest is now a member (the app lists it). */
  readonly added: (member: { arn: string; name: string }) => void;
  readonly requestRender: () => void;
}

interface Invite {
  readonly channelArn: string;
  readonly guestArn: string;
  readonly name: string;
  readonly link: string;
  readonly expiresAt: string;
  cancelled: boolean;
}

async function idToken(): Promise<string> {
  const token = (await fetchAuthSession()).tokens?.idToken?.toString();
  if (!token) throw new Error('not signed in: no ID token for the HTTP API');
  return token;
}

export class GuestInvites {
  private readonly invites: Invite[] = [];

  constructor(private readonly options: GuestInviteOptions) {}

  private async invite(channelArn: string, form: HTMLFormElement): Promise<void> {
    const data = new FormData(form);
    const guestName = data.get('guestName');
    const name = (typeof guestName === 'string' ? guestName : '').trim();
    const lifetimeHours = Number(data.get('lifetimeHours'));
    const { apiUrl, client, userArn } = this.options;
    const made = await this.options.run(async () => {
      const created = await createGuestInvite(apiUrl, await idToken(), {
        channelArn,
        ...(name && { name }),
        lifetimeHours,
      });
      await client.send(
        new CreateChannelMembershipCommand({
          ChannelArn: channelArn,
          MemberArn: created.guestArn,
          Type: 'DEFAULT',
          ChimeBearer: userArn,
        }),
      );
      return created;
    });
    if (!made) return;
    form.reset();
    const invite: Invite = {
      channelArn,
      guestArn: made.guestArn,
      name: name || 'Guest',
      link: inviteLink(location.origin, made.invite),
      expiresAt: made.expiresAt,
      cancelled: false,
    };
    this.invites.unshift(invite);
    this.options.added({ arn: made.guestArn, name: invite.name });
    this.options.requestRender();
  }

  private async cancel(invite: Invite): Promise<void> {
    const guestId = guestIdOfArn(invite.guestArn);
    if (!guestId) return;
    const done = await this.options.run(async () => {
      await cancelGuestInvite(this.options.apiUrl, await idToken(), guestId);
      return true;
    });
    if (done) invite.cancelled = true;
    this.options.requestRender();
  }

  /** The panel for `channelArn` (shown to its moderators only). */
  view(channelArn: string, busy: boolean): TemplateResult {
    const invites = this.invites.filter((i) => i.channelArn === channelArn);
    return html`<section class="guest-invites" aria-labelledby="invite-heading">
      <h3 id="invite-heading">Invite a guest</h3>
      <form
        @submit=${(e: Event) => {
          e.preventDefault();
          void this.invite(channelArn, e.target as HTMLFormElement);
        }}
      >
        <label
          >Guest name (optional)
          <input name="guestName" maxlength=${GUEST_NAME_MAX_LENGTH} autocomplete="off"
        /></label>
        <label
          >Access for (hours)
          <input
            name="lifetimeHours"
            type="number"
            required
            min=${MIN_GUEST_LIFETIME_HOURS}
            max=${MAX_GUEST_LIFETIME_HOURS}
            value=${DEFAULT_GUEST_LIFETIME_HOURS}
        /></label>
        <button type="submit" ?disabled=${busy}>Create invite</button>
      </form>
      ${
        invites.length
          ? html`<ul class="invites">
              ${invites.map(
                (i) =>
                  html`<li data-testid="guest-invite">
                    <strong>${i.name}</strong>
                    ${
                      i.cancelled
                        ? html`<em>invite cancelled</em>`
                        : html`until ${new Date(i.expiresAt).toLocaleString()}
                            <label
                              >Invite link for ${i.name}
                              <input
                                readonly
                                data-testid="invite-link"
                                .value=${i.link}
                                @focus=${(e: Event) => (e.target as HTMLInputElement).select()}
                            /></label>
                            <button
                              type="button"
                              class="link"
                              ?disabled=${busy}
                              @click=${() => void this.cancel(i)}
                            >
                              Cancel invite
                            </button>`
                    }
                  </li>`,
              )}
            </ul>`
          : nothing
      }
    </section>`;
  }
}
