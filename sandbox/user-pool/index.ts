/**
 * The user pool: cognito-local (MIT), run in-process and configured from the synthesized template:
 * pool (password policy, username attributes, schema, verification), app client and Lambda
 * triggers. The sandbox adds what cognito-local lacks for this project:
 * - the template's password policy is enforced (cognito-local stores it but does not check it);
 * - confirmation codes are captured (printed and served on a sandbox-only route);
 * - its files are written atomically;
 * - triggers run through the sandbox's Lambda runner, not an HTTP Lambda endpoint;
 * - `ResendConfirmationCode`, which cognito-local does not implement;
 * - `ListUsers` pages (`Limit`, `PaginationToken`, `AttributesToGet`), which cognito-local ignores;
 * - sign-in failures answer as Cognito does (`NotAuthorizedException`, one message for a wrong
 *   password and an unknown user), where cognito-local says `InvalidPasswordException`;
 * - an administrator-created user's temporary password is checked before NEW_PASSWORD_REQUIRED.
 */
import './quiet-sdk-v2';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino from 'pino';
import { createServer } from 'cognito-local/lib/server/server';
import { Router as cognitoRouter } from 'cognito-local/lib/server/Router';
import type { Config } from 'cognito-local/lib/server/config';
import {
  DateClock,
  LambdaService,
  MessagesService,
  TriggersService,
} from 'cognito-local/lib/services';
import { CognitoServiceFactoryImpl } from 'cognito-local/lib/services/cognitoService';
import { UserPoolServiceFactoryImpl } from 'cognito-local/lib/services/userPoolService';
import { CryptoService } from 'cognito-local/lib/services/crypto';
import { JwtTokenGenerator } from 'cognito-local/lib/services/tokenGenerator';
import { otp } from 'cognito-local/lib/services/otp';
import {
  CognitoError,
  InvalidParameterError,
  InvalidPasswordError,
  NotAuthorizedError,
  UserNotFoundError,
} from 'cognito-local/lib/errors';
import { selectAppropriateDeliveryMethod } from 'cognito-local/lib/services/messageDelivery/deliveryMethod';
import type { Services } from 'cognito-local/lib/services';
import type { Context } from 'cognito-local/lib/services/context';
import type { User } from 'cognito-local/lib/services/userPoolService';
import type { DeliveryDetails } from 'cognito-local/lib/services/messageDelivery/messageDelivery';
import type { Message } from 'cognito-local/lib/services/messages';
import { AtomicDataStoreFactory } from './data-store';
import { listUsersTarget } from './list-users';
import { type SigningKey, resign } from './signing-key';

/** Cognito trigger names cognito-local can invoke, as in the pool's `LambdaConfig`. */
export const SUPPORTED_TRIGGERS = [
  'PreSignUp',
  'PostConfirmation',
  'PostAuthentication',
  'PreTokenGeneration',
  'CustomMessage',
  'UserMigration',
] as const;
export type TriggerName = (typeof SUPPORTED_TRIGGERS)[number];

export interface PasswordPolicy {
  MinimumLength?: number;
  RequireLowercase?: boolean;
  RequireUppercase?: boolean;
  RequireNumbers?: boolean;
  RequireSymbols?: boolean;
  TemporaryPasswordValidityDays?: number;
}

export interface UserPoolSpec {
  /** The resolved `Properties` of the template's `AWS::Cognito::UserPool`. */
  pool: Record<string, unknown>;
  /** The resolved `Properties` of its `AWS::Cognito::UserPoolClient`. */
  client: Record<string, unknown>;
  /** Trigger -> function name (resolved from the pool's `LambdaConfig`). */
  triggers: Partial<Record<TriggerName, string>>;
}

export interface CodeRecord {
  readonly username: string;
  readonly destination: string;
  readonly code: string;
  /** Epoch milliseconds. */
  readonly at: number;
}

export interface LambdaInvokeResult {
  StatusCode: number;
  Payload: string;
  FunctionError?: string;
}

export interface PoolUser {
  readonly sub: string;
  readonly enabled: boolean;
  readonly status: string;
}

