/**
 * The local sandbox: every service on one port of 127.0.0.1, configured from the synthesized
 * template. `startSandbox()` is the API tests and tools use; `npm run sandbox` (sandbox/cli.ts)
 * wraps it.
 *
 *   const sandbox = await startSandbox({ stateDir: tmp, port: 0 });
 *   new CognitoIdentityProviderClient({ region: sandbox.config.region,
 *                                       endpoint: sandbox.url, ... });
 *   sandbox.latestCode('a@example.com');   // the sign-up confirmation code
 *   await sandbox.stop();
 *
 * This file is the wiring only, in the order things must start; each step is a function of
 * sandbox/wiring/ (reading the stack, the user pool, the functions, the context, the hosted UI,
 * the HTTP API, the client config, the routes, the modules).
 */
import { join } from 'node:path';
import type { ClientConfig } from '../contracts/client-config';
import { SandboxClock } from './core/clock';
import { CredentialStore } from './core/credentials';
import { WebOrigins, loopbackUrls } from './core/browser-access';
import { AwsError } from './core/errors';
import { SandboxState } from './core/state';
import type { RunningHostedUi } from './services/hosted-ui';
import type { LambdaRunner } from './lambda/runner';
import { type SandboxResources, buildResources, loadSynthesizedStack } from './resources';
import { type SandboxContext, SandboxServer, type ServiceModule } from './server';
import type { EventBus } from './services/eventbridge';
import type { RunningHttpApi } from './services/http-api';
import type { RunningScheduler } from './services/scheduler';
import type { CodeRecord } from './services/user-pool';
import { userPoolView } from './services/user-pool/view';
import { PROJECT_ROOT } from './synth';
import { type AdminCredentials, issueAdminCredentials } from './wiring/admin';
import { Cleanups } from './wiring/cleanups';
import { codeBook } from './wiring/codes';
import { sandboxContext } from './wiring/context';
import { startSandboxFunctions } from './wiring/functions';
import { startSandboxHostedUi } from './wiring/hosted-ui';
import { startSandboxHttpApi } from './wiring/http-api';
import { localClientConfig, writeLocalClientConfig } from './wiring/local-config';
import { mountModules } from './wiring/modules';
import { mountSandboxRoutes } from './wiring/sandbox-routes';
import { readStackSpec } from './wiring/stack-spec';
import { startSandboxUserPool } from './wiring/user-pool';
import { mountUserPoolApi, mountUserPoolKeys } from './wiring/user-pool-routes';

export type { CodeRecord } from './services/user-pool';
export type { SandboxContext, ServiceModule } from './server';
export type { SandboxServices } from './services';
export type { RunningHostedUi } from './services/hosted-ui';
export type { EventBus } from './services/eventbridge';
export type { RunningScheduler, ScheduleRun } from './services/scheduler';
export type { RunningHttpApi } from './services/http-api';
export { type AdminCredentials, SANDBOX_ADMIN_ROLE_ARN } from './wiring/admin';

