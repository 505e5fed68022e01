/**
 * RespondToAuthChallenge and AdminRespondToAuthChallenge: the answer must come with the `Session`
 * of its challenge (same app client, same user, within the session's life, once):
 * - PASSWORD_VERIFIER: the SRP password claim (srp.ts). A wrong password, signature, secret block,
 *   or a TIMESTAMP not in Cognito's exact form, and any answer to an unknown user's simulated
 *   challenge: `NotAuthorizedException: Incorrect username or password.`;
 * - NEW_PASSWORD_REQUIRED: the new password (the pool's policy) and any `userAttributes.*`
 *   (checked as the app client writes them); a refused password keeps the session for a retry;
 * - SOFTWARE_TOKEN_MFA: the TOTP code.
 * cognito-local reads no session: anyone could answer NEW_PASSWORD_REQUIRED for any user.
 */
import {
  CognitoError,
  InvalidParameterError,
  NotAuthorizedError,
  ResourceNotFoundError,
} from 'cognito-local/lib/errors';
import type { Context } from 'cognito-local/lib/services/context';
import { verify as verifyTotp } from 'cognito-local/lib/services/totp';
import { attributesAppend } from 'cognito-local/lib/services/userPoolService';
import { parseAttributes } from '../attributes';
import type { OpenChallenge } from '../auth-sessions';
import { parseTimestamp, srpPoolName, verifyPasswordClaim } from '../srp';
import { storedPasswordOf } from '../user-store';
import {
  BAD_CREDENTIALS,
  afterPassword,
  assertEnabled,
  requiredParameter,
  signedIn,
} from './sign-in-steps';
import { type Operation, type PoolServices, appClientAndPool, attributePolicy } from './services';

type ChallengeServices = Pick<
  PoolServices,
  'cognito' | 'triggers' | 'tokens' | 'sessions' | 'clock'
>;

const CHALLENGES = [
  'SMS_MFA',
  'EMAIL_OTP',
  'SOFTWARE_TOKEN_MFA',
  'SELECT_MFA_TYPE',
  'MFA_SETUP',
  'PASSWORD_VERIFIER',
  'CUSTOM_CHALLENGE',
  'SELECT_CHALLENGE',
  'DEVICE_SRP_AUTH',
  'DEVICE_PASSWORD_VERIFIER',
  'ADMIN_NO_SRP_AUTH',
  'NEW_PASSWORD_REQUIRED',
  'SMS_OTP',
  'PASSWORD',
  'WEB_AUTHN',
  'PASSWORD_SRP',
];
const EXPIRED = 'Invalid session for the user, session is expired.';
const USER_ATTRIBUTE = 'userAttributes.';

function challengeNameOf(value: unknown): string {
  if (typeof value !== 'string' || !CHALLENGES.includes(value)) {
    throw new InvalidParameterError(
      `1 validation error detected: Value '${String(value)}' at 'challengeName' failed to ` +
        `satisfy constraint: Member must satisfy enum value set: [${CHALLENGES.join(', ')}]`,
    );
  }
  return value;
}

function responsesOf(req: Record<string, unknown>): Record<string, unknown> {
  const responses = req.ChallengeResponses;
  if (typeof responses !== 'object' || responses === null || Array.isArray(responses)) {
    throw new InvalidParameterError('Missing required parameter ChallengeResponses');
  }
  return responses as Record<string, unknown>;
}

function metadataOf(req: Record<string, unknown>, pending: OpenChallenge) {
  const metadata = req.ClientMetadata;
  return typeof metadata === 'object' && metadata !== null
    ? (metadata as Record<string, string>)
    : pending.clientMetadata;
}