export interface StartUserPoolOptions {
  /** Directory of cognito-local's data files. */
  dir: string;
  /** `http://127.0.0.1:<port>`: tokens get `iss` = `<issuerDomain>/<userPoolId>`. */
  issuerDomain: string;
  region: string;
  accountId: string;
  spec: UserPoolSpec;
  /** Ids created by an earlier run (kept in the sandbox's resources file). */
  existing?: { userPoolId: string; userPoolClientId: string };
  /** Signs the ID and access tokens (instead of cognito-local's published key). */
  signingKey: SigningKey;
  invoke(functionName: string, payload: string): Promise<LambdaInvokeResult>;
  onCode(record: CodeRecord): void;
}

export interface RunningUserPool {
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  /** cognito-local's express app: the JSON API, JWKS, OAuth2 routes. */
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** The user with this `sub` (or username), for server-side token checks. */
  findUser(subOrUsername: string): Promise<PoolUser | undefined>;
}

const SYMBOLS = /[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+\- ]/;

/** The template's password policy, with Cognito's messages. */
export function passwordPolicyViolation(
  password: string,
  policy: PasswordPolicy,
): string | undefined {
  if (password.length < (policy.MinimumLength ?? 8)) return 'Password not long enough';
  if (policy.RequireUppercase && !/[A-Z]/.test(password)) {
    return 'Password must have uppercase characters';
  }
  if (policy.RequireLowercase && !/[a-z]/.test(password)) {
    return 'Password must have lowercase characters';
  }
  if (policy.RequireNumbers && !/[0-9]/.test(password))
    return 'Password must have numeric characters';
  if (policy.RequireSymbols && !SYMBOLS.test(password))
    return 'Password must have symbol characters';
  return undefined;
}

/** Request fields that carry a new password, per operation. */
function newPasswordOf(target: string, req: Record<string, unknown>): unknown {
  switch (target) {
    case 'SignUp':
    case 'ConfirmForgotPassword':
    case 'AdminSetUserPassword':
      return req.Password;
    case 'AdminCreateUser':
      return req.TemporaryPassword;
    case 'ChangePassword':
      return req.ProposedPassword;
    case 'RespondToAuthChallenge':
    case 'AdminRespondToAuthChallenge': {
      const responses = req.ChallengeResponses as Record<string, unknown> | undefined;
      return responses?.NEW_PASSWORD;
    }
    default:
      return undefined;
  }
}

/** Template client properties -> CreateUserPoolClient request (plus USER_PASSWORD_AUTH). */
function clientRequest(userPoolId: string, client: Record<string, unknown>) {
  const flows = new Set<string>((client.ExplicitAuthFlows as string[] | undefined) ?? []);
  // cognito-local has no SRP: the sandbox signs in with USER_PASSWORD_AUTH instead.
  flows.add('ALLOW_USER_PASSWORD_AUTH');
  flows.add('ALLOW_REFRESH_TOKEN_AUTH');
  return {
    UserPoolId: userPoolId,
    ClientName: (client.ClientName as string | undefined) ?? 'WebClient',
    ExplicitAuthFlows: [...flows],
    ReadAttributes: client.ReadAttributes,
    WriteAttributes: client.WriteAttributes,
    AllowedOAuthFlows: client.AllowedOAuthFlows,
    AllowedOAuthFlowsUserPoolClient: client.AllowedOAuthFlowsUserPoolClient,
    AllowedOAuthScopes: client.AllowedOAuthScopes,
    CallbackURLs: client.CallbackURLs,
    LogoutURLs: client.LogoutURLs,
    SupportedIdentityProviders: client.SupportedIdentityProviders,
    PreventUserExistenceErrors: client.PreventUserExistenceErrors,
    EnableTokenRevocation: client.EnableTokenRevocation,
    IdTokenValidity: client.IdTokenValidity,
    AccessTokenValidity: client.AccessTokenValidity,
    RefreshTokenValidity: client.RefreshTokenValidity,
    TokenValidityUnits: client.TokenValidityUnits,
  };
}

