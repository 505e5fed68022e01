/**
 * `npm run sandbox` / `npm start`: synthesizes the stack if cdk.out is missing or stale, starts the
 * sandbox on 127.0.0.1, writes `.sandbox/config.json` and prints `ready`. Ctrl-C / SIGTERM stop
 * everything (Lambda environments included).
 *
 * Options: --reset (wipe .sandbox/ first), --repair (start despite damaged state files: cut the
 * messaging log at its last good record, set a damaged store aside; users are kept), --port N (or SANDBOX_PORT; default 4577),
 * --state-dir DIR, --quiet-lambdas (hide the functions' logs), --cdk-out DIR (use this cloud
 * assembly as it is, no synth), --hosted-ui-port N (or SANDBOX_HOSTED_UI_PORT; default the sandbox
 * port + 1, i.e. 4578; 0 picks a free one), --api-port N (or SANDBOX_API_PORT; the HTTP API,
 * default the sandbox port + 2, i.e. 4579), --web-origin URL (repeatable: another local web app
 * allowed to call the sandbox from a browser), --latency-ms N (delay every answer).
 *
 * Browsers may call the sandbox from the local web demo only: http://localhost:<WEB_DEMO_PORT or
 * 5173> and http://127.0.0.1:<same>, which the hosted UI also accepts as callback URLs besides the
 * template's, plus every --web-origin (the HTTP API's CORS admits them too).
 * --schedule-interval SECONDS runs the scheduled functions (the user reconcile) that often instead
 * of at the template's rate; `POST /_sandbox/schedules/run` runs them at once.
 */
import { join } from 'node:path';
import { LOCAL_OIDC_PEOPLE } from './services/oidc-provider';
import { parseArgs } from 'node:util';
import { startSandbox } from './index';
import { PROJECT_ROOT, ensureSynth } from './synth';

