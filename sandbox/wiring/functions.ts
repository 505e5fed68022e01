/**
 * The template's functions and what invokes them besides the user pool: the Lambda runner (each
 * function with its own role's credentials, against the sandbox endpoint), the event rules and
 * the schedules.
 */
import type { CredentialStore } from '../core/credentials';
import { LambdaRunner, lambdaFunctionsOf } from '../lambda/runner';
import type { SandboxResources } from '../resources';
import { type EventBus, startEventBus } from '../services/eventbridge';
import { type RunningScheduler, startScheduler } from '../services/scheduler';
import type { Cleanups } from './cleanups';

export interface SandboxFunctionsOptions {
  readonly resources: SandboxResources;
  readonly credentials: CredentialStore;
  /** The sandbox endpoint the functions call. */
  readonly url: string;
  readonly lambdaLog?: (functionName: string, line: string) => void;
  /** Run every schedule this often instead of its own rate. @default - the template's rates */
  readonly scheduleIntervalMs?: number;
  readonly log: (line: string) => void;
  readonly cleanups: Cleanups;
}

export interface SandboxFunctions {
  readonly lambda: LambdaRunner;
  readonly eventBus: EventBus;
  readonly scheduler: RunningScheduler;
}

export function startSandboxFunctions(options: SandboxFunctionsOptions): SandboxFunctions {
  const { resources, log, cleanups } = options;
  const lambda = new LambdaRunner({
    functions: lambdaFunctionsOf(resources, (logicalId, reason) =>
      log(`warning: function ${logicalId} will not run: ${reason}`),
    ),
    credentials: options.credentials,
    region: resources.region,
    endpoint: options.url,
    ...(options.lambdaLog && { onLog: options.lambdaLog }),
  });
  cleanups.add(() => lambda.close());
  for (const [runtime, node] of lambda.nodeBinaries) {
    log(`functions on ${runtime} run on Node.js ${node.version} (${node.path})`);
  }
  const eventBus = startEventBus({ resources, lambda, log });
  const scheduler = startScheduler({
    resources,
    lambda,
    log,
    ...(options.scheduleIntervalMs !== undefined && { intervalMs: options.scheduleIntervalMs }),
  });
  cleanups.add(() => scheduler.stop());
  return { lambda, eventBus, scheduler };
}
