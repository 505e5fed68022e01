/**
 * `npm run users -- reconcile`, as an administrator runs it: a child process against a running
 * sandbox (its config.json and administrator credentials), printing the drift, then repairing it
 * with the delete brake, then past it with --force.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  AdminDeleteUserCommand,
  AdminUpdateUserAttributesCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  type ChimeSDKIdentityClient,
  CreateAppInstanceUserCommand,
} from '@aws-sdk/client-chime-sdk-identity';
import { appInstanceUserArn } from '../../contracts/chime-arns';
import { startTestSandbox, type TestSandbox } from '../../sandbox/testing';
import { printable } from '../../scripts/users-report';
import { adminChimeIdentity, chimeNameOf } from '../sandbox/lifecycle/support';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '..', '..');
let sandbox: TestSandbox;
let chime: ChimeSDKIdentityClient;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function runUsers(args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'scripts/users.ts', 'reconcile', ...args],
      { cwd: ROOT, env: { ...process.env, NODE_NO_WARNINGS: '1' } },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The command against the test's sandbox. */
function users(...args: string[]): Promise<Run> {
  return runUsers(['--sandbox', '--state-dir', sandbox.stateDir, ...args]);
}

beforeAll(async () => {
  sandbox = await startTestSandbox();
  chime = adminChimeIdentity(sandbox);
}, 180_000);

afterAll(async () => {
  chime?.destroy();
  await sandbox?.stop();
});

it('prints the drift, repairs it behind the brake, and deletes past it only with --force', async () => {
  const arn = (id: string) => appInstanceUserArn(sandbox.config.appInstanceArn, id);
  const alice = await sandbox.signUpUser('alice@example.com');
  const bob = await sandbox.signUpUser('bob@example.com');
  await sandbox.signUpUser('carol@example.com');
  await sandbox.adminUserPoolClient.send(
    new AdminDeleteUserCommand({ UserPoolId: sandbox.config.userPoolId, Username: alice.email }),
  );
  await sandbox.adminUserPoolClient.send(
    new AdminUpdateUserAttributesCommand({
      UserPoolId: sandbox.config.userPoolId,
      Username: bob.email,
      UserAttributes: [{ Name: 'name', Value: 'Robert' }],
    }),
  );
  const orphans = [randomUUID(), randomUUID()];
  for (const [i, id] of orphans.entries()) {
    await chime.send(
      new CreateAppInstanceUserCommand({
        AppInstanceArn: sandbox.config.appInstanceArn,
        AppInstanceUserId: id,
        Name: i === 0 ? '\u001b[2Jevil\u202e' : 'orphan',
      }),
    );
  }

  const plan = await users();
  expect(plan.code).toBe(0);
  expect(plan.stderr).toContain('nothing is changed');
  // Progress on stderr (a line every few seconds when it is not a terminal).
  expect(plan.stderr).toMatch(/listing AppInstanceUsers: \d/);
  expect(plan.stdout).toContain('Drift: 0 to create, 1 to rename, 3 to delete');
  expect(plan.stdout).toContain('Delete brake: ENGAGED');
  expect(plan.stdout).toMatch(new RegExp(`rename\\s+${bob.sub}\\s+bob -> Robert`));
  expect(plan.stdout).toMatch(new RegExp(`delete\\s+${alice.sub}\\s+alice`));
  // A name never reaches the terminal raw.
  expect(plan.stdout).toContain('\\u{1b}[2Jevil\\u{202e}');
  expect(plan.stdout).not.toContain('\u001b');
  expect(await chimeNameOf(chime, arn(bob.sub))).toBe('bob');

  const held = await users('--apply');
  expect(held.code).toBe(2);
  expect(held.stdout).toContain('0 deleted');
  expect(held.stdout).toContain('Nothing was deleted (the brake)');
  expect(await chimeNameOf(chime, arn(bob.sub))).toBe('Robert');
  expect(await chimeNameOf(chime, arn(alice.sub))).toBe('alice');

  const forced = await users('--apply', '--force');
  expect(forced.code).toBe(0);
  expect(forced.stderr).toContain('THE DELETE BRAKE IS OFF');
  expect(forced.stderr).toContain('3 deleted past the brake');
  for (const id of [alice.sub, ...orphans])
    expect(await chimeNameOf(chime, arn(id))).toBeUndefined();

  const after = await users('--json');
  expect(after.code).toBe(0);
  const report = JSON.parse(after.stdout) as { plan: Record<string, unknown[]> };
  expect(report.plan).toMatchObject({ creates: [], renames: [], deletes: [] });
});

// Each run is a process start (~0.8 s of CPU, mostly module loading): independent ones run together.
it('refuses unclear commands with a clear message', async () => {
  const [force, lots] = await Promise.all([users('--force'), users('--max-deletes=lots')]);
  expect(force).toMatchObject({
    code: 1,
    stderr: expect.stringContaining('--force only means something with --apply'),
  });
  expect(lots).toMatchObject({
    code: 1,
    stderr: expect.stringContaining("delete brake's count"),
  });
});

it('says what to do when there is no stack or sandbox to read', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'users-cli-'));
  try {
    const [deployed, local] = await Promise.all([
      runUsers(['--outputs-file', join(empty, 'cdk-outputs.json')]),
      runUsers(['--sandbox', '--state-dir', empty]),
    ]);
    expect(deployed).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('does not exist: deploy first (npm run deploy)'),
    });
    expect(local).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('start the sandbox first (npm run sandbox)'),
    });
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

describe('printable', () => {
  it('escapes controls and invisible format characters and cuts long names', () => {
    expect(printable('a\u0000b\u200bc\u2028')).toBe('a\\u{0}b\\u{200b}c\\u{2028}');
    expect(printable('Zoë 😀')).toBe('Zoë 😀');
    expect(printable('x'.repeat(50), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});
