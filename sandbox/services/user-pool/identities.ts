/**
 * Federated identities of user pool users, as Cognito keeps them: a user created by a sign-in
 * through an external provider is named `<ProviderName>_<sub at the provider>` (status
 * `EXTERNAL_PROVIDER`), and its `identities` attribute lists the provider identities linked to it
 * (a JSON array: `userId`, `providerName`, `providerType`, `issuer`, `primary`, `dateCreated`). The
 * ID token carries it as the `identities` claim, an array with string values (the shape seen in
 * Cognito's ID tokens; the exact types are not in the API reference).
 */
import { attributeValue, type User } from 'cognito-local/lib/services/userPoolService';

export interface LinkedIdentity {
  readonly userId: string;
  readonly providerName: string;
  readonly providerType: string;
  readonly issuer: string | null;
  readonly primary: boolean;
  readonly dateCreated: number;
}

/** The username Cognito gives a federated user. */
export function federatedUsername(providerName: string, subject: string): string {
  return `${providerName}_${subject}`;
}

/** The user's linked identities (none for a user without a valid `identities` attribute). */
export function identitiesOf(user: Pick<User, 'Attributes'>): LinkedIdentity[] {
  const raw = attributeValue('identities', user.Attributes);
  if (!raw) return [];
  try {
    const parsed = JSON.parse(raw) as unknown;
    return Array.isArray(parsed) ? (parsed as LinkedIdentity[]) : [];
  } catch {
    return [];
  }
}

/** Whether `user` carries the identity `subject` of `providerName`. */
export function hasIdentity(
  user: Pick<User, 'Attributes'>,
  providerName: string,
  subject: string,
): boolean {
  return identitiesOf(user).some(
    (i) => i.providerName === providerName && String(i.userId) === subject,
  );
}

/** `identities` with `identity` added (the first one is primary). */
export function withIdentity(
  user: Pick<User, 'Attributes'>,
  identity: Omit<LinkedIdentity, 'primary'>,
): string {
  const existing = identitiesOf(user);
  return JSON.stringify([...existing, { ...identity, primary: existing.length === 0 }]);
}

/** The ID token's `identities` claim for a user, or undefined for one without identities. */
export function identitiesClaim(
  user: Pick<User, 'Attributes'>,
): Record<string, string | null>[] | undefined {
  const identities = identitiesOf(user);
  if (identities.length === 0) return undefined;
  return identities.map((i) => ({
    dateCreated: String(i.dateCreated),
    userId: String(i.userId),
    providerName: i.providerName,
    providerType: i.providerType,
    issuer: i.issuer,
    primary: String(i.primary),
  }));
}
