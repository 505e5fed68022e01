/**
 * A Node.js entry file bundled by esbuild into one CommonJS file with everything it imports, for
 * child processes the sandbox and its tests start again and again: kept in a cache directory and
 * built again only when a file it was built from changes (esbuild's metafile lists them; their
 * sizes and mtimes are recorded beside the bundle).
 *
 * Why: started through tsx, such a child resolves, transforms and compiles its modules on every
 * start. The local OpenID provider (about 300 modules) took 0.6 CPU-s a start that way, 0.1 bundled.
 *
 * Each build gets a new file, and `current.json` (replaced by a rename) names the one to run: a
 * reader sees the previous bundle or the new one, never half of one. The bundle it replaced is
 * deleted one build later, as testing/browser/web-demo-build.ts does.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { PROJECT_ROOT, withLock } from '../synth';
import { readJsonFileIfValid, writeFileAtomic } from './state';

/** Where `bundleCacheDir(name)` keeps bundles (git-ignored with node_modules). */
export const ENTRY_BUNDLE_CACHE_ROOT = join(
  PROJECT_ROOT,
  'node_modules',
  '.cache',
  'chime-cognito-auth',
  'bundles',
);

/** The cache directory of one entry's bundles. */
export function bundleCacheDir(name: string): string {
  return join(ENTRY_BUNDLE_CACHE_ROOT, name);
}

/** A file the bundle was built from, as it was then. */
interface BuiltFrom {
  readonly size: number;
  readonly mtimeMs: number;
}

/** What `current.json` records. */
interface CurrentBundle {
  /** File name of the bundle in the cache directory. */
  readonly bundle: string;
  /** Absolute path of the entry it was built from. */
  readonly entry: string;
  readonly inputs: Readonly<Record<string, BuiltFrom>>;
  /** The bundle it replaced: run, perhaps, by a process that started before. */
  readonly previous?: string;
}

export interface EntryBundleOptions {
  /** The TypeScript or JavaScript file to bundle. */
  readonly entry: string;
  /** Where its bundles are kept, one directory per entry (e.g. `bundleCacheDir(name)`). */
  readonly cacheDir: string;
}

function readCurrent(cacheDir: string): CurrentBundle | undefined {
  return readJsonFileIfValid<CurrentBundle>(join(cacheDir, 'current.json'));
}

function sameFile(path: string, then: BuiltFrom): boolean {
  try {
    const now = statSync(path);
    return now.size === then.size && now.mtimeMs === then.mtimeMs;
  } catch {
    return false;
  }
}

function staleReason(
  cacheDir: string,
  entry: string,
  current: CurrentBundle | undefined,
): string | undefined {
  if (!current || current.entry !== entry || !existsSync(join(cacheDir, current.bundle))) {
    return `no bundle of ${basename(entry)} in ${cacheDir}`;
  }
  const changed = Object.entries(current.inputs).find(([path, then]) => !sameFile(path, then));
  return changed ? `${changed[0]} changed since the bundle was built` : undefined;
}

/** Why the cached bundle of `entry` cannot be run, or undefined when it is up to date. */
export function entryBundleStaleReason(cacheDir: string, entry: string): string | undefined {
  return staleReason(cacheDir, entry, readCurrent(cacheDir));
}

async function buildBundle(cacheDir: string, entry: string): Promise<CurrentBundle> {
  // Loaded here: a sandbox whose cached bundle is up to date never needs esbuild.
  const { build } = await import('esbuild');
  const startedAt = Date.now();
  const bundle = `main-${randomUUID()}.cjs`;
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: PROJECT_ROOT,
    outfile: join(cacheDir, bundle),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: `node${process.versions.node.split('.')[0]}`,
    metafile: true,
    logLevel: 'silent',
  });
  // A warning is something that may not run as it does unbundled (`require.resolve` of a package,
  // `import.meta` in CommonJS): the bundle is not used.
  if (result.warnings.length > 0) {
    rmSync(join(cacheDir, bundle), { force: true });
    const texts = result.warnings.map((w) => `${w.location?.file ?? entry}: ${w.text}`);
    throw new Error(`esbuild warned while bundling ${entry}:\n${texts.join('\n')}`);
  }
  const inputs: Record<string, BuiltFrom> = {};
  for (const input of Object.keys(result.metafile.inputs)) {
    const path = resolve(PROJECT_ROOT, input);
    const stat = statSync(path);
    // A file saved while esbuild read it may be in the bundle as it was before: never up to date.
    inputs[path] = { size: stat.size, mtimeMs: stat.mtimeMs >= startedAt ? -1 : stat.mtimeMs };
  }
  return { bundle, entry, inputs };
}

/** The path of an up-to-date bundle of `entry`, built if needed. */
export async function entryBundle({ entry, cacheDir }: EntryBundleOptions): Promise<string> {
  const upToDate = () => {
    const current = readCurrent(cacheDir);
    return staleReason(cacheDir, entry, current) === undefined
      ? join(cacheDir, current!.bundle)
      : undefined;
  };
  const ready = upToDate();
  if (ready) return ready;
  mkdirSync(cacheDir, { recursive: true });
  return withLock(join(cacheDir, 'lock'), async () => {
    const builtMeanwhile = upToDate();
    if (builtMeanwhile) return builtMeanwhile;
    const before = readCurrent(cacheDir);
    const next: CurrentBundle = {
      ...(await buildBundle(cacheDir, entry)),
      ...(before && { previous: before.bundle }),
    };
    writeFileAtomic(join(cacheDir, 'current.json'), JSON.stringify(next));
    if (before?.previous) rmSync(join(cacheDir, before.previous), { force: true });
    return join(cacheDir, next.bundle);
  });
}
