/**
 * What the sandbox reads from the synthesized template before anything runs: the user pool and
 * app client as CloudFormation would create them (resolved with provisional ids, since the pool's
 * own id does not exist yet), its triggers, its external identity providers, and whether it has a
 * hosted UI.
 */
import { resolveIntrinsics, resourcesOfType } from '../cloudformation/template';
import {
  type SandboxIdentityProvider,
  sandboxIdentityProviders,
} from '../services/hosted-ui/identity-providers';
import { type SynthesizedStack, onlyResourceOfType, preliminaryEnvironment } from '../resources';
import { SUPPORTED_TRIGGERS, type TriggerName } from '../services/user-pool';

export interface StackSpec {
  /** The resolved `Properties` of the `AWS::Cognito::UserPool`. */
  readonly pool: Record<string, unknown>;
  /** The resolved `Properties` of the `AWS::Cognito::UserPoolClient`. */
  readonly client: Record<string, unknown>;
  /** The pool's `LambdaConfig` the sandbox can run: trigger -> function ARN. */
  readonly triggers: Partial<Record<TriggerName, string>>;
  /** The template's external identity providers, played locally (hosted UI's providers). */
  readonly identityProviders: readonly SandboxIdentityProvider[];
  /** The app client's callback and sign-out URLs. */
  readonly appUrls: readonly string[];
  /** A user pool domain and an OAuth app client: the sandbox serves a hosted UI. */
  readonly hasHostedUi: boolean;
}

/** `log` hears of triggers the sandbox cannot run. */
export function readStackSpec(stack: SynthesizedStack, log: (line: string) => void): StackSpec {
  const { template } = stack;
  const environment = preliminaryEnvironment(stack);
  const properties = (logicalId: string) =>
    resolveIntrinsics(
      template.Resources[logicalId]?.Properties ?? {},
      template,
      environment,
    ) as Record<string, unknown>;
  const pool = properties(onlyResourceOfType(template, 'AWS::Cognito::UserPool'));
  const client = properties(onlyResourceOfType(template, 'AWS::Cognito::UserPoolClient'));
  return {
    pool,
    client,
    triggers: supportedTriggers(pool, log),
    identityProviders: sandboxIdentityProviders(
      resourcesOfType(template, 'AWS::Cognito::UserPoolIdentityProvider').map(properties),
    ),
    appUrls: [...strings(client.CallbackURLs), ...strings(client.LogoutURLs)],
    hasHostedUi:
      resourcesOfType(template, 'AWS::Cognito::UserPoolDomain').length > 0 &&
      client.AllowedOAuthFlowsUserPoolClient === true,
  };
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function supportedTriggers(
  pool: Record<string, unknown>,
  log: (line: string) => void,
): Partial<Record<TriggerName, string>> {
  const lambdaConfig = (pool.LambdaConfig ?? {}) as Record<string, unknown>;
  const triggers: Partial<Record<TriggerName, string>> = {};
  for (const [name, value] of Object.entries(lambdaConfig)) {
    if (isSupportedTrigger(name) && typeof value === 'string') {
      triggers[name] = value;
    } else {
      log(`warning: user pool trigger ${name} is not supported by the sandbox and will not run`);
    }
  }
  return triggers;
}

function isSupportedTrigger(name: string): name is TriggerName {
  return (SUPPORTED_TRIGGERS as readonly string[]).includes(name);
}
