/**
 * Runs the stack's Lambda functions as deployed: the bundle CDK wrote to `cdk.out` (asset path from
 * the template's `aws:asset:path` metadata), handler, timeout, memory and environment from the
 * template, in a child process (sandbox/lambda/bootstrap.mjs) that is kept warm between
 * invocations like a Lambda execution environment.
 *
 * Each environment gets temporary credentials of the function's own role (so the sandbox enforces
 * the function's policy on every call it makes) and `AWS_ENDPOINT_URL*` pointing at the sandbox.
 * `@aws-sdk/*` is left out of the bundles (the Node.js runtime provides it): the child resolves it
 * from the project's node_modules through NODE_PATH. Each function runs on the Node.js major of
 * its runtime (`nodejs24.x` -> Node.js 24; sandbox/lambda/node-runtime.ts finds the binary).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CredentialStore, Session } from '../core/credentials';
import type { SandboxResources } from '../resources';
import { resourcesOfType } from '../cloudformation/template';
import { type FindNodeOptions, type NodeBinary, findNodeBinary } from './node-runtime';

export interface LambdaFunctionSpec {
  readonly logicalId: string;
  /** Physical function name. */
  readonly functionName: string;
  readonly functionArn: string;
  readonly handler: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly roleArn: string;
  /** Directory of the bundle in the cloud assembly. */
  readonly assetDir: string;
  readonly environment: Readonly<Record<string, string>>;
}

export interface InvokeResult {
  StatusCode: number;
  /** JSON text of the handler's result, or of the error when `FunctionError` is set. */
  Payload: string;
  FunctionError?: 'Unhandled';
}

export class LambdaNotFoundError extends Error {
  constructor(name: string) {
    super(`Function not found: ${name}`);
    this.name = 'LambdaNotFoundError';
  }
}

/**
 * The functions of the template the sandbox can run (Node.js runtimes with a bundled asset), with
 * everything resolved. Others (another runtime, inline code, unresolvable properties) are passed
 * to `onSkip` with the reason, and invoking them fails with "Function not found".
 */
export function lambdaFunctionsOf(
  resources: SandboxResources,
  onSkip: (logicalId: string, reason: string) => void = () => {},
): LambdaFunctionSpec[] {
  const { template, cdkOutDir } = resources.stack;
  const specs: LambdaFunctionSpec[] = [];
  for (const logicalId of resourcesOfType(template, 'AWS::Lambda::Function')) {
    try {
      const props = resources.properties(logicalId);
      const runtime = typeof props.Runtime === 'string' ? props.Runtime : '';
      if (!runtime.startsWith('nodejs')) {
        onSkip(logicalId, `runtime '${runtime}' is not run by the sandbox (Node.js only)`);
        continue;
      }
      const metadata = template.Resources[logicalId]?.Metadata ?? {};
      const assetPath = metadata['aws:asset:path'];
      if (typeof assetPath !== 'string') {
        onSkip(logicalId, "no 'aws:asset:path' metadata (inline code, or assets disabled)");
        continue;
      }
      const assetDir = resolve(cdkOutDir, assetPath);
      if (!existsSync(assetDir)) {
        onSkip(logicalId, `bundle not found at ${assetDir}: re-run 'npx cdk synth'`);
        continue;
      }
      const physical = resources.env.resources[logicalId];
      const variables =
        (props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      specs.push({
        logicalId,
        functionName: physical?.ref ?? logicalId,
        functionArn: physical?.attributes.Arn ?? logicalId,
        handler: typeof props.Handler === 'string' ? props.Handler : 'index.handler',
        runtime,
        timeoutSeconds: Number(props.Timeout ?? 3),
        memoryMb: Number(props.MemorySize ?? 128),
        roleArn: String(props.Role),
        assetDir,
        environment: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(v)])),
      });
    } catch (error) {
      onSkip(logicalId, (error as Error).message);
    }
  }
  return specs;
}

/** Per-service endpoint variables the AWS SDK v3 reads (`AWS_ENDPOINT_URL_<SERVICE_ID>`). */
const ENDPOINT_SERVICES = [
  'CHIME_SDK_IDENTITY',
  'CHIME_SDK_MESSAGING',
  'STS',
  'COGNITO_IDENTITY',
  'COGNITO_IDENTITY_PROVIDER',
  'DYNAMODB',
  'KMS',
];

