import { MAX_EMAIL_LENGTH } from '../../../contracts/http-api';

/** The `email` query parameter is missing, repeated or not an address (HTTP 400). */
export class InvalidEmailError extends Error {
  constructor(public readonly reason: string) {
    super(reason);
    this.name = 'InvalidEmailError';
  }
}

/** RFC 5321 limits a local part to 64 octets; Cognito's own limit is larger, ours is the RFC's. */
const MAX_LOCAL_PART_LENGTH = 64;
/** Control characters, whitespace and the Unicode line/paragraph separators. */
const INVISIBLE = /[\p{Cc}\p{Zs}\u2028\u2029\u200B-\u200F\uFEFF]/u;
/** One DNS label (letters of any script for internationalized domains, digits, inner hyphens). */
const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;

/**
 * The one `email` of a raw query string (`rawQueryString` of the payload 2.0 event: API Gateway
 * joins repeated parameters with commas in `queryStringParameters`, so only the raw string tells
 * `?email=a&email=b` from an address with a comma). Trimmed; otherwise exactly as sent.
 */
export function emailParameter(rawQueryString: string): string {
  const values = new URLSearchParams(rawQueryString).getAll('email');
  if (values.length === 0 || values[0]?.trim() === '') {
    throw new InvalidEmailError('the email query parameter is required: ?email=<address>');
  }
  if (values.length > 1) throw new InvalidEmailError('give the email query parameter once');
  return (values[0] ?? '').trim();
}

/**
 * Checks that `email` is one plausible address and returns it lower-cased, the form the lookup
 * searches for. Deliberately permissive about the local part (quotes and backslashes are legal
 * there and are escaped in the filter), strict about what cannot be an address: spaces, control
 * characters, a missing `@`, an empty part, lengths past the RFC limits, a domain that is not
 * dot-separated labels.
 */
export function normalizedEmail(email: string): string {
  if (email.length > MAX_EMAIL_LENGTH) {
    throw new InvalidEmailError(`email is longer than ${MAX_EMAIL_LENGTH} characters`);
  }
  if (INVISIBLE.test(email)) {
    throw new InvalidEmailError('email must not contain spaces or control characters');
  }
  const at = email.lastIndexOf('@');
  const local = email.slice(0, Math.max(0, at));
  const domain = email.slice(at + 1);
  if (at <= 0 || domain === '') {
    throw new InvalidEmailError('email must be one address like name@example.com');
  }
  if (local.length > MAX_LOCAL_PART_LENGTH) {
    throw new InvalidEmailError(
      `the part of email before @ is longer than ${MAX_LOCAL_PART_LENGTH} characters`,
    );
  }
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((label) => DOMAIN_LABEL.test(label))) {
    throw new InvalidEmailError(`the part of email after @ is not a domain name like example.com`);
  }
  return email.toLowerCase();
}

/**
 * The ListUsers `Filter` for an exact email match. Cognito's grammar is `email = "<value>"` with
 * quotation marks in the value escaped by a backslash; a backslash is escaped too, first, so a
 * value ending in `\` cannot escape the closing quote and nothing in the value can end the string
 * or add a clause.
 */
export function emailFilter(email: string): string {
  return `email = "${email.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
