import {
  MESSAGE_LIMIT_BYTES,
  channelNameProblem,
  checkMessage,
  personProblem,
  userIdProblem,
  utf8Bytes,
} from '../../web-demo/src/limits';

describe('message limits', () => {
  test('counts UTF-8 bytes, as the service does', () => {
    expect(utf8Bytes('abc')).toBe(3);
    expect(utf8Bytes('é')).toBe(2);
    expect(utf8Bytes('👋')).toBe(4);
  });

  test('blank text is not a message; 4 KB is the limit; the counter shows near it', () => {
    expect(checkMessage('  \n\t ')).toMatchObject({ problem: 'empty' });
    expect(checkMessage('hi')).toEqual({ bytes: 2, nearLimit: false });
    expect(checkMessage('x'.repeat(MESSAGE_LIMIT_BYTES))).toEqual({
      bytes: 4096,
      nearLimit: true,
    });
    expect(checkMessage('x'.repeat(10_000))).toEqual({
      bytes: 10_000,
      nearLimit: true,
      problem: 'tooLong',
    });
  });
});

test('channel names: spaces alone are no name; at most 256 characters', () => {
  expect(channelNameProblem('   ')).toMatch(/Spaces alone/);
  expect(channelNameProblem(' lunch ')).toBeUndefined();
  expect(channelNameProblem('x'.repeat(256))).toBeUndefined();
  expect(channelNameProblem('x'.repeat(257))).toMatch(/256/);
});

test('user ids: the AppInstanceUserId pattern', () => {
  expect(userIdProblem('4c32114c-171b-4624-863d-1cbb58275770')).toBeUndefined();
  expect(userIdProblem('')).toMatch(/Enter/);
  for (const bad of ['has space', 'a/b', '-leading', 'x'.repeat(65), '../admin']) {
    expect(userIdProblem(bad)).toMatch(/not a user id/);
  }
});

test('"Add people": an email (anything with @) or a user id, checked before any lookup', () => {
  expect(personProblem('  ')).toBe('Enter their email or user id.');
  expect(personProblem(' Bob@Example.com ')).toBeUndefined();
  expect(personProblem('4c32114c-171b-4624-863d-1cbb58275770')).toBeUndefined();
  for (const bad of [
    'bob@',
    '@example.com',
    'bob@example',
    'bo b@example.com',
    `${'x'.repeat(250)}@a.io`,
  ]) {
    expect(personProblem(bad)).toMatch(/not an email address/);
  }
  expect(personProblem('a/b')).toMatch(/not a user id/);
});
