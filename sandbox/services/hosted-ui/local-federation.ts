/**
 * The hosted UI's external identity providers, played locally: the template's OIDC providers (or
 * the built-in LocalOIDC) by one local OpenID provider (services/oidc-provider/), started at the
 * first federated sign-in so that sandboxes that never federate do not pay for its process.
 */
import type { SandboxState } from '../../core/state';
import {
  type ClientMetadata,
  type RunningLocalOidcProvider,
  startLocalOidcProvider,
} from '../oidc-provider';
import type { FederationOptions } from './federation';
import type { SandboxIdentityProvider } from './identity-providers';
import { UpstreamOidc } from './upstream-oidc';

export interface LocalFederationInput {
  readonly providers: readonly SandboxIdentityProvider[];
  readonly state: SandboxState;
  /** The hosted UI's `/oauth2/idpresponse` URLs (known once it listens). */
  redirectUris(): readonly string[];
  readonly signIn: FederationOptions['signIn'];
  readonly log?: (line: string) => void;
}

export interface LocalFederation {
  readonly options: FederationOptions;
  /** The local OpenID provider (started now if it was not). */
  provider(): Promise<RunningLocalOidcProvider>;
  stop(): Promise<void>;
}

export function localFederation(input: LocalFederationInput): LocalFederation {
  const emulated = input.providers.filter((p) => p.emulated && p.oidc);
  // One client per provider; a client id two providers share is told apart by the name.
  const seen = new Set<string>();
  const clientIds = new Map(
    emulated.map((p) => {
      let id = p.oidc!.clientId;
      if (seen.has(id)) id = `${p.name}:${id}`;
      seen.add(id);
      return [p.name, id] as const;
    }),
  );
  let running: Promise<RunningLocalOidcProvider> | undefined;
  const upstreams = new Map<string, UpstreamOidc>();

  const provider = () => {
    running ??= startLocalOidcProvider({
      state: input.state,
      clients: emulated.map((p): ClientMetadata => ({
        client_id: clientIds.get(p.name)!,
        client_secret: p.oidc!.clientSecret,
        redirect_uris: [...input.redirectUris()],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      })),
      ...(input.log && { log: (line: string) => input.log!(`local OpenID provider: ${line}`) }),
    });
    running.catch(() => (running = undefined));
    return running;
  };

  return {
    options: {
      providers: input.providers,
      async upstream(p) {
        const existing = upstreams.get(p.name);
        if (existing) return existing;
        const { issuer } = await provider();
        const upstream = new UpstreamOidc({
          providerName: p.name,
          issuer,
          clientId: clientIds.get(p.name)!,
          clientSecret: p.oidc!.clientSecret,
          scopes: p.oidc!.scopes,
        });
        upstreams.set(p.name, upstream);
        return upstream;
      },
      signIn: input.signIn,
    },
    provider,
    async stop() {
      if (running) await (await running.catch(() => undefined))?.stop();
    },
  };
}
