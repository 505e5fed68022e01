/**
 * The principal (session) tag that carries the signed-in person's AppInstanceUserId.
 *
 * One definition for every part of the project: the identity pool's tag mapping, the Chime role
 * policy (`${aws:PrincipalTag/<key>}`), the STS vending role, the sandbox and the web demo.
 */
export const DEFAULT_PRINCIPAL_TAG_KEY = 'chime_user_id';

/**
 * The ID-token claim the tag is mapped from. `sub` is immutable and unique per user pool, and it is
 * the AppInstanceUserId the post-confirmation trigger creates.
 */
export const PRINCIPAL_TAG_SOURCE_CLAIM = 'sub';

/** STS session-tag key rules (and IAM variable syntax, which `}` and `$` would break). */
const TAG_KEY_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;

/**
 * Throws a specific error when `key` cannot be used as a session tag key inside
 * `${aws:PrincipalTag/<key>}`.
 */
export function assertValidPrincipalTagKey(key: string): void {
  if (!TAG_KEY_PATTERN.test(key)) {
    throw new Error(
      `principal tag key must be 1-128 characters of letters, digits, spaces and _.:/=+-@, got '${key}'`,
    );
  }
  if (key.toLowerCase().startsWith('aws:')) {
    throw new Error(
      `principal tag key must not start with the reserved prefix 'aws:', got '${key}'`,
    );
  }
}

/** The IAM policy variable that resolves to the caller's tag value at request time. */
export function principalTagVariable(key: string): string {
  assertValidPrincipalTagKey(key);
  // Concatenated on purpose: a template literal would try to interpolate `${...}`.
  return '${aws:PrincipalTag/' + key + '}';
}
