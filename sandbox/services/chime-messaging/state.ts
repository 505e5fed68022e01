/**
 * What the messaging sandbox stores, and how: every change is a small record appended to a log
 * (JSON lines), replayed at start-up and compacted into a snapshot (JSON lines too). Appending
 * keeps a busy channel cheap to persist (rewriting one big JSON document per message would cost
 * O(messages) per send), and concurrent requests share one write and one fsync (group commit). A
 * crash can only tear the last line, which replay skips: every acknowledged change was fsynced
 * before the response.
 *
 * Any other damage (a corrupt complete line, a truncated snapshot: a disk error, a hand edit)
 * stops the start with the file and the line. With `repair` (`--repair`), the file is cut at the
 * last good record instead: the records before it are kept, those from the bad line on are lost
 * (the whole original is kept beside it as `<file>.damaged-<time>`).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, truncateSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import { setAside, writeFileAtomic } from '../../core/state';

export type ChannelMode = 'RESTRICTED' | 'UNRESTRICTED';
export type ChannelPrivacy = 'PRIVATE' | 'PUBLIC';
export type MembershipType = 'DEFAULT' | 'HIDDEN';
export type MessageType = 'STANDARD' | 'CONTROL';
export type Persistence = 'PERSISTENT' | 'NON_PERSISTENT';

/** Times are epoch milliseconds. */
export interface StoredChannel {
  readonly arn: string;
  readonly appInstanceArn: string;
  readonly name: string;
  readonly mode: ChannelMode;
  readonly privacy: ChannelPrivacy;
  readonly metadata?: string;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly lastUpdatedAt: number;
  readonly lastMessageAt?: number;
  readonly clientRequestToken?: string;
  readonly channelFlowArn?: string;
}

export interface StoredMembership {
  readonly channelArn: string;
  readonly memberArn: string;
  readonly type: MembershipType;
  readonly invitedBy: string;
  readonly createdAt: number;
  readonly lastUpdatedAt: number;
  readonly readMarkerAt?: number;
}

/** A moderator or a ban: who, on which channel, set by whom. */
export interface StoredGrant {
  readonly channelArn: string;
  readonly userArn: string;
  readonly createdBy: string;
  readonly createdAt: number;
}

export interface StoredMessage {
  readonly channelArn: string;
  readonly id: string;
  /** Creation order inside the channel: the sort and pagination key. */
  readonly seq: number;
  readonly content?: string;
  readonly metadata?: string;
  readonly contentType?: string;
  readonly attributes?: Readonly<Record<string, { readonly StringValues: string[] }>>;
  readonly type: MessageType;
  readonly sender: string;
  readonly createdAt: number;
  readonly lastUpdatedAt: number;
  readonly lastEditedAt?: number;
  readonly redacted: boolean;
  readonly clientRequestToken?: string;
}

/** One change, as logged. `-` kinds delete. */
export type Mutation =
  | { readonly k: 'channel'; readonly v: StoredChannel }
  | { readonly k: 'channel-'; readonly arn: string }
  | { readonly k: 'member'; readonly v: StoredMembership }
  | { readonly k: 'member-'; readonly ch: string; readonly arn: string }
  | { readonly k: 'moderator'; readonly v: StoredGrant }
  | { readonly k: 'moderator-'; readonly ch: string; readonly arn: string }
  | { readonly k: 'ban'; readonly v: StoredGrant }
  | { readonly k: 'ban-'; readonly ch: string; readonly arn: string }
  | { readonly k: 'message'; readonly v: StoredMessage };

/** Where mutations go. `append` resolves once they are durable. */
export interface MutationLog {
  load(): Mutation[];
  append(mutations: readonly Mutation[]): Promise<void>;
  /** Replaces the history with the current state (the mutations that rebuild it). */
  compact(current: readonly Mutation[]): void;
  close(): Promise<void>;
}

/** Keeps everything in memory: unit tests and throw-away sandboxes. */
export class MemoryMutationLog implements MutationLog {
  private entries: Mutation[] = [];
  load(): Mutation[] {
    return [...this.entries];
  }
  append(mutations: readonly Mutation[]): Promise<void> {
    this.entries.push(...mutations);
    return Promise.resolve();
  }
  compact(current: readonly Mutation[]): void {
    this.entries = [...current];
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class DamagedLogError extends Error {
  constructor(file: string, line: number, reason: string, lost: number) {
    super(
      `sandbox state file '${file}' is damaged at line ${line}: ${reason}. Start with --repair ` +
        `(npm run sandbox -- --repair) to cut it at the last good record, keeping users and every ` +
        `other store (loses the ${lost} record(s) from line ${line} on: channel, membership and ` +
        `message changes), or start over with --reset (wipes every user and message).`,
    );
    this.name = 'DamagedLogError';
  }
}

export interface FileMutationLogOptions {
  /** Cut a damaged file at its last good record instead of refusing to start. @default false */
  readonly repair?: boolean;
  /** Receives what a repair did. */
  readonly log?: (line: string) => void;
}

/** A record as replay expects it, or why not. */
function parseRecord(line: string): Mutation | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return (error as Error).message;
  }
  if (typeof value !== 'object' || value === null || typeof (value as Mutation).k !== 'string') {
    return 'not a change record';
  }
  return value as Mutation;
}

