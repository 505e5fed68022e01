/**
 * Web demo figures:
 * 1. The production build's JavaScript: what the first page load runs (entry + modulepreloads)
 *    and the signed-in chunk loaded after sign-in; raw and gzip, against the budgets
 *    (initial <= 60 KB gzip, signed-in chunk <= 100 KB gzip).
 * 2. The walk from clicking "Sign in" to "channels listed and WebSocket open", in Chromium against
 *    a local sandbox: every request named, when it started and ended, which ran side by side, and
 *    how many round trips deep the critical path is. Then the same walk with 50 ms added to every
 *    answer of the sandbox (`latencyMs`), to show what a person far from AWS would feel.
 * 3. The times of a conversation (web-demo/src/timeline.ts): the words and the exact time of 1,000
 *    messages, as one render formats them, in Node's V8 and ICU (the browser's engines).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import type { Page, Request, WebSocket } from 'playwright-core';
import { startTestSandbox, TEST_PASSWORD } from '../sandbox/testing';
import { launchChromium, serveWebDemo } from '../testing/browser/support';
import { webDemoBuild } from '../testing/browser/web-demo-build';
import { exactTime, relativeTime } from '../web-demo/src/timeline';

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const INITIAL_BUDGET = 60 * 1024;
const SIGNED_IN_BUDGET = 100 * 1024;
const ADDED_LATENCY_MS = 50;

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
  const lazy = allJs.filter((f) => !initial.includes(f));
  for (const file of lazy) {
    const s = sizes(join(outDir, file));
    console.log(
      `| lazy: ${file.replace(/-[\w-]{8}\.js$/, '.js')} | 1 | ${kb(s.raw)} | ${kb(s.gzip)} |`,
    );
  }
  // The signed-in chunk is what loading the app costs after the first page: its entry and the
  // chunks it imports statically that the first load did not bring (Rollup moves code shared
  // with the guest view into a chunk of its own).
  const signedInFiles = staticImports(
    outDir,
    lazy.find((f) => /\/app-/.test(f)),
  ).filter((f) => !initial.includes(f));
  const signedInSize = sum(signedInFiles);
  const signedIn = signedInSize.gzip;
  console.log(
    `| signed-in chunk (${signedInFiles.map((f) => f.replace(/^assets\/|-[\w-]{8}\.js$/g, '')).join(' + ')}) | ` +
      `${signedInFiles.length} | ${kb(signedInSize.raw)} | ${kb(signedIn)} |`,
  );
  console.log(`| all | ${allJs.length} | ${kb(all.raw)} | ${kb(all.gzip)} |`);
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  console.log(
    `\nBudgets: initial JS <= 60 KB gzip: ${verdict(first.gzip <= INITIAL_BUDGET)} (${kb(first.gzip)}); ` +
      `signed-in chunk <= 100 KB gzip: ${verdict(signedIn > 0 && signedIn <= SIGNED_IN_BUDGET)} (${kb(signedIn)})`,
  );
}

/** `entry` and every chunk it imports statically, transitively (`from"./x.js"`, `import"./x.js"`). */
function staticImports(outDir: string, entry: string | undefined): string[] {
  const found: string[] = [];
  const visit = (file: string) => {
    if (found.includes(file)) return;
    found.push(file);
    const code = readFileSync(join(outDir, file), 'utf8');
    for (const m of code.matchAll(/(?:from|import)\s*"\.\/([\w.-]+\.js)"/g)) {
      visit(`assets/${m[1] as string}`);
    }
  };
  if (entry) visit(entry);
  return found;
}

interface Seen {
  what: string;
  start: number;
  end?: number;
  api: boolean;
}

/**
 * The round trips of the walk: requests started before any request of the current round had
 * answered ran side by side; one started after an answer waited for it (the next round).
 */
function roundTrips(requests: Seen[]): Seen[][] {
  const rounds: Seen[][] = [];
  let firstAnswer = -Infinity;
  for (const r of [...requests].sort((a, b) => a.start - b.start)) {
    const current = rounds.at(-1);
    if (current && r.start < firstAnswer) {
      current.push(r);
      firstAnswer = Math.min(firstAnswer, r.end ?? Infinity);
    } else {
      rounds.push([r]);
      firstAnswer = r.end ?? Infinity;
    }
  }
  return rounds;
}

async function signInWalk(outDir: string, latencyMs: number): Promise<void> {
  const sandbox = await startTestSandbox({ latencyMs });
  const demo = await serveWebDemo(outDir, sandbox.configFile);
  // The demo runs on a free port: its origin may call the sandbox (CORS allows nothing else).
  sandbox.allowWebOrigins([demo.url]);
  const browser = await launchChromium();
  try {
    const user = await sandbox.signUpUser('bench@example.com');
    const page = await browser.newPage();
    await page.goto(demo.url);
    const suffix = latencyMs ? `, +${latencyMs} ms per sandbox answer` : '';
    // The config carries the messaging session endpoint (the stack asks at deploy time): no
    // sign-in asks for it, a browser's first included. Without it, the first asks and remembers.
    const endpointSource = sandbox.config.messagingSessionEndpoint
      ? 'from the config'
      : 'remembered';
    const measure = (label: string) =>
      measureSignIn(page, sandbox.url, user.email, label, endpointSource);
    await measure(`first sign-in in this browser${suffix}`);
    // Amplify's sign-out revokes the refresh token: let it finish before the next walk counts.
    const revoked = page
      .waitForRequest((r) => r.headers()['x-amz-target']?.endsWith('.RevokeToken') ?? false)
      .then((request) => request.response());
    await page.getByRole('button', { name: 'Sign out' }).click();
    await revoked;
    await measure(`a later sign-in${suffix}`);
  } finally {
    await browser.close();
    await demo.stop();
    await sandbox.stop();
  }
}

