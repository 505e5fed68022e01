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
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClientConfig } from '../contracts/client-config';
import { API_PATHS, apiRouteUrl } from '../contracts/http-api';
import { sandboxClientConfig } from './client-config';
import { Authorizer } from './core/authorize';
import { SandboxClock } from './core/clock';
import { CredentialStore, SANDBOX_ACCOUNT_ID } from './core/credentials';
import { WebOrigins, loopbackUrls } from './core/browser-access';
import { AwsError } from './core/errors';
import { verifySigV4 } from './core/sigv4';
import { SandboxState, writeFileAtomic } from './core/state';
import { resourcesOfType } from './cloudformation/template';
import { LambdaRunner, lambdaFunctionsOf } from './lambda/runner';
import {
  type SandboxResources,
  buildResources,
  loadSynthesizedStack,
  onlyResourceOfType,
  preliminaryEnvironment,
} from './resources';
import { type SandboxContext, SandboxServer, type ServiceModule } from './server';
import { chimeIdentity } from './services/chime-identity';
import { dynamodbModule } from './services/dynamodb';
import { type RunningHttpApi, startHttpApi } from './services/http-api';
import { chimeMessagingModule } from './services/chime-messaging';
import { type RunningHostedUi, startHostedUi } from './services/hosted-ui';
import { sandboxIdentityProviders } from './services/hosted-ui/identity-providers';
import { type LocalFederation, localFederation } from './services/hosted-ui/local-federation';
import { cloudTrailRecorder } from './services/cloudtrail';
import { type EventBus, startEventBus } from './services/eventbridge';
import { type RunningScheduler, startScheduler } from './services/scheduler';
import { identityPool } from './services/identity-pool';
import { kmsModule } from './services/kms';
import { sts } from './services/sts';
import { PROJECT_ROOT } from './synth';
import { type CodeRecord, SUPPORTED_TRIGGERS, type TriggerName, startUserPool } from './user-pool';
import { codesPage } from './user-pool/codes-page';
import { withIamGate } from './user-pool/iam-gate';
import { accessTokenVerifier, loadOrCreateSigningKey } from './user-pool/signing-key';
import type { NamedPolicy } from './iam/roles';
import { resolveIntrinsics } from './cloudformation/template';

export type { CodeRecord } from './user-pool';
export type { SandboxContext, ServiceModule } from './server';
export type { RunningHostedUi } from './services/hosted-ui';
export type { EventBus } from './services/eventbridge';
export type { RunningScheduler, ScheduleRun } from './services/scheduler';
export type { RunningHttpApi } from './services/http-api';

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
   * The hosted UI (OAuth2 authorize/token/logout over loopback HTTPS, sandbox/services/hosted-ui/):
   * its port (0 = a free one) and the local web demo URLs accepted as callback and sign-out
   * URLs besides the template's; `false` serves none. @default { port: 0 }
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

const CODES_KEPT = 200;

/**
 * The sandbox's administrator (not in the template): what an operator's own AWS credentials are
 * on AWS. Allowed everything; used for the IAM-only Cognito operations (`Admin*`, `ListUsers`).
 */
export const SANDBOX_ADMIN_ROLE_ARN = `arn:aws:iam::${SANDBOX_ACCOUNT_ID}:role/SandboxAdministrator`;
const ADMIN_POLICIES: readonly NamedPolicy[] = [
  {
    name: 'SandboxAdministrator/AdministratorAccess',
    source: 'inline',
    document: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
    },
  },
];
const ADMIN_CREDENTIALS_SECONDS = 12 * 3600;

export interface AdminCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: string;
}

interface ResourceIds {
  userPoolId?: string;
  userPoolClientId?: string;
}

/** The one user pool and app client cognito-local's files in `dir` hold, if exactly one. */
function userPoolIdsIn(dir: string): Required<ResourceIds> | undefined {
  let clients: Record<string, { UserPoolId?: unknown }>;
  try {
    clients =
      (JSON.parse(readFileSync(join(dir, 'clients.json'), 'utf8')) as { Clients?: never })
        .Clients ?? {};
  } catch {
    return undefined;
  }
  const found = Object.entries(clients).filter(
    ([, c]) => typeof c.UserPoolId === 'string' && existsSync(join(dir, `${c.UserPoolId}.json`)),
  );
  const [only] = found;
  return found.length === 1 && only
    ? { userPoolId: String(only[1].UserPoolId), userPoolClientId: only[0] }
    : undefined;
}

