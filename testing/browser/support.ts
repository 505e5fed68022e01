/**
 * Browser-test support: serves the web demo's shared production build (web-demo-build.ts) with
 * `vite preview` (child process, port chosen by the OS) with `/config.json` from a sandbox, and
 * launches Debian's Chromium through playwright-core. Never downloads a browser.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import AxeBuilder from '@axe-core/playwright';
import axe from 'axe-core';
import { type Browser, type BrowserContextOptions, chromium, type Page } from 'playwright-core';
import type { ClientConfig } from '../../contracts/client-config';
import { contentSecurityPolicy } from '../../infra/constructs/web-hosting';
import {
  type StartTestSandboxOptions,
  startTestSandbox,
  type TestSandbox,
} from '../../sandbox/testing';
import { PROJECT_ROOT } from '../../sandbox/synth';
import { VITE_BIN, VITE_CONFIG, webDemoBuild } from './web-demo-build';

export { PROJECT_ROOT };

/**
 * Debian's Chromium headless shell (`apt-get install chromium-headless-shell`), the same Blink
 * without the browser's user interface: what Playwright itself runs headless tests in, and about a
 * third less CPU here than the full browser's headless mode. The full browser
 * (`apt-get install chromium`) when the shell is not installed; CHROMIUM_PATH overrides both.
 */
export const CHROMIUM_PATH =
  process.env.CHROMIUM_PATH ??
  ['/usr/bin/chromium-headless-shell', '/usr/bin/chromium'].find((path) => existsSync(path)) ??
  '/usr/bin/chromium-headless-shell';

/** Where screenshots go: git-ignored, kept as CI artifacts. */
export const ARTIFACTS_DIR = join(PROJECT_ROOT, 'test-results', 'browser');

