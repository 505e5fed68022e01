/**
 * Cognito identity pool (enhanced flow): `GetId` and `GetCredentialsForIdentity`, configured from
 * the template's `AWS::Cognito::IdentityPool`, `IdentityPoolPrincipalTag` and
 * `IdentityPoolRoleAttachment` (config.ts); and an operator's `DeleteIdentities` (SigV4,
 * IAM-authorized).
 *
 * The ID token is verified with aws-jwt-verify's `JwtRsaVerifier` against the user pool's JWKS
 * (signature, issuer, audience = the provider's app client, expiry, `token_use` = id; logins.ts);
 * the role's trust policy is evaluated (sts:AssumeRoleWithWebIdentity, and sts:TagSession when tags are
 * mapped) like STS does for Cognito; the credentials carry the mapped principal tags.
 * GetId and GetCredentialsForIdentity are unsigned, as on AWS.
 */
import { randomUUID } from 'node:crypto';
import { refusedAssumeRoleAction } from '../../iam/evaluate';
import { AwsError } from '../../core/errors';
import type { JsonStore } from '../../core/state';
import type { ServiceModule } from '../../server';
import { configFrom } from './config';
import { loginsOf, notAuthorized, tagsFor, verifyLogin } from './logins';

export const COGNITO_IDENTITY = 'cognito-identity.amazonaws.com';
/** Cognito identity pools issue one-hour credentials. */
const CREDENTIALS_SECONDS = 3600;
const IDENTITY_ID = /^[\w-]+:[0-9a-f-]+$/;

interface IdentityRecord {
  /** Provider name -> `sub` of the login that created the identity. */
  logins: Record<string, string>;
  createdAt: number;
}

interface IdentityState {
  identities: Record<string, IdentityRecord>;
}

export const identityPool: ServiceModule = {
  name: 'identity-pool',
  register(router, ctx) {
    const users = ctx.services.userPool;
    if (!users) throw new Error('the identity pool needs the user pool (ctx.services.userPool)');
    const config = configFrom(ctx.resources, users.publicJwk);
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
