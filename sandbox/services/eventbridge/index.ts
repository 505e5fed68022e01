/**
 * The default event bus, as far as the template uses it: the `AWS::Events::Rule`s with an event
 * pattern and Lambda targets. `publish(event)` delivers an event to the target functions of every
 * enabled rule it matches, as EventBridge does: asynchronously (the publisher does not wait), the
 * whole event as the payload. Targets with an `Input`, `InputPath` or `InputTransformer`, or that
 * are not functions of the template, are reported at start and skipped.
 */
import type { LambdaRunner } from '../../lambda/runner';
import { resourcesOfType } from '../../cloudformation/template';
import type { SandboxResources } from '../../resources';
import { assertSupportedPattern, matchesPattern } from './pattern';

export interface EventBusRule {
  readonly logicalId: string;
  readonly pattern: Record<string, unknown>;
  /** Function names of its Lambda targets. */
  readonly functions: readonly string[];
}

export interface EventBus {
  readonly rules: readonly EventBusRule[];
  /**
   * Delivers to the matching rules' targets; resolves, once every invocation has finished, to the
   * number of deliveries (0: no rule matched).
   */
  publish(event: Record<string, unknown>): Promise<number>;
  /** Waits for the deliveries under way (tests, shutdown). */
  idle(): Promise<void>;
}

export interface EventBusOptions {
  readonly resources: SandboxResources;
  readonly lambda: Pick<LambdaRunner, 'find' | 'invoke'>;
  readonly log: (line: string) => void;
}

export function startEventBus({ resources, lambda, log }: EventBusOptions): EventBus {
  const rules: EventBusRule[] = [];
  for (const logicalId of resourcesOfType(resources.stack.template, 'AWS::Events::Rule')) {
    const props = resources.properties(logicalId);
    if (props.State === 'DISABLED' || props.EventPattern === undefined) continue;
    if (props.EventBusName !== undefined && props.EventBusName !== 'default') {
      log(
        `warning: event rule ${logicalId} is on bus ${JSON.stringify(props.EventBusName)}: not served`,
      );
      continue;
    }
    const pattern = props.EventPattern as Record<string, unknown>;
    try {
      assertSupportedPattern(pattern);
    } catch (error) {
      log(`warning: event rule ${logicalId} will not run: ${(error as Error).message}`);
      continue;
    }
    const functions: string[] = [];
    for (const target of (props.Targets ?? []) as Record<string, unknown>[]) {
      const fn = lambda.find(String(target.Arn));
      if (!fn) {
        log(
          `warning: event rule ${logicalId}: target ${String(target.Arn)} is not a sandbox function`,
        );
      } else if (target.Input ?? target.InputPath ?? target.InputTransformer) {
        log(`warning: event rule ${logicalId}: target inputs are not modelled; target skipped`);
      } else {
        functions.push(fn.functionName);
      }
    }
    rules.push({ logicalId, pattern, functions });
  }

  const pending = new Set<Promise<void>>();
  const deliver = async (rule: EventBusRule, functionName: string, payload: string) => {
    try {
      const result = await lambda.invoke(functionName, payload);
      if (result.FunctionError) {
        log(
          `event rule ${rule.logicalId}: ${functionName} failed: ${result.Payload.slice(0, 300)}`,
        );
      }
    } catch (error) {
      log(`event rule ${rule.logicalId}: ${functionName} not invoked: ${(error as Error).message}`);
    }
  };
  return {
    rules,
    async publish(event) {
      const payload = JSON.stringify(event);
      const runs = rules
        .filter((rule) => matchesPattern(rule.pattern, event))
        .flatMap((rule) => rule.functions.map((fn) => deliver(rule, fn, payload)));
      const all = Promise.all(runs).then(() => {});
      pending.add(all);
      void all.finally(() => pending.delete(all));
      await all;
      return runs.length;
    },
    async idle() {
      await Promise.all([...pending]);
    },
  };
}
