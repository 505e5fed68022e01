/**
 * The context every service module gets (sandbox/server.ts): where the sandbox is, its state and
 * clock, SigV4 verification against the credential store, IAM evaluation of the template's role
 * policies (and the administrator's), and the shared services.
 */
import { Authorizer } from '../core/authorize';
import type { SandboxClock } from '../core/clock';
import type { CredentialStore } from '../core/credentials';
import { verifySigV4 } from '../core/sigv4';
import type { SandboxState } from '../core/state';
import type { SandboxResources } from '../resources';
import type { SandboxContext } from '../server';
import type { SandboxServices } from '../services';
import { ADMIN_POLICIES, SANDBOX_ADMIN_ROLE_ARN } from './admin';

export interface SandboxContextOptions {
  readonly url: string;
  readonly state: SandboxState;
  readonly credentials: CredentialStore;
  readonly resources: SandboxResources;
  readonly clock: SandboxClock;
  readonly services: SandboxServices;
  readonly log: (line: string) => void;
}

export function sandboxContext(options: SandboxContextOptions): SandboxContext {
  const { resources, clock, credentials } = options;
  const authorizer = new Authorizer(
    (roleArn) =>
      roleArn === SANDBOX_ADMIN_ROLE_ARN ? ADMIN_POLICIES : resources.role(roleArn)?.policies,
    () => clock.now(),
  );
  return {
    region: resources.region,
    accountId: resources.accountId,
    url: options.url,
    state: options.state,
    credentials,
    resources,
    services: options.services,
    clock,
    authenticate: (req, { service, protocol }) =>
      verifySigV4(req, { service, region: resources.region, protocol, credentials }),
    authorize: (caller, request) => authorizer.authorize(caller, request),
    log: options.log,
  };
}