function poolRequest(pool: Record<string, unknown>) {
  return {
    PoolName: (pool.UserPoolName as string | undefined) ?? 'sandbox-user-pool',
    Policies: pool.Policies,
    UsernameAttributes: pool.UsernameAttributes,
    AliasAttributes: pool.AliasAttributes,
    AutoVerifiedAttributes: pool.AutoVerifiedAttributes,
    UsernameConfiguration: pool.UsernameConfiguration,
    Schema: pool.Schema,
    AdminCreateUserConfig: pool.AdminCreateUserConfig,
    AccountRecoverySetting: pool.AccountRecoverySetting,
    MfaConfiguration: pool.MfaConfiguration,
    EmailVerificationMessage: pool.EmailVerificationMessage,
    EmailVerificationSubject: pool.EmailVerificationSubject,
    VerificationMessageTemplate: pool.VerificationMessageTemplate,
    UserAttributeUpdateSettings: pool.UserAttributeUpdateSettings,
  };
}

export async function startUserPool(options: StartUserPoolOptions): Promise<RunningUserPool> {
  const logger = pino({ level: process.env.SANDBOX_DEBUG ? 'debug' : 'silent' });
  const ctx: Context = { logger };
  const lambdaClient = {
    invoke(params: { FunctionName: string; Payload: string }) {
      return { promise: () => options.invoke(params.FunctionName, params.Payload) };
    },
  };
  const config: Config = {
    LambdaClient: { region: options.region },
    TriggerFunctions: options.spec.triggers,
    UserPoolDefaults: { UsernameAttributes: ['email'] },
    TokenConfig: { IssuerDomain: options.issuerDomain },
    KMSConfig: { region: options.region },
    ServerConfig: { port: 0, hostname: '127.0.0.1', development: false, https: false },
  };
  const clock = new DateClock();
  const dataStoreFactory = new AtomicDataStoreFactory(options.dir);
  const cognitoServiceFactory = new CognitoServiceFactoryImpl(
    options.dir,
    dataStoreFactory,
    new UserPoolServiceFactoryImpl(clock, dataStoreFactory),
  );
  const cognito = await cognitoServiceFactory.create(ctx, config.UserPoolDefaults);
  const triggers = new TriggersService(
    clock,
    cognito,
    // Only `invoke(...).promise()` is used; the v2 Lambda client type is far wider.
    new LambdaService(config.TriggerFunctions, lambdaClient as never),
    new CryptoService(config.KMSConfig),
  );
  const messageDelivery = {
    async deliver(_ctx: Context, user: User, details: DeliveryDetails, message: Message) {
      if (message.__code) {
        options.onCode({
          username: user.Username,
          destination: details.Destination,
          code: message.__code,
          at: Date.now(),
        });
      }
    },
  };
  const jwtGenerator = new JwtTokenGenerator(clock, triggers, config.TokenConfig);
  const tokenGenerator: Services['tokenGenerator'] = {
    async generate(...args) {
      const tokens = await jwtGenerator.generate(...args);
      // Refresh tokens stay as they are: cognito-local looks them up, it does not verify them.
      return {
        ...tokens,
        IdToken: resign(tokens.IdToken, options.signingKey),
        AccessToken: resign(tokens.AccessToken, options.signingKey),
      };
    },
  };
  const services: Services = {
    clock,
    cognito,
    config,
    messages: new MessagesService(triggers, messageDelivery),
    otp,
    tokenGenerator,
    triggers,
  };
  const inner = cognitoRouter(services);
  const policy = (options.spec.pool.Policies as { PasswordPolicy?: PasswordPolicy } | undefined)
    ?.PasswordPolicy;
  const resendConfirmationCode = resendConfirmationCodeTarget(services);
  const listUsers = listUsersTarget(services);
  const router: typeof inner = (target) => {
    const route =
      target === 'ResendConfirmationCode'
        ? resendConfirmationCode
        : target === 'ListUsers'
          ? listUsers
          : inner(target);
    const signIn = target === 'InitiateAuth' || target === 'AdminInitiateAuth';
    return async (routeCtx, req: Record<string, unknown>) => {
      const password = newPasswordOf(target, req ?? {});
      if (policy && typeof password === 'string') {
        const violation = passwordPolicyViolation(password, policy);
        if (violation) {
          const error = new InvalidPasswordError();
          error.message = `Password did not conform with policy: ${violation}`;
          throw error;
        }
      }
      if (!signIn) return route(routeCtx, req);
      try {
        await checkTemporaryPassword(services, routeCtx, target, req ?? {});
        return await route(routeCtx, req);
      } catch (error) {
        throw asCognitoSignInError(error);
      }
    };
  };

  let ids = options.existing;
  const pools = await cognito.listUserPools(ctx);
  if (!ids || !pools.some((p) => p.Id === ids?.userPoolId)) {
    const created = (await inner('CreateUserPool')(ctx, poolRequest(options.spec.pool))) as {
      UserPool: { Id: string };
    };
    const client = (await inner('CreateUserPoolClient')(
      ctx,
      clientRequest(created.UserPool.Id, options.spec.client),
    )) as { UserPoolClient: { ClientId: string } };
    ids = { userPoolId: created.UserPool.Id, userPoolClientId: client.UserPoolClient.ClientId };
    // cognito-local writes `arn:aws:cognito-idp:local:local:...`; use the ARN IAM evaluates.
    const pool = await cognito.getUserPool(ctx, ids.userPoolId);
    await pool.updateOptions(ctx, {
      ...pool.options,
      Arn: `arn:aws:cognito-idp:${options.region}:${options.accountId}:userpool/${ids.userPoolId}`,
    });
  }
  const server = createServer(router, logger, config.ServerConfig, services);
  return {
    userPoolId: ids.userPoolId,
    userPoolClientId: ids.userPoolClientId,
    handler: server.application as (req: IncomingMessage, res: ServerResponse) => void,
    async findUser(subOrUsername) {
      const pool = await cognito.getUserPool(ctx, ids.userPoolId);
      const user = await pool.getUserByUsername(ctx, subOrUsername);
      if (!user) return undefined;
      const sub = user.Attributes.find((a) => a.Name === 'sub')?.Value ?? user.Username;
      return { sub, enabled: user.Enabled, status: String(user.UserStatus) };
    },
  };
}

