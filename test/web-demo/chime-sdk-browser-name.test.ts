import BrowserNameBehavior, { browserName } from '../../web-demo/src/chime-sdk-browser-name';

// Real user agents; the names are detect-browser's (what amazon-chime-sdk-js reported before).
const AGENTS: [string, string, number][] = [
  [
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.109 Safari/537.36',
    'chrome',
    120,
  ],
  [
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36',
    'chrome',
    131,
  ],
  [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91',
    'edge-chromium',
    120,
  ],
  [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36 OPR/105.0.0.0',
    'opera',
    105,
  ],
  ['Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0', 'firefox', 121],
  [
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15',
    'safari',
    17,
  ],
  [
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1',
    'crios',
    120,
  ],
  [
    'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36',
    'samsung',
    23,
  ],
];

test.each(AGENTS)('%s is %s %d', (agent, name, majorVersion) => {
  expect(browserName(agent)).toEqual({ name, majorVersion });
});

test('an agent it cannot tell is unknown-0, never a throw', () => {
  expect(browserName('')).toEqual({ name: 'unknown', majorVersion: 0 });
  expect(browserName('curl/8.5.0')).toEqual({ name: 'unknown', majorVersion: 0 });
});

test('the stand-in answers what Versioning asks of DefaultBrowserBehavior', () => {
  // jest runs in Node: navigator.userAgent is "Node.js/<n>", which no browser pattern matches.
  const behavior = new BrowserNameBehavior();
  expect(`${behavior.name()}-${behavior.majorVersion()}`).toBe('unknown-0');
});
