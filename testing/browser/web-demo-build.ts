/**
 * The web demo's production build, shared by the browser test files of a run and by later runs:
 * kept under node_modules/.cache/chime-cognito-auth/web-demo/ and built again only when its
 * sources change, under a lock so parallel test files build once (sandbox/synth.ts does the same
 * for the cloud assembly, with the same `newestMtime` and `withLock`).
 *
 * Each build goes to a new directory, and `current.json` (replaced by a rename) names the one to
 * serve: a reader sees the previous build or the new one, never half of one, and a test file still
 * serving the previous build keeps it (it is deleted one rebuild later).
 */
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { readJsonFileIfValid } from '../../sandbox/core/state';
import { PROJECT_ROOT, newestMtime, withLock } from '../../sandbox/synth';

export const VITE_CONFIG = join(PROJECT_ROOT, 'web-demo', 'vite.config.ts');
export const VITE_BIN = join(PROJECT_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');

/** Where the shared builds are kept (git-ignored with node_modules). */
export const WEB_DEMO_CACHE_DIR = join(
  PROJECT_ROOT,
  'node_modules',
  '.cache',
  'chime-cognito-auth',
  'web-demo',
);

/** The build `current.json` names, and the newest mtime of its sources when it started. */
interface CurrentBuild {
  readonly build: string;
  readonly sourcesMtime: number;
  /** The build it replaced: served, perhaps, by a test file that started before. */
  readonly previous?: string;
}

/**
 * The newest mtime of what the build reads besides node_modules: the demo (not a `dist/` left by
 * `npm run build:web`), the contracts it imports, the tsconfig its own extends, the lock file of
 * its dependencies, and this file (the build's arguments).
 */
function sourcesMtime(root: string): number {
  const demo = join(root, 'web-demo');
  const demoEntries = existsSync(demo)
    ? readdirSync(demo)
        .filter((entry) => entry !== 'dist')
        .map((entry) => join('web-demo', entry))
    : [];
  const sources = [
    ...demoEntries,
    'contracts',
    'tsconfig.json',
    'package-lock.json',
    join('testing', 'browser', 'web-demo-build.ts'),
  ];
  return Math.max(0, ...sources.map((source) => newestMtime(join(root, source))));
}

function readCurrent(cacheDir: string): CurrentBuild | undefined {
  return readJsonFileIfValid<CurrentBuild>(join(cacheDir, 'current.json'));
}

function buildPath(cacheDir: string, build: string): string {
  return join(cacheDir, 'builds', build);
}

/** Why the shared build must be (re)built, or undefined when it is up to date. */
export function webDemoBuildStaleReason(
  cacheDir = WEB_DEMO_CACHE_DIR,
  root = PROJECT_ROOT,
): string | undefined {
  const current = readCurrent(cacheDir);
  if (!current || !existsSync(join(buildPath(cacheDir, current.build), 'index.html'))) {
    return `no web demo build in ${cacheDir}`;
  }
  return sourcesMtime(root) > current.sourcesMtime
    ? 'web demo sources changed since the last build'
    : undefined;
}

/** `vite build` of the project's web demo into `outDir` (production mode, as deployed). */
export async function viteBuild(outDir: string): Promise<void> {
  await promisify(execFile)(
    process.execPath,
    [
      VITE_BIN,
      'build',
      '--config',
      VITE_CONFIG,
      '--outDir',
      outDir,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    { cwd: PROJECT_ROOT, env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' } },
  );
}

export interface WebDemoBuildOptions {
  /** Where builds are kept. @default WEB_DEMO_CACHE_DIR */
  readonly cacheDir?: string;
  /** The project whose sources decide staleness (a test's fixture tree). @default PROJECT_ROOT */
  readonly root?: string;
  /** Builds the demo into an empty directory. @default - `vite build` (viteBuild) */
  readonly build?: (outDir: string) => Promise<void>;
}

/** The directory of an up-to-date production build of the web demo, built if needed. */
export async function webDemoBuild(options: WebDemoBuildOptions = {}): Promise<string> {
  const { cacheDir = WEB_DEMO_CACHE_DIR, root = PROJECT_ROOT, build = viteBuild } = options;
  const upToDate = () => {
    const current = readCurrent(cacheDir);
    return current && !webDemoBuildStaleReason(cacheDir, root)
      ? buildPath(cacheDir, current.build)
      : undefined;
  };
  const ready = upToDate();
  if (ready) return ready;
  mkdirSync(join(cacheDir, 'builds'), { recursive: true });
  return withLock(join(cacheDir, 'lock'), async () => {
    const builtMeanwhile = upToDate();
    if (builtMeanwhile) return builtMeanwhile;
    // Read before building: a source saved during the build leaves this build stale.
    const stamp = sourcesMtime(root);
    const outDir = mkdtempSync(join(cacheDir, 'builds', 'build-'));
    try {
      await build(outDir);
    } catch (error) {
      rmSync(outDir, { recursive: true, force: true });
      throw error;
    }
    const before = readCurrent(cacheDir);
    const next: CurrentBuild = {
      build: basename(outDir),
      sourcesMtime: stamp,
      ...(before && { previous: before.build }),
    };
    const pointer = join(cacheDir, 'current.json');
    writeFileSync(`${pointer}.${process.pid}`, JSON.stringify(next));
    renameSync(`${pointer}.${process.pid}`, pointer);
    if (before?.previous)
      rmSync(buildPath(cacheDir, before.previous), { recursive: true, force: true });
    return outDir;
  });
}
