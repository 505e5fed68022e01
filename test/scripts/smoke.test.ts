/**
 * `npm run smoke -- --sandbox` (scripts/smoke.ts) against a running sandbox, as a deployer runs it
 * against AWS: every step passes and nothing it created is left. Against a sandbox whose end-user
 * role lets anyone act as anyone (`/user/*`), it fails that step, exits 1, and still cleans up.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChimeSDKIdentityClient,
  ListAppInstanceUsersCommand,
} from '@aws-sdk/client-chime-sdk-identity';
import { ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import { appInstanceUserArn } from '../../contracts/chime-arns';
import { STACK_NAME } from '../../infra/stack-outputs';
import { PROJECT_ROOT, ensureSynth } from '../../sandbox/synth';
import { type TestSandbox, startTestSandbox } from '../../sandbox/testing';

jest.setTimeout(240_000);

interface SmokeRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Table rows: step -> [result, detail]. */
  readonly rows: ReadonlyMap<string, { result: string; detail: string }>;
}

/** Runs the script in its own process (the sandbox answers from this one, so not spawnSync). */
function runSmoke(stateDir: string): Promise<SmokeRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join('scripts', 'smoke.ts'), '--sandbox', '--state-dir', stateDir],
      { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const rows = new Map<string, { result: string; detail: string }>();
      for (const line of stdout.split('\n')) {
        const cells = line.split(' | ').map((c) => c.replace(/^\| |\s*\|$/g, '').trim());
        if (cells.length === 4 && /^(PASS|FAIL|SKIP)$/.test(cells[1]!)) {
          rows.set(cells[0]!, { result: cells[1]!, detail: cells[3]! });
        }
      }
      resolve({ code, stdout, stderr, rows });
    });
  });
}

/** What a run leaves behind: Cognito users, AppInstanceUsers, and whether its channel exists. */
async function leftovers(sandbox: TestSandbox, run: SmokeRun) {
  const users = await sandbox.adminUserPoolClient.send(
    new ListUsersCommand({ UserPoolId: sandbox.config.userPoolId }),
  );
  const chime = new ChimeSDKIdentityClient({
    region: sandbox.config.region,
    endpoint: sandbox.url,
    credentials: {
      ...sandbox.adminCredentials,
      expiration: new Date(sandbox.adminCredentials.expiration),
    },
  });
  const appInstanceUsers = await chime.send(
    new ListAppInstanceUsersCommand({ AppInstanceArn: sandbox.config.appInstanceArn }),
  );
  chime.destroy();
  const sub = /^sub (\S+)$/.exec(
    run.rows.get('create a temporary user (AdminCreateUser)')?.detail ?? '',
  )?.[1];
  const channelArn = run.rows.get('create a channel as oneself (CreateChannel)')?.detail;
  const messaging = sandbox.context.services.chimeMessaging!;
  return {
    users: users.Users ?? [],
    appInstanceUsers: appInstanceUsers.AppInstanceUsers ?? [],
    // The creator is a member of their channel for as long as it exists.
    channelExists:
      sub !== undefined &&
      channelArn !== undefined &&
      messaging.isMember(channelArn, appInstanceUserArn(sandbox.config.appInstanceArn, sub)),
  };
}

const STEPS = [
  'create a temporary user (AdminCreateUser)',
  'sign in with SRP, choose a new password (NEW_PASSWORD_REQUIRED)',
  'AppInstanceUser created by sign-in healing (within 10 s)',
  'identity pool credentials (GetId, GetCredentialsForIdentity)',
  'create a channel as oneself (CreateChannel)',
  "the config's messagingSessionEndpoint is GetMessagingSessionEndpoint's answer",
  'open the messaging WebSocket (GetMessagingSessionEndpoint, connect)',
  'send a message as oneself, receive it over the WebSocket',
  'another AppInstanceUser to impersonate (operator CreateAppInstanceUser)',
  'the same CreateAppInstanceUser again (same token): success, an idempotent retry',
  'refused acting as another user (ListChannels as them: 403)',
  'CreateAppInstanceUser of an existing user with a new token: ConflictException',
  'clean up: delete the channel',
  'clean up: delete the AppInstanceUser',
  'clean up: delete the other AppInstanceUser',
  'clean up: delete the identity pool identity',
  'clean up: delete the user (AdminDeleteUser)',
];

describe('against the sandbox of the real template', () => {
  let sandbox: TestSandbox;
  beforeAll(async () => {
    sandbox = await startTestSandbox();
  });
  afterAll(() => sandbox?.stop());

  it('passes every step, prints the table, exits 0 and leaves nothing behind', async () => {
    const run = await runSmoke(sandbox.stateDir);

    expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({
      code: 0,
      stderr: '',
    });
    expect([...run.rows.keys()]).toEqual(STEPS);
    expect([...run.rows.values()].map((r) => r.result)).toEqual(STEPS.map(() => 'PASS'));
    expect(run.stdout).toContain(`PASS: all ${STEPS.length} steps passed`);
    expect(
      run.rows.get('refused acting as another user (ListChannels as them: 403)')?.detail,
    ).toMatch(/^ForbiddenException \(403\)/);
    expect(
      run.rows.get("the config's messagingSessionEndpoint is GetMessagingSessionEndpoint's answer")
        ?.detail,
    ).toBe(sandbox.config.messagingSessionEndpoint);
    expect(await leftovers(sandbox, run)).toEqual({
      users: [],
      appInstanceUsers: [],
      channelExists: false,
    });
    // No password, token or address in what it prints.
    expect(run.stdout + run.stderr).not.toMatch(/@example\.com|eyJ|Aa1!/);
  });
});

describe('against a sandbox whose end-user role allows acting as anyone', () => {
  let sandbox: TestSandbox;
  let cdkOut: string;
  beforeAll(async () => {
    await ensureSynth(join(PROJECT_ROOT, 'cdk.out'));
    cdkOut = mkdtempSync(join(tmpdir(), 'smoke-widened-'));
    cpSync(join(PROJECT_ROOT, 'cdk.out'), cdkOut, { recursive: true });
    const file = join(cdkOut, `${STACK_NAME}.template.json`);
    const template = readFileSync(file, 'utf8');
    const widened = template.replace(/\/user\/\$\{aws:PrincipalTag\/[^}]+\}/g, '/user/*');
    expect(widened).not.toBe(template);
    writeFileSync(file, widened);
    sandbox = await startTestSandbox({ cdkOutDir: cdkOut });
  });
  afterAll(async () => {
    await sandbox?.stop();
    rmSync(cdkOut, { recursive: true, force: true });
  });

  it('fails the refusal step, exits 1, and still cleans up everything', async () => {
    const run = await runSmoke(sandbox.stateDir);

    expect(run.code).toBe(1);
    expect(run.rows.get('refused acting as another user (ListChannels as them: 403)')).toEqual({
      result: 'FAIL',
      detail: expect.stringContaining('was accepted'),
    });
    expect(run.stdout).toMatch(/FAIL: 1 failed, 0 skipped of 17 steps/);
    for (const step of STEPS.filter((s) => s.startsWith('clean up'))) {
      expect({ step, result: run.rows.get(step)?.result }).toEqual({ step, result: 'PASS' });
    }
    expect(await leftovers(sandbox, run)).toEqual({
      users: [],
      appInstanceUsers: [],
      channelExists: false,
    });
  });
});
