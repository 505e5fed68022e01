import {
  CLIENT_CONFIG_OUTPUT,
  type ClientConfig,
  parseClientConfig,
} from '../contracts/client-config';
import { STACK_NAME } from './chime-cognito-auth-stack';

/**
 * The client config from `cdk deploy --outputs-file` JSON (`{ <stack>: { <output>: value } }`),
 * validated with the same parser the web demo uses.
 */
export function clientConfigFromOutputs(outputs: unknown, stackName = STACK_NAME): ClientConfig {
  const stackOutputs =
    outputs && typeof outputs === 'object'
      ? (outputs as Record<string, unknown>)[stackName]
      : undefined;
  if (!stackOutputs || typeof stackOutputs !== 'object') {
    throw new Error(`the outputs file has no stack '${stackName}': was it deployed?`);
  }
  const raw = (stackOutputs as Record<string, unknown>)[CLIENT_CONFIG_OUTPUT];
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
