/**
 * The Chime identity API's input checks (inputs are untrusted JSON), with its error:
 * `BadRequestException` and a message naming the member.
 */
import { AwsError } from '../../core/errors';
import type { ExpirationSettings } from './users';

const NAME = /^.*\S.*$/s;
const MAX_EXPIRATION_DAYS = 5475;

/** The API's validation error, in the shape the shared validators throw (contracts/assert.ts). */
export class BadRequestException extends AwsError {
  constructor(message: string) {
    super('BadRequestException', message, 400);
  }
}

export function badRequest(message: string): AwsError {
  return new BadRequestException(message);
}

export function validateName(value: unknown, field = 'Name'): string {
  if (typeof value !== 'string' || value.length < 1 || value.length > 100 || !NAME.test(value)) {
    throw badRequest(`${field} must be 1-100 characters and not blank.`);
  }
  return value;
}

export function validateMetadata(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > 1024) {
    throw badRequest('Metadata must be a string of at most 1024 characters.');
  }
  return value;
}

export function validateExpiration(value: unknown): ExpirationSettings | undefined {
  if (value === undefined || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const days = v.ExpirationDays;
  if (
    typeof days !== 'number' ||
    !Number.isInteger(days) ||
    days < 1 ||
    days > MAX_EXPIRATION_DAYS
  ) {
    throw badRequest(
      `ExpirationSettings.ExpirationDays must be a whole number from 1 to ${MAX_EXPIRATION_DAYS}.`,
    );
  }
  if (v.ExpirationCriterion !== 'CREATED_TIMESTAMP') {
    throw badRequest('ExpirationSettings.ExpirationCriterion must be CREATED_TIMESTAMP.');
  }
  return { ExpirationDays: days, ExpirationCriterion: 'CREATED_TIMESTAMP' };
}
