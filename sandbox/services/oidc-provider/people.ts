/**
 * The people of the local OpenID provider (docs/sandbox.md, "Local OpenID provider"). Test
 * accounts on a loopback-only development server: the passwords are published on purpose.
 */
export interface LocalPerson {
  /** What the person types on the sign-in page. */
  readonly username: string;
  readonly password: string;
  /** The `sub` the provider issues (stable per person). */
  readonly sub: string;
  readonly name: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly email: string;
  readonly emailVerified: boolean;
}

export const LOCAL_OIDC_PEOPLE: readonly LocalPerson[] = [
  {
    username: 'ada',
    password: 'ada-local-oidc',
    sub: 'local-ada-0001',
    name: 'Ada Lovelace',
    givenName: 'Ada',
    familyName: 'Lovelace',
    email: 'ada@example.org',
    emailVerified: true,
  },
  {
    username: 'grace',
    password: 'grace-local-oidc',
    sub: 'local-grace-0002',
    name: 'Grace Hopper',
    givenName: 'Grace',
    familyName: 'Hopper',
    email: 'grace@example.org',
    emailVerified: true,
  },
  {
    username: 'alan',
    password: 'alan-local-oidc',
    sub: 'local-alan-0003',
    name: 'Alan Turing',
    givenName: 'Alan',
    familyName: 'Turing',
    email: 'alan@example.org',
    // Unverified on purpose: account linking must refuse it.
    emailVerified: false,
  },
];

/** The OIDC standard claims of a person (ID token and userinfo, by scope). */
export function claimsOf(person: LocalPerson): Record<string, unknown> {
  return {
    sub: person.sub,
    name: person.name,
    given_name: person.givenName,
    family_name: person.familyName,
    preferred_username: person.username,
    email: person.email,
    email_verified: person.emailVerified,
  };
}
