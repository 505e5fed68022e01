/**
 * `npm run deploy -- <cdk deploy arguments>`: builds the web demo, runs `cdk deploy` with every
 * argument given, then writes the web demo's config from the stack outputs.
 *
 *   npm run deploy -- -c hostedUiDomainPrefix=my-chat -c callbackUrls=https://chat.example.com/
 *   npm run deploy -- --require-approval never        # CI: nobody is there to approve
 *
 * Added to the arguments unless they already say it:
 * - `--outputs-file cdk-outputs.json` (what `npm run smoke` and `npm run destroy` read);
 * - `--require-approval broadening` when a terminal is attached. Without one (CI) the script stops
 *   before doing anything and asks for an explicit `--require-approval`: cdk would prompt for the
 *   first deploy's new IAM roles and fail;
 * - `-c deployedHostedUiDomain=<the last deploy's HostedUiDomain output>`, so that synth refuses a
 *   hosted UI prefix change that CloudFormation cannot make in one deploy.
 * The config goes to `$WEB_DEMO_CONFIG` (default `web-demo-config.json`, which
 * `WEB_DEMO_CONFIG=web-demo-config.json npm run dev:web` serves). `npm` and `cdk` are the ones on
 * PATH (`npm run` puts the project's own cdk first).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { clientConfigFromOutputs } from '../infra/client-config-output';
import { runCommand, runMain } from './cli';
import { cdkDeployArgs, outputsFileOf } from './deploy-args';

const DEFAULT_CONFIG_FILE = 'web-demo-config.json';

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

async function main(): Promise<number> {
  const userArgs = process.argv.slice(2);
  const target = process.env.WEB_DEMO_CONFIG || DEFAULT_CONFIG_FILE;
  const outputsAt = outputsFileOf(userArgs);
  const { args, outputsFile } = cdkDeployArgs(userArgs, {
    interactive: Boolean(process.stdin.isTTY),
    ...(existsSync(outputsAt) && { previousOutputs: readJson(outputsAt) }),
  });

  console.log('deploy: building the web demo (npm run build:web)');
  const built = await runCommand('npm', ['run', 'build:web']);
  if (built !== 0) {
    console.error(`deploy: the web demo build failed (exit ${built}); nothing was deployed`);
    return built;
  }
  console.log(`deploy: cdk ${args.join(' ')}`);
  const deployed = await runCommand('cdk', args);
  if (deployed !== 0) {
    console.error(`deploy: cdk deploy failed (exit ${deployed}); ${target} was not written`);
    return deployed;
  }
  const config = clientConfigFromOutputs(readJson(outputsFile));
  writeFileSync(target, JSON.stringify(config, null, 2) + '\n');
  console.log(
    `deploy: wrote ${target} (web demo config for ${config.region}, user pool ${config.userPoolId}). ` +
      'Now check the deployment: npm run smoke',
  );
  return 0;
}

runMain('deploy', main);
