/**
 * The argument list scripts/deploy.ts gives `cdk deploy`: pure, so the unit tests can cover the
 * terminal and CI cases alike.
 */
import { CONTEXT_KEYS } from '../infra/context-keys';
import { hostedUiDomainFromOutputs } from '../infra/client-config-output';
import { UsageError } from './cli';

const DEFAULT_OUTPUTS_FILE = 'cdk-outputs.json';

/** The value of `--name value`, `--name=value` or `-n value` in `args`, if present. */
function optionValue(args: readonly string[], names: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (names.includes(arg)) return args[i + 1];
    const long = names.find((name) => name.startsWith('--') && arg.startsWith(`${name}=`));
    if (long) return arg.slice(long.length + 1);
  }
  return undefined;
}

const hasOption = (args: readonly string[], name: string) =>
  args.some((arg) => arg === name || arg.startsWith(`${name}=`));

/** True when `-c key=...` / `--context key=...` / `--context=key=...` sets `key`. */
const setsContext = (args: readonly string[], key: string) =>
  args.some((arg) => arg.startsWith(`${key}=`) || arg.startsWith(`--context=${key}=`));

/** The outputs file the user's arguments name, or the default. */
export function outputsFileOf(userArgs: readonly string[]): string {
  return optionValue(userArgs, ['--outputs-file', '-O']) ?? DEFAULT_OUTPUTS_FILE;
}

/**
 * The whole `cdk deploy` argument list: the user's arguments, then what they leave out (see
 * scripts/deploy.ts). `previousOutputs` is the outputs file of the last deploy, if there is one.
 */
export function cdkDeployArgs(
  userArgs: readonly string[],
  options: { readonly interactive: boolean; readonly previousOutputs?: unknown },
): { readonly args: string[]; readonly outputsFile: string } {
  const args = ['deploy', ...userArgs];
  const outputsFile = outputsFileOf(userArgs);
  if (optionValue(userArgs, ['--outputs-file', '-O']) === undefined) {
    args.push('--outputs-file', outputsFile);
  }
  if (!hasOption(userArgs, '--require-approval')) {
    if (!options.interactive) {
      throw new UsageError(
        'no terminal is attached, so nobody can approve the IAM and security-group changes cdk ' +
          'asks about (the first deploy creates IAM roles). Say what to do: ' +
          '`npm run deploy -- --require-approval never <args>` (CI, after reviewing `npx cdk diff`), ' +
          'or --require-approval broadening to fail instead when there are such changes.',
      );
    }
    args.push('--require-approval', 'broadening');
  }
  const deployedDomain = hostedUiDomainFromOutputs(options.previousOutputs);
  if (deployedDomain && !setsContext(userArgs, CONTEXT_KEYS.deployedHostedUiDomain)) {
    args.push('-c', `${CONTEXT_KEYS.deployedHostedUiDomain}=${deployedDomain}`);
  }
  return { args, outputsFile };
}
