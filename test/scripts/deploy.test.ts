/**
 * `npm run deploy` (scripts/deploy.ts) run for real, with stand-in `npm` and `cdk` executables:
 * the arguments reach `cdk deploy` whole (the old one-line npm script appended them to its last
 * command), and web-demo-config.json is written from the outputs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STACK_NAME } from '../../infra/chime-cognito-auth-stack';
import { type StandIns, createStandIns } from './stand-ins';

const CONFIG = {
  version: 1,
  region: 'eu-central-1',
  userPoolId: 'eu-central-1_abc',
  userPoolClientId: 'client',
  identityPoolId: 'eu-central-1:0000',
  appInstanceArn: 'arn:aws:chime:eu-central-1:111122223333:app-instance/abc-123',
  principalTagKey: 'chime_user_id',
  signInFlow: 'USER_SRP_AUTH',
  // The HTTP API (people lookup, credential vending) reaches the demo through the same config.
  apiUrl: 'https://a1b2c3d4e5.execute-api.eu-central-1.amazonaws.com/api',
  credentialVendingUrl: 'https://a1b2c3d4e5.execute-api.eu-central-1.amazonaws.com/api/credentials',
};
const OUTPUTS = JSON.stringify({
  [STACK_NAME]: {
    ClientConfig: JSON.stringify(CONFIG),
    HostedUiDomain: 'my-chat.auth.eu-central-1.amazoncognito.com',
  },
});

let standIns: StandIns;
beforeEach(() => {
  standIns = createStandIns();
});
afterEach(() => standIns.cleanup());

test('the package script is the deploy script alone, so npm hands it every argument', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  expect(pkg.scripts.deploy).toBe('tsx scripts/deploy.ts');
});

test('builds, deploys with every argument, then writes the web demo config', () => {
  // GIVEN a previous deploy's outputs in the working directory
  writeFileSync(join(standIns.cwd, 'cdk-outputs.json'), OUTPUTS);

  // WHEN the README's example runs in CI mode
  const given = [
    '-c',
    'hostedUiDomainPrefix=my-chat',
    '-c',
    'callbackUrls=https://chat.example.com/',
    '--require-approval',
    'never',
  ];
  const run = standIns.run('deploy.ts', given, { STANDIN_OUTPUTS: OUTPUTS });

  // THEN npm built the web demo, then cdk deployed with the arguments as given
  expect(run.stderr).not.toMatch(/deploy: /);
  expect(run.status).toBe(0);
  expect(run.invocations.map(({ name, args }) => ({ name, args }))).toEqual([
    { name: 'npm', args: ['run', 'build:web'] },
    {
      name: 'cdk',
      args: [
        'deploy',
        ...given,
        '--outputs-file',
        'cdk-outputs.json',
        '-c',
        'deployedHostedUiDomain=my-chat.auth.eu-central-1.amazoncognito.com',
      ],
    },
  ]);
  // AND web-demo-config.json is the stack's client config
  expect(JSON.parse(standIns.file('web-demo-config.json') ?? 'null')).toEqual(CONFIG);
  expect(run.stdout).toContain('npm run smoke');
});

test('honours a given outputs file and WEB_DEMO_CONFIG', () => {
  const run = standIns.run('deploy.ts', ['--require-approval=never', '-O', 'out.json'], {
    STANDIN_OUTPUTS: OUTPUTS,
    WEB_DEMO_CONFIG: 'demo.json',
  });

  expect(run.status).toBe(0);
  expect(run.invocations[1]?.args).toEqual([
    'deploy',
    '--require-approval=never',
    '-O',
    'out.json',
  ]);
  expect(JSON.parse(standIns.file('demo.json') ?? 'null')).toEqual(CONFIG);
  expect(standIns.file('web-demo-config.json')).toBeUndefined();
});

test('no terminal and no --require-approval: exit 2 with the CI recipe, nothing built or deployed', () => {
  const run = standIns.run('deploy.ts', ['-c', 'hostedUiDomainPrefix=my-chat'], {
    STANDIN_OUTPUTS: OUTPUTS,
  });

  expect(run.status).toBe(2);
  expect(run.stderr).toContain('--require-approval never');
  expect(run.invocations).toEqual([]);
});

test('a failed cdk deploy: its exit code, and no config written', () => {
  const run = standIns.run('deploy.ts', ['--require-approval', 'never'], {
    STANDIN_OUTPUTS: OUTPUTS,
    STANDIN_EXIT_CDK: '3',
  });

  expect(run.status).toBe(3);
  expect(run.stderr).toContain('cdk deploy failed (exit 3)');
  expect(standIns.file('web-demo-config.json')).toBeUndefined();
});

test('a failed web demo build: nothing deployed', () => {
  const run = standIns.run('deploy.ts', ['--require-approval', 'never'], {
    STANDIN_EXIT_NPM: '1',
  });

  expect(run.status).toBe(1);
  expect(run.invocations.map((i) => i.name)).toEqual(['npm']);
});
