/** The sandbox's codes page (GET /_sandbox/codes for a browser): escaped, newest first, locked down. */
import { codesPage } from '../../sandbox/services/user-pool/codes-page';

test('lists codes newest first and escapes what people typed', () => {
  const page = codesPage([
    { username: 'a', destination: 'old@example.com', code: '111111', at: 1000 },
    {
      username: 'b',
      destination: '<img src=x onerror=alert(1)>@example.com',
      code: '222222',
      at: 2000,
    },
  ]);
  expect(page.body.indexOf('222222')).toBeLessThan(page.body.indexOf('111111'));
  expect(page.body).not.toContain('<img');
  expect(page.body).toContain('&lt;img src=x onerror=alert(1)&gt;@example.com');
  expect(page.headers['content-security-policy']).toMatch(
    /^default-src 'none'; style-src 'sha256-/,
  );
  expect(page.headers['cache-control']).toBe('no-store');
});

test('says what to do when there is no code yet', () => {
  expect(codesPage([]).body).toContain('No codes yet');
});
