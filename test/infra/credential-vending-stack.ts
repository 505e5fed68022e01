import { type App, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import {
  CredentialVending,
  type CredentialVendingProps,
} from '../../infra/constructs/credential-vending';
import { ProjectHttpApi } from '../../infra/constructs/project-http-api';

export const VENDING_APP_INSTANCE_ARN = 'arn:aws:chime:us-east-1:123456789012:app-instance/abc-123';

/**
 * GIVEN a stack in `app` with an imported user pool, the project's HTTP API and the
 * CredentialVending construct: the template tests (no bundling) and the bundle test share it.
 */
export function credentialVendingStack(app: App, overrides: Partial<CredentialVendingProps> = {}) {
  const stack = new Stack(app, 'VendingTest', {
    env: { region: 'us-east-1', account: '123456789012' },
  });
  const pool = cognito.UserPool.fromUserPoolId(stack, 'Pool', 'us-east-1_TestPool1');
  const client = cognito.UserPoolClient.fromUserPoolClientId(stack, 'Web', 'webclient123');
  const api = new ProjectHttpApi(stack, 'Api', {
    userPool: pool,
    userPoolClient: client,
    allowedOrigins: ['http://localhost:5173'],
  });
  const vending = new CredentialVending(stack, 'Vending', {
    appInstanceArn: VENDING_APP_INSTANCE_ARN,
    api,
    ...overrides,
  });
  return { app, stack, vending, pool, client, api };
}
