/**
 * Builds Amplify v6's configuration from the one client config shape (contracts/client-config.ts).
 * Pure, unit-tested in Node.
 */
import type { ResourcesConfig } from 'aws-amplify';
import type { ClientConfig } from '../../contracts/client-config';

type OAuthScope = 'openid' | 'email' | 'profile' | 'phone' | 'aws.cognito.signin.user.admin';

export function amplifyConfig(config: ClientConfig): ResourcesConfig {
  const hostedUi = config.hostedUi;
  return {
    Auth: {
      Cognito: {
        userPoolId: config.userPoolId,
        userPoolClientId: config.userPoolClientId,
        identityPoolId: config.identityPoolId,
        // Chime credentials are for signed-in people only: the identity pool has no guest access.
        allowGuestAccess: false,
        signUpVerificationMethod: 'code',
        ...(config.endpoints?.userPool && { userPoolEndpoint: config.endpoints.userPool }),
        ...(config.endpoints?.identityPool && {
          identityPoolEndpoint: config.endpoints.identityPool,
        }),
        loginWith: {
          email: true,
          ...(hostedUi && {
            oauth: {
              domain: hostedUi.domain,
              scopes: [...hostedUi.scopes] as OAuthScope[],
              redirectSignIn: [...hostedUi.redirectSignIn],
              redirectSignOut: [...hostedUi.redirectSignOut],
              responseType: 'code' as const,
            },
          }),
        },
      },
    },
  };
}
