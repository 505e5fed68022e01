/**
 * User attribute writes, judged as Cognito judges them for the template's pool (schema: the
 * standard attributes, email required) and web app client (WriteAttributes: email, name,
 * given_name, family_name, preferred_username): `sub` is never written, unknown and wrongly typed
 * attributes are refused, and a client writes only what the app client may. First of all: a
 * self-sign-up can never get another user's `sub`, end to end through the identity pool.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminUpdateUserAttributesCommand,
  DeleteUserAttributesCommand,
  GetUserCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  type TestSandbox,
  type TestUser,
  TEST_PASSWORD,
  startTestSandbox,
} from '../../../sandbox/testing';
import { claimsOf, expectAwsError, rawCall } from '../support';

let sandbox: TestSandbox;
let victim: TestUser;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  victim = await sandbox.signUpUser('victim@example.com');
}, 180_000);
afterAll(() => sandbox?.stop());

const UNAUTHORIZED = 'A client attempted to write unauthorized attribute';

function signUp(email: string, attributes: { Name: string; Value: string }[]) {
  return sandbox.userPoolClient.send(
    new SignUpCommand({
      ClientId: sandbox.config.userPoolClientId,
      Username: email,
      Password: TEST_PASSWORD,
      UserAttributes: [{ Name: 'email', Value: email }, ...attributes],
    }),
  );
}

/** Every principal tag value of every credential the sandbox issued so far. */
function issuedTagValues(): string[] {
  const file = join(sandbox.stateDir, 'credentials.json');
  const { sessions } = JSON.parse(readFileSync(file, 'utf8')) as {
    sessions: Record<string, { principalTags: Record<string, string> }>;
  };
  return Object.values(sessions).flatMap((s) => Object.values(s.principalTags));
}

describe("another user's sub", () => {
  it('cannot be taken at sign-up or later: the attacker gets credentials tagged with their own sub only', async () => {
    for (const value of [victim.sub, 'admin', 'x'.repeat(64)]) {
      const message = await expectAwsError(
        signUp('mallory@example.com', [{ Name: 'sub', Value: value }]),
        'InvalidParameterException',
        400,
      );
      expect(message).toBe('Cannot modify the non-mutable attribute sub');
    }
    const mallory = await sandbox.signUpUser('mallory@example.com');
    expect(mallory.sub).not.toBe(victim.sub);
    const session = await sandbox.signIn(mallory);
    const update = await expectAwsError(
      sandbox.userPoolClient.send(
        new UpdateUserAttributesCommand({
          AccessToken: session.accessToken,
          UserAttributes: [{ Name: 'sub', Value: victim.sub }],
        }),
      ),
      'InvalidParameterException',
    );
    expect(update).toBe('Cannot modify the non-mutable attribute sub');
    await expectAwsError(
      sandbox.userPoolClient.send(
        new DeleteUserAttributesCommand({
          AccessToken: session.accessToken,
          UserAttributeNames: ['sub'],
        }),
      ),
      'InvalidParameterException',
    );
    const again = await sandbox.signIn(mallory);
    expect(claimsOf(again.idToken).sub).toBe(mallory.sub);
    const { credentials } = await sandbox.credentialsFor(again.idToken);
    expect(sandbox.credentials.find(credentials.accessKeyId)?.principalTags).toEqual({
      [sandbox.config.principalTagKey]: mallory.sub,
    });
    expect(issuedTagValues()).not.toContain(victim.sub);
  });

  it('cannot be given by an administrator either', async () => {
    const message = await expectAwsError(
      sandbox.adminUserPoolClient.send(
        new AdminCreateUserCommand({
          UserPoolId: sandbox.config.userPoolId,
          Username: 'made-with-sub@example.com',
          UserAttributes: [
            { Name: 'email', Value: 'made-with-sub@example.com' },
            { Name: 'sub', Value: victim.sub },
          ],
          MessageAction: 'SUPPRESS',
        }),
      ),
      'InvalidParameterException',
    );
    expect(message).toBe('Cannot modify the non-mutable attribute sub');
    await expectAwsError(
      sandbox.adminUserPoolClient.send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId: sandbox.config.userPoolId,
          Username: victim.email,
          UserAttributes: [{ Name: 'sub', Value: 'admin' }],
        }),
      ),
      'InvalidParameterException',
    );
  });
});

describe('attributes outside the schema', () => {
  it('are refused with the message of each operation', async () => {
    expect(
      await expectAwsError(
        signUp('role@example.com', [{ Name: 'custom:role', Value: 'admin' }]),
        'InvalidParameterException',
      ),
    ).toBe(
      'Attributes did not conform to the schema: custom:role: Attribute does not exist in the schema.\n',
    );
    expect(
      await expectAwsError(
        sandbox.adminUserPoolClient.send(
          new AdminCreateUserCommand({
            UserPoolId: sandbox.config.userPoolId,
            Username: 'role@example.com',
            UserAttributes: [{ Name: 'custom:role', Value: 'admin' }],
            MessageAction: 'SUPPRESS',
          }),
        ),
        'InvalidParameterException',
      ),
    ).toBe(
      'Attributes did not conform to the schema: Type for attribute {custom:role} could not be determined',
    );
    const { accessToken } = await sandbox.signIn(victim);
    expect(
      await expectAwsError(
        sandbox.userPoolClient.send(
          new UpdateUserAttributesCommand({
            AccessToken: accessToken,
            UserAttributes: [{ Name: 'custom:role', Value: 'admin' }],
          }),
        ),
        'InvalidParameterException',
      ),
    ).toBe('user.custom:role: Attribute does not exist in the schema.\n');
    await expectAwsError(
      sandbox.adminUserPoolClient.send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId: sandbox.config.userPoolId,
          Username: victim.email,
          UserAttributes: [{ Name: 'custom:role', Value: 'admin' }],
        }),
      ),
      'InvalidParameterException',
    );
  });
});

