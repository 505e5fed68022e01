import { type ClientConfig, parseClientConfig } from '../contracts/client-config';
import {
  APP_INSTANCE_ARN_OUTPUT,
  CLIENT_CONFIG_OUTPUT,
  HOSTED_UI_DOMAIN_OUTPUT,
  REMOVAL_POLICY_OUTPUT,
  STACK_NAME,
  USER_POOL_ID_OUTPUT,
} from './stack-outputs';

/**
 * Readers of the `cdk deploy --outputs-file` JSON (`{ <stack>: { <output>: value } }`) that
 * scripts/deploy.ts writes, for the scripts that act on the deployed stack.
 */

/** The outputs of one stack, or undefined when the file has none for it. */
function stackOutputsOf(
  outputs: unknown,
  stackName: string,
): Readonly<Record<string, unknown>> | undefined {
  const stackOutputs =
    outputs && typeof outputs === 'object'
      ? (outputs as Record<string, unknown>)[stackName]
      : undefined;
  return stackOutputs && typeof stackOutputs === 'object'
    ? (stackOutputs as Record<string, unknown>)
    : undefined;
}

/** The client config from the outputs, validated with the same parser the web demo uses. */
export function clientConfigFromOutputs(outputs: unknown, stackName = STACK_NAME): ClientConfig {
  const stackOutputs = stackOutputsOf(outputs, stackName);
  if (!stackOutputs) {
    throw new Error(`the outputs file has no stack '${stackName}': was it deployed?`);
  }
  const raw = stackOutputs[CLIENT_CONFIG_OUTPUT];
  if (typeof raw !== 'string') {
    throw new Error(`stack '${stackName}' has no '${CLIENT_CONFIG_OUTPUT}' output`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error(`the '${CLIENT_CONFIG_OUTPUT}' output is not JSON`);
  }
  return parseClientConfig(json);
}

/** The deployed hosted UI domain (`<prefix>.auth.<region>.amazoncognito.com`), if any. */
export function hostedUiDomainFromOutputs(
  outputs: unknown,
  stackName = STACK_NAME,
): string | undefined {
  const domain = stackOutputsOf(outputs, stackName)?.[HOSTED_UI_DOMAIN_OUTPUT];
  return typeof domain === 'string' && domain !== '' ? domain : undefined;
}

/** What deleting the stack keeps: the stateful resources' ids and the removal policy deployed. */
export interface StatefulResources {
  readonly removalPolicy?: string;
  readonly userPoolId?: string;
  readonly appInstanceArn?: string;
}

export function statefulResourcesFromOutputs(
  outputs: unknown,
  stackName = STACK_NAME,
): StatefulResources | undefined {
  const stackOutputs = stackOutputsOf(outputs, stackName);
  if (!stackOutputs) return undefined;
  const text = (name: string) => {
    const value = stackOutputs[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const removalPolicy = text(REMOVAL_POLICY_OUTPUT);
  const userPoolId = text(USER_POOL_ID_OUTPUT);
  const appInstanceArn = text(APP_INSTANCE_ARN_OUTPUT);
  return {
    ...(removalPolicy && { removalPolicy }),
    ...(userPoolId && { userPoolId }),
    ...(appInstanceArn && { appInstanceArn }),
  };
}
