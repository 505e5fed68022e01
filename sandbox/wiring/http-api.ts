/**
 * The project's HTTP API (API Gateway emulated from the template, sandbox/services/http-api/) on a
 * port of its own, when the template has one and it was not turned off.
 */
import type { WebOrigins } from '../core/browser-access';
import type { LambdaRunner } from '../lambda/runner';
import type { SandboxResources } from '../resources';
import { type RunningHttpApi, startHttpApi } from '../services/http-api';
import type { SigningKey } from '../services/user-pool/signing-key';
import type { Cleanups } from './cleanups';

export interface SandboxHttpApiOptions {
  /** Port on 127.0.0.1; 0 picks a free one. */
  readonly port: number;
  /** Browser origins allowed by CORS besides the template's. */
  readonly localAppOrigins: readonly string[];
  readonly resources: SandboxResources;
  readonly lambda: LambdaRunner;
  /** The user pool's signing key (the JWT authorizer's JWKS). */
  readonly signingKey: SigningKey;
  readonly webOrigins: WebOrigins;
  readonly log: (line: string) => void;
  readonly cleanups: Cleanups;
}

export async function startSandboxHttpApi(
  options: SandboxHttpApiOptions,
): Promise<RunningHttpApi | undefined> {
  const { webOrigins } = options;
  const httpApi = await startHttpApi({
    resources: options.resources,
    lambda: options.lambda,
    jwk: options.signingKey.publicJwk,
    port: options.port,
    localAppOrigins: options.localAppOrigins,
    allowsOrigin: (origin) => webOrigins.allows(origin),
    log: options.log,
  });
  if (httpApi) options.cleanups.add(() => httpApi.stop());
  return httpApi;
}