describe("the app client's write permissions", () => {
  it('keep email_verified and attributes outside WriteAttributes from clients, not from administrators', async () => {
    for (const attribute of [
      { Name: 'email_verified', Value: 'true' },
      { Name: 'locale', Value: 'fr' },
    ]) {
      expect(
        await expectAwsError(signUp('writes@example.com', [attribute]), 'NotAuthorizedException'),
      ).toBe(UNAUTHORIZED);
    }
    const user = await sandbox.signUpUser('writes@example.com');
    const { accessToken } = await sandbox.signIn(user);
    for (const attribute of [
      { Name: 'email_verified', Value: 'false' },
      { Name: 'locale', Value: 'fr' },
    ]) {
      expect(
        await expectAwsError(
          sandbox.userPoolClient.send(
            new UpdateUserAttributesCommand({
              AccessToken: accessToken,
              UserAttributes: [attribute],
            }),
          ),
          'NotAuthorizedException',
        ),
      ).toBe(UNAUTHORIZED);
    }
    // Writable ones work; an administrator may set the others.
    await sandbox.userPoolClient.send(
      new UpdateUserAttributesCommand({
        AccessToken: accessToken,
        UserAttributes: [{ Name: 'given_name', Value: 'Walter' }],
      }),
    );
    await sandbox.adminUserPoolClient.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: sandbox.config.userPoolId,
        Username: user.email,
        UserAttributes: [{ Name: 'locale', Value: 'fr' }],
      }),
    );
    const got = await sandbox.adminUserPoolClient.send(
      new AdminGetUserCommand({ UserPoolId: sandbox.config.userPoolId, Username: user.email }),
    );
    expect(got.UserAttributes).toEqual(
      expect.arrayContaining([
        { Name: 'given_name', Value: 'Walter' },
        { Name: 'locale', Value: 'fr' },
        { Name: 'email_verified', Value: 'true' },
      ]),
    );
    // The required email cannot be deleted.
    await expectAwsError(
      sandbox.userPoolClient.send(
        new DeleteUserAttributesCommand({
          AccessToken: accessToken,
          UserAttributeNames: ['email'],
        }),
      ),
      'InvalidParameterException',
    );
  });

  it('want the email attribute equal to the username, as the username is the email', async () => {
    expect(
      await expectAwsError(
        signUp('one@example.com', [{ Name: 'email', Value: 'victim@example.com' }]),
        'InvalidParameterException',
      ),
    ).toBe('User email should be empty or same as username, since username attribute is email.');
    expect(
      await expectAwsError(
        sandbox.userPoolClient.send(
          new SignUpCommand({
            ClientId: sandbox.config.userPoolClientId,
            Username: 'two@example.com',
            Password: TEST_PASSWORD,
            UserAttributes: [{ Name: 'email', Value: 'not-an-email' }],
          }),
        ),
        'InvalidParameterException',
      ),
    ).toBe('Invalid email address format.');
  });
});

describe('wrongly typed attributes', () => {
  const body = (Value: unknown) => ({
    ClientId: sandbox.config.userPoolClientId,
    Username: 'typed@example.com',
    Password: TEST_PASSWORD,
    UserAttributes: [{ Name: 'name', Value }],
  });

  it("are refused as Cognito's JSON protocol refuses them (SerializationException)", async () => {
    const object = await rawCall(sandbox.url, 'SignUp', body({ first: 'Eve' }));
    expect(object).toMatchObject({
      status: 400,
      type: 'SerializationException',
      message: 'Start of structure or map found where not expected.',
    });
    const list = await rawCall(sandbox.url, 'SignUp', body(['Eve']));
    expect(list).toMatchObject({ status: 400, type: 'SerializationException' });
    const number = await rawCall(sandbox.url, 'SignUp', body(42));
    expect(number).toMatchObject({
      status: 400,
      type: 'SerializationException',
      message:
        'class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String',
    });
    const notAList = await rawCall(sandbox.url, 'SignUp', {
      ...body('Eve'),
      UserAttributes: { name: 'Eve' },
    });
    expect(notAList).toMatchObject({ status: 400, type: 'SerializationException' });
    const tooLong = await rawCall(sandbox.url, 'SignUp', body('e'.repeat(2049)));
    expect(tooLong).toMatchObject({ status: 400, type: 'InvalidParameterException' });
    expect(tooLong.message).toMatch(/length less than or equal to 2048/);
    // Nothing was created.
    await expectAwsError(
      sandbox.adminUserPoolClient.send(
        new AdminGetUserCommand({
          UserPoolId: sandbox.config.userPoolId,
          Username: 'typed@example.com',
        }),
      ),
      'UserNotFoundException',
    );
  });

  it('a string name makes it through, and GetUser shows what the client may read', async () => {
    await signUp('typed@example.com', [{ Name: 'name', Value: 'Eve Typed' }]);
    const out = await sandbox.adminUserPoolClient.send(
      new AdminGetUserCommand({
        UserPoolId: sandbox.config.userPoolId,
        Username: 'typed@example.com',
      }),
    );
    expect(out.UserAttributes).toEqual(
      expect.arrayContaining([{ Name: 'name', Value: 'Eve Typed' }]),
    );
    const { accessToken } = await sandbox.signIn(victim);
    const me = await sandbox.userPoolClient.send(new GetUserCommand({ AccessToken: accessToken }));
    expect(me.UserAttributes?.map((a) => a.Name).sort()).toEqual([
      'email',
      'email_verified',
      'sub',
    ]);
  });
});
