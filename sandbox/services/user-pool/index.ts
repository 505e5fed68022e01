/**
 * The user pool: cognito-local (MIT), run in-process and configured from the synthesized template:
 * pool (password policy, username attributes, schema, verification), app client and Lambda
 * triggers. The sandbox replaces or wraps the operations where cognito-local differs from Cognito
 * (operations/index.ts is the table):
 * - sign-in (operations/initiate-auth.ts, respond-to-auth-challenge.ts): USER_SRP_AUTH (srp.ts),
 *   the app client's ExplicitAuthFlows, sessions bound to their challenge, disabled users refused,
 *   tokens with the claims Cognito puts in them (tokens.ts), signed with the sandbox's key;
 * - attribute writes checked against the schema and the app client (attributes.ts);
 * - passwords kept as scrypt hashes and SRP verifiers (password-hash.ts, user-store.ts), usernames
 *   and emails case-insensitive as the template says (user-store.ts);
 * - `email_verified` set by ConfirmSignUp; GetUser limited to the readable attributes;
 *   AdminDisableUser revokes tokens (sign-outs.ts); ResendConfirmationCode, which it lacks;
 * - a disabled or deleted user's access token is refused by every operation that takes one;
 * - `ListUsers` filters as Cognito documents it (escapes, case rules: operations/list-users.ts);
 * - the template's password policy is enforced; confirmation codes are captured; its files are
 *   written atomically; triggers run through the sandbox's Lambda runner.
 */
import { createHash } from 'node:crypto';
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
import type { CryptoService } from 'cognito-local/lib/services/crypto';
import { otp } from 'cognito-local/lib/services/otp';
import { InvalidPasswordError } from 'cognito-local/lib/errors';
import type { Context } from 'cognito-local/lib/services/context';
import type { User } from 'cognito-local/lib/services/userPoolService';
import type { DeliveryDetails } from 'cognito-local/lib/services/messageDelivery/messageDelivery';
import type { Message } from 'cognito-local/lib/services/messages';
import type { JsonStore } from '../../core/state';
import { AuthSessions } from './auth-sessions';
import { AtomicDataStoreFactory } from './data-store';
import { type Operation, type PoolServices, sandboxOperations } from './operations';
import {
  type FederatedIdentity,
  type FederatedSignInResult,
  federatedSignIn,
} from './operations/federated-sign-in';
import { accessTokenUser, appClientAndPool } from './operations/services';
import { SignOuts } from './sign-outs';
import type { SigningKey } from './signing-key';
import { PoolTokens } from './tokens';
import { SandboxUserPoolService, SandboxUserPoolServiceFactory } from './user-store';

/**
 * cognito-local's KMS encryption of codes, which only the custom sender triggers use (not in
 * SUPPORTED_TRIGGERS: the sandbox never calls it). Its module loads AWS SDK v2 and the AWS
 * Encryption SDK, about half a second of every start (every sandbox test file), so it is loaded
 * on first use instead.
 */
function lazyCryptoService(config: Config['KMSConfig']): CryptoService {
  let loaded: Promise<CryptoService> | undefined;
  const encrypt: CryptoService['encrypt'] = async (ctx, plaintext) => {
    loaded ??= import('cognito-local/lib/services/crypto').then(
      ({ CryptoService }) => new CryptoService(config),
    );
    return (await loaded).encrypt(ctx, plaintext);
  };
  // encrypt() is all that cognito-local's triggers call; the rest of the class is its internals.
  return { encrypt } satisfies Pick<CryptoService, 'encrypt'> as CryptoService;
}

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
  /** Signs the ID, access and refresh tokens (instead of cognito-local's published key). */
  signingKey: SigningKey;
  /** Where token revocations (global sign-out, disabling) are kept. */
  signOutStore: JsonStore<Record<string, number>>;
  invoke(functionName: string, payload: string): Promise<LambdaInvokeResult>;
  onCode(record: CodeRecord): void;
  /** Receives notices (e.g. a migration of old state). @default - discarded */
  log?: (line: string) => void;
  /**
   * The pool's external identity providers (name -> `ProviderType`): the ones federated sign-ins
   * and AdminLinkProviderForUser may name. @default - none
   */
  identityProviders?: ReadonlyMap<string, { readonly type: string }>;
}

