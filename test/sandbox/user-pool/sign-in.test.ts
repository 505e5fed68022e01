/**
 * Signing in to the sandbox user pool as to Cognito: USER_SRP_AUTH with a second, independent SRP
 * client (amazon-cognito-identity-js; Amplify v6 is in ../amplify.test.ts), the flows the app
 * client allows, the PASSWORD_VERIFIER answers Cognito refuses, sign-in sessions bound to their
 * challenge, and the shape of the AuthenticationResult.
 */
import {
  AdminInitiateAuthCommand,
  AssociateSoftwareTokenCommand,
  AuthFlowType,
  ChallengeNameType,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
// The TOTP generator cognito-local verifies codes with (otplib), as an authenticator app computes.
import { generate as totpCode } from 'cognito-local/lib/services/totp';
import {
  type TestSandbox,
  type TestUser,
  TEST_PASSWORD,
  TEST_TEMPORARY_PASSWORD,
  startTestSandbox,
} from '../../../sandbox/testing';
import { SrpClient, formatTimestamp } from '../../../sandbox/services/user-pool/srp';
import type {
  CognitoIdentityJsInput,
  CognitoIdentityJsStep,
} from '../clients/cognito-identity-js-client';
import { runClient } from '../clients/run-client';
import { expectAwsError } from '../support';

let sandbox: TestSandbox;
let alice: TestUser;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  alice = await sandbox.signUpUser('alice@example.com');
}, 180_000);
afterAll(() => sandbox?.stop());

const clientId = () => sandbox.config.userPoolClientId;

/** InitiateAuth USER_SRP_AUTH: the challenge, with the client that made A. */
async function startSrp(username: string) {
  const srp = new SrpClient(sandbox.config.userPoolId);
  const out = await sandbox.userPoolClient.send(
    new InitiateAuthCommand({
      ClientId: clientId(),
      AuthFlow: AuthFlowType.USER_SRP_AUTH,
      AuthParameters: { USERNAME: username, SRP_A: srp.A },
    }),
  );
  return { srp, out, parameters: out.ChallengeParameters ?? {} };
}

function answer(
  session: string | undefined,
  responses: Record<string, string>,
  name = 'PASSWORD_VERIFIER',
) {
  return sandbox.userPoolClient.send(
    new RespondToAuthChallengeCommand({
      ClientId: clientId(),
      ChallengeName: name as ChallengeNameType,
      Session: session,
      ChallengeResponses: responses,
    }),
  );
}

