import { parseClientConfig } from '../../contracts/client-config';
import { amplifyConfig } from '../../web-demo/src/amplify-config';
import { BASE_CLIENT_CONFIG } from './client-config-fixture';

const base = BASE_CLIENT_CONFIG;

describe('amplifyConfig', () => {
  it('maps the AWS config without endpoint overrides and without guest access', () => {
    const cognito = amplifyConfig(parseClientConfig(base)).Auth?.Cognito;
    expect(cognito).toMatchObject({
      userPoolId: 'us-east-1_abc',
      userPoolClientId: 'client123',
      identityPoolId: 'us-east-1:0000-1111',
      allowGuestAccess: false,
      signUpVerificationMethod: 'code',
      loginWith: { email: true },
    });
    expect(cognito).not.toHaveProperty('userPoolEndpoint');
    expect(cognito).not.toHaveProperty('identityPoolEndpoint');
    expect(cognito?.loginWith).not.toHaveProperty('oauth');
  });

  it('passes the sandbox endpoint overrides through', () => {
    const config = parseClientConfig({
      ...base,
      signInFlow: 'USER_PASSWORD_AUTH',
      endpoints: { userPool: 'http://127.0.0.1:9229', identityPool: 'http://127.0.0.1:9230' },
    });
    expect(amplifyConfig(config).Auth?.Cognito).toMatchObject({
      userPoolEndpoint: 'http://127.0.0.1:9229',
      identityPoolEndpoint: 'http://127.0.0.1:9230',
    });
  });

  it('configures the hosted UI (code flow) when the config has one', () => {
    const config = parseClientConfig({
      ...base,
      hostedUi: {
        domain: 'chat.auth.us-east-1.amazoncognito.com',
        redirectSignIn: ['https://d111.cloudfront.net/'],
        redirectSignOut: ['https://d111.cloudfront.net/'],
        scopes: ['openid', 'email', 'profile'],
      },
    });
    expect(amplifyConfig(config).Auth?.Cognito?.loginWith?.oauth).toEqual({
      domain: 'chat.auth.us-east-1.amazoncognito.com',
      redirectSignIn: ['https://d111.cloudfront.net/'],
      redirectSignOut: ['https://d111.cloudfront.net/'],
      scopes: ['openid', 'email', 'profile'],
      responseType: 'code',
    });
  });
});
