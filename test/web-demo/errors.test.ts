import { friendlyError } from '../../web-demo/src/errors';

function awsError(name: string, message = 'detail', status?: number): Error {
  const error = new Error(message);
  error.name = name;
  if (status) Object.assign(error, { $metadata: { httpStatusCode: status } });
  return error;
}

describe('"Add people" by email: the people API in words (never the address)', () => {
  function apiError(status: number, retryAfterSeconds?: number): Error {
    return Object.assign(new Error('bob@example.com: from the API'), {
      name: 'ApiError',
      status,
      ...(retryAfterSeconds !== undefined && { retryAfterSeconds }),
    });
  }
  it.each([
    [
      Object.assign(new Error('bob@example.com'), { name: 'PersonNotFoundError' }),
      /^No one here has that email/,
    ],
    [
      Object.assign(new Error('bob@example.com'), { name: 'PeopleApiMissingError' }),
      /cannot look people up/,
    ],
    [
      Object.assign(new Error('bob@example.com'), { name: 'PeopleApiUnavailableError' }),
      /unavailable right now/,
    ],
    [apiError(429, 42), /^Too many lookups\. Wait 42 seconds, then try again\.$/],
    [apiError(429), /^Too many lookups\. Wait a minute, then try again\.$/],
    [apiError(400), /not an email address/],
    [apiError(401), /Sign out and in again/],
    [apiError(503), /unavailable right now\. Try again later, or add them by user id/],
  ])('%#: %s', (error, expected) => {
    const friendly = friendlyError(error, 'addMember');
    expect(friendly.message).toMatch(expected);
    expect(friendly.field).toBe('userId');
    expect(friendly.message).not.toContain('bob@example.com');
  });
});

describe('friendlyError', () => {
  it.each([
    ['UserNotFoundException', /incorrect email or password/i],
    ['NotAuthorizedException', /incorrect email or password/i],
    ['UsernameExistsException', /already exists/i],
    ['CodeMismatchException', /code is not right/i],
    ['ExpiredCodeException', /expired/i],
    ['LimitExceededException', /too many attempts/i],
    ['TooManyRequestsException', /too many attempts/i],
    ['EmptySignInPassword', /enter your password/i],
    ['EmptyConfirmSignUpCode', /enter the code/i],
    ['UserAlreadyAuthenticatedException', /already signed in/i],
  ])('explains %s', (name, expected) => {
    const friendly = friendlyError(awsError(name));
    expect(friendly.code).toBe(name);
    expect(friendly.message).toMatch(expected);
  });

  it('does not reveal whether an account exists (same words for both)', () => {
    expect(friendlyError(awsError('UserNotFoundException')).message).toBe(
      friendlyError(awsError('NotAuthorizedException', 'Incorrect username or password.')).message,
    );
  });

  it('on the sign-in screen, words an invalid password like any other credential failure', () => {
    expect(
      friendlyError(awsError('InvalidPasswordException', 'Invalid password'), 'signIn'),
    ).toEqual({
      code: 'InvalidPasswordException',
      message: 'Incorrect email or password.',
      field: 'password',
    });
    expect(friendlyError(awsError('InvalidPasswordException', 'too short')).message).toBe(
      'too short.',
    );
  });

  it('distinguishes a disabled account and a lockout within NotAuthorizedException', () => {
    expect(friendlyError(awsError('NotAuthorizedException', 'User is disabled.')).message).toMatch(
      /disabled/,
    );
    expect(
      friendlyError(awsError('NotAuthorizedException', 'Password attempts exceeded')).message,
    ).toMatch(/too many attempts/i);
  });

  it('sends an unconfirmed user to the confirmation screen', () => {
    expect(friendlyError(awsError('UserNotConfirmedException'))).toMatchObject({
      next: 'confirmSignUp',
    });
    expect(friendlyError(awsError('PasswordResetRequiredException'))).toMatchObject({
      next: 'resetPassword',
    });
  });

  it("keeps the rule Cognito's password-policy wording names, next to the password field", () => {
    const friendly = friendlyError(
      awsError(
        'InvalidPasswordException',
        'Password did not conform with policy: Password must have symbol characters',
      ),
    );
    expect(friendly).toMatchObject({
      message: 'Password must have symbol characters.',
      field: 'password',
    });
  });

  it('says which field an auth error is about', () => {
    expect(friendlyError(awsError('UsernameExistsException')).field).toBe('email');
    expect(friendlyError(awsError('CodeMismatchException')).field).toBe('code');
    expect(friendlyError(awsError('NotAuthorizedException'), 'signIn').field).toBe('password');
    expect(
      friendlyError(awsError('InvalidParameterException', 'Invalid email address format.')),
    ).toMatchObject({ field: 'email', message: 'Enter a valid email address.' });
    expect(friendlyError(awsError('LimitExceededException')).field).toBeUndefined();
  });

  it('words chat errors for what the person was doing, never with the exception name', () => {
    expect(friendlyError(awsError('NotFoundException', 'x', 404), 'addMember')).toMatchObject({
      field: 'userId',
      message: 'No one in this app has that user id. Check it with them.',
    });
    expect(friendlyError(awsError('ForbiddenException', 'x', 403), 'openChannel').message).toBe(
      'You cannot open this channel: it is private and you are not a member.',
    );
    expect(friendlyError(new TypeError('Failed to fetch'), 'send').message).toBe(
      'Not sent: cannot reach the server.',
    );
    for (const context of ['addMember', 'openChannel', 'send', 'chat'] as const) {
      for (const name of ['NotFoundException', 'ForbiddenException', 'BadRequestException']) {
        expect(friendlyError(awsError(name, 'detail'), context).message).not.toMatch(/Exception/);
      }
    }
  });

  it('marks Chime authorization refusals as refused', () => {
    for (const name of [
      'ForbiddenException',
      'AccessDeniedException',
      'UnauthorizedClientException',
    ]) {
      expect(friendlyError(awsError(name, 'x', 403))).toMatchObject({ code: name, refused: true });
    }
    expect(friendlyError(awsError('NotFoundException')).refused).toBeUndefined();
  });

  it('reads namespaced error names and plain objects', () => {
    expect(friendlyError({ __type: 'com.amazonaws.cognito#CodeMismatchException' }).code).toBe(
      'CodeMismatchException',
    );
  });

  it('explains network failures', () => {
    expect(friendlyError(new TypeError('Failed to fetch'))).toMatchObject({
      code: 'TypeError',
      message: expect.stringMatching(/cannot reach the server/i),
    });
    expect(friendlyError(new Error('NetworkError when attempting to fetch resource.')).code).toBe(
      'NetworkError',
    );
  });

  it('falls back to the raw message for anything else', () => {
    expect(friendlyError(awsError('WeirdException', 'odd'))).toEqual({
      code: 'WeirdException',
      message: 'Something went wrong: odd',
    });
    expect(friendlyError(undefined)).toEqual({ code: 'Error', message: 'Something went wrong.' });
  });
});
