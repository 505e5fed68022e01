/**
 * Web demo figures:
 * 1. The production build's JavaScript: what the first page load runs (entry + modulepreloads),
 *    and the signed-in chunk loaded after sign-in; raw and gzip. Target: initial <= 160 KB gzip.
 * 2. Network requests from clicking "Sign in" to "channels listed and WebSocket open", counted in
 *    Chromium against a local sandbox, each one named.
 */
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startTestSandbox, TEST_PASSWORD } from '../sandbox/testing';
import { buildWebDemo, launchChromium, serveWebDemo } from '../testing/browser/support';

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

function sizes(file: string): { raw: number; gzip: number } {
  const data = readFileSync(file);
  return { raw: data.length, gzip: gzipSync(data, { level: 9 }).length };
}

function bundleFigures(outDir: string): void {
  const html = readFileSync(join(outDir, 'index.html'), 'utf8');
  const initial = [
    ...html.matchAll(/<script type="module"[^>]*src="\/([^"]+)"/g),
    ...html.matchAll(/<link rel="modulepreload"[^>]*href="\/([^"]+)"/g),
  ].map((m) => m[1] as string);
  const allJs = readdirSync(join(outDir, 'assets'))
    .filter((f) => f.endsWith('.js'))
    .map((f) => `assets/${f}`);
  const sum = (files: string[]) =>
    files
      .map((f) => sizes(join(outDir, f)))
      .reduce((a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip }), { raw: 0, gzip: 0 });
  const first = sum(initial);
  const all = sum(allJs);
  console.log('| JavaScript | files | raw | gzip |');
  console.log('|---|---|---|---|');
  console.log(
    `| initial (first page load) | ${initial.length} | ${kb(first.raw)} | ${kb(first.gzip)} |`,
  );
  for (const file of allJs.filter((f) => !initial.includes(f))) {
    const s = sizes(join(outDir, file));
    console.log(
      `| lazy: ${file.replace(/-[\w-]{8}\.js$/, '.js')} | 1 | ${kb(s.raw)} | ${kb(s.gzip)} |`,
    );
  }
  console.log(`| all | ${allJs.length} | ${kb(all.raw)} | ${kb(all.gzip)} |`);
  console.log(`initial JS target <= 160 KB gzip: ${first.gzip <= 160 * 1024 ? 'met' : 'NOT met'}`);
}

async function requestFigures(outDir: string): Promise<void> {
  const sandbox = await startTestSandbox();
  const demo = await serveWebDemo(outDir, sandbox.configFile);
  // The demo runs on a free port: its origin may call the sandbox (CORS allows nothing else).
  sandbox.allowWebOrigins([demo.url]);
  const browser = await launchChromium();
  try {
    const user = await sandbox.signUpUser('bench@example.com');
    const page = await browser.newPage();
    await page.goto(demo.url);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(TEST_PASSWORD);

    const seen: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      const target = request.headers()['x-amz-target'];
      const isSandbox = url.origin === sandbox.url;
      const what = target
        ? target.split('.').pop()
        : isSandbox
          ? `${request.method()} ${decodeURIComponent(url.pathname).replace(/arn:aws:chime:[^/]+\/[^/]+\/user\/[\w-]+/g, '<user>')}`
          : `${request.method()} ${url.pathname} (static)`;
      if (request.method() !== 'OPTIONS') seen.push(what ?? '?');
    });
    page.on('websocket', (ws) => seen.push(`WebSocket ${new URL(ws.url()).pathname}`));
    const started = performance.now();
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByTestId('no-channels').or(page.getByTestId('channel-list')).waitFor();
    await page.getByRole('status', { name: 'Connection' }).filter({ hasText: 'Live' }).waitFor();
    const ms = performance.now() - started;
    const api = seen.filter((s) => !s.endsWith('(static)'));
    console.log(
      `\nSign in -> channels listed + WebSocket open: ${api.length} API requests (+ ${seen.length - api.length} static), ${ms.toFixed(0)} ms`,
    );
    for (const [i, what] of seen.entries()) console.log(`  ${i + 1}. ${what}`);
  } finally {
    await browser.close();
    await demo.stop();
    await sandbox.stop();
  }
}

export async function run(): Promise<void> {
  const outDir = await buildWebDemo();
  try {
    bundleFigures(outDir);
    await requestFigures(outDir);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
