/**
 * The browser-test support's own checks. `accessibilityViolations` (axe-core in legacy mode,
 * without the blank page per call) finds what axe's default mode finds, in the page and in a
 * same-origin frame; checks a document again without evaluating axe-core's source again, yet sees
 * what changed; and refuses a page with a cross-origin frame, which legacy mode would leave
 * untested. `settled` leaves a page as it looks once the transitions of a colour-scheme switch end.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { accessibilityViolations, launchChromium, settled } from '../../testing/browser/support';

let browser: Browser;
const servers: Server[] = [];

/** Serves `pages` (path to HTML) on 127.0.0.1:<free port>, its own origin. */
async function site(pages: Record<string, string>): Promise<string> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    const path = req.url ?? '';
    res.end(
      `<!doctype html><html lang="en"><title>${path}</title>` +
        `<main aria-label="${path}"><h1>${path}</h1>${pages[path] ?? ''}</main>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function open(url: string): Promise<Page> {
  // A context of its own: axe's default mode opens a page in it.
  const page = await (await browser.newContext()).newPage();
  await page.goto(url);
  await page.frameLocator('iframe').locator('main').waitFor({ state: 'attached' });
  return page;
}

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  for (const server of servers) server.close();
});

test('finds what the default mode finds, in the page and in a same-origin frame', async () => {
  const origin = await site({
    '/': '<img src="/x.png"><iframe src="/frame" title="frame"></iframe>',
    '/frame': '<input type="text">',
  });
  const page = await open(`${origin}/`);
  const found = await accessibilityViolations(page);
  expect(found.map((v) => v.split(' ')[0]).sort()).toEqual(['image-alt', 'label']);
  const { violations } = await new AxeBuilder({ page }).analyze();
  const byDefault = violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')} - ${n.failureSummary ?? ''}`),
  );
  expect(found.sort()).toEqual(byDefault.sort());
  await page.context().close();
});

test('checks a document again without evaluating axe-core again, and still sees every change', async () => {
  const origin = await site({
    '/': '<iframe src="/frame" title="frame"></iframe>',
    '/frame': '<label>Name <input type="text"></label>',
    '/added': '<input type="text">',
    '/next': '<img src="/x.png">',
  });
  const page = await open(`${origin}/`);
  expect(await accessibilityViolations(page)).toEqual([]);
  // A mark on the axe-core object the first check left: evaluating the source again replaces it.
  const window = 'globalThis.window';
  await page.evaluate(`${window}.axe.keptForTheNextCheck = true`);

  await page.evaluate(`document.querySelector('main').append(document.createElement('button'))`);
  expect((await accessibilityViolations(page)).map((v) => v.split(' ')[0])).toEqual([
    'button-name',
  ]);
  expect(await page.evaluate(`${window}.axe.keptForTheNextCheck`)).toBe(true);

  // A frame added since has no axe-core yet: it gets the source and is checked.
  await page.evaluate(`document.querySelector('main').insertAdjacentHTML('beforeend',
    '<iframe src="/added" title="added"></iframe>')`);
  await page.frameLocator('iframe[title="added"]').locator('main').waitFor({ state: 'attached' });
  expect((await accessibilityViolations(page)).map((v) => v.split(' ')[0]).sort()).toEqual([
    'button-name',
    'label',
  ]);

  // A navigation leaves a document without axe-core.
  await page.goto(`${origin}/next`);
  expect((await accessibilityViolations(page)).map((v) => v.split(' ')[0])).toEqual(['image-alt']);
  await page.context().close();
});

test('a frame slow to answer is still checked (axe skips a frame that misses its 500 ms ping)', async () => {
  // The frame answers its first message (axe's ping) 1.5 s late, as a busy machine may.
  const slowFirstMessage = `<script>addEventListener('message', (event) => {
    event.stopImmediatePropagation();
    const { data, origin, source } = event;
    setTimeout(() => dispatchEvent(new MessageEvent('message', { data, origin, source })), 1500);
  }, { capture: true, once: true });</script>`;
  const origin = await site({
    '/': '<iframe src="/frame" title="frame"></iframe>',
    '/frame': `${slowFirstMessage}<input type="text">`,
  });
  const page = await open(`${origin}/`);

  expect((await accessibilityViolations(page)).map((v) => v.split(' ')[0])).toEqual(['label']);
  await page.context().close();
});

test('refuses a page with a cross-origin frame', async () => {
  const other = await site({ '/frame': '<input type="text">' });
  const origin = await site({ '/': `<iframe src="${other}/frame" title="frame"></iframe>` });
  const page = await open(`${origin}/`);
  await expect(accessibilityViolations(page)).rejects.toThrow(
    `cross-origin frames, which legacy-mode axe does not test: ${other}/frame`,
  );
  await page.context().close();
});

test('settled: a colour-scheme switch shows its end colours, the infinite animation still runs', async () => {
  const origin = await site({
    '/': `<style>
      p { background-color: rgb(255, 255, 255); transition: background-color 60s; }
      @media (prefers-color-scheme: dark) { p { background-color: rgb(0, 0, 0); } }
      @keyframes spin { to { rotate: 1turn; } }
      b { display: inline-block; animation: spin 1s infinite; }
    </style><p>text</p><b>*</b>`,
  });
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${origin}/`);
  await page.emulateMedia({ colorScheme: 'dark' });
  await settled(page);
  const background = await page.locator('p').evaluate(
    (p: object) =>
      (
        globalThis as unknown as {
          getComputedStyle(el: object): { backgroundColor: string };
        }
      ).getComputedStyle(p).backgroundColor,
  );
  expect(background).toBe('rgb(0, 0, 0)');
  const running = await page.evaluate(() =>
    (
      globalThis as unknown as {
        document: { getAnimations(): { playState: string; constructor: { name: string } }[] };
      }
    ).document
      .getAnimations()
      .map((a) => `${a.constructor.name} ${a.playState}`),
  );
  expect(running).toEqual(['CSSAnimation running']);
  await page.context().close();
});
