/**
 * The steps of `startSandbox` that hold logic of their own (sandbox/wiring/), without a running
 * sandbox: what is read from the template, the confirmation code book, the order of cleanups, and
 * a module that needs a shared service which is not there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CfnTemplate } from '../../sandbox/cloudformation/template';
import { WebOrigins } from '../../sandbox/core/browser-access';
import { SandboxState } from '../../sandbox/core/state';
import type { SynthesizedStack } from '../../sandbox/resources';
import { type SandboxContext, SandboxServer } from '../../sandbox/server';
import { identityPool } from '../../sandbox/services/identity-pool';
import type { CodeRecord } from '../../sandbox/services/user-pool';
import { Cleanups } from '../../sandbox/wiring/cleanups';
import { codeBook, maskedAddress } from '../../sandbox/wiring/codes';
import { readStackSpec } from '../../sandbox/wiring/stack-spec';

function stackOf(resources: CfnTemplate['Resources']): SynthesizedStack {
  return {
    cdkOutDir: '/nowhere',
    stackName: 'Test',
    region: 'eu-central-1',
    templateFile: '/nowhere/Test.template.json',
    template: { Resources: resources },
  };
}

const POOL = {
  Type: 'AWS::Cognito::UserPool',
  Properties: {
    UserPoolName: 'chat',
    LambdaConfig: {
      PostConfirmation: 'arn:aws:lambda:eu-central-1:000000000000:function:confirm',
      // Not run by cognito-local: reported, not passed on.
      DefineAuthChallenge: 'arn:aws:lambda:eu-central-1:000000000000:function:define',
    },
  },
};
const CLIENT = {
  Type: 'AWS::Cognito::UserPoolClient',
  Properties: {
    UserPoolId: { Ref: 'Pool' },
    AllowedOAuthFlowsUserPoolClient: true,
    CallbackURLs: ['http://localhost:5173/', 'https://chat.example.com/'],
    LogoutURLs: ['http://localhost:5173/signed-out'],
  },
};
const DOMAIN = {
  Type: 'AWS::Cognito::UserPoolDomain',
  Properties: { Domain: 'chat', UserPoolId: { Ref: 'Pool' } },
};

describe('readStackSpec', () => {
  it('reads the pool, its client, the triggers it can run and the app URLs', () => {
    const lines: string[] = [];
    const spec = readStackSpec(stackOf({ Pool: POOL, Client: CLIENT, Domain: DOMAIN }), (line) =>
      lines.push(line),
    );
    expect(spec.pool.UserPoolName).toBe('chat');
    expect(spec.client.UserPoolId).toEqual(expect.any(String));
    expect(spec.triggers).toEqual({
      PostConfirmation: 'arn:aws:lambda:eu-central-1:000000000000:function:confirm',
    });
    expect(lines).toEqual([
      'warning: user pool trigger DefineAuthChallenge is not supported by the sandbox and will not run',
    ]);
    expect(spec.appUrls).toEqual([
      'http://localhost:5173/',
      'https://chat.example.com/',
      'http://localhost:5173/signed-out',
    ]);
    expect(spec.hasHostedUi).toBe(true);
  });

  it('serves no hosted UI without a user pool domain, or without an OAuth client', () => {
    const noDomain = readStackSpec(stackOf({ Pool: POOL, Client: CLIENT }), () => {});
    expect(noDomain.hasHostedUi).toBe(false);
    const noOAuth = readStackSpec(
      stackOf({
        Pool: POOL,
        Client: { ...CLIENT, Properties: { UserPoolId: { Ref: 'Pool' } } },
        Domain: DOMAIN,
      }),
      () => {},
    );
    expect(noOAuth.hasHostedUi).toBe(false);
    expect(noOAuth.appUrls).toEqual([]);
  });

  it('refuses a template without exactly one user pool', () => {
    expect(() => readStackSpec(stackOf({ Client: CLIENT }), () => {})).toThrow(
      /exactly one AWS::Cognito::UserPool, the template has 0/,
    );
  });
});

describe('maskedAddress', () => {
  it.each([
    ['alice@example.com', 'a***@e***.com'],
    ['x@localhost', 'x***@l***'],
    ['+15555550100', '+***'],
    ['', '***'],
  ])('%s -> %s', (input, masked) => expect(maskedAddress(input)).toBe(masked));
});

describe('codeBook', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandbox-codes-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const code = (n: number, username = `user-${n}`): CodeRecord => ({
    username,
    destination: `${username}@Example.com`,
    code: String(100000 + n),
    at: n,
  });

  it('logs each code (address masked) and lists them by username or email address, newest last', () => {
    const lines: string[] = [];
    const book = codeBook(new SandboxState(dir), (line) => lines.push(line));
    book.record(code(1, 'alice'));
    book.record(code(2, 'bob'));
    book.record(code(3, 'alice'));
    // The log masks the address (no email address in logs); the list keeps it whole.
    expect(lines[0]).toBe('confirmation code for a***@E***.com: 100001');
    expect(lines.join('\n')).not.toContain('@Example.com');
    expect(book.list('alice').map((c) => c.code)).toEqual(['100001', '100003']);
    expect(book.list('ALICE@example.com').map((c) => c.code)).toEqual(['100001', '100003']);
    expect(book.list()).toHaveLength(3);
    // Kept in the state directory: a restarted sandbox still shows them.
    expect(codeBook(new SandboxState(dir), () => {}).list('bob')).toEqual([code(2, 'bob')]);
  });

  it('keeps the newest 200 codes', () => {
    const book = codeBook(new SandboxState(dir), () => {});
    for (let n = 1; n <= 205; n++) book.record(code(n));
    const kept = book.list();
    expect(kept).toHaveLength(200);
    expect(kept[0]?.code).toBe('100006');
    expect(kept.at(-1)?.code).toBe('100205');
  });
});

describe('Cleanups', () => {
  it('runs every step once, newest first, past a failing one', async () => {
    const ran: string[] = [];
    const cleanups = new Cleanups();
    cleanups.add(() => {
      ran.push('server');
    });
    cleanups.add(() => {
      throw new Error('the runner would not close');
    });
    cleanups.add(async () => {
      await Promise.resolve();
      ran.push('hosted UI');
    });
    await Promise.all([cleanups.runAll(), cleanups.runAll()]);
    await cleanups.runAll();
    expect(ran).toEqual(['hosted UI', 'server']);
  });
});

describe('shared services', () => {
  it('the identity pool refuses to start without the user pool it verifies tokens of', () => {
    const server = new SandboxServer({ webOrigins: new WebOrigins() });
    // Only `services` is read before the refusal.
    const context = { services: {} } as SandboxContext;
    expect(() => identityPool.register(server, context)).toThrow(
      'the identity pool needs the user pool (ctx.services.userPool)',
    );
  });
});
