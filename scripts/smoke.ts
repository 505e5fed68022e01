/**
 * `npm run smoke`: proves a deployment works end to end, as a person would use it, and cleans up.
 *
 *   npm run smoke                          # the deployed stack: cdk-outputs.json + your AWS credentials
 *   npm run smoke -- --outputs-file F      # another outputs file
 *   npm run smoke -- --sandbox             # the local sandbox: .sandbox/config.json + its admin credentials
 *   npm run smoke -- --sandbox --state-dir D
 *
 * A temporary user (AdminCreateUser, random password, no email sent) signs in with SRP through
 * NEW_PASSWORD_REQUIRED; sign-in healing must create their AppInstanceUser within 10 s; they get
 * identity pool credentials, create a channel and send a message as themselves, receive it over
 * the WebSocket, and are refused (403) when acting as another (existing) user. Two checks of what
 * the triggers assume about CreateAppInstanceUser follow (a repeated token succeeds, a new token
 * for an existing user answers ConflictException). Everything created is deleted
 * afterwards (channel, AppInstanceUser, identity, user), also when a step fails. Prints a pass/fail
 * table; exits 1 if anything failed. The operator's credentials need the Cognito Admin* and Chime
 * identity/messaging administration calls used here (an administrator's do).
 */
import { parseArgs } from 'node:util';
import { runMain, UsageError } from './cli';
import { renderReport } from './smoke/report';
import { runSmokeScenario } from './smoke/scenario';
import { deployedTarget, sandboxTarget } from './stack-target';

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        sandbox: { type: 'boolean', default: false },
        'state-dir': { type: 'string', default: '.sandbox' },
        'outputs-file': { type: 'string', default: 'cdk-outputs.json' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const target = values.sandbox
    ? sandboxTarget(values['state-dir'])
    : deployedTarget(values['outputs-file']);
  const log = await runSmokeScenario(target);
  console.log(renderReport(target.description, log.records));
  return log.passed ? 0 : 1;
}

runMain('smoke', main);
