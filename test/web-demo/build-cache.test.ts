/**
 * The shared web demo build of the browser tests (testing/browser/web-demo-build.ts): built once,
 * reused while its sources are unchanged, rebuilt when one is newer, one build at a time, and never
 * named before it is whole. A fixture tree and a stand-in builder replace `vite build`.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { webDemoBuild, webDemoBuildStaleReason } from '../../testing/browser/web-demo-build';

let root: string;
let cacheDir: string;
let builds: string[];

/** Writes index.html, as vite does last; counts the builds. */
async function build(outDir: string): Promise<void> {
  builds.push(outDir);
  await new Promise((resolve) => setImmediate(resolve));
  writeFileSync(join(outDir, 'index.html'), '<!doctype html>');
}

function write(path: string, text = 'x'): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

/** Sets a file's mtime `seconds` from now (a save, without waiting for the clock to move). */
function touch(path: string, seconds: number): void {
  const when = new Date(Date.now() + seconds * 1000);
  utimesSync(join(root, path), when, when);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'web-demo-build-test-'));
  cacheDir = join(root, 'node_modules', '.cache', 'web-demo');
  builds = [];
  write('web-demo/src/main.ts');
  write('web-demo/vite.config.ts');
  write('contracts/client-config.ts');
  write('package-lock.json', '{}');
  write('tsconfig.json', '{}');
  for (const path of [
    'web-demo/src/main.ts',
    'web-demo/vite.config.ts',
    'contracts/client-config.ts',
    'package-lock.json',
    'tsconfig.json',
  ])
    touch(path, -60);
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

test('the first call builds; an unchanged tree reuses that build', async () => {
  expect(webDemoBuildStaleReason(cacheDir, root)).toMatch(/^no web demo build in /);
  const first = await webDemoBuild({ cacheDir, root, build });
  expect(builds).toEqual([first]);
  expect(existsSync(join(first, 'index.html'))).toBe(true);
  expect(webDemoBuildStaleReason(cacheDir, root)).toBeUndefined();
  await expect(webDemoBuild({ cacheDir, root, build })).resolves.toBe(first);
  expect(builds).toHaveLength(1);
});

test.each([
  'web-demo/src/main.ts',
  'web-demo/vite.config.ts',
  'contracts/client-config.ts',
  'package-lock.json',
  'tsconfig.json',
])('%s newer than the build makes it stale, and the next call builds again', async (source) => {
  const first = await webDemoBuild({ cacheDir, root, build });
  touch(source, 5);
  expect(webDemoBuildStaleReason(cacheDir, root)).toBe(
    'web demo sources changed since the last build',
  );
  const second = await webDemoBuild({ cacheDir, root, build });
  expect(second).not.toBe(first);
  expect(builds).toEqual([first, second]);
  expect(webDemoBuildStaleReason(cacheDir, root)).toBeUndefined();
});

test('a new source file makes the build stale', async () => {
  await webDemoBuild({ cacheDir, root, build });
  write('web-demo/src/new-view.ts');
  touch('web-demo/src/new-view.ts', 5);
  expect(webDemoBuildStaleReason(cacheDir, root)).toBe(
    'web demo sources changed since the last build',
  );
});

test('a web-demo/dist left by `npm run build:web` is not a source', async () => {
  await webDemoBuild({ cacheDir, root, build });
  write('web-demo/dist/index.html');
  touch('web-demo/dist/index.html', 5);
  expect(webDemoBuildStaleReason(cacheDir, root)).toBeUndefined();
});

test('a source saved during the build leaves that build stale', async () => {
  await webDemoBuild({
    cacheDir,
    root,
    build: async (outDir) => {
      touch('web-demo/src/main.ts', 5);
      await build(outDir);
    },
  });
  expect(webDemoBuildStaleReason(cacheDir, root)).toBe(
    'web demo sources changed since the last build',
  );
});

test('parallel callers wait for one build and get it whole', async () => {
  let release = () => {};
  let started = () => {};
  const building = new Promise<void>((resolve) => (started = resolve));
  const slowBuild = async (outDir: string) => {
    started();
    await new Promise<void>((resolve) => (release = resolve));
    await build(outDir);
  };
  const first = webDemoBuild({ cacheDir, root, build: slowBuild });
  const second = webDemoBuild({ cacheDir, root, build: slowBuild });
  // While the build runs, it is not named: the cache still has no build.
  await building;
  expect(webDemoBuildStaleReason(cacheDir, root)).toMatch(/^no web demo build in /);
  release();
  const [a, b] = await Promise.all([first, second]);
  expect(a).toBe(b);
  expect(builds).toEqual([a]);
  expect(existsSync(join(a, 'index.html'))).toBe(true);
});

test('a rebuild keeps the build it replaces (a running test may serve it) and deletes the one before', async () => {
  const first = await webDemoBuild({ cacheDir, root, build });
  touch('contracts/client-config.ts', 5);
  const second = await webDemoBuild({ cacheDir, root, build });
  expect(existsSync(first)).toBe(true);
  touch('contracts/client-config.ts', 10);
  const third = await webDemoBuild({ cacheDir, root, build });
  expect(existsSync(first)).toBe(false);
  expect(existsSync(second)).toBe(true);
  expect(existsSync(third)).toBe(true);
});

test('a failed build names nothing, leaves nothing behind, and the next call builds', async () => {
  await expect(
    webDemoBuild({
      cacheDir,
      root,
      build: () => Promise.reject(new Error('vite build failed')),
    }),
  ).rejects.toThrow('vite build failed');
  expect(webDemoBuildStaleReason(cacheDir, root)).toMatch(/^no web demo build in /);
  const built = await webDemoBuild({ cacheDir, root, build });
  expect(builds).toEqual([built]);
  expect(readdirSync(join(cacheDir, 'builds'))).toEqual([basename(built)]);
  expect(existsSync(join(cacheDir, 'lock'))).toBe(false);
});
