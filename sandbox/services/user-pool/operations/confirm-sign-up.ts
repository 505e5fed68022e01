/**
 * ConfirmSignUp with the code the pool sent: the user is confirmed and, the code having gone to
 * their email (the pool auto-verifies it), `email_verified` becomes `true`, as on Cognito, before
 * the post confirmation trigger sees the user. cognito-local leaves `email_verified` unset.
 */
import { CodeMismatchError, ExpiredCodeError, NotAuthorizedError } from 'cognito-local/lib/errors';
import { attribute, attributesAppend } from 'cognito-local/lib/services/userPoolService';
import { type Operation, type PoolServices, appClientAndPool } from './services';

export function confirmSignUp(
  services: Pick<PoolServices, 'cognito' | 'clock' | 'triggers'>,
): Operation {
  return async (ctx, req) => {
    const { pool } = await appClientAndPool(services, ctx, req.ClientId);
    const user =
      typeof req.Username === 'string' ? await pool.getUserByUsername(ctx, req.Username) : null;
    if (!user) throw new NotAuthorizedError('User cannot be confirmed.');
    if (user.UserStatus !== 'UNCONFIRMED') {
      throw new NotAuthorizedError(
        `User cannot be confirmed. Current status is ${user.UserStatus}`,
      );
    }
    if (!user.ConfirmationCode) throw new ExpiredCodeError();
    if (user.ConfirmationCode !== req.ConfirmationCode) {
      throw Object.assign(new CodeMismatchError(), {
        message: 'Invalid verification code provided, please try again.',
      });
    }
    const verified = (pool.options.AutoVerifiedAttributes ?? []).flatMap((name) =>
      user.Attributes.some((a) => a.Name === name) ? [attribute(`${name}_verified`, 'true')] : [],
    );
    const confirmed = {
      ...user,
      Attributes: attributesAppend(user.Attributes, ...verified),
      UserStatus: 'CONFIRMED',
      ConfirmationCode: undefined,
      UserLastModifiedDate: services.clock.get(),
    };
    await pool.saveUser(ctx, confirmed);
    if (services.triggers.enabled('PostConfirmation')) {
      await services.triggers.postConfirmation(ctx, {
        clientId: String(req.ClientId),
        clientMetadata: req.ClientMetadata as Record<string, string> | undefined,
        source: 'PostConfirmation_ConfirmSignUp',
        username: confirmed.Username,
        userPoolId: pool.options.Id,
        userAttributes: attributesAppend(
          confirmed.Attributes,
          attribute('cognito:user_status', 'CONFIRMED'),
        ),
      });
    }
    return {};
  };
}
