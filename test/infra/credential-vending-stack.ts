/**
 * The CredentialVending construct in a stack with a user pool, as the template tests and the
 * bundle test build it.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import {
  CredentialVending,
  type CredentialVendingProps,
  VendingTokenIssuer,
} from '../../infra/constructs/credential-vending';
import { testApp } from './support';

export const APP_INSTANCE_ARN = 'arn:aws:chime:us-east-1:123456789012:app-instance/abc-123';

/** GIVEN a stack with a user pool and the construct (cdk-nag on, as `cdk synth` runs it). */
export function buildVendingStack(overrides: Partial<CredentialVendingProps> = {}, bundle = false) {
  // Bundling (esbuild) is skipped except where the asset itself matters: it costs ~2 s a synth.
  const app = bundle ? new App() : testApp();
  const stack = new Stack(app, 'VendingTest', {
    env: { region: 'us-east-1', account: '123456789012' },
  });
  const pool = cognito.UserPool.fromUserPoolId(stack, 'Pool', 'us-east-1_TestPool1');
  const client = cognito.UserPoolClient.fromUserPoolClientId(stack, 'Web', 'webclient123');
  const vending = new CredentialVending(stack, 'Vending', {
    appInstanceArn: APP_INSTANCE_ARN,
    tokenIssuer: VendingTokenIssuer.userPool(pool, client),
    allowedOrigins: ['https://chat.example.com', 'http://localhost:5173'],
    ...overrides,
  });
  return { app, stack, vending, pool, client };
}
