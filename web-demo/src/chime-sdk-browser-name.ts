/**
 * What amazon-chime-sdk-js's `Versioning` takes from `DefaultBrowserBehavior`: `name()` and
 * `majorVersion()`, for the `X-Amzn-User-Agent` parameter of the signed WebSocket URL
 * (`chrome-120`). The real class brings ua-parser-js and detect-browser (about 9 KB gzip, a tenth
 * of the signed-in chunk) for meeting-device quirks the messaging session never asks about;
 * vite.config.ts points Versioning's require here. Hand-written because it is three regular
 * expressions over the user agent, with detect-browser's names for the browsers it tells apart.
 */

const BROWSERS: readonly (readonly [name: string, version: RegExp])[] = [
  ['edge', /\bEdge\/(\d+)/],
  ['edge-chromium', /\bEdg(?:A|iOS)?\/(\d+)/],
  ['opera', /\bOPR\/(\d+)/],
  ['samsung', /\bSamsungBrowser\/(\d+)/],
  ['crios', /\bCriOS\/(\d+)/],
  ['fxios', /\bFxiOS\/(\d+)/],
  ['firefox', /\bFirefox\/(\d+)/],
  ['chrome', /\b(?:Chrome|Chromium|HeadlessChrome)\/(\d+)/],
  ['safari', /\bVersion\/(\d+)[\d.]* (?:Mobile\/\S+ )?Safari\//],
];

/** The browser's name as detect-browser spells it, and its major version (`unknown`, 0). */
export function browserName(userAgent: string): { name: string; majorVersion: number } {
  for (const [name, version] of BROWSERS) {
    const match = version.exec(userAgent);
    if (match) return { name, majorVersion: Number(match[1]) };
  }
  return { name: 'unknown', majorVersion: 0 };
}

/** Stands in for DefaultBrowserBehavior where Versioning builds the low-resolution user agent. */
export default class BrowserNameBehavior {
  private readonly browser = browserName(globalThis.navigator?.userAgent ?? '');
  name(): string {
    return this.browser.name;
  }
  majorVersion(): number {
    return this.browser.majorVersion;
  }
}
