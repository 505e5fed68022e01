/** The chat's domain shapes, free of SDK types: what the chat API returns and the state holds. */

export type Privacy = 'PUBLIC' | 'PRIVATE';
/** UNRESTRICTED: members add members. RESTRICTED: only moderators do. */
export type Mode = 'UNRESTRICTED' | 'RESTRICTED';

export interface Channel {
  readonly arn: string;
  readonly name: string;
  readonly privacy: Privacy;
  readonly mode: Mode;
  /** Epoch milliseconds of the newest message (ListChannelMemberships...' LastMessageTimestamp). */
  readonly lastMessageAt?: number;
}

export interface Member {
  readonly arn: string;
  /** The AppInstanceUser's Name, when the service said it. */
  readonly name?: string;
}

/** Sorting of the channel list: latest activity first, then by name; the same in a session and after a reload. */
export function compareChannels(a: Channel, b: Channel): number {
  const byActivity = (b.lastMessageAt ?? -1) - (a.lastMessageAt ?? -1);
  if (byActivity !== 0) return byActivity;
  return a.name.localeCompare(b.name) || (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0);
}

/** The last path segment of an ARN (a user id, a channel id). */
export function arnId(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}