export const DEFAULT_PORT = 4577;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      reset: { type: 'boolean', default: false },
      repair: { type: 'boolean', default: false },
      port: { type: 'string' },
      'state-dir': { type: 'string' },
      'quiet-lambdas': { type: 'boolean', default: false },
      'cdk-out': { type: 'string' },
      'hosted-ui-port': { type: 'string' },
      'schedule-interval': { type: 'string' },
      'api-port': { type: 'string' },
      'web-origin': { type: 'string', multiple: true },
      'latency-ms': { type: 'string' },
    },
  });
  const port = Number(values.port ?? process.env.SANDBOX_PORT ?? DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(
      `--port must be a port number, got '${values.port ?? process.env.SANDBOX_PORT}'`,
    );
  }
  const hostedUiPort = Number(
    values['hosted-ui-port'] ?? process.env.SANDBOX_HOSTED_UI_PORT ?? (port === 0 ? 0 : port + 1),
  );
  if (!Number.isInteger(hostedUiPort) || hostedUiPort < 0 || hostedUiPort > 65535) {
    throw new Error(
      `--hosted-ui-port must be a port number, got '${values['hosted-ui-port'] ?? process.env.SANDBOX_HOSTED_UI_PORT}'`,
    );
  }
  const scheduleSeconds = values['schedule-interval'];
  if (
    scheduleSeconds !== undefined &&
    !(/^\d+$/.test(scheduleSeconds) && Number(scheduleSeconds) > 0)
  ) {
    throw new Error(
      `--schedule-interval must be a whole number of seconds, got '${scheduleSeconds}'`,
    );
  }
  const apiPort = Number(
    values['api-port'] ?? process.env.SANDBOX_API_PORT ?? (port === 0 ? 0 : port + 2),
  );
  if (!Number.isInteger(apiPort) || apiPort < 0 || apiPort > 65535) {
    throw new Error(
      `--api-port must be a port number, got '${values['api-port'] ?? process.env.SANDBOX_API_PORT}'`,
    );
  }
  const latencyMs = Number(values['latency-ms'] ?? 0);
  if (!Number.isInteger(latencyMs) || latencyMs < 0) {
    throw new Error(
      `--latency-ms must be a whole number of milliseconds, got '${values['latency-ms']}'`,
    );
  }
  // The web demo `npm start` serves (scripts/start.ts): its URLs are callback/sign-out URLs too.
  const demoPort = process.env.WEB_DEMO_PORT ?? '5173';
  const localAppUrls = [`http://localhost:${demoPort}/`, `http://127.0.0.1:${demoPort}/`];
  const webOrigins = [...localAppUrls, ...(values['web-origin'] ?? [])];
  const log = (line: string) => console.log(`[sandbox] ${line}`);
  const started = Date.now();
  const cdkOutDir = values['cdk-out'] ?? join(PROJECT_ROOT, 'cdk.out');
  if (values['cdk-out'] === undefined) {
    log('checking the cloud assembly (cdk synth if needed)...');
    log(await ensureSynth(cdkOutDir));
  }
  const sandbox = await startSandbox({
    cdkOutDir,
    stateDir: values['state-dir'] ?? join(PROJECT_ROOT, '.sandbox'),
    port,
    reset: values.reset,
    repair: values.repair,
    hostedUi: { port: hostedUiPort, localAppUrls },
    ...(scheduleSeconds !== undefined && { scheduleIntervalMs: Number(scheduleSeconds) * 1000 }),
    webOrigins,
    latencyMs,
    httpApi: { port: apiPort, localAppOrigins: webOrigins },
    log,
    ...(!values['quiet-lambdas'] && {
      lambdaLog: (fn: string, line: string) => console.log(`[lambda ${fn}] ${line}`),
    }),
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    sandbox.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  log(`endpoint (every service): ${sandbox.url}`);
  log(`user pool ${sandbox.config.userPoolId}, app client ${sandbox.config.userPoolClientId}`);
  log(`identity pool ${sandbox.config.identityPoolId}`);
  log(`app instance ${sandbox.config.appInstanceArn}`);
  log(`client config: ${sandbox.configFile} (also GET ${sandbox.url}/_sandbox/config.json)`);
  log(`confirmation codes: printed here and GET ${sandbox.url}/_sandbox/codes`);
  log(`web origins allowed to call it from a browser: ${sandbox.webOrigins().join(', ')}`);
  if (latencyMs > 0) log(`every answer is delayed by ${latencyMs} ms (--latency-ms)`);
  for (const schedule of sandbox.scheduler.schedules) {
    const every =
      schedule.everyMs === undefined ? 'on demand' : `every ${schedule.everyMs / 1000} s`;
    log(
      `schedule ${schedule.name} (${schedule.expression}): ${every}; now: POST ${sandbox.url}/_sandbox/schedules/run`,
    );
  }
  if (sandbox.eventBus.rules.length > 0) {
    log(
      `event rules: ${sandbox.eventBus.rules.map((r) => r.logicalId).join(', ')} (user pool calls arrive as CloudTrail events)`,
    );
  }
  if (sandbox.hostedUi) {
    const { url, certificate } = sandbox.hostedUi;
    log(
      `hosted UI: ${url}/ (self-signed certificate ${certificate.created ? 'generated' : 'reused'}: ` +
        `open that URL once and accept it, or trust ${certificate.certFile}; ` +
        `SHA-256 ${certificate.fingerprint})`,
    );
    const providers = sandbox.config.hostedUi?.identityProviders ?? [];
    if (providers.length > 0) {
      log(
        `external identity providers on the hosted UI: ${providers.map((p) => p.label).join(', ')} ` +
          `(the local OpenID provider; test people ${LOCAL_OIDC_PEOPLE.map((p) => `${p.username} / ${p.password}`).join(', ')})`,
      );
    }
  }
  if (sandbox.httpApi) {
    const routes = sandbox.httpApi.spec.routes.map((r) => r.routeKey).join(', ');
    log(`HTTP API: ${sandbox.httpApi.apiUrl} (${routes})`);
  }
  log(
    `administrator credentials (Admin* calls): ${join(sandbox.stateDir, 'admin-credentials.json')}`,
  );
  log(`started in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log('ready');
}

main().catch((error: unknown) => {
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    console.error(
      '[sandbox] failed: the port is in use (another sandbox?): stop it, or pass --port N (0 = any free port)',
    );
    process.exit(1);
  }
  console.error(`[sandbox] failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
