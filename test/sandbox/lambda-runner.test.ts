/** The Lambda runner: bundles in child processes with the Lambda contract, role credentials, timeouts. */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialStore } from '../../sandbox/core/credentials';
import { SandboxState } from '../../sandbox/core/state';
import { NodeRuntimeNotFoundError } from '../../sandbox/lambda/node-runtime';
import { type LambdaFunctionSpec, LambdaRunner } from '../../sandbox/lambda/runner';

const root = mkdtempSync(join(tmpdir(), 'runner-test-'));
const credentials = new CredentialStore(new SandboxState(join(root, 'state')));
const ROLE = 'arn:aws:iam::000000000000:role/FnRole';

function asset(name: string, code: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.js'), code);
  return dir;
}

function spec(name: string, code: string, overrides: Partial<LambdaFunctionSpec> = {}) {
  return {
    logicalId: `${name}Logical`,
    functionName: name,
    functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    handler: 'index.handler',
    runtime: 'nodejs24.x',
    timeoutSeconds: 2,
    memoryMb: 128,
    roleArn: ROLE,
    assetDir: asset(name, code),
    environment: { GREETING: 'hello' },
    ...overrides,
  };
}

const runner = new LambdaRunner({
  region: 'eu-central-1',
  endpoint: 'http://127.0.0.1:9',
  credentials,
  functions: [
    spec(
      'echo',
      `let calls = 0;
       exports.handler = async (event, context) => ({
         calls: ++calls,
         event,
         env: {
           greeting: process.env.GREETING,
           name: process.env.AWS_LAMBDA_FUNCTION_NAME,
           region: process.env.AWS_REGION,
           endpoint: process.env.AWS_ENDPOINT_URL_CHIME_SDK_IDENTITY,
           keyId: process.env.AWS_ACCESS_KEY_ID,
           execEnv: process.env.AWS_EXECUTION_ENV,
         },
         node: process.version,
         requestId: context.awsRequestId,
         remaining: context.getRemainingTimeInMillis(),
       });`,
    ),
    spec('callback', `exports.handler = (event, context, cb) => cb(null, { ok: event.n * 2 });`),
    spec(
      'fails',
      `class ValidationError extends Error { constructor(m) { super(m); this.name = 'ValidationError'; } }
       exports.handler = async () => { throw new ValidationError('bad input'); };`,
    ),
    spec('slow', `exports.handler = () => new Promise(() => {});`, { timeoutSeconds: 1 }),
    spec('missing', `exports.other = async () => 1;`),
    spec(
      'pid',
      `exports.handler = () => new Promise((r) => setTimeout(() => r(process.pid), 150));`,
    ),
  ],
  maxConcurrency: 2,
});

afterAll(async () => {
  await runner.close();
  rmSync(root, { recursive: true, force: true });
});

const parse = (payload: string) => JSON.parse(payload) as Record<string, unknown>;

