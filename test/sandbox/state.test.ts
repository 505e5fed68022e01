/** Sandbox state: atomic writes, restarts, corrupt files, reset. */
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
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

  it('names the file, the line and the fix when a document is corrupt', () => {
    writeFileSync(join(dir, 'codes.json'), '{\n  "codes": [\n    {"code": x}\n  ]\n}\n');
    const open = () => new SandboxState(dir).store('codes', () => ({ codes: [] }));
    expect(open).toThrow(StateCorruptError);
    expect(open).toThrow(
      new RegExp(
        `'${join(dir, 'codes.json')}' is damaged at line 3 column \\d+: Unexpected token 'x'`,
      ),
    );
    expect(open).toThrow(/--repair .* \(loses the confirmation codes sent so far.*--reset/);
    writeFileSync(join(dir, 'codes.json'), '{\n  "codes": [\n');
    expect(open).toThrow(/damaged at line 2, where it ends \(truncated\)/);
  });

  it('says when a damaged file cannot be repaired automatically', () => {
    writeFileSync(join(dir, 'unknown-store.json'), '{"n":');
    expect(() =>
      new SandboxState(dir, { repair: true }).store('unknown-store', () => ({})),
    ).toThrow(/cannot be repaired automatically/);
  });

  it('--repair sets a damaged store aside, starts it empty and keeps the others', () => {
    const state = new SandboxState(dir);
    state
      .store<{ sessions: Record<string, number> }>('credentials', () => ({ sessions: {} }))
      .update((s) => (s.sessions.a = 1));
    state.store('codes', () => ({ codes: [1] })).update((s) => s.codes.push(2));
    writeFileSync(join(dir, 'codes.json'), '{"codes": [1, 2');
    const repairs: string[] = [];
    const repaired = new SandboxState(dir, { repair: true, log: (l) => repairs.push(l) });
    expect(repaired.store('codes', () => ({ codes: [] as number[] })).get()).toEqual({ codes: [] });
    expect(repaired.store('credentials', () => ({ sessions: {} })).get()).toEqual({
      sessions: { a: 1 },
    });
    expect(repairs).toEqual([
      expect.stringMatching(
        /codes\.json was damaged .*kept as codes\.json\.damaged-.*lost: the confirmation codes/,
      ),
    ]);
    const aside = readdirSync(dir).find((f) => f.startsWith('codes.json.damaged-'));
    expect(readFileSync(join(dir, aside!), 'utf8')).toBe('{"codes": [1, 2');
  });

  it('keeps the state private: directories 0700 (made so if older), files 0600', () => {
    chmodSync(dir, 0o755);
    const state = new SandboxState(dir);
    state.store('credentials', () => ({ n: 0 })).update((s) => (s.n = 1));
    const sub = state.subdir('cognito');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(sub).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'credentials.json')).mode & 0o777).toBe(0o600);
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
