/**
 * The invite link: `<site>/#invite=<token>`. The token rides in the fragment, which browsers never
 * send to a server, so it stays out of CloudFront and API access logs and out of Referer headers.
 */
const INVITE_FRAGMENT = /^#invite=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;

/** The link a moderator shares for `invite`, on the site at `origin`. */
export function inviteLink(origin: string, invite: string): string {
  return `${origin}/#invite=${invite}`;
}

/** The invite of a page's `location.hash`, or undefined when the page is not an invite link. */
export function inviteOfLocation(hash: string): string | undefined {
  return INVITE_FRAGMENT.exec(hash)?.[1];
}