export interface DemoServer {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * The Content-Security-Policy the hosting construct sends on AWS, with the sandbox as the only
 * other origin: served with the build, a violation (inline code, another endpoint) is a console
 * error the tests catch.
 */
export function sandboxCsp(sandbox: {
  url: string;
  config: { region: string; hostedUi?: { domain: string }; apiUrl?: string };
}): string {
  const hostedUi = sandbox.config.hostedUi?.domain;
  return contentSecurityPolicy(sandbox.config.region, [
    sandbox.url,
    sandbox.url.replace(/^http:/, 'ws:'),
    // The sandbox's HTTP API (on AWS the hosted demo reaches it same-origin, under 'self').
    ...(sandbox.config.apiUrl ? [new URL(sandbox.config.apiUrl).origin] : []),
    // The sandbox's hosted UI (token endpoint) on loopback HTTPS.
    ...(hostedUi?.startsWith('127.0.0.1:') ? [`https://${hostedUi}`] : []),
  ]);
}

export interface ServeOptions {
  /** Sent as the Content-Security-Policy header of every response. @default - none */
  readonly contentSecurityPolicy?: string;
  /** Port on 127.0.0.1. @default - a free one */
  readonly port?: number;
}

/** `vite preview` of `outDir` on 127.0.0.1 (free port), serving `configFile` as /config.json. */
export async function serveWebDemo(
  outDir: string,
  configFile: string,
  options: ServeOptions = {},
): Promise<DemoServer> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      VITE_BIN,
      'preview',
      '--config',
      VITE_CONFIG,
      '--outDir',
      outDir,
      '--port',
      String(options.port ?? 0),
      '--strictPort',
    ],
    {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        WEB_DEMO_CONFIG: configFile,
        ...(options.contentSecurityPolicy && { WEB_DEMO_CSP: options.contentSecurityPolicy }),
        NO_COLOR: '1',
        FORCE_COLOR: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const url = await new Promise<string>((ok, fail) => {
    let output = '';
    const timer = setTimeout(
      () => fail(new Error(`vite preview did not start:\n${output}`)),
      20_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Local:\s+(http:\/\/127\.0\.0\.1:\d+\/)/.exec(stripVTControlCharacters(output));
      if (match?.[1]) {
        clearTimeout(timer);
        ok(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`vite preview exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `no Chromium at ${CHROMIUM_PATH}: install it with 'apt-get install -y chromium-headless-shell' (never download a browser), or set CHROMIUM_PATH`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Collects console errors and uncaught exceptions of a page (the demo must have none). */
export function watchErrors(page: Page, into: string[]): void {
  page.on('console', (message) => {
    if (message.type() === 'error') into.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => into.push(`pageerror: ${error.message}`));
}

/** Saves a numbered full-page screenshot under test-results/browser/<suite>/. */
export function screenshotter(suite: string): (page: Page, step: string) => Promise<void> {
  const dir = join(ARTIFACTS_DIR, suite);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let n = 0;
  return async (page, step) => {
    n += 1;
    const name = `${String(n).padStart(2, '0')}-${step.replace(/[^a-z0-9]+/gi, '-')}.png`;
    await page.screenshot({ path: join(dir, name), fullPage: true });
  };
}

/** Desktop and phone (iPhone 12-15 size) viewports of the screenshots and accessibility checks. */
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export interface ScreenVariant {
  readonly name: 'light' | 'dark' | 'phone' | 'phone-dark';
  readonly viewport: { width: number; height: number };
  readonly colorScheme: 'light' | 'dark';
}

export const SCREEN_VARIANTS: readonly ScreenVariant[] = [
  { name: 'light', viewport: DESKTOP, colorScheme: 'light' },
  { name: 'dark', viewport: DESKTOP, colorScheme: 'dark' },
  { name: 'phone', viewport: PHONE, colorScheme: 'light' },
  { name: 'phone-dark', viewport: PHONE, colorScheme: 'dark' },
];

/** The axe-core reporter accessibilityViolations() reads: axe's default (v1), violations only. */
const VIOLATIONS_REPORTER = 'violations-v1';
/**
 * axe-core's source, then VIOLATIONS_REPORTER registered with axe's documented `addReporter`. The
 * default reporter also returns every passing and inapplicable rule (47 kB on the demo), which
 * Playwright serialized and validated on both sides of its protocol: 4.5 of the screens test's
 * 11 CPU-s. (Its `no-passes` reporter drops them, but also each violation's failure summary.)
 */
const AXE_SOURCE = `${axe.source};
window.axe.addReporter(${JSON.stringify(VIOLATIONS_REPORTER)}, function (results, options, done) {
  var violationsOnly = Object.assign({}, options, { resultTypes: ['violations'] });
  window.axe.getReporter('v1')(results, violationsOnly, function (out) {
    done({ violations: out.violations });
  });
});`;
/** True in a frame where AXE_SOURCE has already been evaluated (and not navigated away from). */
const AXE_PRESENT = `typeof window.axe?.run === "function" && window.axe.hasReporter(${JSON.stringify(VIOLATIONS_REPORTER)})`;
/** The source given to AxeBuilder for a page whose frames all have AXE_SOURCE already. */
const AXE_KEPT = ';';

/**
 * axe-core's findings on the page as it is: rule id, impact and the elements, one line each.
 *
 * Legacy mode runs `axe.run` in the page itself; the default opens a blank page on every call to
 * merge the results of cross-origin frames, which took about half of each call's time. The two give
 * the same findings on a page without cross-origin frames, so such a frame is refused here rather
 * than left untested.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  const origin = new URL(page.url()).origin;
  const foreign = page
    .frames()
    .map((frame) => frame.url())
    .filter((url) => !url.startsWith('about:') && new URL(url).origin !== origin);
  if (foreign.length > 0) {
    throw new Error(
      `cross-origin frames, which legacy-mode axe does not test: ${foreign.join(', ')}`,
    );
  }
  // AxeBuilder evaluates axe-core's whole source (about 600 kB) twice in every frame on each call,
  // more than half of the call's time. A document keeps axe once it has run there, so a frame
  // that has it gets a no-op source (AxeBuilder's documented `axeSource` option) until the next
  // navigation; any frame without it gets the real source.
  const everyFrameHasAxe = (
    await Promise.all(page.frames().map((frame) => frame.evaluate(AXE_PRESENT)))
  ).every(Boolean);
  // Only violations are read and returned (no selectors are built for passing nodes either).
  const results = await new AxeBuilder({
    page,
    axeSource: everyFrameHasAxe ? AXE_KEPT : AXE_SOURCE,
  })
    .setLegacyMode()
    // axe pings each frame first and silently leaves out one that has not answered within 500 ms
    // (`pingWaitTime`): on a loaded machine, a frame's violations went missing. Every frame here
    // has axe-core, so there is no ping: a frame that never answers fails the check after
    // `frameWaitTime` (60 s) with "Axe in frame timed out", instead of passing it.
    .options({ reporter: VIOLATIONS_REPORTER, pingWaitTime: 0 })
    .analyze();
  return results.violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')} - ${n.failureSummary ?? ''}`),
  );
}

/**
 * Settles the page after a viewport or colour-scheme switch: two frames drawn (the new styles
 * applied), then the CSS transitions they started (the buttons' colours, 0.12 s) jumped to their
 * end, the state a person sees a moment later. Infinite animations (the loading skeleton's shimmer)
 * are left running.
 */
export function settled(page: Page): Promise<void> {
  return page.evaluate(async () => {
    // The DOM as this page function uses it (the tests' tsconfig has no DOM library).
    const window = globalThis as unknown as {
      requestAnimationFrame(callback: () => void): void;
      document: {
        getAnimations(): {
          finish(): void;
          finished: Promise<unknown>;
          constructor: { name: string };
        }[];
      };
    };
    // Inline callbacks only: a named function here would be wrapped by tsx's keepNames in a
    // helper the page does not have.
    await new Promise<void>((done) =>
      window.requestAnimationFrame(() => window.requestAnimationFrame(() => done())),
    );
    const transitions = window.document
      .getAnimations()
      .filter((animation) => animation.constructor.name === 'CSSTransition');
    for (const transition of transitions) transition.finish();
    await Promise.all(transitions.map((t) => t.finished.catch(() => undefined)));
  });
}

/** The id of the focused element ('' for none, 'BODY' when focus fell to the page). */
export function focusedId(page: Page): Promise<string> {
  return page.evaluate(() => {
    const active = (
      globalThis as unknown as {
        document: { activeElement: { id: string; tagName: string } | null };
      }
    ).document.activeElement;
    return active?.id || active?.tagName || '';
  });
}

/** How far the page scrolls sideways (0: it fits the viewport). Runs in the page. */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    const root = (
      globalThis as unknown as {
        document: { documentElement: { scrollWidth: number; clientWidth: number } };
      }
    ).document.documentElement;
    return root.scrollWidth - root.clientWidth;
  });
}

