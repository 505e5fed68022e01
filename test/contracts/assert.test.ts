import {
  assertJsonObject,
  assertMatches,
  assertNonEmptyString,
  assertNonEmptyStringArray,
  isJsonObject,
  shown,
} from '../../contracts/assert';

class BoundaryError extends Error {
  constructor(message: string) {
    super(`at the boundary: ${message}`);
    this.name = 'BoundaryError';
  }
}

describe('assert-style validators', () => {
  test.each([
    [() => assertJsonObject('body', [], BoundaryError), `'body' must be an object`],
    [() => assertJsonObject('body', null, BoundaryError), `'body' must be an object`],
    [() => assertNonEmptyString('name', '', BoundaryError), `'name' must be a non-empty string`],
    [() => assertNonEmptyString('name', 3, BoundaryError), `'name' must be a non-empty string`],
    [
      () => assertNonEmptyStringArray('scopes', ['a', ''], BoundaryError),
      `'scopes' must be an array of non-empty strings`,
    ],
    [
      () => assertNonEmptyStringArray('scopes', 'a', BoundaryError),
      `'scopes' must be an array of non-empty strings`,
    ],
    [
      () => assertMatches('port', '80a', /^\d+$/, 'a port number', BoundaryError),
      `'port' is not a port number: "80a"`,
    ],
  ])('throws the boundary error class with a message naming the value (%#)', (check, message) => {
    expect(check).toThrow(BoundaryError);
    expect(check).toThrow(`at the boundary: ${message}`);
  });

  test('pass valid values', () => {
    expect(() => assertJsonObject('body', {}, BoundaryError)).not.toThrow();
    expect(() => assertNonEmptyString('name', 'x', BoundaryError)).not.toThrow();
    expect(() => assertNonEmptyStringArray('scopes', [], BoundaryError)).not.toThrow();
    expect(() =>
      assertMatches('port', '80', /^\d+$/, 'a port number', BoundaryError),
    ).not.toThrow();
  });

  test('show a rejected value briefly, never a whole document', () => {
    expect(shown('x'.repeat(500))).toBe(JSON.stringify(`${'x'.repeat(80)}...`));
    expect(shown({ password: 'secret' })).toBe('an object');
    expect(shown(['secret'])).toBe('an array');
    expect(shown(undefined)).toBe('undefined');
    expect(isJsonObject([])).toBe(false);
  });
});
