/**
 * Sandbox state: one JSON document per store in the state directory (`.sandbox/` by default).
 *
 * Every write goes to a temporary file in the same directory, is flushed to disk, then renamed over
 * the old file: a rename is atomic on POSIX file systems, so a crash mid-write leaves either the old
 * or the new document, never a torn one. Hand-written because it is a dozen lines and the usual
 * library (write-file-atomic) does the same thing.
 */
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

export function writeFileAtomic(file: string, data: string): void {
  mkdirSync(dirname(file), { recursive: true });
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

export class StateCorruptError extends Error {
  constructor(file: string, cause: unknown) {
    super(`sandbox state file '${file}' is not valid JSON (run with --reset to start over)`, {
      cause,
    });
    this.name = 'StateCorruptError';
  }
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
      try {
        this.value = codec.parse(text) as T;
      } catch (error) {
        throw new StateCorruptError(file, error);
      }
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

/** The state directory: one store per file, created on first use. */
export class SandboxState {
  constructor(public readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  store<T>(name: string, defaults: () => T): JsonStore<T> {
    if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`invalid state store name '${name}'`);
    return new JsonStore<T>(join(this.dir, `${name}.json`), defaults);
  }

  /** A sub-directory for a component that keeps its own files (cognito-local). */
  subdir(name: string): string {
    const path = join(this.dir, name);
    mkdirSync(path, { recursive: true });
    return path;
  }

  /** `--reset`: removes every store and sub-directory. */
  static reset(dir: string): void {
    rmSync(dir, { recursive: true, force: true });
  }
}
