/**
 * InitiateAuth and AdminInitiateAuth, as Cognito answers them (cognito-local has no SRP, checks no
 * app client flows, signs disabled users in and keeps passwords in clear):
 * - only the flows the app client's `ExplicitAuthFlows` allow
 *   (`InvalidParameterException: USER_PASSWORD_AUTH flow not enabled for this client`);
 * - `USER_SRP_AUTH`: the PASSWORD_VERIFIER challenge (srp.ts); an unknown user gets a simulated
 *   one when the client prevents user existence errors (the same salt and user id for the same
 *   name, as Cognito does), `UserNotFoundException` otherwise;
 * - `USER_PASSWORD_AUTH` / `ADMIN_USER_PASSWORD_AUTH` where allowed: the scrypt hash is checked;
 *   an unknown user and a wrong password get the same `NotAuthorizedException` (user migration
 *   trigger first, as Cognito);
 * - `REFRESH_TOKEN_AUTH`: new ID and access tokens for a refresh token the pool issued to this
 *   app client, not expired, not revoked (global sign-out, disabling), for an enabled user.
 * An unconfirmed user is told so before the password is checked, as Cognito does; a disabled user
 * only after the password was proven (the order Cognito uses there is not published).
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import {
  InvalidParameterError,
  NotAuthorizedError,
  ResourceNotFoundError,
  UnsupportedError,
  UserNotFoundError,
} from 'cognito-local/lib/errors';
import type { AppClient } from 'cognito-local/lib/services/appClient';
import type { Context } from 'cognito-local/lib/services/context';
import {
  type User,
  type UserPoolService,
  attributeValue,
} from 'cognito-local/lib/services/userPoolService';
import {
  type ServerChallenge,
  createPasswordVerifier,
  parsePublicValue,
  startServerChallenge,
} from '../srp';
import { refreshClaimsOf } from '../tokens';
import { passwordMatches, storedPasswordOf } from '../user-store';
import {
  BAD_CREDENTIALS,
  afterPassword,
  assertEnabled,
  assertFlowAllowed,
  assertMaySignIn,
  authFlowOf,
  requiredParameter,
  sessionLifetimeMs,
} from './sign-in-steps';
import { type Operation, type PoolServices, appClientAndPool } from './services';

type SignInServices = Pick<
  PoolServices,
  'cognito' | 'triggers' | 'tokens' | 'sessions' | 'clock' | 'signOuts' | 'simulationKey'
>;

/** Flows each operation takes (the others: `Initiate Auth method not supported.`). */
const USER_FLOWS = ['USER_SRP_AUTH', 'USER_PASSWORD_AUTH', 'REFRESH_TOKEN_AUTH', 'REFRESH_TOKEN'];
const ADMIN_FLOWS = [
  'USER_SRP_AUTH',
  'ADMIN_USER_PASSWORD_AUTH',
  'ADMIN_NO_SRP_AUTH',
  'REFRESH_TOKEN_AUTH',
  'REFRESH_TOKEN',
];

function parametersOf(req: Record<string, unknown>): Record<string, unknown> {
  const params = req.AuthParameters;
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw new InvalidParameterError('Missing required parameter authParameters');
  }
  return params as Record<string, unknown>;
}

function metadataOf(req: Record<string, unknown>): Record<string, string> | undefined {
  const metadata = req.ClientMetadata;
  return typeof metadata === 'object' && metadata !== null
    ? (metadata as Record<string, string>)
    : undefined;
}

/** A name-derived value, stable for the same pool and name: the simulated challenge's. */
function simulated(key: Buffer, purpose: string, poolId: string, username: string): Buffer {
  return createHmac('sha256', key)
    .update(`${purpose}\n${poolId}\n${username.toLowerCase()}`)
    .digest();
}

