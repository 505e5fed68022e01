/**
 * `npm run destroy` (scripts/destroy.ts) with a stand-in `cdk`: the arguments reach `cdk destroy`,
 * and what the stack keeps (the retained user pool and AppInstance) is named with the commands
 * that remove it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STACK_NAME } from '../../infra/stack-outputs';
import { type StandIns, createStandIns } from './stand-ins';

const USER_POOL = 'eu-central-1_Abc123';
const APP_INSTANCE = 'arn:aws:chime:eu-central-1:111122223333:app-instance/abc-123';
const outputs = (removal: string) =>
  JSON.stringify({
    Other: { X: '1' },
    [STACK_NAME]: {
      UserPoolId: USER_POOL,
      AppInstanceArn: APP_INSTANCE,
      StatefulRemovalPolicy: removal,
    },
  });

let standIns: StandIns;
beforeEach(() => {
  standIns = createStandIns();
});
afterEach(() => standIns.cleanup());

test('destroys with the arguments given, then names what was kept and how to remove it', () => {
  writeFileSync(join(standIns.cwd, 'cdk-outputs.json'), outputs('retain'));

  const run = standIns.run('destroy.ts', ['--force', '-c', 'region=eu-central-1']);

  expect(run.status).toBe(0);
  expect(run.invocations.map(({ name, args }) => ({ name, args }))).toEqual([
    { name: 'cdk', args: ['destroy', '--force', '-c', 'region=eu-central-1'] },
  ]);
  expect(run.stdout).toContain('Kept on purpose');
  expect(run.stdout).toContain(
    `aws cognito-idp update-user-pool --user-pool-id ${USER_POOL} --deletion-protection INACTIVE`,
  );
  expect(run.stdout).toContain(`aws cognito-idp delete-user-pool --user-pool-id ${USER_POOL}`);
  expect(run.stdout).toContain(
    `aws chime-sdk-identity delete-app-instance --app-instance-arn ${APP_INSTANCE}`,
  );
  expect(run.stdout).toContain(`/aws/lambda/${STACK_NAME}-`);
  // The stack is gone from the outputs file; other stacks' outputs stay.
  expect(JSON.parse(readFileSync(join(standIns.cwd, 'cdk-outputs.json'), 'utf8'))).toEqual({
    Other: { X: '1' },
  });
});

test('a stack deployed with removalPolicy destroy kept neither', () => {
  writeFileSync(join(standIns.cwd, 'cdk-outputs.json'), outputs('destroy'));

  const run = standIns.run('destroy.ts', ['--force']);

  expect(run.status).toBe(0);
  expect(run.stdout).toContain('the user pool and the AppInstance were deleted with the stack');
  expect(run.stdout).not.toContain('delete-user-pool');
});

test('without outputs: the same advice, with how to find the ids', () => {
  const run = standIns.run('destroy.ts', ['--force']);

  expect(run.status).toBe(0);
  expect(run.stdout).toContain('unless the stack was deployed with -c removalPolicy=destroy');
  expect(run.stdout).toContain('aws cognito-idp list-user-pools');
});

test('a failed or declined cdk destroy: its exit code, the outputs file untouched', () => {
  writeFileSync(join(standIns.cwd, 'cdk-outputs.json'), outputs('retain'));

  const run = standIns.run('destroy.ts', [], { STANDIN_EXIT_CDK: '1' });

  expect(run.status).toBe(1);
  expect(run.stdout).not.toContain('delete-user-pool');
  expect(readFileSync(join(standIns.cwd, 'cdk-outputs.json'), 'utf8')).toBe(outputs('retain'));
});