async function measureSignIn(
  page: Page,
  sandboxUrl: string,
  email: string,
  label: string,
  endpointSource: string,
): Promise<void> {
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(TEST_PASSWORD);

  const seen = new Map<unknown, Seen>();
  let t0 = 0;
  const at = () => performance.now() - t0;
  const onRequest = (request: Request) => {
    const url = new URL(request.url());
    const target = request.headers()['x-amz-target'];
    const api = url.origin === sandboxUrl;
    const path = decodeURIComponent(url.pathname).replace(
      /arn:aws:chime:[^/]+\/[^/]+\/(user|channel)\/[\w-]+/g,
      '<$1>',
    );
    const what = target
      ? (target.split('.').pop() ?? target)
      : `${request.method()} ${api ? path : `${url.pathname} (static)`}`;
    // Chromium runs CORS preflights itself: Playwright never reports them.
    seen.set(request, { what, start: at(), api });
  };
  const ended = (request: Request) => {
    const entry = seen.get(request);
    if (entry) entry.end = at();
  };
  let socketOpen = 0;
  const onSocket = (ws: WebSocket) => {
    const entry: Seen = { what: 'WebSocket /connect', start: at(), api: true };
    seen.set(ws, entry);
    // The first frame is SESSION_ESTABLISHED: the session is open.
    ws.once('framereceived', () => {
      entry.end = at();
      socketOpen = entry.end;
    });
  };
  page.on('request', onRequest);
  page.on('requestfinished', ended);
  page.on('requestfailed', ended);
  page.on('websocket', onSocket);
  try {
    t0 = performance.now();
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByTestId('no-channels').or(page.getByTestId('channel-list')).waitFor();
    await page.getByRole('status', { name: 'Connection' }).filter({ hasText: 'Live' }).waitFor();
  } finally {
    page.off('request', onRequest);
    page.off('requestfinished', ended);
    page.off('requestfailed', ended);
    page.off('websocket', onSocket);
  }
  const total = at();
  const all = [...seen.values()].sort((a, b) => a.start - b.start);
  const api = all.filter((s) => s.api);
  const statics = all.filter((s) => !s.api).length;
  console.log(
    `\nSign in -> channels listed + WebSocket open, ${label}: ` +
      `${api.length} API requests (+ ${statics} static, fetched meanwhile), ${total.toFixed(0)} ms`,
  );
  for (const [i, r] of api.entries()) {
    console.log(
      `  ${i + 1}. ${r.what.padEnd(48)} ${r.start.toFixed(0).padStart(5)} -> ${(r.end ?? NaN).toFixed(0).padStart(5)} ms`,
    );
  }
  const endpoint = api.find((r) => r.what.includes('endpoints/messaging-session'));
  const channels = api.find((r) => r.what.includes('channels'));
  const parallel =
    endpoint &&
    channels &&
    endpoint.start < (channels.end ?? 0) &&
    channels.start < (endpoint.end ?? 0);
  console.log(
    `  endpoint and channel list fetched in parallel: ${endpoint ? (parallel ? 'yes' : 'NO') : `endpoint ${endpointSource}, not fetched`}`,
  );
  const rounds = roundTrips(api);
  console.log(
    `  critical path: ${rounds.length} round trips: ` +
      rounds.map((round) => round.map((r) => r.what.split(' ').pop()).join(' + ')).join(' -> '),
  );
  if (socketOpen) console.log(`  session established at ${socketOpen.toFixed(0)} ms`);
  console.log(`  budget (at most 6 requests): ${api.length <= 6 ? 'met' : 'NOT met'}`);
}

function timeFigures(): void {
  const now = Date.now();
  // A week of messages, newest last: every kind of wording ("just now" to weekday and date).
  const times = Array.from({ length: 1_000 }, (_, i) => now - (1_000 - i) * 10 * 60_000);
  const render = () => {
    for (const ts of times) {
      relativeTime(ts, now);
      exactTime(ts);
    }
  };
  render(); // the first render builds the formatters
  const renders = 20;
  const started = performance.now();
  for (let i = 0; i < renders; i++) render();
  const perRender = (performance.now() - started) / renders;
  console.log(
    `\nTimes of 1,000 messages (words and exact time): ${perRender.toFixed(1)} ms per render`,
  );
}

export async function run(): Promise<void> {
  timeFigures();
  // The shared build the browser tests serve: rebuilt when the demo's sources changed.
  const outDir = await webDemoBuild();
  bundleFigures(outDir);
  await signInWalk(outDir, 0);
  await signInWalk(outDir, ADDED_LATENCY_MS);
}
