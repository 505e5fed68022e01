/**
 * "Continue with <provider>" on the sign-in screen: one button per external identity provider the
 * client config lists (`hostedUi.identityProviders`, docs/federation.md). Pure, unit-tested in Node.
 *
 * Every button uses `{ custom: name }` with the user pool's provider name, built-in social ones
 * included: Amplify's own names map to the same strings (Google, Facebook, LoginWithAmazon,
 * SignInWithApple), so one path serves OIDC, SAML and social alike. Amplify sends it as
 * `identity_provider=<name>`, and the hosted UI goes straight to that provider without its page.
 */
import type { SignInWithRedirectInput } from 'aws-amplify/auth';
import type { ClientConfig } from '../../contracts/client-config';

export interface FederatedSignInButton {
  readonly label: string;
  readonly input: SignInWithRedirectInput;
}

export function federatedSignInButtons(config: ClientConfig | undefined): FederatedSignInButton[] {
  return (config?.hostedUi?.identityProviders ?? []).map((provider) => ({
    label: `Continue with ${provider.label}`,
    input: { provider: { custom: provider.name } },
  }));
}