describe('an independent SRP client (amazon-cognito-identity-js)', () => {
  function cognitoIdentityJs(steps: CognitoIdentityJsStep[]) {
    return runClient<CognitoIdentityJsInput>('cognito-identity-js-client.ts', {
      config: sandbox.config,
      steps,
    });
  }

  it('signs in with SRP, is refused a wrong password, and sets a new one after SRP', async () => {
    const carol = await sandbox.adminCreateUser('carol@example.com');
    const [signedIn, wrong, newPassword] = await cognitoIdentityJs([
      { op: 'authenticate', email: alice.email, password: alice.password },
      { op: 'authenticate', email: alice.email, password: 'Wrong-Passw0rd!' },
      {
        op: 'authenticate',
        email: carol.email,
        password: TEST_TEMPORARY_PASSWORD,
        newPassword: 'Carols-Own-Passw0rd!',
      },
    ]);
    expect(signedIn?.ok).toMatchObject({
      idToken: { sub: alice.sub, email: alice.email, token_use: 'id' },
      accessToken: { sub: alice.sub, token_use: 'access' },
      hasRefreshToken: true,
    });
    expect(wrong?.error).toEqual({
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
    expect(newPassword?.ok).toMatchObject({ idToken: { sub: carol.sub } });
  }, 150_000);
});

describe('USER_SRP_AUTH', () => {
  it('challenges with the user id Cognito uses (the username, here the sub) and answers tokens', async () => {
    const { srp, out, parameters } = await startSrp('ALICE@example.com');
    expect(out.ChallengeName).toBe(ChallengeNameType.PASSWORD_VERIFIER);
    expect(parameters).toEqual({
      SALT: expect.stringMatching(/^[0-9a-f]+$/),
      SRP_B: expect.stringMatching(/^[0-9a-f]{700,}$/),
      SECRET_BLOCK: expect.stringMatching(/^[A-Za-z0-9+/=]+$/),
      USERNAME: alice.sub,
      USER_ID_FOR_SRP: alice.sub,
    });
    const done = await answer(out.Session, srp.respond(parameters, TEST_PASSWORD));
    expect(done.Session).toBeUndefined();
    expect(done.AuthenticationResult).toEqual({
      AccessToken: expect.any(String),
      IdToken: expect.any(String),
      RefreshToken: expect.any(String),
      ExpiresIn: 3600,
      TokenType: 'Bearer',
    });
  });

  it('gives an unknown user a simulated challenge (same salt and id for the same name), then the wrong-password answer', async () => {
    const first = await startSrp('nobody@example.com');
    const again = await startSrp('NOBODY@example.com');
    const other = await startSrp('someone-else@example.com');
    expect(first.out.ChallengeName).toBe(ChallengeNameType.PASSWORD_VERIFIER);
    expect(first.parameters.USER_ID_FOR_SRP).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(again.parameters.SALT).toBe(first.parameters.SALT);
    expect(again.parameters.USER_ID_FOR_SRP).toBe(first.parameters.USER_ID_FOR_SRP);
    expect(other.parameters.SALT).not.toBe(first.parameters.SALT);
    const message = await expectAwsError(
      answer(first.out.Session, first.srp.respond(first.parameters, TEST_PASSWORD)),
      'NotAuthorizedException',
    );
    expect(message).toBe('Incorrect username or password.');
  });

  it('refuses a TIMESTAMP not in the exact form (padded day, wrong weekday), even signed', async () => {
    for (const timestamp of ['Tue Sep 05 07:03:02 UTC 2023', 'Mon Sep 5 07:03:02 UTC 2023']) {
      const { srp, out, parameters } = await startSrp(alice.email);
      const message = await expectAwsError(
        answer(out.Session, srp.respond(parameters, TEST_PASSWORD, timestamp)),
        'NotAuthorizedException',
      );
      expect(message).toBe('Incorrect username or password.');
    }
    // An old (well-formed) timestamp is fine: Cognito publishes no freshness window.
    const { srp, out, parameters } = await startSrp(alice.email);
    const old = formatTimestamp(new Date(Date.now() - 3_600_000));
    const done = await answer(out.Session, srp.respond(parameters, TEST_PASSWORD, old));
    expect(done.AuthenticationResult?.IdToken).toBeDefined();
  });

  it('refuses another secret block and a signature for another challenge', async () => {
    const one = await startSrp(alice.email);
    const two = await startSrp(alice.email);
    const mixed = one.srp.respond(
      { ...one.parameters, SECRET_BLOCK: two.parameters.SECRET_BLOCK },
      TEST_PASSWORD,
    );
    await expectAwsError(answer(one.out.Session, mixed), 'NotAuthorizedException');
    const forTwo = two.srp.respond(two.parameters, TEST_PASSWORD);
    await expectAwsError(
      answer(one.out.Session, {
        ...forTwo,
        PASSWORD_CLAIM_SECRET_BLOCK: one.parameters.SECRET_BLOCK!,
      }),
      'NotAuthorizedException',
    );
  });

  it('tells an unconfirmed user so', async () => {
    const email = 'unconfirmed@example.com';
    await sandbox.userPoolClient.send(
      new SignUpCommand({
        ClientId: clientId(),
        Username: email,
        Password: TEST_PASSWORD,
        UserAttributes: [{ Name: 'email', Value: email }],
      }),
    );
    const message = await expectAwsError(startSrp(email), 'UserNotConfirmedException');
    expect(message).toBe('User is not confirmed.');
  });
});

describe('TOTP (the pool allows it as an optional second factor)', () => {
  it('asks a user who set it up for a code after SRP, and refuses a wrong one', async () => {
    const tina = await sandbox.signUpUser('tina@example.com');
    const { accessToken } = await sandbox.signIn(tina);
    const { SecretCode } = await sandbox.userPoolClient.send(
      new AssociateSoftwareTokenCommand({ AccessToken: accessToken }),
    );
    await sandbox.userPoolClient.send(
      new VerifySoftwareTokenCommand({
        AccessToken: accessToken,
        UserCode: totpCode(SecretCode ?? ''),
      }),
    );
    const challenge = await sandbox.srpSignIn(tina.email, TEST_PASSWORD);
    expect(challenge.ChallengeName).toBe(ChallengeNameType.SOFTWARE_TOKEN_MFA);
    expect(challenge.AuthenticationResult).toBeUndefined();
    const wrong = await expectAwsError(
      answer(
        challenge.Session,
        { USERNAME: tina.email, SOFTWARE_TOKEN_MFA_CODE: '000000' },
        'SOFTWARE_TOKEN_MFA',
      ),
      'CodeMismatchException',
    );
    expect(wrong).toBe('Invalid code received for user');
    const again = await sandbox.srpSignIn(tina.email, TEST_PASSWORD);
    const done = await answer(
      again.Session,
      { USERNAME: tina.email, SOFTWARE_TOKEN_MFA_CODE: totpCode(SecretCode ?? '') },
      'SOFTWARE_TOKEN_MFA',
    );
    expect(done.AuthenticationResult?.TokenType).toBe('Bearer');
  });
});

describe('sign-in sessions', () => {
  it('answer once, with the session of the challenge, for its user', async () => {
    const bob = await sandbox.signUpUser('bob@example.com');
    const { srp, out, parameters } = await startSrp(alice.email);
    const responses = srp.respond(parameters, TEST_PASSWORD);
    const expired = 'Invalid session for the user, session is expired.';
    // Another user's name with Alice's session and proof.
    await expectAwsError(
      answer(out.Session, { ...responses, USERNAME: bob.email }),
      'NotAuthorizedException',
    );
    // The session was used by that answer.
    expect(await expectAwsError(answer(out.Session, responses), 'NotAuthorizedException')).toBe(
      expired,
    );
    expect(
      await expectAwsError(answer('bm8tc3VjaC1zZXNzaW9u', responses), 'NotAuthorizedException'),
    ).toBe(expired);
  });

  it("never let anyone answer another user's NEW_PASSWORD_REQUIRED without its session", async () => {
    const dave = await sandbox.adminCreateUser('dave@example.com');
    const takeover = { USERNAME: dave.email, NEW_PASSWORD: 'Attackers-Passw0rd!' };
    await expectAwsError(
      answer('c2Vzc2lvbi1vZi1ub2JvZHk=', takeover, 'NEW_PASSWORD_REQUIRED'),
      'NotAuthorizedException',
    );
    // A session of the attacker's own sign-in does not answer for Dave either.
    const own = await startSrp(alice.email);
    await expectAwsError(
      answer(own.out.Session, takeover, 'NEW_PASSWORD_REQUIRED'),
      'InvalidParameterException',
    );
    const mine = await sandbox.srpSignIn(dave.email, TEST_TEMPORARY_PASSWORD);
    expect(mine.ChallengeName).toBe(ChallengeNameType.NEW_PASSWORD_REQUIRED);
    await expectAwsError(
      answer(mine.Session, { ...takeover, USERNAME: alice.email }, 'NEW_PASSWORD_REQUIRED'),
      'NotAuthorizedException',
    );
  });

  it('let a refused new password be tried again in the same session', async () => {
    const erin = await sandbox.adminCreateUser('erin@example.com');
    const challenge = await sandbox.srpSignIn(erin.email, TEST_TEMPORARY_PASSWORD);
    expect(JSON.parse(challenge.ChallengeParameters?.userAttributes ?? '{}')).toMatchObject({
      email: erin.email,
    });
    await expectAwsError(
      answer(
        challenge.Session,
        { USERNAME: erin.email, NEW_PASSWORD: 'weak' },
        'NEW_PASSWORD_REQUIRED',
      ),
      'InvalidPasswordException',
    );
    const done = await answer(
      challenge.Session,
      { USERNAME: erin.email, NEW_PASSWORD: 'Erins-Strong-Passw0rd!' },
      'NEW_PASSWORD_REQUIRED',
    );
    expect(done.AuthenticationResult?.TokenType).toBe('Bearer');
  });
});

describe('the app client flows', () => {
  it('refuse USER_PASSWORD_AUTH, which the template does not allow, as Cognito does', async () => {
    const message = await expectAwsError(
      sandbox.userPoolClient.send(
        new InitiateAuthCommand({
          ClientId: clientId(),
          AuthFlow: AuthFlowType.USER_PASSWORD_AUTH,
          AuthParameters: { USERNAME: alice.email, PASSWORD: TEST_PASSWORD },
        }),
      ),
      'InvalidParameterException',
    );
    expect(message).toBe('USER_PASSWORD_AUTH flow not enabled for this client');
    const admin = await expectAwsError(
      sandbox.adminUserPoolClient.send(
        new AdminInitiateAuthCommand({
          UserPoolId: sandbox.config.userPoolId,
          ClientId: clientId(),
          AuthFlow: AuthFlowType.ADMIN_USER_PASSWORD_AUTH,
          AuthParameters: { USERNAME: alice.email, PASSWORD: TEST_PASSWORD },
        }),
      ),
      'InvalidParameterException',
    );
    expect(admin).toBe('Auth flow not enabled for this client');
  });

  it('refresh with the same ExpiresIn and TokenType, no new refresh token', async () => {
    const { refreshToken } = await sandbox.signIn(alice);
    const out = await sandbox.userPoolClient.send(
      new InitiateAuthCommand({
        ClientId: clientId(),
        AuthFlow: AuthFlowType.REFRESH_TOKEN_AUTH,
        AuthParameters: { REFRESH_TOKEN: refreshToken },
      }),
    );
    expect(out.AuthenticationResult).toEqual({
      AccessToken: expect.any(String),
      IdToken: expect.any(String),
      ExpiresIn: 3600,
      TokenType: 'Bearer',
    });
    await expectAwsError(
      sandbox.userPoolClient.send(
        new InitiateAuthCommand({
          ClientId: clientId(),
          AuthFlow: AuthFlowType.REFRESH_TOKEN_AUTH,
          AuthParameters: { REFRESH_TOKEN: `${refreshToken}x` },
        }),
      ),
      'NotAuthorizedException',
    );
  });

  it('answer an unknown app client and flow as Cognito does', async () => {
    const message = await expectAwsError(
      sandbox.userPoolClient.send(
        new InitiateAuthCommand({
          ClientId: 'nosuchclient',
          AuthFlow: AuthFlowType.USER_SRP_AUTH,
          AuthParameters: { USERNAME: alice.email, SRP_A: 'ab' },
        }),
      ),
      'ResourceNotFoundException',
    );
    expect(message).toBe('User pool client nosuchclient does not exist.');
    await expectAwsError(
      sandbox.userPoolClient.send(
        new InitiateAuthCommand({
          ClientId: clientId(),
          AuthFlow: 'NOT_A_FLOW' as AuthFlowType,
          AuthParameters: { USERNAME: alice.email },
        }),
      ),
      'InvalidParameterException',
    );
  });
});
