import { parseClientConfig } from '../../contracts/client-config';
import { federatedSignInButtons } from '../../web-demo/src/federated-sign-in';
import { BASE_CLIENT_CONFIG } from './client-config-fixture';

const base = BASE_CLIENT_CONFIG;
const hostedUi = {
  domain: 'chat.auth.us-east-1.amazoncognito.com',
  redirectSignIn: ['https://app.example.com/'],
  redirectSignOut: ['https://app.example.com/'],
  scopes: ['openid', 'email'],
};

describe('federatedSignInButtons', () => {
  it('offers one "Continue with <label>" per provider, in order, sending the pool provider name', () => {
    const config = parseClientConfig({
      ...base,
      hostedUi: {
        ...hostedUi,
        identityProviders: [
          { name: 'Corp', label: 'Corp SSO' },
          { name: 'LoginWithAmazon', label: 'Amazon' },
          { name: 'Google', label: 'Google' },
        ],
      },
    });
    expect(federatedSignInButtons(config)).toEqual([
      { label: 'Continue with Corp SSO', input: { provider: { custom: 'Corp' } } },
      { label: 'Continue with Amazon', input: { provider: { custom: 'LoginWithAmazon' } } },
      { label: 'Continue with Google', input: { provider: { custom: 'Google' } } },
    ]);
  });

  it('offers none without providers, without a hosted UI or before the config is loaded', () => {
    expect(federatedSignInButtons(parseClientConfig({ ...base, hostedUi }))).toEqual([]);
    expect(federatedSignInButtons(parseClientConfig(base))).toEqual([]);
    expect(federatedSignInButtons(undefined)).toEqual([]);
  });
});
