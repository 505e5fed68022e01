/**
 * The invite link: the token rides in the fragment, and only a whole JWT-shaped fragment makes a
 * page the guest view (anything else stays the sign-in app).
 */
import { inviteLink, inviteOfLocation } from '../../web-demo/src/guest-link';

const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJndWVzdC0xIn0.c2lnbmF0dXJlXy0';

test('a link round-trips its invite, in the fragment', () => {
  const link = inviteLink('https://chat.example.com', TOKEN);
  expect(link).toBe(`https://chat.example.com/#invite=${TOKEN}`);
  const url = new URL(link);
  expect(url.search).toBe('');
  expect(inviteOfLocation(url.hash)).toBe(TOKEN);
});

test('anything else is not an invite', () => {
  for (const hash of [
    '',
    '#',
    '#invite=',
    `#invite=${TOKEN}&x=1`,
    `#invite=${TOKEN}.extra`,
    '#invite=a.b',
    `#other=${TOKEN}`,
    `#invite=${TOKEN.replace('.', '%2E')}`,
    '#invite=<script>.a.b',
  ]) {
    expect(inviteOfLocation(hash)).toBeUndefined();
  }
});