export interface LambdaRunnerOptions {
  functions: readonly LambdaFunctionSpec[];
  credentials: CredentialStore;
  region: string;
  /** The sandbox endpoint the functions call. */
  endpoint: string;
  /** Receives each line the functions print (their logs). */
  onLog?: (functionName: string, line: string) => void;
  /** `node_modules` the children resolve external packages from. */
  nodeModules?: string;
  /** Environments per function at most (further invocations wait). @default 4 */
  maxConcurrency?: number;
  /** Where Node.js binaries are looked for (tests). @default - see node-runtime.ts */
  findNode?: FindNodeOptions;
}

interface Worker {
  child: ChildProcess;
  session: Session;
  ready: Promise<void>;
  busy: boolean;
}

interface ChildResult {
  type: 'result';
  id: string;
  ok: boolean;
  value?: unknown;
  error?: { errorType: string; errorMessage: string; trace: string[] };
}

const BOOTSTRAP = join(__dirname, 'bootstrap.mjs');
const DEFAULT_MAX_CONCURRENCY = 4;
/** Lambda's init phase limit. */
const INIT_TIMEOUT_MS = 10_000;
/** Recycle an environment whose credentials have less than this left. */
const CREDENTIALS_MARGIN_MS = 5 * 60 * 1000;

export class LambdaRunner {
  private readonly workers = new Map<string, Worker[]>();
  private readonly waiters: (() => void)[] = [];
  /** Runtime (`nodejs24.x`) -> the binary its functions run on. */
  private readonly binaries = new Map<string, NodeBinary>();
  private closed = false;

  /** Throws (NodeRuntimeNotFoundError) when a function's Node.js major cannot be found. */
  constructor(private readonly options: LambdaRunnerOptions) {
    for (const fn of options.functions) {
      if (!existsSync(fn.assetDir)) {
        throw new Error(
          `bundle of ${fn.logicalId} not found at ${fn.assetDir}: re-run 'npx cdk synth'`,
        );
      }
      if (!this.binaries.has(fn.runtime)) {
        this.binaries.set(fn.runtime, findNodeBinary(fn.runtime, options.findNode));
      }
    }
  }

  /** The Node.js binary of each runtime the functions use. */
  get nodeBinaries(): ReadonlyMap<string, NodeBinary> {
    return this.binaries;
  }

  get functions(): readonly LambdaFunctionSpec[] {
    return this.options.functions;
  }

  /** Finds a function by name, ARN or logical id. */
  find(name: string): LambdaFunctionSpec | undefined {
    return this.options.functions.find(
      (f) => f.functionName === name || f.functionArn === name || f.logicalId === name,
    );
  }

