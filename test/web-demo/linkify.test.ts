import fc from 'fast-check';
import { linkify } from '../../web-demo/src/linkify';

describe('linkify', () => {
  test('turns http(s) URLs into links and keeps the rest as text', () => {
    expect(linkify('See https://example.com/menu, then http://x.test/a?b=1.')).toEqual([
      { text: 'See ' },
      { text: 'https://example.com/menu', href: 'https://example.com/menu' },
      { text: ', then ' },
      { text: 'http://x.test/a?b=1', href: 'http://x.test/a?b=1' },
      { text: '.' },
    ]);
  });

  test('keeps balanced parentheses, drops a closing one that ends a sentence', () => {
    expect(linkify('(see https://en.wikipedia.org/wiki/A_(b))')).toEqual([
      { text: '(see ' },
      { text: 'https://en.wikipedia.org/wiki/A_(b)', href: 'https://en.wikipedia.org/wiki/A_(b)' },
      { text: ')' },
    ]);
  });

  test('never links another scheme', () => {
    for (const text of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'ftp://x.test/']) {
      expect(linkify(text)).toEqual([{ text }]);
    }
  });

  test('the segments always spell the original text, and every href is http(s)', () => {
    fc.assert(
      fc.property(fc.string(), fc.webUrl(), fc.string(), (a, url, b) => {
        const text = `${a} ${url} ${b}`;
        const segments = linkify(text);
        expect(segments.map((s) => s.text).join('')).toBe(text);
        for (const s of segments) if ('href' in s) expect(s.href).toMatch(/^https?:\/\//);
      }),
    );
  });
});
