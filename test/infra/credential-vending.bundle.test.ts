import { Match, Template } from 'aws-cdk-lib/assertions';
import { addNagChecks } from '../../infra/nag';
import { buildVendingStack } from './credential-vending-stack';

/** The credential-vending function as `cdk synth` bundles it (esbuild), cdk-nag on. */
describe('CredentialVending bundle', () => {
  it('bundles the handler and passes cdk-nag with every finding acknowledged', () => {
    const { app, stack } = buildVendingStack({}, true);
    addNagChecks(app);
    expect(() => app.synth()).not.toThrow();
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Code: { S3Key: Match.stringLikeRegexp('\\.zip$') },
    });
  });
});
