/**
 * Turns errors from Amplify (Cognito), the identity pool and Chime SDK messaging into sentences a
 * person can act on, and says which form field they belong to. The screens show the sentence next
 * to that field; the exception name stays in `code` for logic and is never shown. Pure: no DOM,
 * no SDK imports, so it is unit-tested in Node.
 */

/** A form field an error is about (the view puts the sentence next to it). */
export type ErrorField =
  'email' | 'password' | 'password2' | 'code' | 'userId' | 'name' | 'channelArn';

/** What the UI shows: a sentence, and the error's name for logic. */
export interface FriendlyError {
  readonly message: string;
  readonly code: string;
  readonly field?: ErrorField;
  /** Where the UI should send the person next, if anywhere. */
  readonly next?: 'confirmSignUp' | 'resetPassword' | 'signIn';
  /** True when AWS refused the request on authorization grounds (the isolation guarantee). */
  readonly refused?: boolean;
}

/** What the person was doing: the same error reads differently in different places. */
export type ErrorContext =
  'signIn' | 'addMember' | 'openChannel' | 'createChannel' | 'send' | 'chat';

const TRY_LATER = 'Too many attempts. Wait a few minutes, then try again.';
const CANNOT_REACH = 'Cannot reach the server. Check your connection and try again.';

/** Cognito user pool / Amplify auth errors a person can cause, by exception name. */
const AUTH_MESSAGES: Record<string, Omit<FriendlyError, 'code'>> = {
  UserNotFoundException: { message: 'Incorrect email or password.', field: 'password' },
  NotAuthorizedException: { message: 'Incorrect email or password.', field: 'password' },
  UsernameExistsException: {
    message: 'An account with this email already exists. Sign in, or reset your password.',
    field: 'email',
  },
  UserNotConfirmedException: {
    message: 'This account is not confirmed yet. Enter the code we emailed you.',
    next: 'confirmSignUp',
  },
  PasswordResetRequiredException: {
    message: 'You must reset your password before signing in. We emailed you a code.',
    next: 'resetPassword',
  },
  CodeMismatchException: {
    message: 'That code is not right. Check the email and try again.',
    field: 'code',
  },
  ExpiredCodeException: { message: 'That code has expired. Ask for a new one.', field: 'code' },
  CodeDeliveryFailureException: {
    message: 'We could not send the code. Check the email address and try again.',
    field: 'email',
  },
  AliasExistsException: { message: 'Another account already uses this email.', field: 'email' },
  LimitExceededException: { message: TRY_LATER },
  TooManyRequestsException: { message: TRY_LATER },
  TooManyFailedAttemptsException: { message: TRY_LATER },
  UserAlreadyAuthenticatedException: { message: 'You are already signed in.' },
  UserUnAuthenticatedException: { message: 'Your session has ended. Sign in again.' },
  // Amplify's client-side validation (AuthValidationErrorCode).
  EmptySignInUsername: { message: 'Enter your email.', field: 'email' },
  EmptySignInPassword: { message: 'Enter your password.', field: 'password' },
  EmptySignUpUsername: { message: 'Enter your email.', field: 'email' },
  EmptySignUpPassword: { message: 'Choose a password.', field: 'password' },
  EmptyConfirmSignUpUsername: { message: 'Enter your email.', field: 'email' },
  EmptyConfirmSignUpCode: { message: 'Enter the code from the email.', field: 'code' },
  EmptyResendSignUpCodeUsername: { message: 'Enter your email.', field: 'email' },
  EmptyResetPasswordUsername: { message: 'Enter your email.', field: 'email' },
  EmptyConfirmResetPasswordUsername: { message: 'Enter your email.', field: 'email' },
  EmptyConfirmResetPasswordNewPassword: { message: 'Choose a new password.', field: 'password' },
  EmptyConfirmResetPasswordConfirmationCode: {
    message: 'Enter the code from the email.',
    field: 'code',
  },
  EmptyChallengeResponse: { message: 'Fill in the field.' },
  // Identity pool (credentials).
  ResourceNotFoundException: {
    message: 'The identity pool was not found. Check config.json (identityPoolId, region).',
  },
  InvalidIdentityPoolConfigurationException: {
    message: 'The identity pool is misconfigured (role trust or principal tags).',
  },
  // Chime SDK messaging.
  ForbiddenException: { message: 'Refused: you may not do that here.', refused: true },
  AccessDeniedException: { message: 'Refused: you may not do that here.', refused: true },
  UnauthorizedClientException: {
    message: 'Refused: the request was not authorized.',
    refused: true,
  },
  NotFoundException: { message: 'It no longer exists, or you are not a member.' },
  ConflictException: { message: 'Someone changed this at the same time. Try again.' },
  ThrottledClientException: { message: TRY_LATER },
  ServiceUnavailableException: { message: 'The service is unavailable. Try again shortly.' },
};