/**
 * Screenshots a screen as it is in light, dark and on a phone (light and dark), runs axe-core on
 * each, and puts the page back as it was (desktop, light). Returns axe's findings, prefixed with
 * the screen and variant.
 */
export async function captureScreen(page: Page, dir: string, screen: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const before = page.viewportSize() ?? DESKTOP;
  const found: string[] = [];
  for (const variant of SCREEN_VARIANTS) {
    await page.setViewportSize(variant.viewport);
    await page.emulateMedia({ colorScheme: variant.colorScheme });
    await settled(page);
    await page.screenshot({ path: join(dir, `${screen}-${variant.name}.png`) });
    for (const v of await accessibilityViolations(page))
      found.push(`${screen} [${variant.name}] ${v}`);
  }
  await page.setViewportSize(before);
  await page.emulateMedia({ colorScheme: 'light' });
  return found;
}

export interface DemoStackOptions {
  /** Options of the sandbox the demo talks to. @default - a fresh test sandbox */
  readonly sandbox?: StartTestSandboxOptions;
  /**
   * The `/config.json` to serve, given the demo's URL (e.g. to register it as a hosted UI
   * callback). @default - the sandbox's own config.json
   */
  readonly clientConfig?: (sandbox: TestSandbox, demoUrl: string) => ClientConfig;
}

/**
 * A `clientConfig` for demos that sign in through the sandbox hosted UI: the demo's URL becomes
 * a callback and sign-out URL, as `npm start`'s is.
 */
export function hostedUiAtDemo(sandbox: TestSandbox, demoUrl: string): ClientConfig {
  const hostedUi = sandbox.hostedUi!;
  hostedUi.addAppUrls([demoUrl]);
  return {
    ...sandbox.config,
    hostedUi: { ...hostedUi.config(), redirectSignIn: [demoUrl], redirectSignOut: [demoUrl] },
  };
}

/** The system under a browser test: a sandbox, the built demo served under the site CSP, Chromium. */
export interface DemoStack {
  readonly sandbox: TestSandbox;
  readonly demo: DemoServer;
  readonly browser: Browser;
  /**
   * A page in a new browser context (its own cookies and storage), with a 10 s default timeout and
   * its console errors collected into `errors`.
   */
  newPage(errors: string[], options?: BrowserContextOptions): Promise<Page>;
  /** Closes every context, the browser, the demo server and the sandbox; removes the config dir. */
  stop(): Promise<void>;
}

export async function startDemoStack(options: DemoStackOptions = {}): Promise<DemoStack> {
  const [sandbox, buildDir, browser] = await Promise.all([
    startTestSandbox(options.sandbox),
    webDemoBuild(),
    launchChromium(),
  ]);
  const configDir = options.clientConfig ? mkdtempSync(join(tmpdir(), 'demo-config-')) : undefined;
  const configFile = configDir ? join(configDir, 'config.json') : sandbox.configFile;
  const demo = await serveWebDemo(buildDir, configFile, {
    contentSecurityPolicy: sandboxCsp(sandbox),
  });
  // The demo runs on a free port: its origin may call the sandbox (CORS allows nothing else;
  // the HTTP API consults the same list).
  sandbox.allowWebOrigins([demo.url]);
  // vite preview reads /config.json on every request: writing it after start is in time.
  if (options.clientConfig) {
    writeFileSync(configFile, JSON.stringify(options.clientConfig(sandbox, demo.url)));
  }
  const contexts: Awaited<ReturnType<Browser['newContext']>>[] = [];
  return {
    sandbox,
    demo,
    browser,
    async newPage(errors, contextOptions = {}) {
      const context = await browser.newContext({
        viewport: { width: 1200, height: 900 },
        ...contextOptions,
      });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      watchErrors(page, errors);
      return page;
    },
    async stop() {
      for (const context of contexts) await context.close().catch(() => {});
      await browser.close();
      await demo.stop();
      await sandbox.stop();
      if (configDir) rmSync(configDir, { recursive: true, force: true });
    },
  };
}
