/**
 * `cdk synth` when the cloud assembly is missing or older than the stack's sources (infra/,
 * lambdas/, contracts/, cdk.json, package-lock.json, and any project file a context value names,
 * such as `-c identityProviders=docs/examples/identity-providers.json`). Concurrent callers
 * (parallel test files) wait on a lock directory so only one synthesizes.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';

export const PROJECT_ROOT = join(__dirname, '..');
/** What the stack's template is made from, relative to the project root. */
export const STACK_SOURCES = ['infra', 'lambdas', 'contracts', 'cdk.json', 'package-lock.json'];

export function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

/** `-c key=value` context of a synth, beside the sandbox's own `webHosting=false`. */
export type SynthContext = Readonly<Record<string, string>>;

/**
 * What the sandbox's last synth recorded beside its assembly: its context (an assembly of other
 * context is stale) and a hash of the manifest it wrote. `cdk synth`, `cdk deploy` and `cdk
 * destroy` in the project write `cdk.out` too, with other context (web hosting on; no bundling at
 * all for destroy): a manifest that is not the one recorded is not the sandbox's assembly.
 */
const SYNTH_STAMP = 'sandbox-synth-context.json';

interface SynthStamp {
  readonly context: SynthContext;
  readonly manifestSha256: string;
}

function manifestSha256(cdkOutDir: string): string {
  return createHash('sha256')
    .update(readFileSync(join(cdkOutDir, 'manifest.json')))
    .digest('hex');
}

/** Records that the assembly in `cdkOutDir` is the sandbox's synth with `context`. */
export function stampAssembly(cdkOutDir: string, context: SynthContext): void {
  const stamp: SynthStamp = { context, manifestSha256: manifestSha256(cdkOutDir) };
  writeFileSync(join(cdkOutDir, SYNTH_STAMP), JSON.stringify(stamp));
}

function readStamp(cdkOutDir: string): SynthStamp | undefined {
  try {
    const stamp = JSON.parse(readFileSync(join(cdkOutDir, SYNTH_STAMP), 'utf8')) as unknown;
    const { context, manifestSha256: sha } = (stamp ?? {}) as Partial<SynthStamp>;
    return typeof sha === 'string' && typeof context === 'object' && context !== null
      ? { context, manifestSha256: sha }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The files under `root` that context values name (relative to `root`, where `cdk synth` runs, or
 * absolute): the app reads them at synth time, so they are sources of that assembly too.
 */
function contextFiles(root: string, context: SynthContext): string[] {
  return Object.values(context)
    .map((value) => resolve(root, value))
    .filter((path) => {
      const inside = relative(root, path);
      if (!inside || inside.startsWith('..') || isAbsolute(inside)) return false;
      return existsSync(path) && statSync(path).isFile();
    });
}

/** Why the assembly must be (re)built, or undefined when it is up to date. */
export function staleReason(
  cdkOutDir: string,
  root = PROJECT_ROOT,
  context: SynthContext = {},
): string | undefined {
  const manifest = join(cdkOutDir, 'manifest.json');
  if (!existsSync(manifest)) return `no cloud assembly in ${cdkOutDir}`;
  const stamp = readStamp(cdkOutDir);
  if (!stamp || stamp.manifestSha256 !== manifestSha256(cdkOutDir)) {
    return 'the cloud assembly was written by another command (cdk synth, deploy or destroy)';
  }
  if (JSON.stringify(stamp.context) !== JSON.stringify(context)) return 'synth context changed';
  const built = statSync(manifest).mtimeMs;
  const newest = Math.max(...STACK_SOURCES.map((s) => newestMtime(join(root, s))));
  if (newest > built) return 'stack sources changed since the last synth';
  const changed = contextFiles(root, context).find((file) => statSync(file).mtimeMs > built);
  return changed ? `${relative(root, changed)} changed since the last synth` : undefined;
}

function runSynth(cdkOutDir: string, root: string, context: SynthContext): Promise<void> {
  return new Promise((resolve, reject) => {
    // The sandbox serves no web hosting: leave it out so synth needs no web demo build.
    // `--no-validation` skips aws-cdk-lib's built-in CloudFormation template validation (a WASM
    // engine, 3-5 s of CPU per synth), whose findings this synth would only print into output
    // nobody reads; test/infra/cloudformation-validation.test.ts asserts every variant passes it,
    // and `npm run synth` and `npm run deploy` still run it. cdk-nag is not affected.
    const args = [
      'cdk',
      'synth',
      '--quiet',
      '--no-validation',
      '--output',
      cdkOutDir,
      '-c',
      'webHosting=false',
    ];
    for (const [key, value] of Object.entries(context)) args.push('-c', `${key}=${value}`);
    const child = spawn('npx', args, {
      cwd: root,
      env: { ...process.env, CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) {
        reject(new Error(`cdk synth failed with code ${code}:\n${output.slice(-4000)}`));
        return;
      }
      stampAssembly(cdkOutDir, context);
      resolve();
    });
  });
}

export interface LockOptions {
  /**
   * A lock whose directory has not been touched for this long belongs to a process that died
   * holding it, and is taken over. @default 60_000
   */
  readonly staleMs?: number;
  /** How often a waiting caller tries again. @default 250 */
  readonly pollMs?: number;
}

/**
 * Runs `fn` holding `lockDir` (made with mkdir), so one process at a time does it. The holder
 * touches the directory every quarter of `staleMs`, so however long `fn` takes (a synth on a busy
 * machine), only the lock of a process that died is ever taken over.
 */
export async function withLock<T>(
  lockDir: string,
  fn: () => Promise<T>,
  { staleMs = 60_000, pollMs = 250 }: LockOptions = {},
): Promise<T> {
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      try {
        if (Date.now() - statSync(lockDir).mtimeMs > staleMs) {
          rmSync(lockDir, { recursive: true, force: true });
          continue;
        }
      } catch {
        continue;
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
  const heartbeat = setInterval(() => {
    const now = new Date();
    try {
      utimesSync(lockDir, now, now);
    } catch {
      // Taken over after all (the machine stalled for longer than staleMs): nothing to refresh.
    }
  }, staleMs / 4);
  heartbeat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(heartbeat);
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/**
 * Synthesizes into `cdkOutDir` if needed, with `context` (`-c key=value`) on top of the sandbox's.
 * Returns what was done, for the log.
 */
export async function ensureSynth(
  cdkOutDir = join(PROJECT_ROOT, 'cdk.out'),
  root = PROJECT_ROOT,
  context: SynthContext = {},
): Promise<string> {
  if (!staleReason(cdkOutDir, root, context)) return 'cloud assembly up to date';
  mkdirSync(dirname(cdkOutDir), { recursive: true });
  return withLock(`${cdkOutDir}.lock`, async () => {
    const reason = staleReason(cdkOutDir, root, context);
    if (!reason) return 'cloud assembly up to date';
    await runSynth(cdkOutDir, root, context);
    return `synthesized (${reason})`;
  });
}