  async invoke(name: string, payload: string): Promise<InvokeResult> {
    const fn = this.find(name);
    if (!fn) throw new LambdaNotFoundError(name);
    const worker = await this.acquire(fn);
    try {
      await worker.ready;
    } catch (error) {
      this.discard(fn, worker);
      return this.failure('Runtime.InitError', (error as Error).message);
    }
    return this.run(fn, worker, payload);
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.workers.values()].flat();
    this.workers.clear();
    await Promise.all(all.map((w) => this.kill(w)));
  }

  private failure(errorType: string, errorMessage: string): InvokeResult {
    return {
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: JSON.stringify({ errorType, errorMessage, trace: [] }),
    };
  }

  /**
   * An idle environment, a new one, or (at the concurrency cap) the next one released. The cap
   * keeps a burst from starting one Node.js process per request on a small machine.
   */
  private async acquire(fn: LambdaFunctionSpec): Promise<Worker> {
    for (;;) {
      const worker = this.tryAcquire(fn);
      if (worker) return worker;
      await new Promise<void>((resolveWait) => this.waiters.push(resolveWait));
    }
  }

  /** Wakes the invocations waiting for an environment. */
  private released(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  private tryAcquire(fn: LambdaFunctionSpec): Worker | undefined {
    if (this.closed) throw new Error('the Lambda runner is closed');
    const pool = this.workers.get(fn.functionName) ?? [];
    this.workers.set(fn.functionName, pool);
    const now = Date.now();
    for (const worker of [...pool]) {
      if (worker.busy) continue;
      if (worker.session.expiration - now < CREDENTIALS_MARGIN_MS) {
        this.discard(fn, worker);
        continue;
      }
      worker.busy = true;
      return worker;
    }
    if (pool.length >= (this.options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY)) return undefined;
    const worker = this.spawn(fn);
    worker.busy = true;
    pool.push(worker);
    return worker;
  }

  private spawn(fn: LambdaFunctionSpec): Worker {
    const session = this.options.credentials.issue({
      roleArn: fn.roleArn,
      roleSessionName: fn.functionName.slice(0, 64),
      durationSeconds: 3600,
      issuedBy: `lambda runner for ${fn.functionName}`,
    });
    const endpoint = this.options.endpoint;
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      TZ: ':UTC',
      ...fn.environment,
      NODE_PATH: this.options.nodeModules ?? resolve(__dirname, '..', '..', 'node_modules'),
      LAMBDA_TASK_ROOT: fn.assetDir,
      _HANDLER: fn.handler,
      AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
      AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.functionName}`,
      AWS_REGION: this.options.region,
      AWS_DEFAULT_REGION: this.options.region,
      AWS_ACCESS_KEY_ID: session.accessKeyId,
      AWS_SECRET_ACCESS_KEY: session.secretAccessKey,
      AWS_SESSION_TOKEN: session.sessionToken,
      AWS_ENDPOINT_URL: endpoint,
      ...Object.fromEntries(ENDPOINT_SERVICES.map((s) => [`AWS_ENDPOINT_URL_${s}`, endpoint])),
    };
    const child = fork(BOOTSTRAP, [], {
      cwd: fn.assetDir,
      env,
      execPath: this.binaries.get(fn.runtime)?.path ?? process.execPath,
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    const onLog = this.options.onLog;
    for (const stream of [child.stdout, child.stderr]) {
      let buffered = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) if (line) onLog?.(fn.functionName, line);
      });
    }
    const ready = new Promise<void>((resolveReady, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`init of ${fn.functionName} took over ${INIT_TIMEOUT_MS} ms`)),
        INIT_TIMEOUT_MS,
      );
      child.on('message', (message: { type?: string; error?: { errorMessage?: string } }) => {
        if (message.type === 'ready') {
          clearTimeout(timer);
          resolveReady();
        } else if (message.type === 'init-error') {
          clearTimeout(timer);
          reject(new Error(message.error?.errorMessage ?? 'init failed'));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`runtime exited during init with code ${code}`));
      });
    });
    ready.catch(() => {});
    return { child, session, ready, busy: false };
  }

  private run(fn: LambdaFunctionSpec, worker: Worker, payload: string): Promise<InvokeResult> {
    const id = randomUUID();
    const deadline = Date.now() + fn.timeoutSeconds * 1000;
    return new Promise<InvokeResult>((resolveResult) => {
      const finish = (result: InvokeResult, keep: boolean) => {
        clearTimeout(timer);
        worker.child.off('message', onMessage);
        worker.child.off('exit', onExit);
        if (keep) worker.busy = false;
        else this.discard(fn, worker);
        this.released();
        resolveResult(result);
      };
      const onMessage = (message: ChildResult) => {
        if (message.type !== 'result' || message.id !== id) return;
        if (message.ok) {
          finish({ StatusCode: 200, Payload: JSON.stringify(message.value ?? null) }, true);
        } else {
          finish(
            {
              StatusCode: 200,
              FunctionError: 'Unhandled',
              Payload: JSON.stringify(message.error),
            },
            true,
          );
        }
      };
      const onExit = (code: number | null) =>
        finish(
          this.failure('Runtime.ExitError', `Runtime exited with error: exit status ${code}`),
          false,
        );
      const timer = setTimeout(
        () =>
          finish(
            this.failure(
              'Sandbox.Timedout',
              `Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`,
            ),
            false,
          ),
        fn.timeoutSeconds * 1000,
      );
      worker.child.on('message', onMessage);
      worker.child.once('exit', onExit);
      let event: unknown;
      try {
        event = JSON.parse(payload);
      } catch {
        finish(this.failure('Runtime.InvalidPayload', 'payload is not JSON'), true);
        return;
      }
      worker.child.send({
        type: 'invoke',
        id,
        event,
        context: {
          awsRequestId: id,
          functionName: fn.functionName,
          functionVersion: '$LATEST',
          invokedFunctionArn: fn.functionArn,
          memoryLimitInMB: String(fn.memoryMb),
          logGroupName: `/aws/lambda/${fn.functionName}`,
          logStreamName: `sandbox/${worker.child.pid ?? 0}`,
          deadline,
        },
      });
    });
  }

  private discard(fn: LambdaFunctionSpec, worker: Worker): void {
    const pool = this.workers.get(fn.functionName);
    if (pool) {
      const index = pool.indexOf(worker);
      if (index >= 0) pool.splice(index, 1);
    }
    this.released();
    void this.kill(worker);
  }

  private kill(worker: Worker): Promise<void> {
    const child = worker.child;
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolveKill) => {
      child.once('exit', () => resolveKill());
      child.kill('SIGKILL');
    });
  }
}
