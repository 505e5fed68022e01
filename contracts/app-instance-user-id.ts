/**
 * The forms an AppInstanceUserId takes. The id is also the principal (session) tag value that the
 * Chime role policy reads, so two people must never share one: the forms are disjoint by
 * construction (docs/federation.md, "User ids").
 *
 * | Who                                                   | Id                                             |
 * | ----------------------------------------------------- | ---------------------------------------------- |
 * | user pool users: password, and federated through the pool (OIDC, SAML, social) | their user pool `sub`: a lowercase UUID (36 characters, hex digits and `-`) |
 * | people of an external OIDC issuer at the vending API  | `oidc-` + 52 base32 characters (SHA-256 of issuer and `sub`)                |
 * | guests (contracts/guests.ts)                          | `guest-` + a UUID v4                                                         |
 *
 * A UUID starts with a hex digit, never with `o` or `g`, and is never 57 characters long: no id of
 * one form is an id of another. Every form fits Chime's AppInstanceUserId pattern (1-64 of
 * `[A-Za-z0-9:_.@-]`, alphanumeric at both ends) and STS's tag value rules.
 */

import { isGuestId } from './guests';

/** A Cognito user pool `sub`. */
export const USER_POOL_SUB_PATTERN =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Prefix of the ids derived for people of an external OIDC issuer. */
export const EXTERNAL_USER_ID_PREFIX = 'oidc-';

/** `oidc-` + lowercase RFC 4648 base32 (no padding) of a SHA-256 digest: 57 characters. */
export const EXTERNAL_USER_ID_PATTERN = /^oidc-[a-z2-7]{52}$/;

export type AppInstanceUserIdForm = 'user-pool' | 'external-oidc' | 'guest' | 'unknown';

/** Which form `id` has (`unknown` for anything else, which no part of this project issues). */
export function appInstanceUserIdForm(id: string): AppInstanceUserIdForm {
  if (USER_POOL_SUB_PATTERN.test(id)) return 'user-pool';
  if (EXTERNAL_USER_ID_PATTERN.test(id)) return 'external-oidc';
  if (isGuestId(id)) return 'guest';
  return 'unknown';
}
