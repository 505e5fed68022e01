/**
 * Sandbox state: one JSON document per store in the state directory (`.sandbox/` by default),
 * private to the user (directories 0700, files 0600: it holds keys and credentials).
 *
 * Every write goes to a temporary file in the same directory, is flushed to disk, then renamed over
 * the old file: a rename is atomic on POSIX file systems, so a crash mid-write leaves either the old
 * or the new document, never a torn one. Hand-written because it is a dozen lines and the usual
 * library (write-file-atomic) does the same thing.
 *
 * A damaged file (a disk error, a hand edit) stops the start with its name, the line, and what
 * `--repair` would do: set that file aside (`<file>.damaged-<time>`) and start that store empty,
 * keeping every other one. REPAIR_LOSSES says what each store's repair loses.
 */
import {
  chmodSync,
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Creates a private directory (0700), and makes an existing one private. */
export function privateDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  return dir;
}

export function writeFileAtomic(file: string, data: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}

/**
 * A small JSON file a cache keeps beside its builds (`current.json`): its value, or undefined when
 * it is missing or unreadable, which callers treat as "nothing built yet".
 */
export function readJsonFileIfValid<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** What `--repair` loses when it starts a store of this name empty. */
export const REPAIR_LOSSES: Readonly<Record<string, string>> = {
  codes: 'the confirmation codes sent so far (ask for new ones)',
  credentials:
    'the temporary credentials issued so far (clients get new ones; administrator credentials are renewed at every start)',
  'sign-outs':
    'the global sign-out times (tokens issued before a sign-out are accepted again until they expire)',
  'identity-pool': 'the identity ids (users get new ones at their next sign-in)',
  'chime-identity':
    "the AppInstanceUsers (recreated at each user's next sign-in by the PostAuthentication trigger, if the template has it)",
  'hosted-ui-refresh-scopes':
    'the scopes granted with hosted UI refresh tokens (refreshed tokens get all the client scopes)',
  'signing-key': "the user pool's signing key (every issued token is refused; users sign in again)",
  'kms-keys':
    "the private halves of the template's KMS signing keys (new ones are made; guest invites signed before are refused)",
  resources: 'nothing (the user pool and app client ids are found again in cognito/)',
};

/** `line L column C`, from a JSON parse error of `text`, as precisely as V8 says it. */
export function jsonErrorLocation(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const lineOf = (offset: number) => {
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    return `line ${line} column ${offset - before.lastIndexOf('\n')}`;
  };
  const position = /at position (\d+)/.exec(message)?.[1];
  if (position !== undefined) {
    return `${lineOf(Number(position))}: ${message.replace(/ \(line \d+ column \d+\)$/, '')}`;
  }
  if (/end of JSON input/.test(message)) {
    return `line ${text.trimEnd().split('\n').length}, where it ends (truncated): ${message}`;
  }
  // `Unexpected token 'x', "...context..." is not valid JSON`: find the context.
  const context = /, (?:\.\.\.)?"([\s\S]*?)"(?:\.\.\.)? is not valid JSON$/.exec(message)?.[1];
  const at = context ? text.indexOf(context) : -1;
  const token = /Unexpected token '(.)'/.exec(message)?.[1];
  if (at >= 0 && text.indexOf(context!, at + 1) < 0) {
    const tokenAt = token ? text.indexOf(token, at) : -1;
    return `${lineOf(tokenAt >= 0 ? tokenAt : at)}: Unexpected token '${token ?? '?'}'`;
  }
  return message;
}

export class StateCorruptError extends Error {
  constructor(file: string, location: string, lost: string | undefined, cause?: unknown) {
    const repair =
      lost === undefined
        ? 'It cannot be repaired automatically: fix it by hand, or restore a copy;'
        : `Start with --repair (npm run sandbox -- --repair) to set it aside and start it empty, keeping every other file (loses ${lost});`;
    super(
      `sandbox state file '${file}' is damaged at ${location}. ${repair} or start over with --reset (wipes every user and message).`,
      { cause },
    );
    this.name = 'StateCorruptError';
  }
}

/** How a store recovers from a damaged file (SandboxState's `--repair`). */
export interface StoreRecovery {
  /** Set the damaged file aside and start from the defaults. */
  readonly repair: boolean;
  /** What starting empty loses; undefined: the store cannot be repaired. */
  readonly lost?: string;
  readonly log?: (line: string) => void;
}

/** `<file>` -> `<file>.damaged-<time>`: the damaged original is kept for a person to look at. */
export function setAside(file: string): string {
  const aside = `${file}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  renameSync(file, aside);
  return basename(aside);
}

/** A JSON document kept in memory and persisted atomically after every change. */
export interface JsonCodec {
  serialize(value: unknown): string;
  parse(text: string): unknown;
}

const PLAIN_JSON: JsonCodec = {
  serialize: (value) => JSON.stringify(value, null, 2),
  parse: (text): unknown => JSON.parse(text),
};

export class JsonStore<T> {
  private value: T;

  constructor(
    public readonly file: string,
    defaults: () => T,
    private readonly codec: JsonCodec = PLAIN_JSON,
    recovery: StoreRecovery = { repair: false },
  ) {
    let text: string | undefined;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (text === undefined) {
      this.value = defaults();
    } else {
      let parsed: T | undefined;
      try {
        parsed = codec.parse(text) as T;
      } catch (error) {
        const location = jsonErrorLocation(text, error);
        if (!recovery.repair || recovery.lost === undefined) {
          throw new StateCorruptError(file, location, recovery.lost, error);
        }
        const aside = setAside(file);
        recovery.log?.(
          `repair: ${file} was damaged at ${location}; kept as ${aside}, started empty (lost: ${recovery.lost})`,
        );
      }
      this.value = parsed ?? defaults();
    }
  }

  get(): T {
    return this.value;
  }

  /** Applies `change` to the document (mutating it or returning a new one) and persists it. */
  update<R>(change: (draft: T) => R): R {
    const result = change(this.value);
    writeFileAtomic(this.file, this.codec.serialize(this.value));
    return result;
  }
}

export interface SandboxStateOptions {
  /** `--repair`: damaged stores are set aside and started empty instead of stopping the start. */
  readonly repair?: boolean;
  /** Receives what a repair did. */
  readonly log?: (line: string) => void;
}

/** The state directory: one store per file, created on first use. */
export class SandboxState {
  constructor(
    public readonly dir: string,
    private readonly options: SandboxStateOptions = {},
  ) {
    privateDir(dir);
  }

  /** True when started with `--repair`. */
  get repairing(): boolean {
    return this.options.repair === true;
  }

  /** Reports a repair (the sandbox log). */
  logRepair(line: string): void {
    this.options.log?.(line);
  }

  store<T>(name: string, defaults: () => T): JsonStore<T> {
    if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`invalid state store name '${name}'`);
    return new JsonStore<T>(join(this.dir, `${name}.json`), defaults, PLAIN_JSON, {
      repair: this.repairing,
      ...(REPAIR_LOSSES[name] !== undefined && { lost: REPAIR_LOSSES[name] }),
      log: (line) => this.logRepair(line),
    });
  }

  /** A private sub-directory for a component that keeps its own files (cognito-local). */
  subdir(name: string): string {
    return privateDir(join(this.dir, name));
  }

  /** `--reset`: removes every store and sub-directory. */
  static reset(dir: string): void {
    rmSync(dir, { recursive: true, force: true });
  }
}
