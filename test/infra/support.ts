import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  ChimeCognitoAuthStack,
  type ChimeCognitoAuthStackProps,
  STACK_NAME,
} from '../../infra/chime-cognito-auth-stack';
import { stackPropsFromContext } from '../../infra/context';
import { addNagChecks } from '../../infra/nag';
import { cdkSynthContext } from '../../infra/synthesize';

/** Synthesizes the real stack as `cdk synth` does (cdk-nag included) and returns its template. */
export function synthStack(props: ChimeCognitoAuthStackProps = {}): Template {
  const app = new App();
  const stack = new ChimeCognitoAuthStack(app, STACK_NAME, {
    env: { region: 'us-east-1' },
    ...props,
  });
  addNagChecks(app);
  app.synth();
  return Template.fromStack(stack);
}

/** Synthesizes the stack from CDK context, as `cdk synth -c key=value` would (cdk.json flags included). */
export function synthFromContext(context: Record<string, unknown>): Template {
  const app = new App({ context: cdkSynthContext(context) });
  const stack = new ChimeCognitoAuthStack(app, STACK_NAME, stackPropsFromContext(app));
  addNagChecks(app);
  app.synth();
  return Template.fromStack(stack);
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** The single resource of `type`, failing clearly when there are none or several. */
export function onlyResource(
  template: Template,
  type: string,
): { logicalId: string; properties: Record<string, unknown> } {
  const resources = template.findResources(type) as Resources;
  const entries = Object.entries(resources);
  if (entries.length !== 1) {
    throw new Error(`expected exactly one ${type}, found ${entries.length}`);
  }
  const [logicalId, resource] = entries[0]!;
  return { logicalId, properties: resource.Properties ?? {} };
}

/** The role the identity pool hands to authenticated users (found through its role attachment). */
export function authenticatedRole(template: Template): {
  logicalId: string;
  properties: Record<string, unknown>;
} {
  const attachment = onlyResource(template, 'AWS::Cognito::IdentityPoolRoleAttachment').properties;
  const roleArn = (attachment.Roles as { authenticated?: { 'Fn::GetAtt'?: [string, string] } })
    .authenticated?.['Fn::GetAtt'];
  if (!roleArn) throw new Error('the role attachment has no authenticated role');
  const [logicalId] = roleArn;
  const role = (template.findResources('AWS::IAM::Role') as Resources)[logicalId];
  if (!role) throw new Error(`role ${logicalId} is not in the template`);
  return { logicalId, properties: role.Properties ?? {} };
}
