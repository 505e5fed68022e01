/**
 * `npm run destroy -- <cdk destroy arguments>`: deletes the stack with `cdk destroy` (which asks
 * for confirmation; `--force` skips it, e.g. in CI), then says what CloudFormation kept on purpose
 * and how to remove it by hand. It reads the last deploy's `cdk-outputs.json` (or `--outputs-file`)
 * for the ids, and removes the stack from that file afterwards, so that the next deploy does not
 * compare itself with a stack that is gone.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  type StatefulResources,
  statefulResourcesFromOutputs,
} from '../infra/client-config-output';
import { STACK_NAME } from '../infra/stack-outputs';
import { runCommand, runMain } from './cli';

const DEFAULT_OUTPUTS_FILE = 'cdk-outputs.json';

/** What was kept and the commands that remove it (irreversible: every account, every message). */
function keptReport(kept: StatefulResources | undefined): string {
  const lambdaLogs =
    `- CloudWatch log groups that Lambda created itself for CDK's helper functions ` +
    `(/aws/lambda/${STACK_NAME}-*; the project's own functions' log groups are deleted):\n` +
    `    aws logs describe-log-groups --log-group-name-prefix /aws/lambda/${STACK_NAME}- --query 'logGroups[].logGroupName'\n` +
    `    aws logs delete-log-group --log-group-name <name>`;
  if (kept?.removalPolicy === 'destroy') {
    return `destroy: the user pool and the AppInstance were deleted with the stack (deployed with removalPolicy destroy). Kept:\n${lambdaLogs}`;
  }
  const userPool =
    kept?.userPoolId ?? '<user pool id: aws cognito-idp list-user-pools --max-results 60>';
  const appInstance =
    kept?.appInstanceArn ?? '<AppInstance ARN: aws chime-sdk-identity list-app-instances>';
  const known = kept?.removalPolicy === 'retain';
  return [
    `destroy: the stack is deleted. ${known ? 'Kept on purpose' : 'Kept, unless the stack was deployed with -c removalPolicy=destroy'} (removalPolicy retain, the default, protects users and chat history):`,
    `- the Cognito user pool ${userPool}: every account in it (deletion protection on). To delete it:`,
    `    aws cognito-idp update-user-pool --user-pool-id ${userPool} --deletion-protection INACTIVE`,
    `    aws cognito-idp delete-user-pool --user-pool-id ${userPool}`,
    `  (update-user-pool resets every setting it is not given; harmless right before deleting)`,
    `- the Chime AppInstance ${appInstance}: every AppInstanceUser, channel and message. To delete it:`,
    `    aws chime-sdk-identity delete-app-instance --app-instance-arn ${appInstance}`,
    lambdaLogs,
    'Both deletions are permanent. Deploying again creates a new, empty user pool and AppInstance.',
  ].join('\n');
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const at = args.findIndex((a) => a === '--outputs-file' || a === '-O');
  const outputsFile = at >= 0 ? args[at + 1]! : DEFAULT_OUTPUTS_FILE;
  // An option of deploy, not of destroy: not passed on.
  const cdkArgs = at >= 0 ? [...args.slice(0, at), ...args.slice(at + 2)] : args;
  const outputs: unknown = existsSync(outputsFile)
    ? JSON.parse(readFileSync(outputsFile, 'utf8'))
    : undefined;

  const code = await runCommand('cdk', ['destroy', ...cdkArgs]);
  if (code !== 0) {
    console.error(`destroy: cdk destroy failed or was declined (exit ${code}); nothing else done`);
    return code;
  }
  console.log(keptReport(statefulResourcesFromOutputs(outputs)));
  if (outputs && typeof outputs === 'object' && STACK_NAME in outputs) {
    const rest = { ...(outputs as Record<string, unknown>) };
    delete rest[STACK_NAME];
    writeFileSync(outputsFile, JSON.stringify(rest, null, 2) + '\n');
  }
  return 0;
}

runMain('destroy', main);
