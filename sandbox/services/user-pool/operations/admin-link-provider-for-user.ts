/**
 * AdminLinkProviderForUser (cognito-local lacks it), as the API reference describes it: links a
 * provider identity (`SourceUser`: provider name, `Cognito_Subject`, the provider's `sub`) to an
 * existing user of the pool (`DestinationUser`: provider `Cognito`, the username), so that signing
 * in through that provider signs in as that user. The account-linking pre sign-up trigger
 * (lambdas/link-federated-user.ts) calls it; the IAM gate has authorized the caller already.
 */
import {
  InvalidParameterError,
  ResourceNotFoundError,
  UserNotFoundError,
} from 'cognito-local/lib/errors';
import { federatedUsername, hasIdentity, withIdentity } from '../identities';
import { type Operation, type PoolServices } from './services';

interface ProviderUser {
  ProviderName?: unknown;
  ProviderAttributeName?: unknown;
  ProviderAttributeValue?: unknown;
}

export function adminLinkProviderForUser(
  services: Pick<PoolServices, 'cognito' | 'clock' | 'identityProviders'>,
): Operation {
  return async (ctx, req) => {
    const userPoolId = req.UserPoolId;
    if (typeof userPoolId !== 'string') {
      throw new InvalidParameterError('Missing required parameter UserPoolId');
    }
    const destination = (req.DestinationUser ?? {}) as ProviderUser;
    const source = (req.SourceUser ?? {}) as ProviderUser;
    if (destination.ProviderName !== 'Cognito') {
      throw new InvalidParameterError(
        'DestinationUser must be a Cognito user (ProviderName Cognito)',
      );
    }
    if (typeof destination.ProviderAttributeValue !== 'string') {
      throw new InvalidParameterError(
        'Missing required parameter DestinationUser.ProviderAttributeValue',
      );
    }
    const providerName = source.ProviderName;
    const provider =
      typeof providerName === 'string' ? services.identityProviders.get(providerName) : undefined;
    if (!provider || typeof providerName !== 'string') {
      throw new InvalidParameterError(
        `SourceUser.ProviderName is not an identity provider of this pool`,
      );
    }
    if (source.ProviderAttributeName !== 'Cognito_Subject') {
      // Linking by another mapped attribute (SAML) is not modelled by the sandbox.
      throw new InvalidParameterError('the sandbox links by Cognito_Subject only');
    }
    const subject = source.ProviderAttributeValue;
    if (typeof subject !== 'string' || subject === '') {
      throw new InvalidParameterError(
        'Missing required parameter SourceUser.ProviderAttributeValue',
      );
    }
    const pools = await services.cognito.listUserPools(ctx);
    if (!pools.some((p) => p.Id === userPoolId)) {
      throw new ResourceNotFoundError(`User pool ${userPoolId} does not exist.`);
    }
    const pool = await services.cognito.getUserPool(ctx, userPoolId);
    const target = await pool.getUserByUsername(ctx, destination.ProviderAttributeValue);
    if (!target || target.UserStatus === 'EXTERNAL_PROVIDER') throw new UserNotFoundError();
    // The source identity must not have signed in before (its own user) nor be linked already.
    const users = await pool.listUsers(ctx);
    if (
      (await pool.getUserByUsername(ctx, federatedUsername(providerName, subject))) ||
      users.some((u) => hasIdentity(u, providerName, subject))
    ) {
      // (Cognito's message for this case is not published: this one is the sandbox's.)
      throw new InvalidParameterError(
        'the source identity has signed in before or is linked to another user',
      );
    }
    await pool.saveUser(ctx, {
      ...target,
      Attributes: [
        ...target.Attributes.filter((a) => a.Name !== 'identities'),
        {
          Name: 'identities',
          Value: withIdentity(target, {
            userId: subject,
            providerName,
            providerType: provider.type,
            issuer: null,
            dateCreated: services.clock.get().getTime(),
          }),
        },
      ],
      UserLastModifiedDate: services.clock.get(),
    });
    return {};
  };
}
