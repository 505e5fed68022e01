import './support/trigger-env';
import {
  AdminLinkProviderForUserCommand,
  CognitoIdentityProviderClient,
  InternalErrorException,
  ListUsersCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import type { PreSignUpTriggerEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { linkToExistingUser, providerOfUserName } from '../../lambdas/lib/account-linking';
import { lambdaContext } from '../../testing/lambdas/trigger-events';

process.env.LINK_PROVIDERS = 'Corp,Google';

const cognito = mockClient(CognitoIdentityProviderClient);
const POOL = 'us-east-1_TestPool1';
const ALICE_SUB = '0a1b2c3d-1111-4222-8333-444455556666';
const deps = {
  cognito: new CognitoIdentityProviderClient({}),
  linkableProviders: ['Corp', 'Google'],
};

function passwordUser(
  overrides: Partial<UserType> = {},
  attributes: Record<string, string> = {},
): UserType {
  const attrs = {
    sub: ALICE_SUB,
    email: 'alice@example.com',
    email_verified: 'true',
    ...attributes,
  };
  return {
    Username: ALICE_SUB,
    UserStatus: 'CONFIRMED',
    Enabled: true,
    Attributes: Object.entries(attrs).map(([Name, Value]) => ({ Name, Value })),
    ...overrides,
  };
}

const signUp = (userName = 'Corp_employee-42', attributes: Record<string, string> = {}) => ({
  userPoolId: POOL,
  userName,
  userAttributes: { email: 'alice@example.com', email_verified: 'true', ...attributes },
});

beforeEach(() => cognito.reset());

describe('providerOfUserName', () => {
  test.each([
    ['Corp_employee-42', { providerName: 'Corp', subject: 'employee-42' }],
    ['corp_employee_42', { providerName: 'Corp', subject: 'employee_42' }],
    ['google_1234567890', { providerName: 'Google', subject: '1234567890' }],
    ['Facebook_1', undefined],
    ['Corporate_1', undefined],
    ['Corp_', undefined],
  ])('%s', (userName, expected) => {
    expect(providerOfUserName(userName, ['Corp', 'Google'])).toEqual(expected);
  });
});

describe('linkToExistingUser', () => {
  test('links a verified provider email to the confirmed password user who verified it', async () => {
    cognito.on(ListUsersCommand).resolves({ Users: [passwordUser()] });
    cognito.on(AdminLinkProviderForUserCommand).resolves({});

    const outcome = await linkToExistingUser(deps, signUp());

    expect(outcome).toEqual({
      linked: true,
      providerName: 'Corp',
      destinationUsername: ALICE_SUB,
      destinationSub: ALICE_SUB,
    });
    expect(cognito).toHaveReceivedCommandWith(ListUsersCommand, {
      UserPoolId: POOL,
      Filter: 'email = "alice@example.com"',
    });
    expect(cognito).toHaveReceivedCommandWith(AdminLinkProviderForUserCommand, {
      UserPoolId: POOL,
      DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: ALICE_SUB },
      SourceUser: {
        ProviderName: 'Corp',
        ProviderAttributeName: 'Cognito_Subject',
        ProviderAttributeValue: 'employee-42',
      },
    });
  });

  test.each([
    [
      'a provider not configured for linking',
      signUp('Facebook_99'),
      'provider not configured for linking',
    ],
    ['no email', signUp('Corp_1', { email: '' }), 'no email from the provider'],
    [
      'an unverified provider email',
      signUp('Corp_1', { email_verified: 'false' }),
      'email not verified by the provider',
    ],
    [
      'no email_verified at all',
      { ...signUp(), userAttributes: { email: 'alice@example.com' } },
      'email not verified by the provider',
    ],
    [
      'a quote in the email (filter injection)',
      signUp('Corp_1', { email: 'a"@x.com' }),
      'email not usable in a filter',
    ],
  ])('keeps %s separate, without asking Cognito', async (_, input, reason) => {
    const outcome = await linkToExistingUser(deps, input);
    expect(outcome).toEqual({ linked: false, reason });
    expect(cognito).not.toHaveReceivedAnyCommand();
  });

  test.each([
    ['nobody has the email', []],
    ['the password user never verified it', [passwordUser({}, { email_verified: 'false' })]],
    ['the password user is unconfirmed', [passwordUser({ UserStatus: 'UNCONFIRMED' })]],
    ['the password user is disabled', [passwordUser({ Enabled: false })]],
    ['only another federated user has it', [passwordUser({ UserStatus: 'EXTERNAL_PROVIDER' })]],
  ])('keeps it separate when %s', async (_, users) => {
    cognito.on(ListUsersCommand).resolves({ Users: users });
    const outcome = await linkToExistingUser(deps, signUp());
    expect(outcome).toEqual({
      linked: false,
      reason: 'no confirmed user with this verified email',
    });
    expect(cognito).not.toHaveReceivedCommand(AdminLinkProviderForUserCommand);
  });

  test('refuses to guess between two confirmed users with the email', async () => {
    cognito.on(ListUsersCommand).resolves({
      Users: [passwordUser(), passwordUser({ Username: 'other' }, { sub: 'other' })],
    });
    const outcome = await linkToExistingUser(deps, signUp());
    expect(outcome).toEqual({ linked: false, reason: 'several users with this email' });
    expect(cognito).not.toHaveReceivedCommand(AdminLinkProviderForUserCommand);
  });

  test('a Cognito failure propagates (the sign-in fails and can be retried; no duplicate user)', async () => {
    cognito.on(ListUsersCommand).resolves({ Users: [passwordUser()] });
    cognito
      .on(AdminLinkProviderForUserCommand)
      .rejects(new InternalErrorException({ message: 'boom', $metadata: {} }));
    await expect(linkToExistingUser(deps, signUp())).rejects.toThrow('boom');
  });
});

describe('the pre sign-up handler', () => {
  const event = (triggerSource: PreSignUpTriggerEvent['triggerSource'], userName: string) =>
    ({
      version: '1',
      region: 'us-east-1',
      userPoolId: POOL,
      userName,
      callerContext: { awsSdkVersion: 'aws-sdk-js-3', clientId: 'webclient' },
      triggerSource,
      request: { userAttributes: { email: 'alice@example.com', email_verified: 'true' } },
      response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
    }) as PreSignUpTriggerEvent;

  test('links on PreSignUp_ExternalProvider and returns the event unchanged', async () => {
    const { handler } = await import('../../lambdas/link-federated-user');
    cognito.on(ListUsersCommand).resolves({ Users: [passwordUser()] });
    cognito.on(AdminLinkProviderForUserCommand).resolves({});
    const input = event('PreSignUp_ExternalProvider', 'Google_1234');
    const before = structuredClone(input);

    const result = await handler(input, lambdaContext(), () => undefined);

    expect(result).toEqual(before);
    expect(cognito).toHaveReceivedCommandTimes(AdminLinkProviderForUserCommand, 1);
  });

  test.each(['PreSignUp_SignUp', 'PreSignUp_AdminCreateUser'] as const)(
    '%s passes without a call',
    async (source) => {
      const { handler } = await import('../../lambdas/link-federated-user');
      const input = event(source, ALICE_SUB);
      expect(await handler(input, lambdaContext(), () => undefined)).toBe(input);
      expect(cognito).not.toHaveReceivedAnyCommand();
    },
  );
});
