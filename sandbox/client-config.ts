/**
 * The sandbox's client config (the web demo's `config.json`): the stack's own `ClientConfig`
 * output, the document `npm run deploy` hands the deployed demo, resolved against the sandbox's
 * physical ids, with the few values that differ locally put over it. So the stack stays the one
 * writer of the config's content, and a field it adds reaches the local demo without a change here.
 */
import {
  CLIENT_CONFIG_OUTPUT,
  type ClientConfig,
  type HostedUiConfig,
  type LocalSandboxInfo,
  parseClientConfig,
} from '../contracts/client-config';
import type { CfnTemplate } from './cloudformation/template';
import { StackNotFoundError } from './resources';

/** What differs from the deployed config when the sandbox stands in for AWS. */
export interface LocalClientConfig {
  /** The sandbox endpoint, which serves every service. */
  readonly url: string;
  /** The sandbox's hosted UI, when it serves one. @default - none */
  readonly hostedUi?: HostedUiConfig;
  /** Whether the sandbox serves the guest routes (the template has them). @default false */
  readonly guests?: boolean;
  /** The sandbox's HTTP API, when it serves one. @default - none */
  readonly apiUrl?: string;
  /** The sandbox's credential-vending route, when the template has it. @default - none */
  readonly credentialVendingUrl?: string;
  /** Where the sandbox's codes page and hosted UI are (the web demo's local hints). */
  readonly localSandbox?: LocalSandboxInfo;
}

/**
 * The stack's `ClientConfig` output resolved with `resolve` (the sandbox's physical ids), with the
 * local overrides: every endpoint is the sandbox, and the hosted UI, HTTP API and credential-vending URL are the sandbox's own, or absent.
 */
export function sandboxClientConfig(
  template: CfnTemplate,
  resolve: (value: unknown) => unknown,
  local: LocalClientConfig,
): ClientConfig {
  const output = template.Outputs?.[CLIENT_CONFIG_OUTPUT];
  if (!output) {
    throw new StackNotFoundError(`the template has no '${CLIENT_CONFIG_OUTPUT}' output`);
  }
  const document = resolve(output.Value);
  if (typeof document !== 'string') {
    throw new StackNotFoundError(`the '${CLIENT_CONFIG_OUTPUT}' output is not a string`);
  }
  const deployed = JSON.parse(document) as Record<string, unknown>;
  // AWS-only values: the managed login domain and the HTTP API of the deployed stack.
  delete deployed.hostedUi;
  delete deployed.apiUrl;
  delete deployed.guests;
  delete deployed.credentialVendingUrl;
  const { url } = local;
  return parseClientConfig({
    ...deployed,
    endpoints: {
      userPool: url,
      identityPool: url,
      sts: url,
      chimeIdentity: url,
      chimeMessaging: url,
    },
    ...(local.hostedUi && { hostedUi: local.hostedUi }),
    ...(local.apiUrl && { apiUrl: local.apiUrl }),
    ...(local.guests && { guests: true }),
    ...(local.credentialVendingUrl && { credentialVendingUrl: local.credentialVendingUrl }),
    ...(local.localSandbox && { localSandbox: local.localSandbox }),
  });
}
