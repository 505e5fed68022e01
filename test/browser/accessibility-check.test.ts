/**
 * The accessibility check every browser test uses (`accessibilityViolations`, axe-core in legacy
 * mode, without the blank page per call): it finds what axe's default mode finds, in the page and
 * in a same-origin frame, and refuses a page with a cross-origin frame, which legacy mode would
 * leave untested.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { accessibilityViolations, launchChromium } from '../../testing/browser/support';

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

test('refuses a page with a cross-origin frame', async () => {
  const other = await site({ '/frame': '<input type="text">' });
  const origin = await site({ '/': `<iframe src="${other}/frame" title="frame"></iframe>` });
  const page = await open(`${origin}/`);
  await expect(accessibilityViolations(page)).rejects.toThrow(
    `cross-origin frames, which legacy-mode axe does not test: ${other}/frame`,
  );
  await page.context().close();
});
