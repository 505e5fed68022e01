/**
 * AdminDisableUser also revokes the user's tokens, as Cognito does ("deactivates a user and
 * revokes all access tokens"): tokens issued before stay refused after AdminEnableUser.
 */
import { type Operation, type PoolServices } from './services';

export function adminDisableUser(
  services: Pick<PoolServices, 'signOuts'>,
  inner: Operation,
): Operation {
  return async (ctx, req) => {
    const result = await inner(ctx, req);
    await services.signOuts.signOut(String(req.Username));
    return result;
  };
}
