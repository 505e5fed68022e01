import {
  AdminLinkProviderForUserCommand,
  type CognitoIdentityProviderClient,
  ListUsersCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';

/**
 * Optional account linking (docs/federation.md): when a person signs in through an external
 * provider for the first time with the verified email of an existing, confirmed password user,
 * link the provider identity to that user (AdminLinkProviderForUser) instead of letting Cognito
 * create a second user. The person then keeps one `sub`, so one AppInstanceUser and one principal
 * tag, whichever way they sign in.
 *
 * The core never reads `process.env` and never builds a client; the handler injects both.
 */

export interface AccountLinkingDeps {
  readonly cognito: Pick<CognitoIdentityProviderClient, 'send'>;
  /** Provider names (as configured) whose identities may be linked by verified email. */
  readonly linkableProviders: readonly string[];
}

export interface ExternalSignUp {
  readonly userPoolId: string;
  /** `<ProviderName>_<provider subject>`, as Cognito names a federated user. */
  readonly userName: string;
  /** The attributes mapped from the provider (`email`, `email_verified`, ...). */
  readonly userAttributes: Readonly<Record<string, string | undefined>>;
}

/** Why a sign-up was not linked (logged; no email address in it). */
export type NotLinkedReason =
  | 'provider not configured for linking'
  | 'no email from the provider'
  | 'email not verified by the provider'
  | 'email not usable in a filter'
  | 'no confirmed user with this verified email'
  | 'several users with this email';

export type LinkOutcome =
  | {
      readonly linked: true;
      readonly providerName: string;
      /** The existing user's username (their `sub` in this pool: email is an alias). */
      readonly destinationUsername: string;
      readonly destinationSub: string | undefined;
    }
  | { readonly linked: false; readonly reason: NotLinkedReason };

/**
 * The configured provider a federated username belongs to, and the provider's subject.
 * Cognito writes the prefix in the provider's case or lower case (`Google_…`, `google_…`);
 * only configured names are accepted, so a name with `_` in the subject cannot confuse it.
 */
export function providerOfUserName(
  userName: string,
  providers: readonly string[],
): { providerName: string; subject: string } | undefined {
  for (const providerName of providers) {
    const prefix = `${providerName}_`;
    if (
      userName.length > prefix.length &&
      userName.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase()
    ) {
      return { providerName, subject: userName.slice(prefix.length) };
    }
  }
  return undefined;
}

const attribute = (user: UserType, name: string) =>
  user.Attributes?.find((a) => a.Name === name)?.Value;

/** A password user who owns the email: confirmed, enabled, verified, not itself a federated user. */
function isLinkTarget(user: UserType): boolean {
  return (
    user.UserStatus === 'CONFIRMED' &&
    user.Enabled !== false &&
    attribute(user, 'email_verified') === 'true'
  );
}

/**
 * Links `signUp` to the one existing user that owns its verified email, or explains why not.
 * AWS errors propagate: the caller fails the sign-in (retryable) rather than letting Cognito
 * create a duplicate user that could never be linked later.
 */
export async function linkToExistingUser(
  deps: AccountLinkingDeps,
  signUp: ExternalSignUp,
): Promise<LinkOutcome> {
  const provider = providerOfUserName(signUp.userName, deps.linkableProviders);
  if (!provider) return { linked: false, reason: 'provider not configured for linking' };
  const email = signUp.userAttributes.email;
  if (!email) return { linked: false, reason: 'no email from the provider' };
  if (signUp.userAttributes.email_verified !== 'true') {
    return { linked: false, reason: 'email not verified by the provider' };
  }
  // ListUsers filter syntax: `email = "value"`; refuse rather than escape exotic addresses.
  if (/["\\\p{Cc}]/u.test(email) || email.length > 256) {
    return { linked: false, reason: 'email not usable in a filter' };
  }
  const { Users = [] } = await deps.cognito.send(
    new ListUsersCommand({
      UserPoolId: signUp.userPoolId,
      Filter: `email = "${email}"`,
      Limit: 10,
    }),
  );
  // Federated users (status EXTERNAL_PROVIDER) are never link targets; an email can only be
  // verified on one password user, as it is a sign-in alias of this pool.
  const targets = Users.filter(isLinkTarget);
  if (targets.length === 0)
    return { linked: false, reason: 'no confirmed user with this verified email' };
  if (targets.length > 1) return { linked: false, reason: 'several users with this email' };
  const target = targets[0]!;
  await deps.cognito.send(
    new AdminLinkProviderForUserCommand({
      UserPoolId: signUp.userPoolId,
      DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: target.Username },
      SourceUser: {
        ProviderName: provider.providerName,
        ProviderAttributeName: 'Cognito_Subject',
        ProviderAttributeValue: provider.subject,
      },
    }),
  );
  return {
    linked: true,
    providerName: provider.providerName,
    destinationUsername: target.Username ?? '',
    destinationSub: attribute(target, 'sub'),
  };
}
