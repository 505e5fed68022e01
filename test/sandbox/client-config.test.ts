import { CLIENT_CONFIG_OUTPUT, parseClientConfig } from '../../contracts/client-config';
import { sandboxClientConfig } from '../../sandbox/client-config';
import { type CfnTemplate, resolveIntrinsics } from '../../sandbox/cloudformation/template';
import { fakeEnvironment } from '../../sandbox/cloudformation/fake-environment';
import { sdkCallOverrides } from '../../sandbox/cloudformation/sdk-call-answers';

/** A template with the stack's output as CDK writes it: one JSON document joined with tokens. */
function templateWith(document: readonly unknown[]): CfnTemplate {
  return {
    Resources: {
      Instance: { Type: 'AWS::Chime::AppInstance', Properties: { Name: 'chat' } },
      Pool: { Type: 'AWS::Cognito::IdentityPool', Properties: {} },
    },
    Outputs: { [CLIENT_CONFIG_OUTPUT]: { Value: { 'Fn::Join': ['', document] } } },
  };
}

const DEPLOYED = [
  '{"version":1,"region":"',
  { Ref: 'AWS::Region' },
  '","userPoolId":"eu-central-1_Pool","userPoolClientId":"client","identityPoolId":"',
  { Ref: 'Pool' },
  '","appInstanceArn":"',
  { 'Fn::GetAtt': ['Instance', 'AppInstanceArn'] },
  '","principalTagKey":"tenant_user","signInFlow":"USER_SRP_AUTH",',
  '"hostedUi":{"domain":"x.auth.eu-central-1.amazoncognito.com","redirectSignIn":["https://a/"],',
  '"redirectSignOut":["https://a/"],"scopes":["openid"]},',
  '"credentialVendingUrl":"https://fn.lambda-url.eu-central-1.on.aws/"}',
];
const URL = 'http://127.0.0.1:4681';

describe('sandboxClientConfig', () => {
  const template = templateWith(DEPLOYED);
  const env = fakeEnvironment(template, { region: 'eu-central-1' });
  const resolve = (value: unknown) => resolveIntrinsics(value, template, env);

  test('is the stack output resolved against the sandbox ids, with the sandbox endpoints', () => {
    const config = sandboxClientConfig(template, resolve, { url: URL });
    expect(config).toEqual({
      version: 1,
      region: 'eu-central-1',
      userPoolId: 'eu-central-1_Pool',
      userPoolClientId: 'client',
      identityPoolId: env.resources.Pool?.ref,
      appInstanceArn: env.resources.Instance?.attributes.AppInstanceArn,
      // A value only the stack knows reaches the local config unchanged.
      principalTagKey: 'tenant_user',
      // SRP, as on AWS: the sandbox's user pool answers it too.
      signInFlow: 'USER_SRP_AUTH',
      endpoints: {
        userPool: URL,
        identityPool: URL,
        sts: URL,
        chimeIdentity: URL,
        chimeMessaging: URL,
      },
    });
    expect(parseClientConfig(config)).toEqual(config);
  });

  test('replaces the AWS hosted UI, HTTP API and vending URL with the sandbox ones', () => {
    const hostedUi = {
      domain: '127.0.0.1:4682',
      redirectSignIn: ['http://localhost:5173/'],
      redirectSignOut: ['http://localhost:5173/'],
      scopes: ['openid'],
    };
    const config = sandboxClientConfig(template, resolve, {
      url: URL,
      hostedUi,
      apiUrl: 'http://127.0.0.1:4683/api',
      credentialVendingUrl: 'http://127.0.0.1:4683/api/credentials',
    });
    expect(config.hostedUi).toEqual(hostedUi);
    expect(config.apiUrl).toBe('http://127.0.0.1:4683/api');
    expect(config.credentialVendingUrl).toBe('http://127.0.0.1:4683/api/credentials');
  });

  test('fails clearly when the template has no client config output', () => {
    expect(() => sandboxClientConfig({ Resources: {} }, resolve, { url: URL })).toThrow(
      /the template has no 'ClientConfig' output/,
    );
  });

  test('fails clearly when the output resolves to an invalid config', () => {
    const broken = templateWith([
      '{"version":1,"region":"eu-central-1","signInFlow":"USER_SRP_AUTH"}',
    ]);
    expect(() => sandboxClientConfig(broken, resolve, { url: URL })).toThrow(
      /invalid client config: 'userPoolId' must be a non-empty string/,
    );
  });
});

describe("the stack's deploy-time GetMessagingSessionEndpoint call", () => {
  const call = (service: string, action: string) => ({
    Type: 'Custom::AWS',
    Properties: {
      ServiceToken: 'arn:aws:lambda:eu-central-1:123456789012:function:provider',
      Create: JSON.stringify({
        service,
        action,
        physicalResourceId: { responsePath: 'Endpoint.Url' },
        outputPaths: ['Endpoint.Url'],
      }),
    },
  });
  const base = templateWith([
    ...DEPLOYED.slice(0, -1),
    '"credentialVendingUrl":"https://fn.lambda-url.eu-central-1.on.aws/","messagingSessionEndpoint":"',
    { 'Fn::GetAtt': ['Endpoint', 'Endpoint.Url'] },
    '"}',
  ]);
  const template: CfnTemplate = {
    ...base,
    Resources: {
      ...base.Resources,
      Endpoint: call('ChimeSDKMessaging', 'GetMessagingSessionEndpoint'),
      Retention: call('ChimeSDKIdentity', 'PutAppInstanceRetentionSettings'),
    },
  };

  test("resolves to the sandbox's own answer, without running the call", () => {
    const overrides = sdkCallOverrides(template, { messagingSessionEndpoint: '127.0.0.1:4681' });
    expect(overrides).toEqual({
      Endpoint: { ref: '127.0.0.1:4681', attributes: { 'Endpoint.Url': '127.0.0.1:4681' } },
    });
    const env = fakeEnvironment(template, { region: 'eu-central-1', overrides });
    const config = sandboxClientConfig(
      template,
      (value) => resolveIntrinsics(value, template, env),
      { url: URL },
    );
    expect(config.messagingSessionEndpoint).toBe('127.0.0.1:4681');
  });

  test('without the answer, resolving the output fails clearly', () => {
    const env = fakeEnvironment(template, { region: 'eu-central-1' });
    expect(() =>
      sandboxClientConfig(template, (value) => resolveIntrinsics(value, template, env), {
        url: URL,
      }),
    ).toThrow(/Endpoint\.Url/);
  });
});