/** Chime errors that read differently depending on what the person was doing. */
const IN_CONTEXT: Partial<Record<ErrorContext, Record<string, Omit<FriendlyError, 'code'>>>> = {
  addMember: {
    NotFoundException: {
      message: 'No one in this app has that user id. Check it with them.',
      field: 'userId',
    },
    BadRequestException: {
      message: 'That is not a user id. Ask them to copy it from their Identity panel.',
      field: 'userId',
    },
    ForbiddenException: {
      message: 'You may not add members here: only moderators can.',
      field: 'userId',
      refused: true,
    },
  },
  openChannel: {
    NotFoundException: {
      message: 'No such channel. It was deleted, or the ARN is wrong.',
      field: 'channelArn',
    },
    ForbiddenException: {
      message: 'You cannot open this channel: it is private and you are not a member.',
      field: 'channelArn',
      refused: true,
    },
    BadRequestException: {
      message: 'That is not a channel ARN of this app.',
      field: 'channelArn',
    },
  },
  send: {
    ForbiddenException: {
      message: 'Not sent: you are no longer a member of this channel.',
      refused: true,
    },
    NotFoundException: { message: 'Not sent: this channel no longer exists.' },
  },
};

/**
 * "Add people" by email: the people API's answers (docs/people.md) and the directory's own
 * refusals, by status. Never repeats the address.
 */
function peopleError(error: unknown, code: string): FriendlyError | undefined {
  const field = 'userId';
  if (code === 'PersonNotFoundError') {
    return {
      code,
      field,
      message: 'No one here has that email address. Check it, or ask them for their user id.',
    };
  }
  if (code === 'PeopleApiMissingError') {
    return {
      code,
      field,
      message: 'This site cannot look people up by email. Add them by their user id instead.',
    };
  }
  const unavailable: FriendlyError = {
    code,
    field,
    message:
      'Looking people up by email is unavailable right now. Try again later, or add them by user id.',
  };
  if (code === 'PeopleApiUnavailableError') return unavailable;
  if (code !== 'ApiError') return undefined;
  const { status, retryAfterSeconds } = error as { status?: unknown; retryAfterSeconds?: unknown };
  if (status === 429) {
    const wait =
      typeof retryAfterSeconds === 'number' && retryAfterSeconds > 0
        ? `${retryAfterSeconds} seconds`
        : 'a minute';
    return { code, field, message: `Too many lookups. Wait ${wait}, then try again.` };
  }
  if (status === 400) {
    return {
      code,
      field,
      message: 'That is not an email address. It looks like name@example.com.',
    };
  }
  if (status === 401) {
    return { code, field, message: 'Your sign-in has expired. Sign out and in again, then retry.' };
  }
  return unavailable;
}

const NETWORK_ERRORS = new Set(['NetworkError', 'TypeError', 'TimeoutError', 'AbortError']);

function nameOf(error: unknown): string {
  if (error && typeof error === 'object') {
    const named = error as { name?: unknown; code?: unknown; __type?: unknown };
    for (const candidate of [named.name, named.code, named.__type]) {
      if (typeof candidate === 'string' && candidate && candidate !== 'Error') {
        // Some services prefix the name with a namespace: "com.amazonaws...#Name".
        return candidate.split('#').pop() ?? candidate;
      }
    }
  }
  return 'Error';
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'message' in error) {
    const message = error.message;
    if (typeof message === 'string') return message;
  }
  return typeof error === 'string' ? error : '';
}

/** Cognito's password-policy wording, without its prefix: "Password not long enough." */
function passwordPolicyMessage(raw: string): string {
  const detail = raw
    .replace(/^[^:]*failed with error \w+: /, '')
    .replace(/^Password did not conform with policy: /i, '')
    .trim();
  if (!detail) return 'The password does not meet the rules.';
  return /[.!]$/.test(detail) ? detail : `${detail}.`;
}

/**
 * Maps any thrown value to a {@link FriendlyError}. `during: 'signIn'` words every credential
 * failure alike (no password policy applies when signing in), so the screen never tells who has
 * an account.
 */
export function friendlyError(error: unknown, during?: ErrorContext): FriendlyError {
  const code = nameOf(error);
  const raw = messageOf(error);
  if (during === 'signIn' && code === 'InvalidPasswordException') {
    return { code, message: 'Incorrect email or password.', field: 'password' };
  }
  if (code === 'NotAuthorizedException' && /disabled/i.test(raw)) {
    return { code, message: 'This account is disabled. Contact the administrator.' };
  }
  if (code === 'NotAuthorizedException' && /attempts exceeded/i.test(raw)) {
    return { code, message: TRY_LATER };
  }
  const people = during === 'addMember' ? peopleError(error, code) : undefined;
  if (people) return people;
  const inContext = during && IN_CONTEXT[during]?.[code];
  if (inContext) return { code, ...inContext };
  const known = AUTH_MESSAGES[code];
  if (known) return { code, ...known };
  if (code === 'InvalidPasswordException') {
    return { code, message: passwordPolicyMessage(raw), field: 'password' };
  }
  if (code === 'InvalidParameterException') {
    if (/password/i.test(raw)) {
      return { code, message: 'The password does not meet the rules.', field: 'password' };
    }
    if (/email|username/i.test(raw)) {
      return { code, message: 'Enter a valid email address.', field: 'email' };
    }
  }
  if (NETWORK_ERRORS.has(code) || /failed to fetch|network ?error|load failed/i.test(raw)) {
    return {
      code: code === 'Error' ? 'NetworkError' : code,
      message: during === 'send' ? 'Not sent: cannot reach the server.' : CANNOT_REACH,
    };
  }
  return { code, message: raw ? `Something went wrong: ${raw}` : 'Something went wrong.' };
}
