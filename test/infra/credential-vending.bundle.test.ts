/**
 * The credential-vending handler as `cdk synth` bundles it (esbuild), with cdk-nag on: the one
 * credential-vending test that needs a real bundle (credential-vending.test.ts skips bundling).
 */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { addNagChecks } from '../../infra/nag';
import { credentialVendingStack } from './credential-vending-stack';
import { NO_CFN_VALIDATION, testOutdir } from './support';

describe('CredentialVending route and function', () => {
  it('bundles the handler and passes cdk-nag with every finding acknowledged', () => {
    const { app, stack } = credentialVendingStack(
      new App({ ...NO_CFN_VALIDATION, outdir: testOutdir() }),
    );
    addNagChecks(app);
    expect(() => app.synth()).not.toThrow();
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Code: { S3Key: Match.stringLikeRegexp('\\.zip$') },
    });
  });
});
