/**
 * The bundle the local OpenID provider's child runs (sandbox/services/oidc-provider/bundle.ts):
 * built once, run as built, built again when a file it was built from changes, and built once
 * when several processes ask at the same time. On a fixture entry, in a cache of its own.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  localOidcProviderBundle,
  oidcBundleStaleReason,
} from '../../sandbox/services/oidc-provider/bundle';

let dir: string;
let cacheDir: string;
let entry: string;
let dep: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'oidc-bundle-'));
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
  expect(oidcBundleStaleReason(cacheDir, entry)).toBe(`no bundle of entry.ts in ${cacheDir}`);

  const bundle = await localOidcProviderBundle({ cacheDir, entry });

  expect(run(bundle)).toBe('first');
  expect(oidcBundleStaleReason(cacheDir, entry)).toBeUndefined();
  expect(await localOidcProviderBundle({ cacheDir, entry })).toBe(bundle);
  expect(bundles()).toHaveLength(1);
});

test('a changed source is built again; the bundle it replaces is kept one build longer', async () => {
  const first = await localOidcProviderBundle({ cacheDir, entry });

  writeFileSync(dep, "export const greeting: string = 'second, longer';\n");
  expect(oidcBundleStaleReason(cacheDir, entry)).toBe(`${dep} changed since the bundle was built`);
  const second = await localOidcProviderBundle({ cacheDir, entry });

  expect(second).not.toBe(first);
  expect(run(second)).toBe('second, longer');
  // A process that read current.json before the rebuild may still be starting the first one.
  expect(run(first)).toBe('first');

  writeFileSync(dep, "export const greeting: string = 'third';\n");
  const third = await localOidcProviderBundle({ cacheDir, entry });

  expect(run(third)).toBe('third');
  expect(bundles().sort()).toEqual(
    [second, third].map((path) => path.slice(cacheDir.length + 1)).sort(),
  );
});

test('a deleted source makes the bundle stale', async () => {
  await localOidcProviderBundle({ cacheDir, entry });
  rmSync(dep);

  expect(oidcBundleStaleReason(cacheDir, entry)).toBe(`${dep} changed since the bundle was built`);
  await expect(localOidcProviderBundle({ cacheDir, entry })).rejects.toThrow(/dep/);
});

test('callers that ask at the same time share one build', async () => {
  const paths = await Promise.all(
    Array.from({ length: 4 }, () => localOidcProviderBundle({ cacheDir, entry })),
  );

  expect(new Set(paths).size).toBe(1);
  expect(bundles()).toHaveLength(1);
  expect(run(paths[0]!)).toBe('first');
});
