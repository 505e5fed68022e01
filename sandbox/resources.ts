/**
 * The synthesized stack as the sandbox deploys it: the template from `cdk.out` (located through
 * the cloud assembly manifest), resolved against physical ids (sandbox/cloudformation/fake-environment.ts fakes
 * well-formed ones; the user pool's come from cognito-local), with every role and its policies.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CfnTemplate,
  type PhysicalResource,
  type TemplateEnvironment,
  loadTemplateFile,
  resolveIntrinsics,
  resourcesOfType,
} from './cloudformation/template';
import { fakeEnvironment } from './cloudformation/fake-environment';
import { type SdkCallAnswers, sdkCallOverrides } from './cloudformation/sdk-call-answers';
import { type RoleInfo, listRoles } from './iam/roles';
import { DEFAULT_REGION } from '../contracts/regions';
import { SANDBOX_ACCOUNT_ID } from './core/credentials';

export class StackNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StackNotFoundError';
  }
}

export interface SynthesizedStack {
  readonly cdkOutDir: string;
  readonly stackName: string;
  readonly region: string;
  readonly templateFile: string;
  readonly template: CfnTemplate;
}

interface Manifest {
  artifacts?: Record<
    string,
    { type?: string; environment?: string; properties?: { templateFile?: string } }
  >;
}

/** Finds the (single) CloudFormation stack of the cloud assembly in `cdkOutDir`. */
export function loadSynthesizedStack(cdkOutDir: string): SynthesizedStack {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(join(cdkOutDir, 'manifest.json'), 'utf8')) as Manifest;
  } catch (error) {
    throw new StackNotFoundError(
      `no cloud assembly in '${cdkOutDir}' (run 'npx cdk synth'): ${(error as Error).message}`,
    );
  }
  const stacks = Object.entries(manifest.artifacts ?? {}).filter(
    ([, a]) => a.type === 'aws:cloudformation:stack',
  );
  if (stacks.length !== 1 || !stacks[0]) {
    throw new StackNotFoundError(
      `expected one stack in '${cdkOutDir}', found ${stacks.length}: ${stacks.map(([n]) => n).join(', ')}`,
    );
  }
  const [stackName, artifact] = stacks[0];
  const templateFile = join(
    cdkOutDir,
    artifact.properties?.templateFile ?? `${stackName}.template.json`,
  );
  const region = /^aws:\/\/[^/]+\/([a-z0-9-]+)$/.exec(artifact.environment ?? '')?.[1];
  return {
    cdkOutDir,
    stackName,
    region: region && region !== 'unknown-region' ? region : DEFAULT_REGION,
    templateFile,
    template: loadTemplateFile(templateFile),
  };
}

export function onlyResourceOfType(template: CfnTemplate, type: string): string {
  const ids = resourcesOfType(template, type);
  if (ids.length !== 1 || !ids[0]) {
    throw new StackNotFoundError(
      `the sandbox needs exactly one ${type}, the template has ${ids.length}`,
    );
  }
  return ids[0];
}

/** The deployed stack: ids of the resources the services need, roles and a resolver. */
export interface SandboxResources {
  readonly stack: SynthesizedStack;
  readonly region: string;
  readonly accountId: string;
  readonly env: TemplateEnvironment;
  readonly roles: readonly RoleInfo[];
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  readonly userPoolArn: string;
  /** `cognito-idp.<region>.amazonaws.com/<userPoolId>`, the ProviderName on AWS. */
  readonly userPoolProviderName: string;
  /** `http://127.0.0.1:<port>/<userPoolId>`: the `iss` of the sandbox's tokens. */
  readonly userPoolIssuer: string;
  readonly identityPoolId: string;
  readonly appInstanceArn: string;
  /** Resolves intrinsic functions against the sandbox's physical ids. */
  resolve(value: unknown): unknown;
  /** The resolved `Properties` of a resource. */
  properties(logicalId: string): Record<string, unknown>;
  role(roleArn: string): RoleInfo | undefined;
}

/** Environment before the user pool exists (to resolve the pool's own properties). */
export function preliminaryEnvironment(stack: SynthesizedStack): TemplateEnvironment {
  return fakeEnvironment(stack.template, {
    accountId: SANDBOX_ACCOUNT_ID,
    region: stack.region,
    stackName: stack.stackName,
  });
}

export function buildResources(
  stack: SynthesizedStack,
  userPool: { userPoolId: string; userPoolClientId: string; issuer: string },
  answers: SdkCallAnswers,
): SandboxResources {
  const { template, region } = stack;
  const poolLogicalId = onlyResourceOfType(template, 'AWS::Cognito::UserPool');
  const clientLogicalId = onlyResourceOfType(template, 'AWS::Cognito::UserPoolClient');
  const identityPoolLogicalId = onlyResourceOfType(template, 'AWS::Cognito::IdentityPool');
  const appInstanceLogicalId = onlyResourceOfType(template, 'AWS::Chime::AppInstance');
  const { userPoolId, userPoolClientId } = userPool;
  const userPoolArn = `arn:aws:cognito-idp:${region}:${SANDBOX_ACCOUNT_ID}:userpool/${userPoolId}`;
  const providerName = `cognito-idp.${region}.amazonaws.com/${userPoolId}`;
  const overrides: Record<string, PhysicalResource> = {
    // Deploy-time SDK calls (GetMessagingSessionEndpoint) answered by the sandbox, not run.
    ...sdkCallOverrides(template, answers),
    [poolLogicalId]: {
      ref: userPoolId,
      attributes: {
        Arn: userPoolArn,
        ProviderName: providerName,
        ProviderURL: userPool.issuer,
        UserPoolId: userPoolId,
      },
    },
    [clientLogicalId]: {
      ref: userPoolClientId,
      attributes: { ClientId: userPoolClientId, Name: clientLogicalId },
    },
  };
  const env = fakeEnvironment(template, {
    accountId: SANDBOX_ACCOUNT_ID,
    region,
    stackName: stack.stackName,
    overrides,
  });
  const resolve = (value: unknown) => resolveIntrinsics(value, template, env);
  const roles = listRoles(template, env);
  const ref = (logicalId: string) => env.resources[logicalId]?.ref ?? '';
  return {
    stack,
    region,
    accountId: SANDBOX_ACCOUNT_ID,
    env,
    roles,
    userPoolId,
    userPoolClientId,
    userPoolArn,
    userPoolProviderName: providerName,
    userPoolIssuer: userPool.issuer,
    identityPoolId: ref(identityPoolLogicalId),
    appInstanceArn: env.resources[appInstanceLogicalId]?.attributes.AppInstanceArn ?? '',
    resolve,
    properties(logicalId) {
      const resource = template.Resources[logicalId];
      if (!resource) throw new StackNotFoundError(`no resource ${logicalId} in the template`);
      return (resolve(resource.Properties ?? {}) ?? {}) as Record<string, unknown>;
    },
    role(roleArn) {
      return roles.find((r) => r.arn === roleArn);
    },
  };
}
