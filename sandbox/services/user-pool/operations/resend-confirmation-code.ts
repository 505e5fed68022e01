/**
 * ResendConfirmationCode, which cognito-local lacks: a new code for an unconfirmed user,
 * delivered like the sign-up code (so the sandbox captures it). With PreventUserExistenceErrors
 * an unknown user gets a simulated delivery, as on AWS.
 */
import { InvalidParameterError, UserNotFoundError } from 'cognito-local/lib/errors';
import { selectAppropriateDeliveryMethod } from 'cognito-local/lib/services/messageDelivery/deliveryMethod';
import { type Operation, type PoolServices, appClientAndPool } from './services';

export function resendConfirmationCode(
  services: Pick<PoolServices, 'cognito' | 'messages' | 'otp' | 'clock'>,
): Operation {
  const { messages, otp, clock } = services;
  return async (ctx, req) => {
    const username = req.Username;
    if (typeof username !== 'string' || username === '') {
      throw new InvalidParameterError('ClientId and Username are required.');
    }
    const { client, pool: userPool } = await appClientAndPool(services, ctx, req.ClientId);
    const user = await userPool.getUserByUsername(ctx, username);
    const attribute = (userPool.options.AutoVerifiedAttributes ?? ['email'])[0] ?? 'email';
    if (!user) {
      if (client.PreventUserExistenceErrors !== 'ENABLED') {
        throw new UserNotFoundError('Username/client id combination not found.');
      }
      const medium = attribute === 'phone_number' ? 'SMS' : 'EMAIL';
      return {
        CodeDeliveryDetails: {
          AttributeName: attribute,
          DeliveryMedium: medium,
          Destination: username,
        },
      };
    }
    if (user.UserStatus !== 'UNCONFIRMED') {
      throw new InvalidParameterError('User is already confirmed.');
    }
    const delivery = selectAppropriateDeliveryMethod(
      userPool.options.AutoVerifiedAttributes ?? [],
      user,
    );
    if (!delivery) {
      throw new InvalidParameterError(
        'User has no attribute matching desired auto verified attributes',
      );
    }
    const code = otp();
    const metadata = req.ClientMetadata as Record<string, string> | undefined;
    await messages.deliver(
      ctx,
      'ResendCode',
      client.ClientId,
      userPool.options.Id,
      user,
      code,
      metadata,
      delivery,
    );
    await userPool.saveUser(ctx, {
      ...user,
      ConfirmationCode: code,
      UserLastModifiedDate: clock.get(),
    });
    return { CodeDeliveryDetails: delivery };
  };
}
