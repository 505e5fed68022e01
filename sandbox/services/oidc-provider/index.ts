/**
 * The local OpenID Connect provider, as a service of the sandbox (docs/sandbox.md): a real OpenID
 * Provider (oidc-provider, certified) on 127.0.0.1, in a child process (main.ts, run as one
 * bundled file: core/entry-bundle.ts), with a few test people.
 * The sandbox hosted UI federates to it as Cognito federates to a deployer's OIDC provider, and
 * the credential-vending API can accept its ID tokens as an external issuer.
 *
 *   const idp = await startLocalOidcProvider({ state, clients: [{ client_id, client_secret,
 *     redirect_uris }] });
 *   idp.issuer;      // http://127.0.0.1:<port>
 *   await idp.stop();
 */
import { type ChildProcess, fork } from 'node:child_process';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { ClientMetadata } from 'oidc-provider';
import type { SandboxState } from '../../core/state';
import { bundleCacheDir, entryBundle } from '../../core/entry-bundle';
import { PROJECT_ROOT } from '../../synth';
import { LOCAL_OIDC_PEOPLE, type LocalPerson } from './people';

export type { ClientMetadata } from 'oidc-provider';
export { LOCAL_OIDC_PEOPLE, type LocalPerson } from './people';

export interface StartLocalOidcProviderOptions {
  /** Keeps the signing key across restarts (tokens already issued stay verifiable). */
  readonly state: SandboxState;
  /** The relying parties: the sandbox hosted UI, tests. */
  readonly clients: readonly ClientMetadata[];
  /** @default LOCAL_OIDC_PEOPLE */
  readonly people?: readonly LocalPerson[];
  /** Port on 127.0.0.1; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Receives the provider's own output lines. @default - discarded */
  readonly log?: (line: string) => void;
}

export interface RunningLocalOidcProvider {
  /** `http://127.0.0.1:<port>`, the `iss` of its tokens. */
  readonly issuer: string;
  readonly people: readonly LocalPerson[];
  stop(): Promise<void>;
}

/** The port asked for is held by another process (the caller may try another one). */
export class LocalOidcPortInUseError extends Error {
  constructor(readonly port: number) {
    super(`the local OpenID provider cannot listen on 127.0.0.1:${port}: the port is in use`);
    this.name = 'LocalOidcPortInUseError';
  }
}

const MAIN = join(__dirname, 'main.ts');
const START_TIMEOUT_MS = 30_000;

function signingKey(state: SandboxState): Record<string, unknown> {
  const store = state.store<{ jwk?: Record<string, unknown> }>('oidc-provider-key', () => ({}));
  const existing = store.get().jwk;
  if (existing) return existing;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = {
    ...(privateKey.export({ format: 'jwk' }) as Record<string, unknown>),
    kid: randomUUID(),
    alg: 'RS256',
    use: 'sig',
  };
  store.update((s) => Object.assign(s, { jwk }));
  return jwk;
}

export async function startLocalOidcProvider(
  options: StartLocalOidcProviderOptions,
): Promise<RunningLocalOidcProvider> {
  const people = options.people ?? LOCAL_OIDC_PEOPLE;
  const log = options.log ?? (() => {});
  const port = options.port ?? 0;
  const child: ChildProcess = fork(
    await entryBundle({ entry: MAIN, cacheDir: bundleCacheDir('oidc-provider') }),
    [],
    {
      cwd: PROJECT_ROOT,
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: {
        ...process.env,
        LOCAL_OIDC_CONFIG: JSON.stringify({
          port,
          clients: options.clients,
          people,
          signingKey: signingKey(options.state),
          cookieKeys: [randomBytes(32).toString('base64url')],
        }),
      },
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const issuer = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('the local OpenID provider did not start within 30 s')),
      START_TIMEOUT_MS,
    );
    let pending = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        const ready = /^ready (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
        const failed = /^listen-error (\S+)$/.exec(line);
        if (ready) {
          clearTimeout(timer);
          resolve(ready[1]!);
        } else if (failed) {
          clearTimeout(timer);
          reject(
            failed[1] === 'EADDRINUSE'
              ? new LocalOidcPortInUseError(port)
              : new Error(
                  `the local OpenID provider cannot listen on 127.0.0.1:${port}: ${failed[1]}`,
                ),
          );
        } else if (line.trim()) {
          log(line);
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) log(line);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the local OpenID provider exited (code ${code}) before it was ready`));
    });
  });
  return {
    issuer,
    people,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
