/**
 * `npm start`: the local sandbox and the web demo together. Starts the sandbox (`sandbox/cli.ts`,
 * which synthesizes first if needed and writes `.sandbox/config.json`), waits for its `ready`, then
 * serves the web demo with Vite's dev server, prints the one URL to open and what to try first.
 * Ctrl-C / SIGTERM stops both.
 *
 * Arguments go to the sandbox (e.g. `npm start -- --reset`). WEB_DEMO_PORT sets the demo's port
 * (default 5173: the app client's local callback URL, needed for the hosted UI).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createServer, type ViteDevServer } from 'vite';

const ROOT = resolve(__dirname, '..');
const DEFAULT_DEMO_PORT = 5173;
let running: ChildProcess | undefined;

interface SandboxReady {
  readonly endpoint: string;
  /** `https://127.0.0.1:<port>` when the sandbox serves a hosted UI. */
  readonly hostedUi?: string;
}

function startSandbox(args: string[]): { child: ChildProcess; ready: Promise<SandboxReady> } {
  const child = spawn(
    process.execPath,
    // One node process (no tsx CLI wrapper), so signals reach the sandbox directly.
    ['--import', 'tsx', join(ROOT, 'sandbox', 'cli.ts'), ...args],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const ready = new Promise<SandboxReady>((ok, fail) => {
    let endpoint = '';
    let hostedUi: string | undefined;
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      console.log(line);
      const match = /endpoint \(every service\): (\S+)/.exec(line);
      if (match?.[1]) endpoint = match[1];
      const hosted = /hosted UI: (https:\/\/[^/\s]+)/.exec(line);
      if (hosted?.[1]) hostedUi = hosted[1];
      if (line === 'ready') ok({ endpoint, ...(hostedUi && { hostedUi }) });
    });
    child.once('exit', (code) => fail(new Error(`the sandbox exited with code ${code}`)));
  });
  return { child, ready };
}

async function main(): Promise<void> {
  const demoPort = Number(process.env.WEB_DEMO_PORT ?? DEFAULT_DEMO_PORT);
  if (!Number.isInteger(demoPort) || demoPort < 0 || demoPort > 65535) {
    throw new Error(`WEB_DEMO_PORT must be a port number, got '${process.env.WEB_DEMO_PORT}'`);
  }
  const args = process.argv.slice(2);
  const stateDirAt = args.indexOf('--state-dir');
  if (stateDirAt >= 0 && args[stateDirAt + 1]) {
    // The dev server serves /config.json from the sandbox's state directory.
    process.env.WEB_DEMO_CONFIG ??= resolve(args[stateDirAt + 1]!, 'config.json');
  }
  const sandbox = startSandbox(args);
  running = sandbox.child;
  let vite: ViteDevServer | undefined = undefined;
  let stopping = false;
  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log(`[start] ${signal}: stopping the web demo and the sandbox`);
    await vite?.close().catch(() => {});
    if (sandbox.child.exitCode === null) {
      const exited = new Promise((done) => sandbox.child.once('exit', done));
      sandbox.child.kill(signal);
      await exited;
    }
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  const { endpoint, hostedUi } = await sandbox.ready;
  // If the sandbox dies later, the demo has nothing to talk to: stop too.
  sandbox.child.once('exit', (code) => {
    if (stopping) return;
    console.error(`[start] the sandbox exited (code ${code}); stopping`);
    void vite?.close().finally(() => process.exit(1));
  });

  vite = await createServer({
    configFile: join(ROOT, 'web-demo', 'vite.config.ts'),
    // Exactly this port: the sandbox registered its URL as a hosted UI callback URL.
    server: { port: demoPort, strictPort: true },
    clearScreen: false,
    logLevel: 'warn',
  });
  await vite.listen();
  const local = vite.resolvedUrls?.local[0] ?? `http://127.0.0.1:${demoPort}/`;
  // Open it as localhost: the app client's callback URL (hosted UI) is http://localhost:5173/.
  const url = local.replace('//127.0.0.1:', '//localhost:');
  console.log(`
  Web demo: ${url}

  Try first:
    1. "Create an account" with any email; the confirmation code is printed above by the
       sandbox (and listed at ${endpoint}/_sandbox/codes).
    2. Sign in: "Who am I" shows your user id, identity, AppInstanceUser ARN, principal tag and
       the credentials' countdown. "Try to act as this user" shows AWS-style refusal.
    3. In a private window, sign up a second person; create a channel, add them by the user id
       from their "Who am I" panel, and chat: messages, edits and redactions arrive live.${
         hostedUi
           ? `
    4. "Sign in with hosted UI": open ${hostedUi}/ once and accept its self-signed
       certificate first (the sandbox printed where to trust it instead).`
           : ''
       }

  Ctrl-C stops the web demo and the sandbox.
`);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  const hint = /already in use/.test(message)
    ? ' (another npm start? stop it, or set WEB_DEMO_PORT and the sandbox --port)'
    : '';
  console.error(`[start] failed: ${message}${hint}`);
  if (running && running.exitCode === null) running.kill('SIGTERM');
  process.exit(1);
});
