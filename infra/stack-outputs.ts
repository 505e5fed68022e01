/**
 * Names the deployed stack is known by, shared by the CDK app (writer) and the scripts that read
 * `cdk-outputs.json` (deploy, smoke, destroy). No aws-cdk-lib import: the scripts load fast.
 */

/** The stack's name in cdk.out and CloudFormation; the sandbox reads its template by this name. */
export const STACK_NAME = 'ChimeCognitoAuth';

/** The output that holds the whole client `config.json`: a contract, the sandbox reads it too. */
export { CLIENT_CONFIG_OUTPUT } from '../contracts/client-config';

/** The output naming the hosted UI domain (scripts/deploy.ts passes it back as context). */
export const HOSTED_UI_DOMAIN_OUTPUT = 'HostedUiDomain';

/** `retain` or `destroy`: whether deleting the stack keeps the user pool and the AppInstance. */
export const REMOVAL_POLICY_OUTPUT = 'StatefulRemovalPolicy';

/** The outputs naming the stateful resources (scripts/destroy.ts lists what was kept). */
export const USER_POOL_ID_OUTPUT = 'UserPoolId';
export const APP_INSTANCE_ARN_OUTPUT = 'AppInstanceArn';
