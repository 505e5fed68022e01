/**
 * Starts the user pool (cognito-local in-process, sandbox/services/user-pool/) from the template's
 * spec, under the ids it had before: a restarted sandbox keeps its pool, users and app client.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SANDBOX_ACCOUNT_ID } from '../core/credentials';
import type { SandboxState } from '../core/state';
import type { LambdaRunner } from '../lambda/runner';
import type { SynthesizedStack } from '../resources';
import { type CodeRecord, type RunningUserPool, startUserPool } from '../services/user-pool';
import { type SigningKey, loadOrCreateSigningKey } from '../services/user-pool/signing-key';
import type { StackSpec } from './stack-spec';

export interface SandboxUserPoolOptions {
  readonly state: SandboxState;
  readonly stack: SynthesizedStack;
  readonly spec: StackSpec;
  /** The sandbox endpoint: tokens are issued by `<url>/<userPoolId>`. */
  readonly url: string;
  /**
   * Runs the triggers. The runner needs the pool's final ids, so it is set once the pool has
   * started; a trigger before that is an error.
   */
  readonly lambda: { readonly current?: LambdaRunner };
  readonly onCode: (record: CodeRecord) => void;
  readonly log: (line: string) => void;
}

export interface SandboxUserPool {
  readonly userPool: RunningUserPool;
  readonly signingKey: SigningKey;
}

interface ResourceIds {
  userPoolId?: string;
  userPoolClientId?: string;
}

export async function startSandboxUserPool(
  options: SandboxUserPoolOptions,
): Promise<SandboxUserPool> {
  const { state, stack, spec, log } = options;
  const idStore = state.store<ResourceIds>('resources', () => ({}));
  // Ids lost with a damaged resources.json (--repair): the pool's own files still name them.
  const saved = idStore.get().userPoolId
    ? idStore.get()
    : (userPoolIdsIn(state.subdir('cognito')) ?? {});
  const signingKey = loadOrCreateSigningKey(state);
  const userPool = await startUserPool({
    identityProviders: new Map(spec.identityProviders.map((p) => [p.name, { type: p.type }])),
    signingKey,
    signOutStore: state.store<Record<string, number>>('sign-outs', () => ({})),
    log,
    dir: state.subdir('cognito'),
    issuerDomain: options.url,
    region: stack.region,
    accountId: SANDBOX_ACCOUNT_ID,
    spec: { pool: spec.pool, client: spec.client, triggers: spec.triggers },
    ...(saved.userPoolId &&
      saved.userPoolClientId && {
        existing: { userPoolId: saved.userPoolId, userPoolClientId: saved.userPoolClientId },
      }),
    async invoke(functionName, payload) {
      const runner = options.lambda.current;
      if (!runner) throw new Error('the Lambda runner is not started yet');
      // cognito-local says region "local"; Cognito sends the pool's region.
      const event = JSON.parse(payload) as Record<string, unknown>;
      event.region = stack.region;
      return runner.invoke(functionName, JSON.stringify(event));
    },
    onCode: options.onCode,
  });
  idStore.update((s) => {
    s.userPoolId = userPool.userPoolId;
    s.userPoolClientId = userPool.userPoolClientId;
  });
  return { userPool, signingKey };
}

/** The one user pool and app client cognito-local's files in `dir` hold, if exactly one. */
function userPoolIdsIn(dir: string): Required<ResourceIds> | undefined {
  let clients: Record<string, { UserPoolId?: unknown }>;
  try {
    clients =
      (JSON.parse(readFileSync(join(dir, 'clients.json'), 'utf8')) as { Clients?: never })
        .Clients ?? {};
  } catch {
    return undefined;
  }
  const found = Object.entries(clients).filter(
    ([, c]) => typeof c.UserPoolId === 'string' && existsSync(join(dir, `${c.UserPoolId}.json`)),
  );
  const [only] = found;
  return found.length === 1 && only
    ? { userPoolId: String(only[1].UserPoolId), userPoolClientId: only[0] }
    : undefined;
}
