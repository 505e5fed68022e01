/**
 * Cognito identity pool (enhanced flow): `GetId` and `GetCredentialsForIdentity`, configured from
 * the template's `AWS::Cognito::IdentityPool`, `IdentityPoolPrincipalTag` and
 * `IdentityPoolRoleAttachment`; and an operator's `DeleteIdentities` (SigV4, IAM-authorized).
 *
 * The ID token is verified with aws-jwt-verify's `JwtRsaVerifier` against the user pool's JWKS
 * (signature, issuer, audience = the provider's app client, expiry, `token_use` = id); the role's
 * trust policy is evaluated (sts:AssumeRoleWithWebIdentity, and sts:TagSession when tags are
 * mapped) like STS does for Cognito; the credentials carry the mapped principal tags.
 * GetId and GetCredentialsForIdentity are unsigned, as on AWS.
 */
import { randomUUID } from 'node:crypto';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import type { JwkWithKid } from 'aws-jwt-verify/jwk';
import {
  JwtExpiredError,
  JwtInvalidAudienceError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureError,
  KidNotFoundInJwksError,
} from 'aws-jwt-verify/error';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { refusedAssumeRoleAction } from '../../iam/evaluate';
import { resourcesOfType } from '../../cloudformation/template';
import { AwsError } from '../../core/errors';
import type { JsonStore } from '../../core/state';
import type { SandboxContext, ServiceModule } from '../../server';
import type { UserPoolView } from '../user-pool/view';

export const COGNITO_IDENTITY = 'cognito-identity.amazonaws.com';
/** Cognito identity pools issue one-hour credentials. */
const CREDENTIALS_SECONDS = 3600;
const IDENTITY_ID = /^[\w-]+:[0-9a-f-]+$/;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

interface IdentityRecord {
  /** Provider name -> `sub` of the login that created the identity. */
  logins: Record<string, string>;
  createdAt: number;
}

interface IdentityState {
  identities: Record<string, IdentityRecord>;
}

/** What `ServerSideTokenCheck` asks the user pool. */
type UserPoolUsers = Pick<UserPoolView, 'findUser' | 'revoked'>;

interface Provider {
  providerName: string;
  clientId: string;
  /** Refuse tokens of users who were disabled or deleted since the token was issued. */
  serverSideTokenCheck: boolean;
  /** Login keys the provider is known by: its ProviderName and the sandbox issuer sans scheme. */
  keys: string[];
  issuer: string;
  verifier: { verify(token: string): Promise<JwtPayload> };
}

interface PoolConfig {
  identityPoolId: string;
  allowUnauthenticated: boolean;
  providers: Provider[];
  authenticatedRoleArn: string | undefined;
  /** Provider name -> { tagKey: claim }. */
  principalTags: Record<string, Record<string, string>>;
}

function notAuthorized(message: string): AwsError {
  return new AwsError('NotAuthorizedException', message, 400);
}

function loginsOf(json: Record<string, unknown>): Record<string, string> {
  const logins = json.Logins;
  if (logins === undefined) return {};
  if (typeof logins !== 'object' || logins === null || Array.isArray(logins)) {
    throw new AwsError('InvalidParameterException', 'Logins must be a map of provider to token.');
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(logins)) {
    if (typeof value !== 'string' || value.length === 0) {
      throw new AwsError('InvalidParameterException', `Login token for '${key}' must be a string.`);
    }
    out[key] = value;
  }
  return out;
}

