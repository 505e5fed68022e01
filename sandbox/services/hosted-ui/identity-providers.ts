/**
 * The user pool's external identity providers as the sandbox serves them (docs/federation.md,
 * "Locally"): every OIDC provider of the template is played by the local OpenID provider
 * (sandbox/services/oidc-provider/) under the template's name, client id and scopes; a template
 * without one gets a built-in `LocalOIDC`, so `npm start` shows the federated path. SAML and the
 * social providers are not emulated (they are listed, so the difference is visible).
 */
import { randomBytes } from 'node:crypto';

/** The provider name the sandbox adds when the template has no OIDC provider. */
export const LOCAL_OIDC_PROVIDER_NAME = 'LocalOIDC';

/** What the built-in provider maps (the template's providers bring their own mapping). */
const LOCAL_OIDC_MAPPING = { email: 'email', email_verified: 'email_verified', name: 'name' };

const SOCIAL_LABELS: Record<string, string> = {
  Google: 'Google',
  Facebook: 'Facebook',
  LoginWithAmazon: 'Amazon',
  SignInWithApple: 'Apple',
};

export interface SandboxIdentityProvider {
  /** `ProviderName`: the `identity_provider` parameter, the prefix of federated usernames. */
  readonly name: string;
  /** `ProviderType`: `OIDC`, `SAML`, `Google`, `Facebook`, `LoginWithAmazon`, `SignInWithApple`. */
  readonly type: string;
  /** "Continue with <label>". */
  readonly label: string;
  /** User pool attribute -> provider claim. */
  readonly attributeMapping: Readonly<Record<string, string>>;
  /** OIDC only: played by the local OpenID provider with this client. */
  readonly oidc?: {
    readonly clientId: string;
    /** Generated for each sandbox start: the template's secret is a Secrets Manager reference. */
    readonly clientSecret: string;
    readonly scopes: readonly string[];
  };
  /** Whether the sandbox can sign people in through it (OIDC: yes; SAML, social: no). */
  readonly emulated: boolean;
  /** Added by the sandbox (not in the template). */
  readonly builtIn: boolean;
}

/** From the resolved `Properties` of the template's `AWS::Cognito::UserPoolIdentityProvider`s. */
export function sandboxIdentityProviders(
  templateProviders: readonly Record<string, unknown>[],
): SandboxIdentityProvider[] {
  const secret = () => randomBytes(24).toString('base64url');
  const providers = templateProviders.map((p): SandboxIdentityProvider => {
    const name = String(p.ProviderName);
    const type = String(p.ProviderType);
    const details = (p.ProviderDetails ?? {}) as Record<string, unknown>;
    const attributeMapping = (p.AttributeMapping ?? {}) as Record<string, string>;
    if (type === 'OIDC') {
      return {
        name,
        type,
        label: name,
        attributeMapping,
        oidc: {
          clientId: String(details.client_id),
          clientSecret: secret(),
          scopes: (typeof details.authorize_scopes === 'string'
            ? details.authorize_scopes
            : 'openid'
          )
            .split(/[ ,]+/)
            .filter(Boolean),
        },
        emulated: true,
        builtIn: false,
      };
    }
    return {
      name,
      type,
      label: SOCIAL_LABELS[name] ?? name,
      attributeMapping,
      emulated: false,
      builtIn: false,
    };
  });
  if (!providers.some((p) => p.type === 'OIDC')) {
    providers.push({
      name: LOCAL_OIDC_PROVIDER_NAME,
      type: 'OIDC',
      label: 'Local OIDC',
      attributeMapping: LOCAL_OIDC_MAPPING,
      oidc: {
        clientId: 'sandbox-hosted-ui',
        clientSecret: secret(),
        scopes: ['openid', 'email', 'profile'],
      },
      emulated: true,
      builtIn: true,
    });
  }
  return providers;
}