describe('LambdaRunner', () => {
  it('runs the handler with the event, a Lambda context and the template environment', async () => {
    const result = await runner.invoke('echo', JSON.stringify({ hello: 'world' }));
    expect(result.FunctionError).toBeUndefined();
    const body = parse(result.Payload);
    expect(body.event).toEqual({ hello: 'world' });
    expect(body.env).toMatchObject({
      greeting: 'hello',
      name: 'echo',
      region: 'eu-central-1',
      endpoint: 'http://127.0.0.1:9',
    });
    expect(body.remaining).toBeGreaterThan(1000);
    expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("gives the function its own role's credentials", async () => {
    const body = parse((await runner.invoke('echo', '{}')).Payload);
    const session = credentials.find((body.env as { keyId: string }).keyId);
    expect(session?.roleArn).toBe(ROLE);
  });

  it('keeps the environment warm between invocations and finds functions by ARN', async () => {
    const first = parse((await runner.invoke('echo', '{}')).Payload).calls as number;
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:echo';
    const second = parse((await runner.invoke(arn, '{}')).Payload).calls as number;
    expect(second).toBe(first + 1);
  });

  it('supports callback handlers', async () => {
    expect(parse((await runner.invoke('callback', '{"n":21}')).Payload)).toEqual({ ok: 42 });
  });

  it('reports a thrown error as an unhandled function error', async () => {
    const result = await runner.invoke('fails', '{}');
    expect(result.FunctionError).toBe('Unhandled');
    expect(parse(result.Payload)).toMatchObject({
      errorType: 'ValidationError',
      errorMessage: 'bad input',
    });
  });

  it('stops a function at its timeout and starts a fresh environment next time', async () => {
    // The runner arms a timer of the function's Timeout (1 s for 'slow'). Here that timer fires at
    // once, its delay recorded: the test asserts the delay instead of waiting the second twice.
    const realSetTimeout = global.setTimeout;
    const armed: number[] = [];
    const timers = jest.spyOn(global, 'setTimeout').mockImplementation(((
      callback: (...args: unknown[]) => void,
      ms?: number,
      ...args: unknown[]
    ) => {
      if (ms !== 1000) return realSetTimeout(callback, ms, ...args);
      armed.push(ms);
      return realSetTimeout(callback, 0, ...args);
    }) as typeof setTimeout);
    try {
      const started = Date.now();
      const result = await runner.invoke('slow', '{}');
      expect(Date.now() - started).toBeLessThan(3000);
      expect(parse(result.Payload)).toMatchObject({
        errorType: 'Sandbox.Timedout',
        errorMessage: 'Task timed out after 1.00 seconds',
      });
      expect((await runner.invoke('slow', '{}')).FunctionError).toBe('Unhandled');
    } finally {
      timers.mockRestore();
    }
    expect(armed).toEqual([1000, 1000]);
  });

  it('reports a missing handler export as an init error', async () => {
    const result = await runner.invoke('missing', '{}');
    expect(parse(result.Payload)).toMatchObject({ errorType: 'Runtime.InitError' });
  });

  it('runs a burst on at most maxConcurrency environments', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => runner.invoke('pid', '{}')));
    const pids = new Set(results.map((r) => r.Payload));
    expect(results.every((r) => r.FunctionError === undefined)).toBe(true);
    expect(pids.size).toBe(2);
  });

  it('refuses an unknown function', async () => {
    await expect(runner.invoke('nope', '{}')).rejects.toThrow(/Function not found: nope/);
  });
});

describe('the Node.js of the runtime', () => {
  it('runs nodejs24.x functions on Node.js 24', async () => {
    const body = parse((await runner.invoke('echo', '{}')).Payload);
    expect(body.node).toMatch(/^v24\./);
    expect(body.env).toMatchObject({ execEnv: 'AWS_Lambda_nodejs24.x' });
    expect(runner.nodeBinaries.get('nodejs24.x')?.version).toMatch(/^v24\./);
  });

  /** A `node` that says it is `version` and marks the processes it runs. */
  function fakeNode(dir: string, version: string): string {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'node');
    writeFileSync(
      path,
      `#!/bin/sh\nif [ "$1" = "--version" ]; then echo ${version}; exit 0; fi\n` +
        `export FAKE_NODE=${version}\nexec "${process.execPath}" "$@"\n`,
    );
    chmodSync(path, 0o755);
    return path;
  }

  it('runs another runtime on a binary of its major, found on PATH', async () => {
    const bin = join(root, 'node22-bin');
    fakeNode(bin, 'v22.99.0');
    const other = new LambdaRunner({
      region: 'eu-central-1',
      endpoint: 'http://127.0.0.1:9',
      credentials,
      functions: [
        spec('on22', 'exports.handler = async () => process.env.FAKE_NODE;', {
          runtime: 'nodejs22.x',
        }),
      ],
      findNode: { env: { PATH: `${bin}:/usr/bin` }, projectNode: '/nonexistent' },
    });
    try {
      expect(parse(`{"v":${(await other.invoke('on22', '{}')).Payload}}`).v).toBe('v22.99.0');
    } finally {
      await other.close();
    }
  });

  it('refuses to start without a binary of the major, saying how to provide one', () => {
    const make = (env: NodeJS.ProcessEnv) =>
      new LambdaRunner({
        region: 'eu-central-1',
        endpoint: 'http://127.0.0.1:9',
        credentials,
        functions: [spec('on99', 'exports.handler = async () => 1;', { runtime: 'nodejs99.x' })],
        findNode: { env, projectNode: '/nonexistent' },
      });
    expect(() => make({ PATH: '' })).toThrow(NodeRuntimeNotFoundError);
    expect(() => make({ PATH: '' })).toThrow(/no Node\.js 99 binary.*SANDBOX_NODE_99=/);
    // An explicit binary of another major is refused, not used.
    const wrong = fakeNode(join(root, 'node98-bin'), 'v98.0.0');
    expect(() => make({ PATH: '', SANDBOX_NODE_99: wrong })).toThrow(/v98\.0\.0/);
    const right = fakeNode(join(root, 'node99-bin'), 'v99.1.0');
    expect(() => make({ PATH: '', SANDBOX_NODE_99: right })).not.toThrow();
  });
});