function configFrom(ctx: SandboxContext, jwk: JwkWithKid): PoolConfig {
  const { resources } = ctx;
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

async function verifyLogin(
  config: PoolConfig,
  logins: Record<string, string>,
  users: UserPoolUsers,
): Promise<{ provider: Provider; payload: JwtPayload }> {
  const entries = Object.entries(logins);
  if (entries.length === 0) {
    throw notAuthorized('Unauthenticated access is not supported for this identity pool.');
  }
  if (entries.length > 1) {
    throw notAuthorized('The sandbox accepts one login per request.');
  }
  const [key, token] = entries[0]!;
  const provider = config.providers.find((p) => p.keys.includes(key));
  if (!provider)
    throw notAuthorized('Token is not from a supported provider of this identity pool.');
  let payload: JwtPayload;
  try {
    payload = await provider.verifier.verify(token);
  } catch (error) {
    if (error instanceof JwtExpiredError) {
      const exp = error.rawJwt?.payload.exp ?? 0;
      throw notAuthorized(
        `Invalid login token. Token expired: ${exp} >= ${Math.floor(Date.now() / 1000)}`,
      );
    }
    if (error instanceof JwtInvalidAudienceError) {
      throw notAuthorized('Invalid login token. Incorrect token audience.');
    }
    if (error instanceof JwtInvalidIssuerError) {
      throw notAuthorized("Invalid login token. Issuer doesn't match providerName");
    }
    if (error instanceof JwtInvalidSignatureError || error instanceof KidNotFoundInJwksError) {
      throw notAuthorized("Invalid login token. Couldn't verify signed token.");
    }
    throw notAuthorized('Invalid login token. Not a valid OpenId Connect identity token.');
  }
  if (provider.serverSideTokenCheck) {
    const user = await users.findUser(String(payload.sub));
    if (!user?.enabled || users.revoked(String(payload.sub), Number(payload.iat))) {
      throw notAuthorized('Invalid login token. Token is revoked.');
    }
  }
  return { provider, payload };
}

/** A claim as a tag value: scalars as text, objects as JSON (which no tag value accepts). */
function claimText(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

function tagsFor(
  config: PoolConfig,
  provider: Provider,
  payload: JwtPayload,
): Record<string, string> {
  const mapping = config.principalTags[provider.providerName] ?? {};
  const tags: Record<string, string> = {};
  for (const [key, claim] of Object.entries(mapping)) {
    const value = payload[claim];
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.map(claimText).join(',') : claimText(value);
    if (!TAG_VALUE.test(text)) {
      throw new AwsError(
        'InvalidParameterException',
        `Claim '${claim}' cannot be used as the value of principal tag '${key}'.`,
      );
    }
    tags[key] = text;
  }
  return tags;
}

export const identityPool: ServiceModule = {
  name: 'identity-pool',
  register(router, ctx) {
    const users = ctx.services.userPool;
    if (!users) throw new Error('the identity pool needs the user pool (ctx.services.userPool)');
    const config = configFrom(ctx, users.publicJwk);
    const store: JsonStore<IdentityState> = ctx.state.store('identity-pool', () => ({
      identities: {},
    }));

    const checkPool = (json: Record<string, unknown>) => {
      const id = json.IdentityPoolId;
      if (typeof id !== 'string' || id !== config.identityPoolId) {
        throw new AwsError('ResourceNotFoundException', `IdentityPool '${String(id)}' not found.`);
      }
    };

    router.jsonTarget('AWSCognitoIdentityService.GetId', async (req) => {
      checkPool(req.json);
      const logins = loginsOf(req.json);
      if (Object.keys(logins).length === 0 && !config.allowUnauthenticated) {
        throw notAuthorized('Unauthenticated access is not supported for this identity pool.');
      }
      const { provider, payload } = await verifyLogin(config, logins, users);
      const sub = String(payload.sub);
      const existing = Object.entries(store.get().identities).find(
        ([, record]) => record.logins[provider.providerName] === sub,
      );
      const identityId =
        existing?.[0] ??
        store.update((s) => {
          const id = `${ctx.region}:${randomUUID()}`;
          s.identities[id] = { logins: { [provider.providerName]: sub }, createdAt: Date.now() };
          return id;
        });
      return {
        headers: { 'content-type': 'application/x-amz-json-1.1' },
        body: { IdentityId: identityId },
      };
    });

    // An IAM-authorized call (an operator's), unlike the two above: `npm run smoke` cleans up with it.
    router.jsonTarget('AWSCognitoIdentityService.DeleteIdentities', async (req) => {
      const caller = await ctx.authenticate(req, { service: 'cognito-identity', protocol: 'json' });
      const ids = req.json.IdentityIdsToDelete;
      if (
        !Array.isArray(ids) ||
        ids.length < 1 ||
        ids.length > 60 ||
        !ids.every((id) => typeof id === 'string' && IDENTITY_ID.test(id))
      ) {
        throw new AwsError(
          'InvalidParameterException',
          'IdentityIdsToDelete must list 1-60 identity ids (<region>:<uuid>).',
        );
      }
      await ctx.authorize(caller, {
        action: 'cognito-identity:DeleteIdentities',
        resource: `arn:aws:cognito-identity:${ctx.region}:${ctx.accountId}:identitypool/${config.identityPoolId}`,
        protocol: 'json',
      });
      // Ids of no identity are not reported: the API lists only AccessDenied / InternalServerError.
      store.update((state) => {
        for (const id of ids as string[]) delete state.identities[id];
      });
      return {
        headers: { 'content-type': 'application/x-amz-json-1.1' },
        body: { UnprocessedIdentityIds: [] },
      };
    });

    router.jsonTarget('AWSCognitoIdentityService.GetCredentialsForIdentity', async (req) => {
      const identityId = req.json.IdentityId;
      if (typeof identityId !== 'string' || !IDENTITY_ID.test(identityId)) {
        throw new AwsError(
          'InvalidParameterException',
          "1 validation error detected: Value at 'identityId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+",
        );
      }
      const record = store.get().identities[identityId];
      if (!record)
        throw new AwsError('ResourceNotFoundException', `Identity '${identityId}' not found.`);
      if (req.json.CustomRoleArn !== undefined) {
        throw new AwsError(
          'InvalidParameterException',
          'CustomRoleArn is only allowed with role mappings of type Token (the sandbox has none).',
        );
      }
      const logins = loginsOf(req.json);
      const { provider, payload } = await verifyLogin(config, logins, users);
      if (record.logins[provider.providerName] !== String(payload.sub)) {
        throw notAuthorized(
          "Logins don't match. Please include at least one valid login for this identity or identity pool.",
        );
      }
      const roleArn = config.authenticatedRoleArn;
      const role = roleArn ? ctx.resources.role(roleArn) : undefined;
      if (!roleArn || !role) {
        throw new AwsError(
          'InvalidIdentityPoolConfigurationException',
          'Invalid identity pool configuration. Check assigned IAM roles for this pool.',
        );
      }
      const tags = tagsFor(config, provider, payload);
      const webIdentityContext = {
        [`${COGNITO_IDENTITY}:aud`]: config.identityPoolId,
        [`${COGNITO_IDENTITY}:sub`]: identityId,
        [`${COGNITO_IDENTITY}:amr`]: [
          'authenticated',
          provider.providerName,
          `${provider.providerName}:CognitoSignIn:${String(payload.sub)}`,
        ],
      };
      const refused = await refusedAssumeRoleAction({
        trustPolicy: role.trustPolicy,
        roleArn,
        assumeAction: 'sts:AssumeRoleWithWebIdentity',
        principal: COGNITO_IDENTITY,
        context: webIdentityContext,
        requestTags: tags,
      });
      if (refused) {
        ctx.log(`identity pool: trust policy of ${role.name} refuses ${refused}`);
        throw new AwsError(
          'InvalidIdentityPoolConfigurationException',
          'Invalid identity pool configuration. Check assigned IAM roles for this pool.',
        );
      }
      const session = ctx.credentials.issue({
        roleArn,
        roleSessionName: 'CognitoIdentityCredentials',
        durationSeconds: CREDENTIALS_SECONDS,
        principalTags: tags,
        identityId,
        issuedBy: `identity-pool ${identityId}`,
      });
      return {
        headers: { 'content-type': 'application/x-amz-json-1.1' },
        body: {
          IdentityId: identityId,
          Credentials: {
            AccessKeyId: session.accessKeyId,
            SecretKey: session.secretAccessKey,
            SessionToken: session.sessionToken,
            Expiration: Math.floor(session.expiration / 1000),
          },
        },
      };
    });
  },
};
