/**
 * The Node.js binary a function runs on: the major version of its Lambda runtime (`nodejs24.x`
 * -> Node.js 24), as on Lambda, whatever Node.js runs the sandbox. Looked for, in order:
 *
 * 1. `SANDBOX_NODE_<major>` (e.g. SANDBOX_NODE_22=/opt/node22/bin/node): an explicit choice;
 * 2. the Node.js running the sandbox;
 * 3. the project's `node` package (node_modules/node/bin/node: the lockfile pins Node.js 24);
 * 4. every `node` on PATH.
 *
 * None of that major: the sandbox does not start, and says how to provide one.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

/** `nodejs24.x` -> 24; undefined for anything else. */
export function nodeMajorOf(runtime: string): number | undefined {
  const match = /^nodejs(\d+)\.x$/.exec(runtime);
  return match?.[1] ? Number(match[1]) : undefined;
}

export class NodeRuntimeNotFoundError extends Error {
  constructor(runtime: string, major: number, checked: readonly string[]) {
    super(
      `no Node.js ${major} binary for the '${runtime}' functions: checked ${checked.join('; ')}. ` +
        `Install Node.js ${major} (e.g. 'npm install node@${major}' in an empty folder gives ` +
        `node_modules/node/bin/node) and set SANDBOX_NODE_${major}=<path to that node>, or put it first on PATH`,
    );
    this.name = 'NodeRuntimeNotFoundError';
  }
}

export interface NodeBinary {
  readonly path: string;
  /** `v24.21.0` */
  readonly version: string;
}

export interface FindNodeOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** The running Node.js. @default process.execPath / process.version */
  readonly current?: NodeBinary;
  /** @default '<project>/node_modules/node/bin/node' */
  readonly projectNode?: string;
}

const PROJECT_NODE = resolve(__dirname, '..', '..', 'node_modules', 'node', 'bin', 'node');
const versions = new Map<string, string | undefined>();

/** `node --version` of a binary (cached), or undefined if it does not run. */
function versionOf(path: string): string | undefined {
  if (!versions.has(path)) {
    const out = existsSync(path)
      ? spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000 })
      : undefined;
    const version = out?.status === 0 ? out.stdout.trim() : undefined;
    versions.set(path, version && /^v\d+\./.test(version) ? version : undefined);
  }
  return versions.get(path);
}

const majorOfVersion = (version: string | undefined) =>
  version ? Number(/^v(\d+)\./.exec(version)?.[1]) : undefined;

/** The Node.js binary for a Lambda runtime (`nodejs24.x`). Throws NodeRuntimeNotFoundError. */
export function findNodeBinary(runtime: string, options: FindNodeOptions = {}): NodeBinary {
  const major = nodeMajorOf(runtime);
  if (major === undefined) throw new Error(`'${runtime}' is not a Node.js Lambda runtime`);
  const env = options.env ?? process.env;
  const current = options.current ?? { path: process.execPath, version: process.version };
  const checked: string[] = [];
  const candidates: (NodeBinary | string)[] = [];
  const explicit = env[`SANDBOX_NODE_${major}`];
  if (explicit) {
    const version = versionOf(explicit);
    if (majorOfVersion(version) !== major) {
      throw new NodeRuntimeNotFoundError(runtime, major, [
        `SANDBOX_NODE_${major}=${explicit} (${version ?? 'does not run'})`,
      ]);
    }
    return { path: explicit, version: version! };
  }
  candidates.push(current, options.projectNode ?? PROJECT_NODE);
  for (const dir of (env.PATH ?? '').split(delimiter)) if (dir) candidates.push(join(dir, 'node'));
  for (const candidate of candidates) {
    const binary =
      typeof candidate === 'string'
        ? { path: candidate, version: versionOf(candidate) }
        : candidate;
    if (typeof candidate === 'string' && !existsSync(candidate)) continue;
    checked.push(`${binary.path} (${binary.version ?? 'does not run'})`);
    if (binary.version && majorOfVersion(binary.version) === major) {
      return { path: binary.path, version: binary.version };
    }
  }
  throw new NodeRuntimeNotFoundError(runtime, major, checked);
}