export interface StartSandboxOptions {
  /** State directory (created; kept across restarts). @default '<project>/.sandbox' */
  readonly stateDir?: string;
  /** Cloud assembly to read. @default '<project>/cdk.out' (not synthesized here: see ensureSynth) */
  readonly cdkOutDir?: string;
  /** Port on 127.0.0.1; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Wipe the state directory first. @default false */
  readonly reset?: boolean;
  /**
   * Repair damaged state files instead of refusing to start: the messaging log and snapshot are
   * cut at their last good record, a damaged store is set aside and started empty; everything
   * else (users included) is kept. @default false
   */
  readonly repair?: boolean;
  /** Service modules mounted after the built-in ones (e.g. Chime messaging). @default - none */
  readonly modules?: readonly ServiceModule[];
  /** Receives the sandbox's log lines (codes, errors). @default - discarded */
  readonly log?: (line: string) => void;
  /** Receives the Lambda functions' output lines. @default - discarded */
  readonly lambdaLog?: (functionName: string, line: string) => void;
  /**
   * The hosted UI (OAuth2 authorize/token/logout over loopback HTTPS,
   * sandbox/services/hosted-ui/): its port (0 = a free one) and the local web demo URLs accepted
   * as callback and sign-out URLs besides the template's; `false` serves none. @default { port: 0 }
   */
  readonly hostedUi?: { readonly port?: number; readonly localAppUrls?: readonly string[] } | false;
  /**
   * Run every scheduled function (EventBridge Scheduler) this often instead of at the template's
   * rate. @default - the template's rates (the user reconcile: hourly)
   */
  readonly scheduleIntervalMs?: number;
  /**
   * Web origins (or URLs on them) allowed to call the sandbox from a browser: CORS names them,
   * requests from any other origin are refused. Loopback origins only (127.0.0.1, localhost,
   * [::1]). More can be added while it runs (`allowWebOrigins`, `hostedUi.addAppUrls`).
   * @default - the loopback origins of the app client's callback and sign-out URLs and of
   * `hostedUi.localAppUrls`
   */
  readonly webOrigins?: readonly string[];
  /** Delay added before every answer of the services port (a slow network). @default 0 */
  readonly latencyMs?: number;
  /**
   * The project's HTTP API (API Gateway emulated from the template, sandbox/services/http-api/):
   * its port (0 = a free one) and browser origins allowed by CORS besides the template's; `false`
   * serves none. @default { port: 0 }
   */
  readonly httpApi?:
    { readonly port?: number; readonly localAppOrigins?: readonly string[] } | false;
  /**
   * Start the resource clock this far ahead of real time (Chime expiration, IAM `aws:CurrentTime`;
   * see sandbox/core/clock.ts). Move it further with `RunningSandbox.clock.advance()`. @default 0
   */
  readonly clockOffsetMs?: number;
}

export interface RunningSandbox {
  /** `http://127.0.0.1:<port>`: the endpoint of every service. */
  readonly url: string;
  readonly port: number;
  readonly stateDir: string;
  /** The client configuration (also written to `<stateDir>/config.json`). */
  readonly config: ClientConfig;
  readonly configFile: string;
  readonly resources: SandboxResources;
  readonly credentials: CredentialStore;
  readonly lambda: LambdaRunner;
  readonly context: SandboxContext;
  /** The time of the sandbox's resources: `clock.advance(ms)` fast-forwards expirations. */
  readonly clock: SandboxClock;
  /** Administrator credentials (also in `<stateDir>/admin-credentials.json`, mode 0600). */
  readonly adminCredentials: AdminCredentials;
  /** The hosted UI (`config.hostedUi` describes it), unless started with `hostedUi: false`. */
  readonly hostedUi?: RunningHostedUi;
  /** The template's schedules (`run()` runs them now; also `POST /_sandbox/schedules/run`). */
  readonly scheduler: RunningScheduler;
  /** The template's event rules; user pool calls reach them as CloudTrail events. */
  readonly eventBus: EventBus;
  /** The HTTP API (`config.apiUrl`), when the template has one and it was not turned off. */
  readonly httpApi?: RunningHttpApi;
  /** Confirmation codes delivered so far (newest last), optionally for one user. */
  codes(username?: string): CodeRecord[];
  /** The newest code sent to `username` (or to that email address). */
  latestCode(username: string): string | undefined;
  /** The web origins allowed to call the sandbox from a browser now. */
  webOrigins(): string[];
  /** Allows more web origins (or URLs on them; loopback only), e.g. a demo on a free port. */
  allowWebOrigins(urls: readonly string[]): void;
  /** Stops the server, the Lambda environments and every module. */
  stop(): Promise<void>;
}

