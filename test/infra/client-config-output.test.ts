import { STACK_NAME } from '../../infra/chime-cognito-auth-stack';
import { clientConfigFromOutputs } from '../../infra/client-config-output';

const config = {
  version: 1,
  region: 'us-east-1',
  userPoolId: 'us-east-1_abc',
  userPoolClientId: 'client',
  identityPoolId: 'us-east-1:0000',
  appInstanceArn: 'arn:aws:chime:us-east-1:111122223333:app-instance/abc-123',
  principalTagKey: 'chime_user_id',
  signInFlow: 'USER_SRP_AUTH',
};

describe('clientConfigFromOutputs', () => {
  test('reads the ClientConfig output of the stack as the web demo parses it', () => {
    const outputs = { [STACK_NAME]: { Region: 'us-east-1', ClientConfig: JSON.stringify(config) } };
    expect(clientConfigFromOutputs(outputs)).toEqual(config);
  });

  test.each([
    [{}, /no stack 'ChimeCognitoAuth': was it deployed\?/],
    [{ [STACK_NAME]: { Region: 'us-east-1' } }, /has no 'ClientConfig' output/],
    [{ [STACK_NAME]: { ClientConfig: '{not json' } }, /'ClientConfig' output is not JSON/],
    [
      { [STACK_NAME]: { ClientConfig: JSON.stringify({ ...config, signInFlow: 'X' }) } },
      /invalid client config: 'signInFlow'/,
    ],
  ])('rejects %p', (outputs, message) => {
    expect(() => clientConfigFromOutputs(outputs)).toThrow(message);
  });
});
