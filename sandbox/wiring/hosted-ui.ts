/**
 * The hosted UI (sandbox/services/hosted-ui/), when the template has one, with its external
 * identity providers played by a local OpenID provider (its local-federation.ts).
 */
import type { WebOrigins } from '../core/browser-access';
import type { SandboxState } from '../core/state';
import { type RunningHostedUi, startHostedUi } from '../services/hosted-ui';
import { localFederation } from '../services/hosted-ui/local-federation';
import type { SandboxResources } from '../resources';
import type { RunningUserPool } from '../services/user-pool';
import type { SigningKey } from '../services/user-pool/signing-key';
import type { Cleanups } from './cleanups';
import type { StackSpec } from './stack-spec';

export interface SandboxHostedUiOptions {
  /** Port on 127.0.0.1; 0 picks a free one. */
  readonly port: number;
  /** Local web demo URLs accepted as callback and sign-out URLs besides the template's. */
  readonly localAppUrls: readonly string[];
  readonly spec: StackSpec;
  readonly state: SandboxState;
  /** The sandbox endpoint, which serves the user pool API. */
  readonly url: string;
  readonly resources: SandboxResources;
  readonly userPool: RunningUserPool;
  readonly signingKey: SigningKey;
  readonly webOrigins: WebOrigins;
  readonly log: (line: string) => void;
  readonly cleanups: Cleanups;
}

export async function startSandboxHostedUi(
  options: SandboxHostedUiOptions,
): Promise<RunningHostedUi> {
  const { spec, state, userPool, log, cleanups } = options;
  // The hosted UI's `/oauth2/idpresponse` URLs, known once it listens.
  const redirectUris: string[] = [];
  const federation = localFederation({
    providers: spec.identityProviders,
    state,
    redirectUris: () => redirectUris,
    signIn: (clientId, identity) => userPool.federatedSignIn(clientId, identity),
    log,
  });
  cleanups.add(() => federation.stop());
  const hostedUi = await startHostedUi({
    federation: federation.options,
    port: options.port,
    state,
    userPoolEndpoint: options.url,
    userPoolId: options.resources.userPoolId,
    userPoolClientId: options.resources.userPoolClientId,
    client: spec.client,
    pool: spec.pool,
    localAppUrls: options.localAppUrls,
    webOrigins: options.webOrigins,
    signingKey: options.signingKey,
    log,
  });
  cleanups.add(() => hostedUi.stop());
  // The hosted UI answers on 127.0.0.1 and localhost alike.
  redirectUris.push(
    `${hostedUi.url}/oauth2/idpresponse`,
    `${hostedUi.url.replace('//127.0.0.1:', '//localhost:')}/oauth2/idpresponse`,
  );
  return hostedUi;
}