function respond(services: ChallengeServices, admin: boolean): Operation {
  return async (ctx: Context, req) => {
    const name = challengeNameOf(req.ChallengeName);
    const { client, pool } = await appClientAndPool(services, ctx, req.ClientId);
    if (admin && req.UserPoolId !== pool.options.Id) {
      throw new ResourceNotFoundError(`User pool client ${client.ClientId} does not exist.`);
    }
    const responses = responsesOf(req);
    const username = requiredParameter(responses, 'USERNAME');
    if (typeof req.Session !== 'string' || req.Session === '') {
      throw new InvalidParameterError('Missing required parameter Session');
    }
    const session = req.Session;
    const pending = services.sessions.take(session);
    if (!pending || pending.clientId !== client.ClientId) throw new NotAuthorizedError(EXPIRED);
    if (pending.challenge !== name) {
      throw new InvalidParameterError(
        `The challenge of this session is ${pending.challenge}, not ${name}.`,
      );
    }
    const user = pending.username && (await pool.getUserByUsername(ctx, pending.username));
    // The answer names the user of the session (by username or alias), or nobody is signed in.
    const named = user && (await pool.getUserByUsername(ctx, username));
    if (!user || !named || named.Username !== user.Username) {
      throw new NotAuthorizedError(BAD_CREDENTIALS);
    }
    const metadata = metadataOf(req, pending);

    if (name === 'PASSWORD_VERIFIER') {
      const srp = pending.srp;
      const signature = requiredParameter(responses, 'PASSWORD_CLAIM_SIGNATURE');
      const secretBlock = requiredParameter(responses, 'PASSWORD_CLAIM_SECRET_BLOCK');
      const timestamp = requiredParameter(responses, 'TIMESTAMP');
      const proven =
        srp !== undefined &&
        secretBlock === srp.secretBlock &&
        parseTimestamp(timestamp) !== undefined &&
        // A password changed since InitiateAuth: the claim was made for the old verifier.
        storedPasswordOf(user)?.srp.verifier === srp.verifier &&
        verifyPasswordClaim({
          poolName: srpPoolName(pool.options.Id),
          userId: srp.userIdForSrp,
          A: srp.A,
          challenge: srp.server,
          verifier: srp.verifier,
          secretBlock,
          timestamp,
          signature,
        });
      if (!proven) throw new NotAuthorizedError(BAD_CREDENTIALS);
      assertEnabled(user);
      return afterPassword(services, ctx, pool, client, user, metadata);
    }

    assertEnabled(user);
    if (name === 'NEW_PASSWORD_REQUIRED') {
      try {
        const password = requiredParameter(responses, 'NEW_PASSWORD');
        const attributes = parseAttributes(
          Object.entries(responses)
            .filter(([key]) => key.startsWith(USER_ATTRIBUTE))
            .map(([key, value]) => ({ Name: key.slice(USER_ATTRIBUTE.length), Value: value })),
          'challengeResponses',
        );
        attributePolicy(pool, client).check('NewPasswordChallenge', attributes);
        await pool.saveUser(ctx, {
          ...user,
          Attributes: attributesAppend(user.Attributes, ...attributes),
          Password: password,
          UserStatus: 'CONFIRMED',
          UserLastModifiedDate: services.clock.get(),
        });
      } catch (error) {
        // A refused password or attribute: the same session may try again.
        if (error instanceof CognitoError) services.sessions.restore(session, pending);
        throw error;
      }
      const updated = (await pool.getUserByUsername(ctx, user.Username)) ?? user;
      return signedIn(services, ctx, pool, client, updated, 'NewPasswordChallenge', metadata);
    }

    if (name === 'SOFTWARE_TOKEN_MFA') {
      const code = requiredParameter(responses, 'SOFTWARE_TOKEN_MFA_CODE');
      const totp = user.SoftwareTokenMfaConfiguration;
      if (!totp?.Verified || !verifyTotp(totp.Secret, code)) {
        throw new CognitoError('CodeMismatchException', 'Invalid code received for user');
      }
      return signedIn(services, ctx, pool, client, user, 'Authentication', metadata);
    }
    // Every challenge a session can hold is answered above; a new one must be added there.
    const unanswered: never = name;
    throw new InvalidParameterError(
      `The sandbox does not answer the ${String(unanswered)} challenge.`,
    );
  };
}

export const respondToAuthChallenge = (services: ChallengeServices): Operation =>
  respond(services, false);
export const adminRespondToAuthChallenge = (services: ChallengeServices): Operation =>
  respond(services, true);
