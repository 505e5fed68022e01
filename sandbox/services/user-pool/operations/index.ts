/**
 * The user pool's operations: the sandbox's own where cognito-local lacks something Cognito
 * does, cognito-local's (`inner`) for the rest. This table is the one place an operation is
 * chosen; wrap an entry to observe or extend it.
 */
import { adminDisableUser } from './admin-disable-user';
import { adminLinkProviderForUser } from './admin-link-provider-for-user';
import {
  adminCreateUser,
  adminDeleteUserAttributes,
  adminUpdateUserAttributes,
  deleteUserAttributes,
  signUp,
  updateUserAttributes,
} from './attribute-writes';
import { changePassword } from './change-password';
import { confirmSignUp } from './confirm-sign-up';
import { getUser } from './get-user';
import { adminInitiateAuth, initiateAuth } from './initiate-auth';
import { listUsers } from './list-users';
import { resendConfirmationCode } from './resend-confirmation-code';
import { adminRespondToAuthChallenge, respondToAuthChallenge } from './respond-to-auth-challenge';
import type { Operation, PoolServices } from './services';

export type { Operation, PoolServices } from './services';

export function sandboxOperations(
  services: PoolServices,
  inner: (target: string) => Operation,
): Readonly<Record<string, Operation>> {
  return {
    InitiateAuth: initiateAuth(services),
    AdminInitiateAuth: adminInitiateAuth(services),
    RespondToAuthChallenge: respondToAuthChallenge(services),
    AdminRespondToAuthChallenge: adminRespondToAuthChallenge(services),
    SignUp: signUp(services, inner('SignUp')),
    ConfirmSignUp: confirmSignUp(services),
    ResendConfirmationCode: resendConfirmationCode(services),
    AdminCreateUser: adminCreateUser(services, inner('AdminCreateUser')),
    UpdateUserAttributes: updateUserAttributes(services, inner('UpdateUserAttributes')),
    AdminUpdateUserAttributes: adminUpdateUserAttributes(
      services,
      inner('AdminUpdateUserAttributes'),
    ),
    DeleteUserAttributes: deleteUserAttributes(services, inner('DeleteUserAttributes')),
    AdminDeleteUserAttributes: adminDeleteUserAttributes(
      services,
      inner('AdminDeleteUserAttributes'),
    ),
    GetUser: getUser(services, inner('GetUser')),
    ChangePassword: changePassword(services),
    AdminDisableUser: adminDisableUser(services, inner('AdminDisableUser')),
    AdminLinkProviderForUser: adminLinkProviderForUser(services),
    ListUsers: listUsers(services),
  };
}
