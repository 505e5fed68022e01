/**
 * Mounts the service modules on the sandbox's router, in order: the built-in ones, then the
 * caller's (`startSandbox({ modules })`). Requests no module claims go to the user pool
 * (user-pool-routes.ts).
 */
import { chimeMessagingModule } from '../services/chime-messaging';
import type { Router, SandboxContext, ServiceModule } from '../server';
import { chimeIdentity } from '../services/chime-identity';
import { dynamodbModule } from '../services/dynamodb';
import { identityPool } from '../services/identity-pool';
import { kmsModule } from '../services/kms';
import { sts } from '../services/sts';
import type { Cleanups } from './cleanups';

/** The built-in modules, a new set for each sandbox (some keep state in their closure). */
function builtInModules(): ServiceModule[] {
  return [identityPool, sts, chimeIdentity, chimeMessagingModule(), dynamodbModule(), kmsModule()];
}

export async function mountModules(
  router: Router,
  context: SandboxContext,
  extra: readonly ServiceModule[],
  cleanups: Cleanups,
): Promise<void> {
  for (const module of [...builtInModules(), ...extra]) {
    await module.register(router, context);
    const close = module.close?.bind(module);
    if (close) cleanups.add(close);
  }
}
