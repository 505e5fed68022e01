/**
 * Turns errors from Amplify (Cognito), the identity pool and Chime SDK messaging into sentences a
 * person can act on. Pure: no DOM, no SDK imports, so it is unit-tested in Node.
 */

/** What the UI shows: a sentence, and the error's name for people who report a problem. */
export interface FriendlyError {
  readonly message: string;
  readonly code: string;
  /** Where the UI should send the person next, if anywhere. */
  readonly next?: 'confirmSignUp' | 'resetPassword' | 'signIn';
  /** True when AWS refused the request on authorization grounds (the isolation guarantee). */
  readonly refused?: boolean;
}

const TRY_LATER = 'Too many attempts. Wait a few minutes, then try again.';

/** Cognito user pool / Amplify auth errors a person can cause, by exception name. */
const AUTH_MESSAGES: Record<string, Omit<FriendlyError, 'code'>> = {
  UserNotFoundException: { message: 'Incorrect email or password.' },
  NotAuthorizedException: { message: 'Incorrect email or password.' },
  UsernameExistsException: {
    message: 'An account with this email already exists. Sign in, or reset your password.',
  },
  UserNotConfirmedException: {
    message: 'This account is not confirmed yet. Enter the code we emailed you.',
    next: 'confirmSignUp',
  },
  PasswordResetRequiredException: {
    message: 'You must reset your password before signing in. We emailed you a code.',
    next: 'resetPassword',
  },
  CodeMismatchException: { message: 'That code is not right. Check the email and try again.' },
  ExpiredCodeException: { message: 'That code has expired. Ask for a new one.' },
  CodeDeliveryFailureException: {
    message: 'We could not send the code. Check the email address and try again.',
  },
  AliasExistsException: { message: 'Another account already uses this email.' },
  LimitExceededException: { message: TRY_LATER },
  TooManyRequestsException: { message: TRY_LATER },
  TooManyFailedAttemptsException: { message: TRY_LATER },
  UserAlreadyAuthenticatedException: { message: 'You are already signed in.' },
  UserUnAuthenticatedException: { message: 'Your session has ended. Sign in again.' },
  // Amplify's client-side validation (AuthValidationErrorCode).
  EmptySignInUsername: { message: 'Enter your email.' },
  EmptySignInPassword: { message: 'Enter your password.' },
  EmptySignUpUsername: { message: 'Enter your email.' },
  EmptySignUpPassword: { message: 'Choose a password.' },
  EmptyConfirmSignUpUsername: { message: 'Enter your email.' },
  EmptyConfirmSignUpCode: { message: 'Enter the code from the email.' },
  EmptyResendSignUpCodeUsername: { message: 'Enter your email.' },
  EmptyResetPasswordUsername: { message: 'Enter your email.' },
  EmptyConfirmResetPasswordUsername: { message: 'Enter your email.' },
  EmptyConfirmResetPasswordNewPassword: { message: 'Choose a new password.' },
  EmptyConfirmResetPasswordConfirmationCode: { message: 'Enter the code from the email.' },
  EmptyChallengeResponse: { message: 'Fill in the field.' },
  // Identity pool (credentials).
  ResourceNotFoundException: {
    message: 'The identity pool was not found. Check config.json (identityPoolId, region).',
  },
  InvalidIdentityPoolConfigurationException: {
    message: 'The identity pool is misconfigured (role trust or principal tags).',
  },
  // Chime SDK messaging.
  ForbiddenException: {
    message: 'Refused: these credentials may not do that.',
    refused: true,
  },
  AccessDeniedException: {
    message: 'Refused: these credentials may not do that.',
    refused: true,
  },
  UnauthorizedClientException: {
    message: 'Refused: the request was not authorized.',
    refused: true,
  },
  NotFoundException: { message: 'Not found: it was deleted, or you are not a member.' },
  ConflictException: { message: 'That conflicts with the current state. Refresh and retry.' },
  ThrottledClientException: { message: TRY_LATER },
  ServiceUnavailableException: { message: 'The service is unavailable. Try again shortly.' },
};

/** Cognito's own wording carries the rule that failed; pass it through for these. */
const PASS_THROUGH = new Set(['InvalidPasswordException', 'InvalidParameterException']);

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

/**
 * Maps any thrown value to a {@link FriendlyError}. `during: 'signIn'` words every credential
 * failure alike (no password policy applies when signing in), so the screen never tells who has
 * an account.
 */
export function friendlyError(error: unknown, during?: 'signIn'): FriendlyError {
  const code = nameOf(error);
  const raw = messageOf(error);
  if (during === 'signIn' && code === 'InvalidPasswordException') {
    return { code, message: 'Incorrect email or password.' };
  }
  if (code === 'NotAuthorizedException' && /disabled/i.test(raw)) {
    return { code, message: 'This account is disabled. Contact the administrator.' };
  }
  if (code === 'NotAuthorizedException' && /attempts exceeded/i.test(raw)) {
    return { code, message: TRY_LATER };
  }
  const known = AUTH_MESSAGES[code];
  if (known) return { code, ...known };
  if (PASS_THROUGH.has(code)) {
    return { code, message: raw ? raw.replace(/^[^:]*failed with error \w+: /, '') : code };
  }
  if (NETWORK_ERRORS.has(code) || /failed to fetch|network ?error|load failed/i.test(raw)) {
    return {
      code: code === 'Error' ? 'NetworkError' : code,
      message: 'Cannot reach the server. Check your connection (or that the sandbox is running).',
    };
  }
  return { code, message: raw ? `Something went wrong: ${raw}` : 'Something went wrong.' };
}