/** A version-4-shaped UUID from 16 bytes. */
function uuidOf(bytes: Buffer): string {
  const b = Buffer.from(bytes.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return [0, 8, 12, 16, 20].map((at, i, all) => hex.slice(at, all[i + 1] ?? 32)).join('-');
}

/** One InitiateAuth / AdminInitiateAuth request, resolved. */
interface FlowRequest {
  readonly services: SignInServices;
  readonly ctx: Context;
  readonly pool: UserPoolService;
  readonly client: AppClient;
  readonly params: Record<string, unknown>;
  readonly clientMetadata: Record<string, string> | undefined;
}

function srpChallenge(
  services: SignInServices,
  pool: UserPoolService,
  client: AppClient,
  user: User | null,
  username: string,
  A: bigint,
  clientMetadata: Record<string, string> | undefined,
): Record<string, unknown> {
  let userIdForSrp: string;
  let salt: string;
  let verifier: string;
  const stored = user ? storedPasswordOf(user) : undefined;
  if (user && stored) {
    userIdForSrp = user.Username;
    ({ salt, verifier } = stored.srp);
  } else {
    // An unknown user (or one without a password): a challenge no answer can meet.
    const key = services.simulationKey;
    userIdForSrp = user?.Username ?? uuidOf(simulated(key, 'user-id', pool.options.Id, username));
    salt = BigInt(
      `0x${simulated(key, 'salt', pool.options.Id, username).subarray(0, 16).toString('hex')}`,
    ).toString(16);
    verifier = createPasswordVerifier('', userIdForSrp, randomBytes(32).toString('hex')).verifier;
  }
  const server: ServerChallenge = startServerChallenge(verifier);
  const secretBlock = randomBytes(512).toString('base64');
  const session = services.sessions.open(
    {
      challenge: 'PASSWORD_VERIFIER',
      clientId: client.ClientId,
      username: user && stored ? user.Username : undefined,
      srp: { A: A.toString(16), server, secretBlock, verifier, userIdForSrp },
      ...(clientMetadata && { clientMetadata }),
    },
    sessionLifetimeMs(client),
  );
  return {
    ChallengeName: 'PASSWORD_VERIFIER',
    Session: session,
    ChallengeParameters: {
      SALT: salt,
      SECRET_BLOCK: secretBlock,
      SRP_B: server.B,
      USERNAME: userIdForSrp,
      USER_ID_FOR_SRP: userIdForSrp,
    },
  };
}

async function userSrpAuth(flow: FlowRequest) {
  const { services, ctx, pool, client, params, clientMetadata } = flow;
  const username = requiredParameter(params, 'USERNAME');
  const A = parsePublicValue(requiredParameter(params, 'SRP_A'));
  if (A === undefined) throw new InvalidParameterError('SRP_A is not a valid SRP public value.');
  const user = await pool.getUserByUsername(ctx, username);
  if (!user && client.PreventUserExistenceErrors !== 'ENABLED') {
    throw new UserNotFoundError('User does not exist.');
  }
  if (user) assertMaySignIn(user);
  return srpChallenge(services, pool, client, user, username, A, clientMetadata);
}

async function passwordAuth(flow: FlowRequest) {
  const { services, ctx, pool, client, params, clientMetadata } = flow;
  const username = requiredParameter(params, 'USERNAME');
  const password = requiredParameter(params, 'PASSWORD');
  let user = await pool.getUserByUsername(ctx, username);
  if (!user && services.triggers.enabled('UserMigration')) {
    user = await services.triggers.userMigration(ctx, {
      clientId: client.ClientId,
      password,
      userAttributes: [],
      username,
      userPoolId: pool.options.Id,
      clientMetadata: undefined,
      validationData: clientMetadata,
    });
    // cognito-local's trigger saved the user; read back what the store kept.
    user = user && (await pool.getUserByUsername(ctx, user.Username));
  }
  if (!user) {
    if (client.PreventUserExistenceErrors === 'ENABLED')
      throw new NotAuthorizedError(BAD_CREDENTIALS);
    throw new UserNotFoundError('User does not exist.');
  }
  assertMaySignIn(user);
  if (!(await passwordMatches(user, password))) throw new NotAuthorizedError(BAD_CREDENTIALS);
  assertEnabled(user);
  return afterPassword(services, ctx, pool, client, user, clientMetadata);
}

async function refreshTokenAuth(flow: FlowRequest) {
  const { services, ctx, pool, client, params, clientMetadata } = flow;
  const token = requiredParameter(params, 'REFRESH_TOKEN');
  const user = await pool.getUserByRefreshToken(ctx, token);
  const claims = refreshClaimsOf(token);
  if (!user || (claims.client_id !== undefined && claims.client_id !== client.ClientId)) {
    throw new NotAuthorizedError('Invalid Refresh Token');
  }
  const now = Math.floor(services.clock.get().getTime() / 1000);
  if (claims.exp !== undefined && claims.exp <= now) {
    throw new NotAuthorizedError('Refresh Token has expired');
  }
  const sub = attributeValue('sub', user.Attributes) ?? user.Username;
  if (services.signOuts.revoked(sub, Number(claims.iat))) {
    throw new NotAuthorizedError('Refresh Token has been revoked');
  }
  assertEnabled(user);
  const groups = await pool.listUserGroupMembership(ctx, user);
  const result = await services.tokens.issue(ctx, user, groups, client, {
    source: 'RefreshTokens',
    ...(clientMetadata && { clientMetadata }),
    withRefreshToken: false,
    origin: {
      authTime: claims.auth_time ?? Number(claims.iat ?? now),
      originJti: claims.origin_jti ?? randomUUID(),
    },
  });
  return { ChallengeParameters: {}, AuthenticationResult: result };
}

function initiate(services: SignInServices, admin: boolean): Operation {
  return async (ctx, req) => {
    const flow = authFlowOf(req.AuthFlow);
    const { client, pool } = await appClientAndPool(services, ctx, req.ClientId);
    if (admin && req.UserPoolId !== pool.options.Id) {
      throw new ResourceNotFoundError(`User pool client ${client.ClientId} does not exist.`);
    }
    if (!(admin ? ADMIN_FLOWS : USER_FLOWS).includes(flow)) {
      assertFlowAllowed(client, flow);
      throw new InvalidParameterError('Initiate Auth method not supported.');
    }
    assertFlowAllowed(client, flow);
    const request: FlowRequest = {
      services,
      ctx,
      pool,
      client,
      params: parametersOf(req),
      clientMetadata: metadataOf(req),
    };
    switch (flow) {
      case 'USER_SRP_AUTH':
        return userSrpAuth(request);
      case 'USER_PASSWORD_AUTH':
      case 'ADMIN_USER_PASSWORD_AUTH':
      case 'ADMIN_NO_SRP_AUTH':
        return passwordAuth(request);
      case 'REFRESH_TOKEN_AUTH':
      case 'REFRESH_TOKEN':
        return refreshTokenAuth(request);
      default:
        throw new UnsupportedError(`InitiateAuth with AuthFlow=${flow}`);
    }
  };
}

export const initiateAuth = (services: SignInServices): Operation => initiate(services, false);
export const adminInitiateAuth = (services: SignInServices): Operation => initiate(services, true);
