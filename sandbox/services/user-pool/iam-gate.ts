/**
 * IAM in front of cognito-local: on AWS only the client operations of a user pool (sign-up,
 * sign-in, a user's own profile, ...) are public; every other operation (`Admin*`, `ListUsers`,
 * pool management) needs SigV4 credentials whose policies allow `cognito-idp:<Operation>` on the
 * pool. cognito-local checks none of it, so this gate does, with the sandbox's enforcement core.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError, renderError } from '../../core/errors';
import type { SandboxContext, SandboxRequest } from '../../server';
import type { SignOuts } from './sign-outs';

export const COGNITO_IDP_TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';

/** Operations authorized by the request itself (a token, a code, a password), not by IAM. */
export const PUBLIC_OPERATIONS: ReadonlySet<string> = new Set([
  'AssociateSoftwareToken',
  'ChangePassword',
  'CompleteWebAuthnRegistration',
  'ConfirmDevice',
  'ConfirmForgotPassword',
  'ConfirmSignUp',
  'DeleteUser',
  'DeleteUserAttributes',
  'DeleteWebAuthnCredential',
  'ForgetDevice',
  'ForgotPassword',
  'GetDevice',
  'GetTokensFromRefreshToken',
  'GetUser',
  'GetUserAttributeVerificationCode',
  'GetUserAuthFactors',
  'GlobalSignOut',
  'InitiateAuth',
  'ListDevices',
  'ListWebAuthnCredentials',
  'ResendConfirmationCode',
  'RespondToAuthChallenge',
  'RevokeToken',
  'SetUserMFAPreference',
  'SetUserSettings',
  'SignUp',
  'StartWebAuthnRegistration',
  'UpdateDeviceStatus',
  'UpdateUserAttributes',
  'VerifySoftwareToken',
  'VerifyUserAttribute',
]);

type Authenticator = Pick<SandboxContext, 'authenticate' | 'authorize'>;

/**
 * Global sign-out (sign-outs.ts): tokens issued at or before a user's last sign-out are refused
 * (access tokens here, ID tokens by the identity pool's ServerSideTokenCheck, refresh tokens by
 * the refresh flow).
 */
export type SignOutRegistry = Pick<SignOuts, 'signOut' | 'revoked'>;

// CORS headers are the sandbox server's (it wraps `res`), not this module's.
function sendJson(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
  res.end(JSON.stringify(body));
}

function sendError(res: ServerResponse, error: unknown): void {
  const wire = renderError(error, 'json');
  res.writeHead(wire.status, wire.headers);
  res.end(wire.body);
}

/**
 * Told of every user pool API call before cognito-local handles it (CloudTrail's view: the
 * operation, its request, who called); the function it returns, if any, gets the response status.
 */
export type ApiCallObserver = (call: {
  readonly operation: string;
  readonly request: Record<string, unknown>;
  /** The verified access token's `sub`, for calls a user makes with their token. */
  readonly tokenSub?: string;
  /** The caller's role, for IAM-authorized calls. */
  readonly callerArn?: string;
}) => Promise<((status: number) => void) | undefined>;

/**
 * Wraps cognito-local's handler: IAM operations are authenticated and authorized first; public
 * operations that carry an `AccessToken` get it verified (cognito-local only decodes it).
 */
export function withIamGate(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  auth: Authenticator,
  userPoolArn: (userPoolId: string) => string,
  accessTokens: { verify(token: string): Promise<{ sub?: unknown; iat?: unknown }> },
  signOuts: SignOutRegistry,
  observe?: ApiCallObserver,
): (req: IncomingMessage, res: ServerResponse, body: Buffer) => void {
  const forward = async (
    req: IncomingMessage,
    res: ServerResponse,
    call: Parameters<ApiCallObserver>[0],
  ) => {
    const done = await observe?.(call);
    if (done) res.once('finish', () => done(res.statusCode));
    // Hand the parsed body to cognito-local's express app (body-parser skips parsed bodies).
    Object.assign(req, { body: call.request, _body: true });
    handler(req, res);
  };
  return (req, res, body) => {
    const target = req.headers['x-amz-target'];
    if (
      req.method !== 'POST' ||
      typeof target !== 'string' ||
      !target.startsWith(COGNITO_IDP_TARGET_PREFIX)
    ) {
      // cognito-local's other routes (its own OAuth endpoints, health) are never served.
      sendError(res, new AwsError('UnknownOperationException', 'Not a user pool operation.'));
      return;
    }
    const operation = target.slice(COGNITO_IDP_TARGET_PREFIX.length);
    void (async () => {
      let json: Record<string, unknown> = {};
      try {
        json =
          body.length > 0 ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
      } catch {
        json = {};
      }
      const [path = '/', search = ''] = (req.url ?? '/').split('?', 2);
      const request: SandboxRequest = {
        method: 'POST',
        path,
        query: Object.fromEntries(new URLSearchParams(search)),
        headers: req.headers,
        body,
        params: {},
        json,
        form: new URLSearchParams(),
      };
      let tokenSub: string | undefined;
      try {
        if (PUBLIC_OPERATIONS.has(operation)) {
          if (typeof json.AccessToken === 'string') {
            let payload: { sub?: unknown; iat?: unknown };
            try {
              payload = await accessTokens.verify(json.AccessToken);
            } catch (error) {
              const expired = (error as Error).name === 'JwtExpiredError';
              throw new AwsError(
                'NotAuthorizedException',
                expired ? 'Access Token has expired' : 'Invalid Access Token',
              );
            }
            const sub = String(payload.sub);
            tokenSub = sub;
            if (signOuts.revoked(sub, Number(payload.iat))) {
              throw new AwsError('NotAuthorizedException', 'Access Token has been revoked');
            }
            if (operation === 'GlobalSignOut') {
              // cognito-local has no GlobalSignOut: the sandbox implements it. A deleted user's
              // token is refused, as the pool's other operations refuse it (operations/services.ts).
              if (!(await signOuts.signOut(sub))) {
                throw new AwsError('NotAuthorizedException', 'User does not exist.');
              }
              sendJson(res, {});
              return;
            }
          }
          await forward(req, res, { operation, request: json, ...(tokenSub && { tokenSub }) });
          return;
        }
        const caller = await auth.authenticate(request, {
          service: 'cognito-idp',
          protocol: 'json',
        });
        const poolId = json.UserPoolId;
        await auth.authorize(caller, {
          action: `cognito-idp:${operation}`,
          resource: typeof poolId === 'string' ? userPoolArn(poolId) : '*',
          protocol: 'json',
        });
        if (operation === 'AdminUserGlobalSignOut') {
          // cognito-local has no AdminUserGlobalSignOut: the sandbox implements it.
          if (typeof json.Username !== 'string' || !(await signOuts.signOut(json.Username))) {
            throw new AwsError('UserNotFoundException', 'User does not exist.');
          }
          sendJson(res, {});
          return;
        }
        await forward(req, res, { operation, request: json, callerArn: caller.session.roleArn });
      } catch (error) {
        sendError(res, error);
      }
    })().catch((error: unknown) => sendError(res, error));
  };
}
