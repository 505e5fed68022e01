/** Sandbox state: atomic writes, restarts, corrupt files, reset. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SandboxState, StateCorruptError, writeFileAtomic } from '../../sandbox/core/state';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'state-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('SandboxState', () => {
  it('persists every update and reads it back after a restart', () => {
    const store = new SandboxState(dir).store('users', () => ({ names: [] as string[] }));
    store.update((s) => s.names.push('alice'));
    store.update((s) => s.names.push('bob'));
    const again = new SandboxState(dir).store('users', () => ({ names: [] as string[] }));
    expect(again.get().names).toEqual(['alice', 'bob']);
  });

  it('writes through a temporary file and leaves none behind', () => {
    writeFileAtomic(join(dir, 'a.json'), '{"v":1}');
    writeFileAtomic(join(dir, 'a.json'), '{"v":2}');
    expect(readFileSync(join(dir, 'a.json'), 'utf8')).toBe('{"v":2}');
    expect(readdirSync(dir)).toEqual(['a.json']);
  });

  it('keeps the previous document when a write never completes (crash before rename)', () => {
    const store = new SandboxState(dir).store('users', () => ({ n: 0 }));
    store.update((s) => (s.n = 1));
    // What a crash mid-write leaves: a partial temporary file beside the intact document.
    writeFileSync(join(dir, 'users.json.999.1.tmp'), '{"n": 2, "trunc');
    expect(new SandboxState(dir).store('users', () => ({ n: 0 })).get().n).toBe(1);
  });

  it('names the file and the fix when a document is corrupt', () => {
    writeFileSync(join(dir, 'users.json'), '{"n":');
    expect(() => new SandboxState(dir).store('users', () => ({}))).toThrow(StateCorruptError);
    expect(() => new SandboxState(dir).store('users', () => ({}))).toThrow(/--reset/);
  });

  it('reset wipes the directory', () => {
    new SandboxState(dir).store('users', () => ({ n: 0 })).update((s) => (s.n = 1));
    SandboxState.reset(dir);
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses store names that could escape the directory', () => {
    expect(() => new SandboxState(dir).store('../x', () => ({}))).toThrow(
      /invalid state store name/,
    );
  });
});
