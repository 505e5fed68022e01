/**
 * Assert-style validators for every trust boundary (a fetched config, an HTTP body, a Lambda's
 * environment, an emulated API's input), in the spirit of aws-jwt-verify's `src/assert.ts`: each
 * narrows `value` with `asserts` and throws the caller's own error class, so every boundary keeps
 * its error type while the checks and their wording are written once.
 */

/** The error a boundary throws: any class constructed from a message alone. */
export type AssertionErrorClass = new (message: string) => Error;

/** How a rejected value is shown in a message: quoted, cut short, never a whole document. */
export function shown(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
  }
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

/** A plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function assertJsonObject(
  name: string,
  value: unknown,
  ErrorClass: AssertionErrorClass,
): asserts value is Record<string, unknown> {
  if (!isJsonObject(value)) throw new ErrorClass(`'${name}' must be an object`);
}

export function assertNonEmptyString(
  name: string,
  value: unknown,
  ErrorClass: AssertionErrorClass,
): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ErrorClass(`'${name}' must be a non-empty string`);
  }
}

export function assertNonEmptyStringArray(
  name: string,
  value: unknown,
  ErrorClass: AssertionErrorClass,
): asserts value is string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v.length > 0)) {
    throw new ErrorClass(`'${name}' must be an array of non-empty strings`);
  }
}

/**
 * A string matching `pattern` (anchor it: `^...$`). `description` completes "is not ...", e.g.
 * `'an AppInstance ARN'`.
 */
export function assertMatches(
  name: string,
  value: unknown,
  pattern: RegExp,
  description: string,
  ErrorClass: AssertionErrorClass,
): asserts value is string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new ErrorClass(`'${name}' is not ${description}: ${shown(value)}`);
  }
}
