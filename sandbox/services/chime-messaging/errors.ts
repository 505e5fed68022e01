import { AwsError } from '../../core/errors';

/**
 * The exceptions of the Chime SDK messaging API (restJson1): the name goes in `x-amzn-errortype`,
 * the status is the one the service model declares, so the AWS SDK v3 raises the same typed
 * exception (`BadRequestException`, `ForbiddenException`, ...) it raises against AWS.
 */
export type MessagingExceptionName =
  | 'BadRequestException'
  | 'ConflictException'
  | 'ForbiddenException'
  | 'NotFoundException'
  | 'ResourceLimitExceededException'
  | 'ServiceFailureException'
  | 'ServiceUnavailableException'
  | 'ThrottledClientException'
  | 'UnauthorizedClientException';

/** HTTP status of each exception, from the service model (`@httpError`). */
export const EXCEPTION_STATUS: Record<MessagingExceptionName, number> = {
  BadRequestException: 400,
  ConflictException: 409,
  ForbiddenException: 403,
  NotFoundException: 404,
  ResourceLimitExceededException: 400,
  ServiceFailureException: 500,
  ServiceUnavailableException: 503,
  ThrottledClientException: 429,
  UnauthorizedClientException: 401,
};

/** The `Code` member of the error body (the API's `ErrorCode` enum). */
const ERROR_CODE: Record<MessagingExceptionName, string> = {
  BadRequestException: 'BadRequest',
  ConflictException: 'Conflict',
  ForbiddenException: 'Forbidden',
  NotFoundException: 'NotFound',
  ResourceLimitExceededException: 'ResourceLimitExceeded',
  ServiceFailureException: 'ServiceFailure',
  ServiceUnavailableException: 'ServiceUnavailable',
  ThrottledClientException: 'Throttled',
  UnauthorizedClientException: 'Unauthorized',
};

/** An `AwsError` (rendered by the sandbox server) with the messaging API's status codes. */
export class MessagingError extends AwsError {
  /** The `Code` member of the error body. */
  readonly errorCode: string;

  constructor(
    /** Exception name as the SDK sees it. */
    override readonly code: MessagingExceptionName,
    message: string,
  ) {
    super(code, message, EXCEPTION_STATUS[code]);
    this.name = 'MessagingError';
    this.errorCode = ERROR_CODE[code];
  }
}

export const badRequest = (message: string) => new MessagingError('BadRequestException', message);
export const forbidden = (message: string) => new MessagingError('ForbiddenException', message);
export const notFound = (message: string) => new MessagingError('NotFoundException', message);
export const conflict = (message: string) => new MessagingError('ConflictException', message);
export const unauthorized = (message: string) =>
  new MessagingError('UnauthorizedClientException', message);
