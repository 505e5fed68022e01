/**
 * `withLock` (sandbox/synth.ts), the lock parallel test files and `npm start` share for the cloud
 * assembly, the web demo build and the test keys: one holder at a time however long it holds, a
 * dead holder's lock taken over, released on failure.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withLock } from '../../sandbox/synth';

// Real time: the lock's age is the directory's mtime. Generous enough for a loaded machine, where a
// heartbeat (every STALE_MS / 4) may run late.
const STALE_MS = 1_000;
let dir: string;
let lockDir: string;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lock-'));
  lockDir = join(dir, 'lock');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('a holder keeps the lock past staleMs while it works; the next one waits for it', async () => {
  const events: string[] = [];
  const first = withLock(
    lockDir,
    async () => {
      events.push('first in');
      await sleep(STALE_MS * 2.5);
      events.push('first out');
    },
    { staleMs: STALE_MS, pollMs: 20 },
  );
  await sleep(20);
  const second = withLock(
    lockDir,
    async () => {
      events.push('second in');
      await Promise.resolve();
    },
    { staleMs: STALE_MS, pollMs: 20 },
  );
  await Promise.all([first, second]);
  expect(events).toEqual(['first in', 'first out', 'second in']);
  expect(existsSync(lockDir)).toBe(false);
});

test('the lock of a process that died holding it is taken over once stale', async () => {
  mkdirSync(lockDir);
  const untouchedSince = new Date(Date.now() - STALE_MS * 2);
  utimesSync(lockDir, untouchedSince, untouchedSince);
  await expect(
    withLock(lockDir, () => Promise.resolve('ran'), { staleMs: STALE_MS }),
  ).resolves.toBe('ran');
});

test('a fresh lock of another holder is waited for, not taken', async () => {
  mkdirSync(lockDir);
  let ran = false;
  const waiting = withLock(
    lockDir,
    async () => {
      ran = true;
      await Promise.resolve();
    },
    { staleMs: 60_000, pollMs: 20 },
  );
  await sleep(200);
  expect(ran).toBe(false);
  rmSync(lockDir, { recursive: true });
  await waiting;
  expect(ran).toBe(true);
});

test("released when the work fails, with the work's error", async () => {
  await expect(
    withLock(lockDir, () => Promise.reject(new Error('synth failed')), { staleMs: STALE_MS }),
  ).rejects.toThrow('synth failed');
  expect(existsSync(lockDir)).toBe(false);
});