export async function startSandbox(options: StartSandboxOptions = {}): Promise<RunningSandbox> {
  const stateDir = options.stateDir ?? join(PROJECT_ROOT, '.sandbox');
  const cdkOutDir = options.cdkOutDir ?? join(PROJECT_ROOT, 'cdk.out');
  const log = options.log ?? (() => {});
  // Filled below from the template's callback URLs unless given (the server needs it first).
  const webOrigins = new WebOrigins(options.webOrigins ?? []);
  if (options.reset) SandboxState.reset(stateDir);
  const state = new SandboxState(stateDir, { repair: options.repair === true, log });
  const stack = loadSynthesizedStack(cdkOutDir);
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
  const cleanups: (() => Promise<void>)[] = [() => server.close()];

  try {
    // The user pool, configured from the template resolved with provisional ids.
    const prelim = preliminaryEnvironment(stack);
    const resolvePrelim = (value: unknown) => resolveIntrinsics(value, stack.template, prelim);
    const poolLogicalId = onlyResourceOfType(stack.template, 'AWS::Cognito::UserPool');
    const clientLogicalId = onlyResourceOfType(stack.template, 'AWS::Cognito::UserPoolClient');
    const poolProps = resolvePrelim(
      stack.template.Resources[poolLogicalId]?.Properties ?? {},
    ) as Record<string, unknown>;
    const clientProps = resolvePrelim(
      stack.template.Resources[clientLogicalId]?.Properties ?? {},
    ) as Record<string, unknown>;
    if (options.webOrigins === undefined) {
      const strings = (value: unknown) =>
        Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
      webOrigins.add(
        loopbackUrls([
          ...strings(clientProps.CallbackURLs),
          ...strings(clientProps.LogoutURLs),
          ...(options.hostedUi ? (options.hostedUi.localAppUrls ?? []) : []),
        ]),
      );
    }
    const lambdaConfig = (poolProps.LambdaConfig ?? {}) as Record<string, unknown>;
    const triggers: Partial<Record<TriggerName, string>> = {};
    for (const [name, value] of Object.entries(lambdaConfig)) {
      if ((SUPPORTED_TRIGGERS as readonly string[]).includes(name) && typeof value === 'string') {
        triggers[name as TriggerName] = value;
      } else {
        log(`warning: user pool trigger ${name} is not supported by the sandbox and will not run`);
      }
    }

    const idStore = state.store<ResourceIds>('resources', () => ({}));
    const codeStore = state.store<{ codes: CodeRecord[] }>('codes', () => ({ codes: [] }));
    // Triggers can only run once the runner exists (it needs the pool's final ids).
    const runnerRef: { current?: LambdaRunner } = {};
    // Ids lost with a damaged resources.json (--repair): the pool's own files still name them.
    const saved = idStore.get().userPoolId
      ? idStore.get()
      : (userPoolIdsIn(state.subdir('cognito')) ?? {});
    const signingKey = loadOrCreateSigningKey(state);
    // External identity providers: the template's, played locally (services/hosted-ui/identity-providers.ts).
    const identityProviders = sandboxIdentityProviders(
      resourcesOfType(stack.template, 'AWS::Cognito::UserPoolIdentityProvider').map(
        (id) =>
          resolvePrelim(stack.template.Resources[id]?.Properties ?? {}) as Record<string, unknown>,
      ),
    );
    const userPool = await startUserPool({
      identityProviders: new Map(identityProviders.map((p) => [p.name, { type: p.type }])),
      signingKey,
      signOutStore: state.store<Record<string, number>>('sign-outs', () => ({})),
      log,
      dir: state.subdir('cognito'),
      issuerDomain: url,
      region: stack.region,
      accountId: SANDBOX_ACCOUNT_ID,
      spec: { pool: poolProps, client: clientProps, triggers },
      ...(saved.userPoolId &&
        saved.userPoolClientId && {
          existing: { userPoolId: saved.userPoolId, userPoolClientId: saved.userPoolClientId },
        }),
      async invoke(functionName, payload) {
        const runner = runnerRef.current;
        if (!runner) throw new Error('the Lambda runner is not started yet');
        // cognito-local says region "local"; Cognito sends the pool's region.
        const event = JSON.parse(payload) as Record<string, unknown>;
        event.region = stack.region;
        return runner.invoke(functionName, JSON.stringify(event));
      },
      onCode(record) {
        log(`confirmation code for ${record.destination}: ${record.code}`);
        codeStore.update((s) => {
          s.codes.push(record);
          s.codes.splice(0, Math.max(0, s.codes.length - CODES_KEPT));
        });
      },
    });
    idStore.update((s) => {
      s.userPoolId = userPool.userPoolId;
      s.userPoolClientId = userPool.userPoolClientId;
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
    const lambda = new LambdaRunner({
      functions: lambdaFunctionsOf(resources, (logicalId, reason) =>
        log(`warning: function ${logicalId} will not run: ${reason}`),
      ),
      credentials,
      region: stack.region,
      endpoint: url,
      ...(options.lambdaLog && { onLog: options.lambdaLog }),
    });
    runnerRef.current = lambda;
    cleanups.push(() => lambda.close());
    for (const [runtime, node] of lambda.nodeBinaries) {
      log(`functions on ${runtime} run on Node.js ${node.version} (${node.path})`);
    }
    const eventBus = startEventBus({ resources, lambda, log });
    const scheduler = startScheduler({
      resources,
      lambda,
      log,
      ...(options.scheduleIntervalMs !== undefined && { intervalMs: options.scheduleIntervalMs }),
    });
    cleanups.push(() => Promise.resolve(scheduler.stop()));

    const clock = new SandboxClock(options.clockOffsetMs ?? 0);
    const authorizer = new Authorizer(
      (roleArn) =>
        roleArn === SANDBOX_ADMIN_ROLE_ARN ? ADMIN_POLICIES : resources.role(roleArn)?.policies,
      () => clock.now(),
    );
    const admin = credentials.issue({
      roleArn: SANDBOX_ADMIN_ROLE_ARN,
      roleSessionName: 'sandbox-admin',
      durationSeconds: ADMIN_CREDENTIALS_SECONDS,
      issuedBy: 'sandbox start',
    });
    const adminCredentials: AdminCredentials = {
      accessKeyId: admin.accessKeyId,
      secretAccessKey: admin.secretAccessKey,
      sessionToken: admin.sessionToken,
      expiration: new Date(admin.expiration).toISOString(),
    };
    writeFileAtomic(
      join(stateDir, 'admin-credentials.json'),
      `${JSON.stringify(adminCredentials, null, 2)}\n`,
    );
    const context: SandboxContext = {
      region: stack.region,
      accountId: resources.accountId,
      url,
      state,
      credentials,
      resources,
      services: new Map<string, unknown>([
        ['user-pool-jwk', signingKey.publicJwk],
        [
          'user-pool-users',
          {
            findUser: (subOrUsername: string) => userPool.findUser(subOrUsername),
            revoked: (sub: string, iat: number) => userPool.signOuts.revoked(sub, iat),
          },
        ],
      ]),
      clock,
      authenticate: (req, { service, protocol }) =>
        verifySigV4(req, { service, region: stack.region, protocol, credentials }),
      authorize: (caller, request) => authorizer.authorize(caller, request),
      log,
    };

    let hostedUi: RunningHostedUi | undefined;
    // Served when the template has a hosted UI: a user pool domain and an OAuth app client.
    const hasHostedUi =
      resourcesOfType(stack.template, 'AWS::Cognito::UserPoolDomain').length > 0 &&
      clientProps.AllowedOAuthFlowsUserPoolClient === true;
    let federation: LocalFederation | undefined;
    if (options.hostedUi !== false && hasHostedUi) {
      federation = localFederation({
        providers: identityProviders,
        state,
        // The hosted UI answers on 127.0.0.1 and localhost alike.
        redirectUris: () =>
          hostedUi
            ? [
                `${hostedUi.url}/oauth2/idpresponse`,
                `${hostedUi.url.replace('//127.0.0.1:', '//localhost:')}/oauth2/idpresponse`,
              ]
            : [],
        signIn: (clientId, identity) => userPool.federatedSignIn(clientId, identity),
        log,
      });
      cleanups.push(() => federation!.stop());
      hostedUi = await startHostedUi({
        federation: federation.options,
        port: options.hostedUi?.port ?? 0,
        state,
        userPoolEndpoint: url,
        userPoolId: resources.userPoolId,
        userPoolClientId: resources.userPoolClientId,
        client: clientProps,
        pool: poolProps,
        localAppUrls: options.hostedUi?.localAppUrls ?? [],
        webOrigins,
        signingKey,
        log,
      });
      cleanups.push(() => hostedUi!.stop());
    }

    let httpApi: RunningHttpApi | undefined;
    if (options.httpApi !== false) {
      httpApi = await startHttpApi({
        resources,
        lambda,
        jwk: signingKey.publicJwk,
        port: options.httpApi?.port ?? 0,
        localAppOrigins: options.httpApi?.localAppOrigins ?? [],
        allowsOrigin: (origin) => webOrigins.allows(origin),
        log,
      });
      if (httpApi) cleanups.push(() => httpApi!.stop());
    }
    // The credential-vending route, when the template has it (-c credentialVending=true).
    const vendingUrl =
      httpApi && httpApi.spec.routes.some((r) => r.routeKey === `POST ${API_PATHS.credentials}`)
        ? apiRouteUrl(httpApi.apiUrl, API_PATHS.credentials)
        : undefined;
    // Guest access, when the template has its routes (on unless -c guests=false).
    const guests =
      httpApi?.spec.routes.some((r) => r.routeKey === `POST ${API_PATHS.guestInvites}`) === true;
    const config = sandboxClientConfig(stack.template, (value) => resources.resolve(value), {
      url,
      guests,
      ...(hostedUi && { hostedUi: hostedUi.config() }),
      ...(httpApi && { apiUrl: httpApi.apiUrl }),
      ...(vendingUrl && { credentialVendingUrl: vendingUrl }),
      // Tells the web demo it is local: where the codes are, which certificate to accept.
      localSandbox: {
        codesUrl: `${url}/_sandbox/codes`,
        ...(hostedUi && { hostedUiUrl: `${hostedUi.url}/` }),
      },
    });

    const codes = (username?: string) =>
      codeStore
        .get()
        .codes.filter(
          (c) =>
            username === undefined ||
            c.username === username ||
            c.destination.toLowerCase() === username.toLowerCase(),
        );

    // Sandbox-only routes (never on AWS): confirmation codes, health, the client config.
    // A page too: the web demo links to it ("no email is sent: your code is on this page").
    server.page('/_sandbox/codes', (req) => {
      const username = req.query.username;
      const list = codes(typeof username === 'string' ? username : undefined);
      // A person sent here by the web demo gets a page; tools keep the JSON.
      if (String(req.headers.accept ?? '').includes('text/html')) return codesPage(list);
      return { body: { codes: list } };
    });
    server.rest('GET', '/_sandbox/health', () => ({ body: { ready: true } }));
    // The pool's JWKS and discovery document (cognito-local serves its published key instead).
    server.rest('GET', '/:poolId/.well-known/jwks.json', (req) =>
      req.params.poolId === resources.userPoolId
        ? { body: { keys: [signingKey.publicJwk] } }
        : { status: 404, body: { message: 'User pool not found' } },
    );
    server.rest('GET', '/:poolId/.well-known/openid-configuration', (req) =>
      req.params.poolId === resources.userPoolId
        ? {
            body: {
              issuer: resources.userPoolIssuer,
              jwks_uri: `${resources.userPoolIssuer}/.well-known/jwks.json`,
              id_token_signing_alg_values_supported: ['RS256'],
              subject_types_supported: ['public'],
            },
          }
        : { status: 404, body: { message: 'User pool not found' } },
    );
    server.rest('GET', '/_sandbox/config.json', () => ({ body: config }));
    // Runs the scheduled functions now (all, or `?name=<logical id>`), e.g. the user reconcile.
    server.rest('POST', '/_sandbox/schedules/run', async (req) => {
      const name = typeof req.query.name === 'string' ? req.query.name : undefined;
      let runs;
      try {
        runs = await scheduler.run(name);
      } catch (error) {
        return { status: 404, body: { message: (error as Error).message } };
      }
      return {
        body: {
          runs: runs.map((r) => ({
            schedule: r.schedule,
            functionName: r.functionName,
            ...(r.result.FunctionError && { functionError: r.result.FunctionError }),
            result: JSON.parse(r.result.Payload) as unknown,
          })),
        },
      };
    });

    const modules: ServiceModule[] = [
      identityPool,
      sts,
      chimeIdentity,
      chimeMessagingModule(),
      dynamodbModule(),
      kmsModule(),
      ...(options.modules ?? []),
    ];
    for (const module of modules) {
      await module.register(server, context);
      if (module.close) cleanups.push(() => module.close!());
    }
    server.fallback(
      withIamGate(
        userPool.handler,
        context,
        (poolId) =>
          poolId === resources.userPoolId
            ? resources.userPoolArn
            : `arn:aws:cognito-idp:${stack.region}:${SANDBOX_ACCOUNT_ID}:userpool/${poolId}`,
        accessTokenVerifier(resources.userPoolIssuer, signingKey),
        userPool.signOuts,
        // The user pool's calls reach the event rules as CloudTrail events (when there are rules).
        eventBus.rules.length > 0
          ? cloudTrailRecorder({
              region: stack.region,
              accountId: resources.accountId,
              findUser: userPool.findUser.bind(userPool),
              publish: eventBus.publish.bind(eventBus),
              log,
            })
          : undefined,
      ),
    );

    const configFile = join(stateDir, 'config.json');
    writeFileAtomic(configFile, `${JSON.stringify(config, null, 2)}\n`);

    let stopped: Promise<void> | undefined;
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
      clock: context.clock,
      adminCredentials,
      ...(hostedUi && { hostedUi }),
      scheduler,
      eventBus,
      ...(httpApi && { httpApi }),
      codes,
      latestCode: (username) => codes(username).at(-1)?.code,
      webOrigins: () => webOrigins.list(),
      allowWebOrigins: (urls) => webOrigins.add(urls),
      stop() {
        stopped ??= (async () => {
          for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
        })();
        return stopped;
      },
    };
  } catch (error) {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    throw error;
  }
}

export { AwsError };
