/**
 * The client config the sandbox serves (`/_sandbox/config.json`) and writes
 * (`<stateDir>/config.json`): the stack's own `ClientConfig` output resolved against the sandbox
 * (sandbox/client-config.ts), with the sandbox's hosted UI, HTTP API and local hints.
 */
import { join } from 'node:path';
import type { ClientConfig } from '../../contracts/client-config';
import { API_PATHS, apiRouteUrl } from '../../contracts/http-api';
import { sandboxClientConfig } from '../client-config';
import { writeFileAtomic } from '../core/state';
import type { RunningHostedUi } from '../services/hosted-ui';
import type { SandboxResources } from '../resources';
import type { RunningHttpApi } from '../services/http-api';

export interface LocalConfigOptions {
  readonly url: string;
  readonly resources: SandboxResources;
  readonly hostedUi: RunningHostedUi | undefined;
  readonly httpApi: RunningHttpApi | undefined;
}

export function localClientConfig(options: LocalConfigOptions): ClientConfig {
  const { url, resources, hostedUi, httpApi } = options;
  const hasRoute = (path: string) =>
    httpApi?.spec.routes.some((r) => r.routeKey === `POST ${path}`) === true;
  // The credential-vending route, when the template has it (-c credentialVending=true).
  const vendingUrl =
    httpApi && hasRoute(API_PATHS.credentials)
      ? apiRouteUrl(httpApi.apiUrl, API_PATHS.credentials)
      : undefined;
  return sandboxClientConfig(resources.stack.template, (value) => resources.resolve(value), {
    url,
    // Guest access, when the template has its routes (on unless -c guests=false).
    guests: hasRoute(API_PATHS.guestInvites),
    ...(hostedUi && { hostedUi: hostedUi.config() }),
    ...(httpApi && { apiUrl: httpApi.apiUrl }),
    ...(vendingUrl && { credentialVendingUrl: vendingUrl }),
    // Tells the web demo it is local: where the codes are, which certificate to accept.
    localSandbox: {
      codesUrl: `${url}/_sandbox/codes`,
      ...(hostedUi && { hostedUiUrl: `${hostedUi.url}/` }),
    },
  });
}

/** Writes the config where `npm run sandbox` users and the web demo find it; returns the path. */
export function writeLocalClientConfig(stateDir: string, config: ClientConfig): string {
  const configFile = join(stateDir, 'config.json');
  writeFileAtomic(configFile, `${JSON.stringify(config, null, 2)}\n`);
  return configFile;
}
