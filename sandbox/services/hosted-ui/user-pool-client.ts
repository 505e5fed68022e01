/**
 * The hosted UI's calls to the sandbox's own user pool API, over HTTP as any app makes them, so
 * the password policy, the triggers and the sign-out checks apply as to any other sign-in.
 */
import { SrpClient } from '../user-pool/srp';
import type { Tokens } from './tokens';

const IDP_TARGET = 'AWSCognitoIdentityProviderService.';

/** The user pool's refusal: its error name (`NotAuthorizedException`, ...) and message. */
export class UserPoolError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'UserPoolError';
  }
}

export class UserPoolClient {
  /**
   * @param endpoint the sandbox endpoint that serves the user pool API (`http://127.0.0.1:<port>`)
   * @param userPoolId the pool's id (SRP hashes the part after the region)
   */
  constructor(
    private readonly endpoint: string,
    private readonly userPoolId: string,
  ) {}

  /** One API operation (`InitiateAuth`, ...); a refusal throws {@link UserPoolError}. */
  async call(operation: string, body: object): Promise<Record<string, unknown>> {
    const response = await fetch(`${this.endpoint}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `${IDP_TARGET}${operation}`,
      },
      body: JSON.stringify(body),
    });
    const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok) {
      const type =
        response.headers.get('x-amzn-errortype') ??
        (typeof json.__type === 'string' ? json.__type : '');
      const code = type.split(':')[0]?.split('#').at(-1) || `HTTP ${response.status}`;
      const message = [json.message, json.Message].find((m) => typeof m === 'string');
      throw new UserPoolError(code, typeof message === 'string' ? message : '');
    }
    return json;
  }

  /** USER_SRP_AUTH then the PASSWORD_VERIFIER answer, as Amplify signs in (srp.ts, client half). */
  async signInWithSrp(
    clientId: string,
    username: string,
    password: string,
  ): Promise<Record<string, unknown>> {
    const srp = new SrpClient(this.userPoolId);
    const started = await this.call('InitiateAuth', {
      ClientId: clientId,
      AuthFlow: 'USER_SRP_AUTH',
      AuthParameters: { USERNAME: username, SRP_A: srp.A },
    });
    if (started.ChallengeName !== 'PASSWORD_VERIFIER') return started;
    return this.call('RespondToAuthChallenge', {
      ClientId: clientId,
      ChallengeName: 'PASSWORD_VERIFIER',
      Session: started.Session,
      ChallengeResponses: srp.respond(
        started.ChallengeParameters as Record<string, string | undefined>,
        password,
      ),
    });
  }

  /** REFRESH_TOKEN_AUTH: fresh ID and access tokens, or {@link UserPoolError} (revoked, disabled). */
  async refresh(clientId: string, refreshToken: string): Promise<Tokens> {
    const result = await this.call('InitiateAuth', {
      ClientId: clientId,
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: refreshToken },
    });
    const tokens = result.AuthenticationResult as Tokens | undefined;
    if (!tokens?.IdToken || !tokens.AccessToken) throw new UserPoolError('NoTokens', '');
    return tokens;
  }

  /** NEW_PASSWORD_REQUIRED answered (administrator-created users). */
  newPassword(
    clientId: string,
    session: string,
    username: string,
    newPassword: string,
  ): Promise<Record<string, unknown>> {
    return this.call('RespondToAuthChallenge', {
      ClientId: clientId,
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session: session,
      ChallengeResponses: { USERNAME: username, NEW_PASSWORD: newPassword },
    });
  }
}
