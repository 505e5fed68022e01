/**
 * ChangePassword: the previous password is checked against its scrypt hash (cognito-local
 * compares clear text); a wrong one gets Cognito's `Incorrect username or password.`.
 */
import { NotAuthorizedError } from 'cognito-local/lib/errors';
import { passwordMatches } from '../user-store';
import { BAD_CREDENTIALS, requiredParameter } from './sign-in-steps';
import { type Operation, type PoolServices, accessTokenUser } from './services';

export function changePassword(services: Pick<PoolServices, 'cognito' | 'clock'>): Operation {
  return async (ctx, req) => {
    const { user, pool } = await accessTokenUser(services, ctx, req.AccessToken);
    const previous = requiredParameter(req, 'PreviousPassword');
    const proposed = requiredParameter(req, 'ProposedPassword');
    if (!(await passwordMatches(user, previous))) throw new NotAuthorizedError(BAD_CREDENTIALS);
    await pool.saveUser(ctx, {
      ...user,
      Password: proposed,
      UserLastModifiedDate: services.clock.get(),
    });
    return {};
  };
}