/**
 * `snapshot.json` (written atomically: temp file, fsync, rename) plus `log.jsonl` (appended,
 * fdatasync'ed per batch) in `dir`, both one record per line.
 */
export class FileMutationLog implements MutationLog {
  private readonly snapshotFile: string;
  private readonly logFile: string;
  private handle: Promise<FileHandle> | undefined;
  private pending: string[] = [];
  private waiters: Waiter[] = [];
  private writing = false;
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => {};

  constructor(
    readonly dir: string,
    private readonly options: FileMutationLogOptions = {},
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.snapshotFile = join(dir, 'snapshot.json');
    this.logFile = join(dir, 'log.jsonl');
  }

  load(): Mutation[] {
    const mutations: Mutation[] = [];
    const snapshot = readIfExists(this.snapshotFile);
    if (snapshot !== undefined) mutations.push(...this.loadSnapshot(snapshot));
    const log = readIfExists(this.logFile);
    if (log === undefined) return mutations;
    // Only the text after the last newline can be torn (a crash during an append): cut it off,
    // so the next append starts on a fresh line.
    const end = log.lastIndexOf('\n') + 1;
    if (end < log.length) truncateSync(this.logFile, Buffer.byteLength(log.slice(0, end)));
    mutations.push(...this.records(this.logFile, log.slice(0, end)));
    return mutations;
  }

  private loadSnapshot(text: string): Mutation[] {
    if (!text.startsWith('[')) return this.records(this.snapshotFile, text);
    // The format before JSON lines: one array (it cannot be cut at a record).
    try {
      return JSON.parse(text) as Mutation[];
    } catch (error) {
      const reason = (error as Error).message;
      if (!this.options.repair) throw new DamagedLogError(this.snapshotFile, 1, reason, 1);
      const aside = setAside(this.snapshotFile);
      this.options.log?.(
        `repair: ${this.snapshotFile} (one JSON array) was damaged (${reason}); kept as ${aside}; its channels and messages are lost, the log's later changes are kept`,
      );
      return [];
    }
  }

  /** The records of a JSON-lines file; a damaged line stops the start or (repair) cuts the file. */
  private records(file: string, text: string): Mutation[] {
    const lines = text.split('\n');
    const records: Mutation[] = [];
    let offset = 0;
    for (const [index, line] of lines.entries()) {
      const record = line.trim() === '' ? undefined : parseRecord(line);
      if (typeof record === 'string') {
        const lost = lines.slice(index).filter((l) => l.trim() !== '').length;
        if (!this.options.repair) throw new DamagedLogError(file, index + 1, record, lost);
        const aside = setAside(file);
        writeFileAtomic(file, Buffer.from(text).subarray(0, offset).toString('utf8'));
        this.options.log?.(
          `repair: ${file} was damaged at line ${index + 1} (${record}); cut there, keeping ${records.length} record(s) and losing ${lost}; the original is kept as ${aside}`,
        );
        break;
      }
      if (record) records.push(record);
      offset += Buffer.byteLength(line) + 1;
    }
    return records;
  }

  compact(current: readonly Mutation[]): void {
    writeFileAtomic(this.snapshotFile, current.map((m) => `${JSON.stringify(m)}\n`).join(''));
    // The snapshot now holds everything: start an empty log (truncate and sync).
    const logFd = openSync(this.logFile, 'w', 0o600);
    try {
      fsyncSync(logFd);
    } finally {
      closeSync(logFd);
    }
  }

  append(mutations: readonly Mutation[]): Promise<void> {
    if (mutations.length === 0) return Promise.resolve();
    this.pending.push(mutations.map((m) => JSON.stringify(m) + '\n').join(''));
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.writing) void this.flush();
    return done;
  }

  private async flush(): Promise<void> {
    this.writing = true;
    this.idle = new Promise((resolve) => (this.markIdle = resolve));
    try {
      this.handle ??= open(this.logFile, 'a', 0o600);
      const handle = await this.handle;
      while (this.pending.length > 0) {
        const batch = this.pending.join('');
        const waiters = this.waiters;
        this.pending = [];
        this.waiters = [];
        try {
          await handle.write(batch);
          await handle.datasync();
          for (const waiter of waiters) waiter.resolve();
        } catch (error) {
          for (const waiter of waiters) waiter.reject(error);
        }
      }
    } catch (error) {
      const waiters = this.waiters;
      this.pending = [];
      this.waiters = [];
      for (const waiter of waiters) waiter.reject(error);
    } finally {
      this.writing = false;
      this.markIdle();
    }
  }

  async close(): Promise<void> {
    await this.idle;
    if (this.handle) {
      const handle = await this.handle;
      this.handle = undefined;
      await handle.close();
    }
  }
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
