/**
 * Writes the deployed stack's client config (the web demo's `config.json`) from the outputs file
 * `npm run deploy` leaves behind, so the demo can also run locally against AWS:
 *   WEB_DEMO_CONFIG=web-demo-config.json npm run dev:web
 * Usage: tsx scripts/write-client-config.ts [outputs-file] [target-file]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { clientConfigFromOutputs } from '../infra/client-config-output';

const [outputsFile = 'cdk-outputs.json', target = 'web-demo-config.json'] = process.argv.slice(2);
const config = clientConfigFromOutputs(JSON.parse(readFileSync(outputsFile, 'utf8')));
writeFileSync(target, JSON.stringify(config, null, 2) + '\n');
console.log(
  `wrote ${target} (web demo config for ${config.region}, user pool ${config.userPoolId})`,
);
