import type { ChatMessage, Outgoing } from '../../web-demo/src/messages';
import {
  dayLabel,
  exactTime,
  initials,
  relativeTime,
  timeline,
  untilTime,
} from '../../web-demo/src/timeline';

const UTC = { locale: 'en-GB', timeZone: 'UTC' };
const NOW = Date.parse('2026-12-10T15:00:00Z');
const ME = 'arn:me';
const BOB = 'arn:bob';

function m(id: string, sender: string, at: string): ChatMessage {
  const t = Date.parse(at);
  return {
    id,
    channelArn: 'arn:c',
    content: id,
    senderArn: sender,
    createdAt: t,
    updatedAt: t,
    edited: false,
    redacted: false,
  };
}

describe('times in words', () => {
  test.each([
    ['2026-12-10T14:59:30Z', 'just now'],
    ['2026-12-10T14:55:00Z', '5 min ago'],
    ['2026-12-10T09:07:00Z', '9:07'],
    ['2026-12-09T22:15:00Z', 'Yesterday 22:15'],
    ['2026-12-07T08:00:00Z', 'Mon 8:00'],
    ['2025-03-03T08:00:00Z', '3 Mar 2025, 8:00'],
  ])('%s reads "%s"', (at, words) => {
    expect(relativeTime(Date.parse(at), NOW, UTC)).toBe(words);
  });

  test.each([
    ['2026-12-10T18:30:00Z', 'today 18:30'],
    ['2026-12-11T02:00:00Z', 'tomorrow 2:00'],
    ['2026-12-12T09:00:00Z', 'Sat 12 Dec, 9:00'],
  ])('an end at %s reads "until %s"', (at, words) => {
    expect(untilTime(Date.parse(at), NOW, UTC)).toBe(words);
  });

  test('day separators', () => {
    expect(dayLabel(Date.parse('2026-12-10T01:00:00Z'), NOW, UTC)).toBe('Today');
    expect(dayLabel(Date.parse('2026-12-09T23:00:00Z'), NOW, UTC)).toBe('Yesterday');
    expect(dayLabel(Date.parse('2026-12-07T23:00:00Z'), NOW, UTC)).toBe('Monday 7 December');
    expect(dayLabel(Date.parse('2025-03-03T08:00:00Z'), NOW, UTC)).toBe('3 March 2025');
  });

  test('the exact time, for hovering', () => {
    expect(exactTime(Date.parse('2026-12-10T09:07:05Z'), UTC)).toBe(
      'Thursday, 10 December 2026 at 09:07:05',
    );
  });

  test('calendar days follow the time zone', () => {
    const lateEvening = Date.parse('2026-12-09T23:30:00Z');
    expect(dayLabel(lateEvening, NOW, { ...UTC, timeZone: 'Europe/Berlin' })).toBe('Today');
    expect(dayLabel(lateEvening, NOW, UTC)).toBe('Yesterday');
  });

  test('each locale, time zone and format is built once, however many times it is used', () => {
    const built = jest.spyOn(Intl, 'DateTimeFormat');
    try {
      const zone = { locale: 'en-GB', timeZone: 'Asia/Kathmandu' };
      const other = { locale: 'de-DE', timeZone: 'Asia/Kathmandu' };
      const at = Date.parse('2026-12-10T09:07:00Z');
      const first = [
        relativeTime(at, NOW, zone),
        exactTime(at, zone),
        relativeTime(at, NOW, other),
      ];
      const afterFirst = built.mock.calls.length;
      for (let i = 0; i < 50; i++) {
        expect([
          relativeTime(at, NOW, zone),
          exactTime(at, zone),
          relativeTime(at, NOW, other),
        ]).toEqual(first);
      }

      // Clock time and calendar day for each locale, calendar day shared, and the exact time.
      expect(afterFirst).toBe(4);
      expect(built.mock.calls.length).toBe(afterFirst);
      // The locale and the zone still decide: a formatter of one is not used for the other.
      expect(first).toEqual(['14:52', 'Thursday, 10 December 2026 at 14:52:00', '14:52']);
      expect(exactTime(at, other)).toBe('Donnerstag, 10. Dezember 2026 um 14:52:00');
    } finally {
      built.mockRestore();
    }
  });
});

describe('timeline', () => {
  test('groups consecutive messages of one sender, splits on sender, gap and day', () => {
    const items = timeline(
      [
        m('a', BOB, '2026-12-09T10:00:00Z'),
        m('b', BOB, '2026-12-10T10:00:00Z'),
        m('c', BOB, '2026-12-10T10:03:00Z'),
        m('d', ME, '2026-12-10T10:04:00Z'),
        m('e', BOB, '2026-12-10T10:05:00Z'),
        m('f', BOB, '2026-12-10T10:20:00Z'),
      ],
      [],
      { me: ME, now: NOW, ...UTC },
    );
    expect(
      items.map((i) =>
        i.kind === 'message' ? `${i.key}${i.first ? '*' : ''}${i.mine ? ' mine' : ''}` : i.kind,
      ),
    ).toEqual(['day', 'a*', 'day', 'b*', 'c', 'd* mine', 'e*', 'f*']);
    expect(items[2]).toMatchObject({ kind: 'day', label: 'Today' });
  });

  test('the unread divider goes before the first message from someone else after the mark', () => {
    const items = timeline(
      [
        m('a', BOB, '2026-12-10T10:00:00Z'),
        m('b', ME, '2026-12-10T10:01:00Z'),
        m('c', BOB, '2026-12-10T10:02:00Z'),
        m('d', BOB, '2026-12-10T10:03:00Z'),
      ],
      [],
      { me: ME, now: NOW, unreadAfter: Date.parse('2026-12-10T10:00:30Z'), ...UTC },
    );
    expect(items.map((i) => (i.kind === 'message' ? i.key : i.kind))).toEqual([
      'day',
      'a',
      'b',
      'unread',
      'c',
      'd',
    ]);
    expect(items.find((i) => i.key === 'c')).toMatchObject({ first: true });
  });

  test('messages being sent come last, grouped with mine', () => {
    const outgoing: Outgoing = {
      token: 't',
      channelArn: 'arn:c',
      content: 'x',
      createdAt: Date.parse('2026-12-10T10:01:30Z'),
      status: 'sending',
    };
    const items = timeline([m('b', ME, '2026-12-10T10:01:00Z')], [outgoing], {
      me: ME,
      now: NOW,
      ...UTC,
    });
    expect(items.at(-1)).toMatchObject({ kind: 'outgoing', key: 'out-t', first: false });
  });
});

test('initials for avatars', () => {
  expect(initials('alice')).toBe('A');
  expect(initials('Ada Lovelace')).toBe('AL');
  expect(initials('bob.smith@example.com')).toBe('BS');
  expect(initials('  ')).toBe('?');
});
