/**
 * What the operator's scripts (smoke test, `npm run users`) run against: the deployed stack (its `cdk-outputs.json` and the caller's
 * AWS credentials from the SDK's default chain) or the local sandbox (`<state dir>/config.json` and
 * the sandbox administrator's credentials, `<state dir>/admin-credentials.json`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ClientConfig, parseClientConfig } from '../contracts/client-config';
import { clientConfigFromOutputs } from '../infra/client-config-output';
import { UsageError } from './cli';

export interface OperatorCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

export interface StackTarget {
  /** For the report: which stack, which region or sandbox. */
  readonly description: string;
  readonly config: ClientConfig;
  /** The operator's credentials; undefined: the AWS SDK's default chain (env, profile, SSO...). */
  readonly operatorCredentials?: OperatorCredentials;
}

function readJsonFile(path: string, what: string, hint: string): unknown {
  if (!existsSync(path)) throw new UsageError(`${what} ${path} does not exist: ${hint}`);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch {
    throw new UsageError(`${what} ${path} is not JSON`);
  }
}

export function deployedTarget(outputsFile: string): StackTarget {
  const outputs = readJsonFile(outputsFile, 'the outputs file', 'deploy first (npm run deploy)');
  const config = clientConfigFromOutputs(outputs);
  return {
    description: `deployed stack, ${config.region}, user pool ${config.userPoolId}`,
    config,
  };
}

export function sandboxTarget(stateDir: string): StackTarget {
  const hint = 'start the sandbox first (npm run sandbox)';
  const config = parseClientConfig(
    readJsonFile(join(stateDir, 'config.json'), 'the sandbox config', hint),
  );
  const admin = readJsonFile(
    join(stateDir, 'admin-credentials.json'),
    'the sandbox administrator credentials',
    hint,
  ) as Partial<Record<'accessKeyId' | 'secretAccessKey' | 'sessionToken' | 'expiration', string>>;
  if (!admin.accessKeyId || !admin.secretAccessKey) {
    throw new UsageError(`${stateDir}/admin-credentials.json holds no credentials`);
  }
  return {
    description: `local sandbox ${config.endpoints?.userPool ?? ''}`.trim(),
    config,
    operatorCredentials: {
      accessKeyId: admin.accessKeyId,
      secretAccessKey: admin.secretAccessKey,
      ...(admin.sessionToken && { sessionToken: admin.sessionToken }),
      ...(admin.expiration && { expiration: new Date(admin.expiration) }),
    },
  };
}
