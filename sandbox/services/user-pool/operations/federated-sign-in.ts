/**
 * A sign-in through an external identity provider, after the hosted UI has checked the provider's
 * answer (services/hosted-ui/upstream-oidc.ts): what Cognito does at `/oauth2/idpresponse`. Not an API
 * operation (Cognito has none): the hosted UI calls it in-process.
 *
 * The trigger sources are those of the Cognito developer guide's table for federated users:
 * - first sign-in: `PreSignUp_ExternalProvider` (which may link the identity to an existing user:
 *   then this is a sign-in of that user), the user `<ProviderName>_<sub>` created with status
 *   `EXTERNAL_PROVIDER`, the mapped attributes and `identities`, `PostConfirmation_ConfirmSignUp`;
 * - later sign-ins: the mapped attributes written again (Cognito rewrites them at each sign-in),
 *   a disabled user refused, `PostAuthentication_Authentication`;
 * - both: the tokens with `TokenGeneration_HostedAuth`.
 * `PreAuthentication` is not run (the sandbox runs no pre authentication trigger at all).
 */
import { randomUUID } from 'node:crypto';
import { InvalidParameterError, NotAuthorizedError } from 'cognito-local/lib/errors';
import type { AppClient } from 'cognito-local/lib/services/appClient';
import type { Context } from 'cognito-local/lib/services/context';
import type { User, UserPoolService } from 'cognito-local/lib/services/userPoolService';
import { federatedUsername, hasIdentity } from '../identities';
import type { AuthenticationResult } from '../tokens';
import type { PoolServices } from './services';
import { signInTokens } from './sign-in-steps';

export interface FederatedIdentity {
  readonly providerName: string;
  readonly providerType: string;
  /** The person's `sub` at the provider. */
  readonly subject: string;
  /** User pool attributes, through the provider's attribute mapping. */
  readonly attributes: Readonly<Record<string, string>>;
}

export interface FederatedSignInResult {
  readonly tokens: AuthenticationResult;
  /** The user signed in: the federated user, or the existing user the identity is linked to. */
  readonly username: string;
  /** The user was created by this sign-in. */
  readonly created: boolean;
}

type Attributes = User['Attributes'];

const toList = (record: Readonly<Record<string, string>>): Attributes =>
  Object.entries(record).map(([Name, Value]) => ({ Name, Value }));

/** Trigger events carry the status too (`cognito:user_status`), as Cognito's do. */
const withStatus = (user: User): Attributes => [
  ...user.Attributes,
  { Name: 'cognito:user_status', Value: String(user.UserStatus) },
];

async function linkedUser(
  ctx: Context,
  pool: UserPoolService,
  identity: FederatedIdentity,
): Promise<User | undefined> {
  return (await pool.listUsers(ctx)).find(
    (u) =>
      u.UserStatus !== 'EXTERNAL_PROVIDER' &&
      hasIdentity(u, identity.providerName, identity.subject),
  );
}

export async function federatedSignIn(
  services: Pick<PoolServices, 'triggers' | 'tokens' | 'clock'>,
  ctx: Context,
  pool: UserPoolService,
  client: AppClient,
  identity: FederatedIdentity,
): Promise<FederatedSignInResult> {
  const { triggers, clock } = services;
  const username = federatedUsername(identity.providerName, identity.subject);
  const userPoolId = pool.options.Id;
  const mapped = toList(identity.attributes);

  let user: User | undefined =
    (await linkedUser(ctx, pool, identity)) ??
    (await pool.getUserByUsername(ctx, username)) ??
    undefined;
  let created = false;
  if (!user) {
    if (triggers.enabled('PreSignUp')) {
      await triggers.preSignUp(ctx, {
        clientId: client.ClientId,
        clientMetadata: undefined,
        source: 'PreSignUp_ExternalProvider',
        userAttributes: mapped,
        username,
        userPoolId,
        validationData: undefined,
      });
    }
    // The trigger may have linked the identity to an existing user (AdminLinkProviderForUser).
    user = await linkedUser(ctx, pool, identity);
    if (!user) {
      // The pool's required attributes must come from the provider (its attribute mapping).
      const missing = (pool.options.SchemaAttributes ?? [])
        .filter(
          (a) =>
            a.Required && a.Name && a.Name !== 'sub' && identity.attributes[a.Name] === undefined,
        )
        .map((a) => a.Name);
      if (missing.length > 0) {
        // (Cognito's wording for this is not published: the message is the sandbox's.)
        throw new InvalidParameterError(
          `the identity provider did not send the required attribute(s) ${missing.join(', ')}: map them`,
        );
      }
      const now = clock.get();
      user = {
        Username: username,
        Attributes: [
          { Name: 'sub', Value: randomUUID() },
          ...mapped,
          {
            Name: 'identities',
            Value: JSON.stringify([
              {
                userId: identity.subject,
                providerName: identity.providerName,
                providerType: identity.providerType,
                issuer: null,
                primary: true,
                dateCreated: now.getTime(),
              },
            ]),
          },
        ],
        Enabled: true,
        UserStatus: 'EXTERNAL_PROVIDER',
        UserCreateDate: now,
        UserLastModifiedDate: now,
        RefreshTokens: [],
        // A federated user has no password in the pool (cognito-local's type wants one).
      } as unknown as User;
      await pool.saveUser(ctx, user);
      created = true;
      if (triggers.enabled('PostConfirmation')) {
        await triggers.postConfirmation(ctx, {
          clientId: client.ClientId,
          clientMetadata: undefined,
          source: 'PostConfirmation_ConfirmSignUp',
          userAttributes: withStatus(user),
          username,
          userPoolId,
        });
      }
    }
  }
  if (!created) {
    if (!user.Enabled) throw new NotAuthorizedError('User is disabled.');
    if (user.UserStatus === 'EXTERNAL_PROVIDER') {
      const names = new Set(mapped.map((a) => a.Name));
      user = {
        ...user,
        Attributes: [...user.Attributes.filter((a) => !names.has(a.Name)), ...mapped],
        UserLastModifiedDate: clock.get(),
      };
      await pool.saveUser(ctx, user);
    }
    if (triggers.enabled('PostAuthentication')) {
      await triggers.postAuthentication(ctx, {
        clientId: client.ClientId,
        clientMetadata: undefined,
        source: 'PostAuthentication_Authentication',
        userAttributes: withStatus(user),
        username: user.Username,
        userPoolId,
      });
    }
  }
  const tokens = await signInTokens(services, ctx, pool, client, user, 'HostedAuth');
  return { tokens, username: user.Username, created };
}
