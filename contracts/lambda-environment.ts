/**
 * The environment variables of the project's Lambda functions: written by the stack (infra/),
 * read by the handlers (lambdas/) and by the sandbox, which runs the same handlers. One name each,
 * in the spirit of Powertools' `commons/src/constants.ts`.
 */

/** Read by Powertools Logger and Metrics (their own names, set per function by the stack). */
export const POWERTOOLS_ENV = {
  /** Log level of the handler's logger (and of Lambda's JSON log filter). */
  logLevel: 'LOG_LEVEL',
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
} as const;

/** The Cognito triggers that create AppInstanceUsers (lambdas/post-confirmation.ts, sign-in-heal.ts). */
export const TRIGGER_ENV = {
  /** The Chime AppInstance the users are created in. */
  appInstanceArn: 'APP_INSTANCE_ARN',
} as const;

/** The STS credential-vending function (lambdas/credential-vending.ts). */
export const VENDING_ENV = {
  userRoleArn: 'USER_ROLE_ARN',
  principalTagKey: 'PRINCIPAL_TAG_KEY',
  appInstanceArn: 'APP_INSTANCE_ARN',
  sessionDurationSeconds: 'SESSION_DURATION_SECONDS',
  /** `cognito` or `oidc`. */
  tokenIssuerKind: 'TOKEN_ISSUER_KIND',
  userPoolId: 'COGNITO_USER_POOL_ID',
  /** Comma-separated app client ids. */
  userPoolClientIds: 'COGNITO_CLIENT_IDS',
  oidcIssuer: 'OIDC_ISSUER',
  /** Comma-separated accepted `aud` values. */
  oidcAudience: 'OIDC_AUDIENCE',
  oidcJwksUri: 'OIDC_JWKS_URI',
} as const;
