/**
 * The identity pool as the template defines it: its `AWS::Cognito::IdentityPool` (the user pool
 * providers it trusts, unauthenticated access), `IdentityPoolPrincipalTag` (claims mapped to
 * session tags) and `IdentityPoolRoleAttachment` (the authenticated role).
 */
import { JwtRsaVerifier } from 'aws-jwt-verify';
import type { JwkWithKid } from 'aws-jwt-verify/jwk';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { resourcesOfType } from '../../cloudformation/template';
import type { SandboxResources } from '../../resources';

export interface Provider {
  providerName: string;
  clientId: string;
  /** Refuse tokens of users who were disabled or deleted since the token was issued. */
  serverSideTokenCheck: boolean;
  /** Login keys the provider is known by: its ProviderName and the sandbox issuer sans scheme. */
  keys: string[];
  issuer: string;
  verifier: { verify(token: string): Promise<JwtPayload> };
}

export interface PoolConfig {
  identityPoolId: string;
  allowUnauthenticated: boolean;
  providers: Provider[];
  authenticatedRoleArn: string | undefined;
  /** Provider name -> { tagKey: claim }. */
  principalTags: Record<string, Record<string, string>>;
}

/** `jwk`: the user pool's public signing key, loaded in-process instead of fetched over HTTP. */
export function configFrom(resources: SandboxResources, jwk: JwkWithKid): PoolConfig {
  const template = resources.stack.template;
  const poolId = resources.identityPoolId;
  const poolLogicalId = resourcesOfType(template, 'AWS::Cognito::IdentityPool')[0] ?? '';
  const props = resources.properties(poolLogicalId);
  const issuerKey = resources.userPoolIssuer.replace(/^https?:\/\//, '');
  const providers: Provider[] = [];
  for (const raw of (props.CognitoIdentityProviders as Record<string, unknown>[] | undefined) ??
    []) {
    const providerName = String(raw.ProviderName);
    const clientId = String(raw.ClientId);
    if (providerName !== resources.userPoolProviderName) continue;
    const verifier = JwtRsaVerifier.create({
      issuer: resources.userPoolIssuer,
      audience: clientId,
      jwksUri: `${resources.userPoolIssuer}/.well-known/jwks.json`,
      customJwtCheck: ({ payload }) => {
        if (payload.token_use !== 'id') {
          throw new Error('Not a valid OpenId Connect identity token.');
        }
      },
    });
    // The pool's JWKS document, loaded in-process instead of fetched over HTTP.
    verifier.cacheJwks({ keys: [jwk] });
    providers.push({
      providerName,
      clientId,
      serverSideTokenCheck: raw.ServerSideTokenCheck === true,
      // ProviderName (AWS SDK clients), the issuer without or with its scheme (Amplify).
      keys: [providerName, issuerKey, resources.userPoolIssuer],
      issuer: resources.userPoolIssuer,
      verifier,
    });
  }
  const principalTags: Record<string, Record<string, string>> = {};
  for (const id of resourcesOfType(template, 'AWS::Cognito::IdentityPoolPrincipalTag')) {
    const tagProps = resources.properties(id);
    if (tagProps.IdentityPoolId !== poolId) continue;
    const mapping = { ...((tagProps.PrincipalTags as Record<string, string> | undefined) ?? {}) };
    if (tagProps.UseDefaults === true) {
      mapping.client ??= 'aud';
      mapping.username ??= 'sub';
    }
    principalTags[String(tagProps.IdentityProviderName)] = mapping;
  }
  let authenticatedRoleArn: string | undefined;
  for (const id of resourcesOfType(template, 'AWS::Cognito::IdentityPoolRoleAttachment')) {
    const attachment = resources.properties(id);
    if (attachment.IdentityPoolId !== poolId) continue;
    const roles = attachment.Roles as Record<string, string> | undefined;
    authenticatedRoleArn = roles?.authenticated;
  }
  return {
    identityPoolId: poolId,
    allowUnauthenticated: props.AllowUnauthenticatedIdentities === true,
    providers,
    authenticatedRoleArn,
    principalTags,
  };
}
