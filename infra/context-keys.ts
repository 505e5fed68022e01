/**
 * The `-c key=value` context keys the app reads (documented in the README). No aws-cdk-lib import
 * here: scripts (scripts/deploy-args.ts) read the keys and load fast.
 */
export const CONTEXT_KEYS = {
  region: 'region',
  principalTagKey: 'principalTagKey',
  hostedUiDomainPrefix: 'hostedUiDomainPrefix',
  hostedUi: 'hostedUi',
  deployedHostedUiDomain: 'deployedHostedUiDomain',
  emailFrom: 'emailFrom',
  sesIdentityArn: 'sesIdentityArn',
  sesDomain: 'sesDomain',
  featurePlan: 'featurePlan',
  callbackUrls: 'callbackUrls',
  logoutUrls: 'logoutUrls',
  removalPolicy: 'removalPolicy',
  channelRetentionDays: 'channelRetentionDays',
  credentialVending: 'credentialVending',
  apiOrigins: 'apiOrigins',
  webHosting: 'webHosting',
  identityProviders: 'identityProviders',
  credentialVendingOidcIssuer: 'credentialVendingOidcIssuer',
  credentialVendingOidcAudience: 'credentialVendingOidcAudience',
  credentialVendingOidcName: 'credentialVendingOidcName',
  credentialVendingUserPool: 'credentialVendingUserPool',
  userReconcileSchedule: 'userReconcileSchedule',
  userReconcileMaxDeletes: 'userReconcileMaxDeletes',
  userReconcileMaxDeletePercent: 'userReconcileMaxDeletePercent',
  userEvents: 'userEvents',
  createTrail: 'createTrail',
  guests: 'guests',
} as const;