/**
 * Cognito answers a wrong password and (with PreventUserExistenceErrors) an unknown user alike;
 * cognito-local says `InvalidPasswordException` / "User not authorized" instead.
 */
function asCognitoSignInError(error: unknown): unknown {
  const wrongPassword = error instanceof InvalidPasswordError;
  const unknownUser =
    error instanceof NotAuthorizedError && error.message === 'User not authorized';
  return wrongPassword || unknownUser
    ? new NotAuthorizedError('Incorrect username or password.')
    : error;
}

/**
 * cognito-local answers NEW_PASSWORD_REQUIRED for an administrator-created user whatever password
 * is sent; Cognito first checks the temporary password.
 */
async function checkTemporaryPassword(
  { cognito }: Services,
  ctx: Context,
  target: string,
  req: Record<string, unknown>,
): Promise<void> {
  const params = req.AuthParameters as Record<string, unknown> | undefined;
  if (typeof params?.USERNAME !== 'string' || typeof params.PASSWORD !== 'string') return;
  const pool =
    target === 'AdminInitiateAuth' && typeof req.UserPoolId === 'string'
      ? await cognito.getUserPool(ctx, req.UserPoolId)
      : typeof req.ClientId === 'string'
        ? await cognito.getUserPoolForClientId(ctx, req.ClientId)
        : undefined;
  const user = await pool?.getUserByUsername(ctx, params.USERNAME);
  if (user?.UserStatus === 'FORCE_CHANGE_PASSWORD' && user.Password !== params.PASSWORD) {
    throw new NotAuthorizedError('Incorrect username or password.');
  }
}

type Target = (ctx: Context, req: Record<string, unknown>) => Promise<unknown>;

/**
 * `ResendConfirmationCode`, which cognito-local lacks: a new code for an unconfirmed user,
 * delivered like the sign-up code (so the sandbox captures it). With PreventUserExistenceErrors
 * an unknown user gets a simulated delivery, as on AWS.
 */
function resendConfirmationCodeTarget({ cognito, messages, otp, clock }: Services): Target {
  return async (ctx, req) => {
    const clientId = req.ClientId;
    const username = req.Username;
    if (typeof clientId !== 'string' || typeof username !== 'string' || username === '') {
      throw new InvalidParameterError('ClientId and Username are required.');
    }
    const client = await cognito.getAppClient(ctx, clientId);
    if (!client) throw new CognitoError('ResourceNotFoundException', 'Client does not exist.');
    const userPool = await cognito.getUserPoolForClientId(ctx, clientId);
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
      clientId,
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