export interface RunningUserPool {
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  /** cognito-local's express app: the JSON API (with the sandbox's operations), JWKS, OAuth2. */
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** Token revocations by user. */
  readonly signOuts: SignOuts;
  /** The user with this `sub` (or username), for server-side token checks. */
  findUser(subOrUsername: string): Promise<PoolUser | undefined>;
  /**
   * A sign-in through an external provider whose answer the hosted UI has checked
   * (operations/federated-sign-in.ts): the user found, linked or created, the triggers, the tokens.
   */
  federatedSignIn(clientId: string, identity: FederatedIdentity): Promise<FederatedSignInResult>;
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

/** The template's app client settings that decide how users sign in and what they see. */
function clientSettings(client: Record<string, unknown>) {
  return {
    ExplicitAuthFlows: client.ExplicitAuthFlows,
    ReadAttributes: client.ReadAttributes,
    WriteAttributes: client.WriteAttributes,
    PreventUserExistenceErrors: client.PreventUserExistenceErrors,
    EnableTokenRevocation: client.EnableTokenRevocation,
    IdTokenValidity: client.IdTokenValidity,
    AccessTokenValidity: client.AccessTokenValidity,
    RefreshTokenValidity: client.RefreshTokenValidity,
    TokenValidityUnits: client.TokenValidityUnits,
    AuthSessionValidity: client.AuthSessionValidity,
  };
}

/** Template client properties -> CreateUserPoolClient request. */
function clientRequest(userPoolId: string, client: Record<string, unknown>) {
  return {
    UserPoolId: userPoolId,
    ClientName: (client.ClientName as string | undefined) ?? 'WebClient',
    ...clientSettings(client),
    AllowedOAuthFlows: client.AllowedOAuthFlows,
    AllowedOAuthFlowsUserPoolClient: client.AllowedOAuthFlowsUserPoolClient,
    AllowedOAuthScopes: client.AllowedOAuthScopes,
    CallbackURLs: client.CallbackURLs,
    LogoutURLs: client.LogoutURLs,
    SupportedIdentityProviders: client.SupportedIdentityProviders,
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
    new SandboxUserPoolServiceFactory(clock, dataStoreFactory),
  );
  const cognito = await cognitoServiceFactory.create(ctx, config.UserPoolDefaults);
  const triggers = new TriggersService(
    clock,
    cognito,
    // Only `invoke(...).promise()` is used; the v2 Lambda client type is far wider.
    new LambdaService(config.TriggerFunctions, lambdaClient as never),
    lazyCryptoService(config.KMSConfig),
  );
  const messageDelivery = {
    deliver(_ctx: Context, user: User, details: DeliveryDetails, message: Message) {
      if (message.__code) {
        options.onCode({
          username: user.Username,
          destination: details.Destination,
          code: message.__code,
          at: Date.now(),
        });
      }
      return Promise.resolve();
    },
  };
  let ids = options.existing;
  const findUser = async (subOrUsername: string): Promise<PoolUser | undefined> => {
    if (!ids) return undefined;
    const pool = await cognito.getUserPool(ctx, ids.userPoolId);
    const user = await pool.getUserByUsername(ctx, subOrUsername);
    if (!user) return undefined;
    const sub = user.Attributes.find((a) => a.Name === 'sub')?.Value ?? user.Username;
    return { sub, enabled: user.Enabled, status: String(user.UserStatus) };
  };
  const signOuts = new SignOuts(options.signOutStore, findUser);
  const tokens = new PoolTokens(
    clock,
    triggers,
    options.issuerDomain,
    options.signingKey,
    async (userPoolId) => (await cognito.getUserPool(ctx, userPoolId)).options,
  );
  const services: PoolServices = {
    clock,
    cognito,
    config,
    messages: new MessagesService(triggers, messageDelivery),
    otp,
    tokenGenerator: tokens,
    triggers,
    tokens,
    sessions: new AuthSessions(),
    signOuts,
    // Stable across restarts (the key is), secret (it is derived from the private key).
    identityProviders: options.identityProviders ?? new Map(),
    simulationKey: createHash('sha256')
      .update(`srp-simulation\n${options.signingKey.privateKey.export({ format: 'jwk' }).d}`)
      .digest(),
  };
  const inner = cognitoRouter(services) as (target: string) => Operation;
  const operations = sandboxOperations(services, inner);
  const policy = (options.spec.pool.Policies as { PasswordPolicy?: PasswordPolicy } | undefined)
    ?.PasswordPolicy;
  const router = (target: string): Operation => {
    const operation = operations[target] ?? inner(target);
    return async (routeCtx, req) => {
      const request = req ?? {};
      const password = newPasswordOf(target, request);
      if (policy && typeof password === 'string') {
        const violation = passwordPolicyViolation(password, policy);
        if (violation) {
          const error = new InvalidPasswordError();
          error.message = `Password did not conform with policy: ${violation}`;
          throw error;
        }
      }
      // A token-authorized operation: its user must still exist and be enabled.
      if ('AccessToken' in request) await accessTokenUser(services, routeCtx, request.AccessToken);
      return operation(routeCtx, request);
    };
  };

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
  const pool = await cognito.getUserPool(ctx, ids.userPoolId);
  // The app client follows the template at every start (as a deploy would): older sandboxes
  // added USER_PASSWORD_AUTH to it.
  const appClient = await cognito.getAppClient(ctx, ids.userPoolClientId);
  if (appClient) {
    await pool.saveAppClient(ctx, {
      ...appClient,
      ...clientSettings(options.spec.client),
    } as never);
  }
  if (pool instanceof SandboxUserPoolService) {
    const migrated = await pool.migrateClearTextPasswords(ctx);
    if (migrated > 0) {
      options.log?.(
        `user pool: ${migrated} password(s) kept in clear by an older sandbox now hashed`,
      );
    }
  }
  const server = createServer(router as never, logger, config.ServerConfig, services);
  const { userPoolId, userPoolClientId } = ids;
  return {
    userPoolId,
    userPoolClientId,
    handler: server.application as (req: IncomingMessage, res: ServerResponse) => void,
    signOuts,
    findUser,
    async federatedSignIn(clientId, identity) {
      const { client, pool: target } = await appClientAndPool(services, ctx, clientId);
      if (!services.identityProviders.has(identity.providerName)) {
        throw new Error(`'${identity.providerName}' is not an identity provider of this pool`);
      }
      return federatedSignIn(services, ctx, target, client, identity);
    },
  };
}
