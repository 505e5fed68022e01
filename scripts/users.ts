/**
 * `npm run users -- reconcile [--apply [--force]] [--sandbox [--state-dir DIR]] [--outputs-file FILE]
 *  [--max-deletes N] [--max-delete-percent P] [--json]`
 *
 * The administrator's view of the user lifecycle (docs/user-lifecycle.md), with the same core code
 * as the scheduled reconcile function (lambdas/lib/user-lifecycle/):
 *
 * - `reconcile` prints the drift between the user pool and the Chime AppInstance as a table (to
 *   create, to rename, to delete) and changes nothing;
 * - `--apply` repairs it, with the same delete brake as the function (`--max-deletes`,
 *   `--max-delete-percent`, defaults 50 and 5 %); `--force` deletes past the brake;
 * - against the deployed stack by default (`cdk-outputs.json` from `npm run deploy`, the caller's
 *   AWS credentials from the usual SDK chain), or with `--sandbox` against the running local
 *   sandbox (its `config.json` and administrator credentials in `--state-dir`, default `.sandbox`).
 *
 * Progress goes to stderr; the table and the results to stdout (`--json` for the whole report).
 * Exit code: 0 done, 1 an error or a change failed, 2 the brake held deletions back.
 */
import { parseArgs } from 'node:util';
import {
  DEFAULT_DELETE_BRAKE,
  type DeleteBrake,
  assertValidDeleteBrake,
} from '../contracts/user-lifecycle';
import type { LifecycleDeps } from '../lambdas/lib/user-lifecycle/context';
import type { ReconcilePhase } from '../lambdas/lib/user-lifecycle/reconcile';
import { deployedTarget, sandboxTarget, type StackTarget } from './stack-target';
import { driftTable, outcomeLines, summaryLines } from './users-report';

const USAGE =
  'usage: npm run users -- reconcile [--apply [--force]] [--sandbox [--state-dir DIR]] ' +
  '[--outputs-file cdk-outputs.json] [--max-deletes N] [--max-delete-percent P] [--json]';

/** Long enough for the largest AppInstance (100,000 users) at the paced rates. */
const RUN_DEADLINE_MS = 60 * 60 * 1000;

/**
 * The clients, loaded only once the command line and the target are known: a mistyped command
 * answers at once instead of after loading three AWS SDK clients (about 0.3 s).
 */
async function depsFor(target: StackTarget): Promise<LifecycleDeps> {
  const [
    { ChimeSDKIdentityClient },
    { ChimeSDKMessagingClient },
    { CognitoIdentityProviderClient },
  ] = await Promise.all([
    import('@aws-sdk/client-chime-sdk-identity'),
    import('@aws-sdk/client-chime-sdk-messaging'),
    import('@aws-sdk/client-cognito-identity-provider'),
  ]);
  const { config, operatorCredentials: credentials } = target;
  const common = {
    region: config.region,
    maxAttempts: 1,
    ...(credentials && { credentials }),
  };
  return {
    chime: new ChimeSDKIdentityClient({
      ...common,
      ...(config.endpoints?.chimeIdentity && { endpoint: config.endpoints.chimeIdentity }),
    }),
    messaging: new ChimeSDKMessagingClient({
      ...common,
      ...(config.endpoints?.chimeMessaging && { endpoint: config.endpoints.chimeMessaging }),
    }),
    cognito: new CognitoIdentityProviderClient({
      ...common,
      ...(config.endpoints?.userPool && { endpoint: config.endpoints.userPool }),
    }),
    appInstanceArn: config.appInstanceArn,
    userPoolId: config.userPoolId,
    log: {
      info: () => {},
      warn: (message, ...fields) => console.error(`warning: ${message} ${JSON.stringify(fields)}`),
      error: (message, ...fields) => console.error(`error: ${message} ${JSON.stringify(fields)}`),
    },
  };
}

