/**
 * The user pool on the sandbox endpoint: its JWKS and discovery document (the sandbox's signing
 * key; cognito-local would serve its published one), and its JSON API as the router's fallback,
 * behind the IAM gate (services/user-pool/iam-gate.ts), with its calls reaching the event rules
 * as CloudTrail events when the template has rules.
 */
import { SANDBOX_ACCOUNT_ID } from '../core/credentials';
import type { Router, SandboxContext } from '../server';
import { cloudTrailRecorder } from '../services/cloudtrail';
import type { EventBus } from '../services/eventbridge';
import type { RunningUserPool } from '../services/user-pool';
import { withIamGate } from '../services/user-pool/iam-gate';
import { type SigningKey, accessTokenVerifier } from '../services/user-pool/signing-key';

/** `/<poolId>/.well-known/jwks.json` and `openid-configuration`, for the sandbox's pool only. */
export function mountUserPoolKeys(router: Router, context: SandboxContext, key: SigningKey): void {
  const { resources } = context;
  const notFound = { status: 404, body: { message: 'User pool not found' } };
  router.rest('GET', '/:poolId/.well-known/jwks.json', (req) =>
    req.params.poolId === resources.userPoolId ? { body: { keys: [key.publicJwk] } } : notFound,
  );
  router.rest('GET', '/:poolId/.well-known/openid-configuration', (req) =>
    req.params.poolId === resources.userPoolId
      ? {
          body: {
            issuer: resources.userPoolIssuer,
            jwks_uri: `${resources.userPoolIssuer}/.well-known/jwks.json`,
            id_token_signing_alg_values_supported: ['RS256'],
            subject_types_supported: ['public'],
          },
        }
      : notFound,
  );
}

export interface UserPoolApiOptions {
  readonly userPool: RunningUserPool;
  readonly signingKey: SigningKey;
  readonly eventBus: EventBus;
}

/** The `AWSCognitoIdentityProviderService.*` operations no module claimed. */
export function mountUserPoolApi(
  router: Router,
  context: SandboxContext,
  options: UserPoolApiOptions,
): void {
  const { resources, region } = context;
  const { userPool, eventBus } = options;
  router.fallback(
    withIamGate(
      userPool.handler,
      context,
      (poolId) =>
        poolId === resources.userPoolId
          ? resources.userPoolArn
          : `arn:aws:cognito-idp:${region}:${SANDBOX_ACCOUNT_ID}:userpool/${poolId}`,
      accessTokenVerifier(resources.userPoolIssuer, options.signingKey),
      userPool.signOuts,
      eventBus.rules.length > 0
        ? cloudTrailRecorder({
            region,
            accountId: resources.accountId,
            findUser: userPool.findUser.bind(userPool),
            publish: eventBus.publish.bind(eventBus),
            log: (line) => context.log(line),
          })
        : undefined,
    ),
  );
}