export async function startSandbox(options: StartSandboxOptions = {}): Promise<RunningSandbox> {
  const stateDir = options.stateDir ?? join(PROJECT_ROOT, '.sandbox');
  const log = options.log ?? (() => {});
  // Filled below from the template's callback URLs unless given (the server needs it first).
  const webOrigins = new WebOrigins(options.webOrigins ?? []);
  if (options.reset) SandboxState.reset(stateDir);
  const state = new SandboxState(stateDir, { repair: options.repair === true, log });
  const stack = loadSynthesizedStack(options.cdkOutDir ?? join(PROJECT_ROOT, 'cdk.out'));
  const credentials = new CredentialStore(state);
  const server = new SandboxServer({
    webOrigins,
    ...(options.latencyMs !== undefined && { latencyMs: options.latencyMs }),
    onError: (error) =>
      log(
        `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      ),
  });
  const port = await server.listen(options.port ?? 0);
  const url = `http://127.0.0.1:${port}`;
  const cleanups = new Cleanups();
  cleanups.add(() => server.close());

  try {
    const spec = readStackSpec(stack, log);
    const localAppUrls = options.hostedUi ? (options.hostedUi.localAppUrls ?? []) : [];
    if (options.webOrigins === undefined) {
      webOrigins.add(loopbackUrls([...spec.appUrls, ...localAppUrls]));
    }
    const codes = codeBook(state, log);
    // Triggers can only run once the runner exists (it needs the pool's final ids).
    const lambdaRef: { current?: LambdaRunner } = {};
    const { userPool, signingKey } = await startSandboxUserPool({
      state,
      stack,
      spec,
      url,
      lambda: lambdaRef,
      onCode: (record) => codes.record(record),
      log,
    });
    const resources = buildResources(
      stack,
      {
        userPoolId: userPool.userPoolId,
        userPoolClientId: userPool.userPoolClientId,
        issuer: `${url}/${userPool.userPoolId}`,
      },
      // What the sandbox's GetMessagingSessionEndpoint answers (chime-messaging): its own host.
      { messagingSessionEndpoint: new URL(url).host },
    );
    const { lambda, eventBus, scheduler } = startSandboxFunctions({
      resources,
      credentials,
      url,
      ...(options.lambdaLog && { lambdaLog: options.lambdaLog }),
      ...(options.scheduleIntervalMs !== undefined && {
        scheduleIntervalMs: options.scheduleIntervalMs,
      }),
      log,
      cleanups,
    });
    lambdaRef.current = lambda;

    const clock = new SandboxClock(options.clockOffsetMs ?? 0);
    const adminCredentials = issueAdminCredentials(credentials, stateDir);
    const context = sandboxContext({
      url,
      state,
      credentials,
      resources,
      clock,
      services: { userPool: userPoolView(userPool, signingKey) },
      log,
    });

    const hostedUi =
      options.hostedUi !== false && spec.hasHostedUi
        ? await startSandboxHostedUi({
            port: options.hostedUi?.port ?? 0,
            localAppUrls: options.hostedUi?.localAppUrls ?? [],
            spec,
            state,
            url,
            resources,
            userPool,
            signingKey,
            webOrigins,
            log,
            cleanups,
          })
        : undefined;
    const httpApi =
      options.httpApi !== false
        ? await startSandboxHttpApi({
            port: options.httpApi?.port ?? 0,
            localAppOrigins: options.httpApi?.localAppOrigins ?? [],
            resources,
            lambda,
            signingKey,
            webOrigins,
            log,
            cleanups,
          })
        : undefined;
    const config = localClientConfig({ url, resources, hostedUi, httpApi });

    mountSandboxRoutes(server, { codes, config, scheduler });
    mountUserPoolKeys(server, context, signingKey);
    await mountModules(server, context, options.modules ?? [], cleanups);
    mountUserPoolApi(server, context, { userPool, signingKey, eventBus });
    const configFile = writeLocalClientConfig(stateDir, config);

    return {
      url,
      port,
      stateDir,
      config,
      configFile,
      resources,
      credentials,
      lambda,
      context,
      clock,
      adminCredentials,
      ...(hostedUi && { hostedUi }),
      scheduler,
      eventBus,
      ...(httpApi && { httpApi }),
      codes: (username) => codes.list(username),
      latestCode: (username) => codes.list(username).at(-1)?.code,
      webOrigins: () => webOrigins.list(),
      allowWebOrigins: (urls) => webOrigins.add(urls),
      stop: () => cleanups.runAll(),
    };
  } catch (error) {
    await cleanups.runAll();
    throw error;
  }
}

export { AwsError };