const PHASES: Record<ReconcilePhase, string> = {
  'list-chime': 'listing AppInstanceUsers',
  'list-cognito': 'listing user pool users',
  apply: 'applying changes',
};

/** One status line on a terminal (rewritten in place); a line every few seconds otherwise. */
function progressPrinter(stream: NodeJS.WriteStream) {
  let last = 0;
  let shown = '';
  return {
    update(phase: ReconcilePhase, done: number, total?: number) {
      const text = `${PHASES[phase]}: ${done.toLocaleString('en-US')}${total ? ` of ${total.toLocaleString('en-US')}` : ''}`;
      const now = Date.now();
      if (stream.isTTY) stream.write(`\r${text.padEnd(shown.length)}`);
      else if (now - last > 5000) stream.write(`${text}\n`);
      else return;
      shown = text;
      last = now;
    },
    done() {
      if (stream.isTTY && shown) stream.write(`\r${' '.repeat(shown.length)}\r`);
    },
  };
}

function brakeFrom(values: { 'max-deletes'?: string; 'max-delete-percent'?: string }): DeleteBrake {
  const brake = {
    maxCount:
      values['max-deletes'] === undefined
        ? DEFAULT_DELETE_BRAKE.maxCount
        : Number(values['max-deletes']),
    maxPercent:
      values['max-delete-percent'] === undefined
        ? DEFAULT_DELETE_BRAKE.maxPercent
        : Number(values['max-delete-percent']),
  };
  assertValidDeleteBrake(brake);
  return brake;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      apply: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      sandbox: { type: 'boolean', default: false },
      'state-dir': { type: 'string' },
      'outputs-file': { type: 'string', default: 'cdk-outputs.json' },
      'max-deletes': { type: 'string' },
      'max-delete-percent': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals[0] !== 'reconcile' || positionals.length !== 1) throw new Error(USAGE);
  if (values.force && !values.apply) throw new Error('--force only means something with --apply');
  const brake = brakeFrom(values);
  const target = values.sandbox
    ? sandboxTarget(values['state-dir'] ?? '.sandbox')
    : deployedTarget(values['outputs-file']);
  console.error(
    `${values.apply ? 'Reconciling' : 'Comparing (nothing is changed)'}: ${target.description}`,
  );
  if (values.force) {
    console.error(
      [
        '',
        '!!! --force: THE DELETE BRAKE IS OFF FOR THIS RUN !!!',
        '!!! Every AppInstanceUser without a Cognito user will be deleted, however many,  !!!',
        '!!! with its channel memberships and moderator roles. This cannot be undone.     !!!',
        '',
      ].join('\n'),
    );
  }
  const progress = progressPrinter(process.stderr);
  const [deps, { reconcileUsers }] = await Promise.all([
    depsFor(target),
    import('../lambdas/lib/user-lifecycle/reconcile'),
  ]);
  const report = await reconcileUsers(deps, {
    mode: values.apply ? 'apply' : 'plan',
    brake,
    force: values.force,
    deadline: Date.now() + RUN_DEADLINE_MS,
    onProgress: (phase, done, total) => progress.update(phase, done, total),
  });
  progress.done();
  if (values.json) {
    // Without the attributes the names were computed from (they hold email addresses).
    const creates = report.plan.creates.map(({ attributes: _attributes, ...c }) => c);
    console.log(JSON.stringify({ ...report, plan: { ...report.plan, creates } }, null, 2));
  } else {
    console.log([...summaryLines(report), '', ...driftTable(report)].join('\n'));
    const outcome = outcomeLines(report);
    if (outcome.length > 0) console.log(['', ...outcome].join('\n'));
  }
  if (report.forced) {
    console.error(`!!! --force: ${report.applied?.deleted.length ?? 0} deleted past the brake !!!`);
  }
  if (report.applied && report.applied.failed.length > 0) return 1;
  if (report.applied && report.brake.engaged && !report.forced) return 2;
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`users: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
