/**
 * What the server writes into a guest's AppInstanceUser `Metadata` (at most 1024 characters):
 * the channel the invite is for, so cancelling can check the canceller moderates it, and who
 * invited the guest, for the record. Only administrators (the guest functions) can read it.
 */
export interface GuestMetadata {
  readonly kind: 'guest';
  readonly channelArn: string;
  /** The inviting moderator's AppInstanceUser ARN. */
  readonly invitedBy: string;
  /** ISO 8601: the invite's expiry. */
  readonly expiresAt: string;
}

export function guestMetadataJson(metadata: Omit<GuestMetadata, 'kind'>): string {
  const json = JSON.stringify({ kind: 'guest', ...metadata } satisfies GuestMetadata);
  if (json.length > 1024) throw new Error('guest metadata is longer than 1024 characters');
  return json;
}

/** The metadata of a guest made by this project, or undefined for anything else. */
export function parseGuestMetadata(text: string | undefined): GuestMetadata | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const m = value as Partial<GuestMetadata> | null;
  if (
    m?.kind !== 'guest' ||
    typeof m.channelArn !== 'string' ||
    typeof m.invitedBy !== 'string' ||
    typeof m.expiresAt !== 'string'
  ) {
    return undefined;
  }
  return {
    kind: 'guest',
    channelArn: m.channelArn,
    invitedBy: m.invitedBy,
    expiresAt: m.expiresAt,
  };
}
