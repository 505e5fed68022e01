/**
 * The bundles child processes run (sandbox/core/entry-bundle.ts; the local OpenID provider, the
 * SRP test clients): built once, run as built, built again when a file it was built from changes,
 * and built once when several callers ask at the same time. On a fixture entry, in a cache of its
 * own.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { entryBundle, entryBundleStaleReason } from '../../sandbox/core/entry-bundle';

let dir: string;
let cacheDir: string;
let entry: string;
let dep: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'entry-bundle-'));
  cacheDir = join(dir, 'cache');
  entry = join(dir, 'entry.ts');
  dep = join(dir, 'dep.ts');
  writeFileSync(entry, "import { greeting } from './dep';\nprocess.stdout.write(greeting);\n");
  writeFileSync(dep, "export const greeting: string = 'first';\n");
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

const run = (bundle: string) => execFileSync(process.execPath, [bundle], { encoding: 'utf8' });
const bundles = () => readdirSync(cacheDir).filter((name) => name.endsWith('.cjs'));

test('builds the entry with what it imports into one file that runs without a TypeScript loader', async () => {
  expect(entryBundleStaleReason(cacheDir, entry)).toBe(`no bundle of entry.ts in ${cacheDir}`);

  const bundle = await entryBundle({ cacheDir, entry });

  expect(run(bundle)).toBe('first');
  expect(entryBundleStaleReason(cacheDir, entry)).toBeUndefined();
  expect(await entryBundle({ cacheDir, entry })).toBe(bundle);
  expect(bundles()).toHaveLength(1);
});

test('a changed source is built again; the bundle it replaces is kept one build longer', async () => {
  const first = await entryBundle({ cacheDir, entry });

  writeFileSync(dep, "export const greeting: string = 'second, longer';\n");
  expect(entryBundleStaleReason(cacheDir, entry)).toBe(`${dep} changed since the bundle was built`);
  const second = await entryBundle({ cacheDir, entry });

  expect(second).not.toBe(first);
  expect(run(second)).toBe('second, longer');
  // A process that read current.json before the rebuild may still be starting the first one.
  expect(run(first)).toBe('first');

  writeFileSync(dep, "export const greeting: string = 'third';\n");
  const third = await entryBundle({ cacheDir, entry });

  expect(run(third)).toBe('third');
  expect(bundles().sort()).toEqual(
    [second, third].map((path) => path.slice(cacheDir.length + 1)).sort(),
  );
});

test('a deleted source makes the bundle stale', async () => {
  await entryBundle({ cacheDir, entry });
  rmSync(dep);

  expect(entryBundleStaleReason(cacheDir, entry)).toBe(`${dep} changed since the bundle was built`);
  await expect(entryBundle({ cacheDir, entry })).rejects.toThrow(/dep/);
});

test('callers that ask at the same time share one build', async () => {
  const paths = await Promise.all(
    Array.from({ length: 4 }, () => entryBundle({ cacheDir, entry })),
  );

  expect(new Set(paths).size).toBe(1);
  expect(bundles()).toHaveLength(1);
  expect(run(paths[0]!)).toBe('first');
});

test('an entry esbuild warns about is refused, with the warning', async () => {
  writeFileSync(entry, "process.stdout.write(require.resolve('esbuild'));\n");

  await expect(entryBundle({ cacheDir, entry })).rejects.toThrow(
    /esbuild warned while bundling .*entry\.ts:\n.*"esbuild" should be marked as external/,
  );
  expect(bundles()).toEqual([]);
});
