import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type { Node } from 'constructs';
import { DEFAULT_REGION } from '../contracts/regions';
import { DEFAULT_DELETE_BRAKE, type DeleteBrake } from '../contracts/user-lifecycle';
import type { ChimeCognitoAuthStackProps } from './chime-cognito-auth-stack';
import { DEFAULT_EXTERNAL_ISSUER_NAME } from './constructs/credential-vending';
import { parseReconcileSchedule } from './constructs/user-lifecycle';
import { CONTEXT_KEYS } from './context-keys';

export { CONTEXT_KEYS } from './context-keys';
import { readIdentityProvidersFile } from './identity-providers';

function optionalString(node: Node, key: string): string | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string')
    throw new Error(`context '${key}' must be a string, got ${JSON.stringify(value)}`);
  return value;
}

/** Accepts a JSON array (cdk.json) or a comma-separated string (`-c key=a,b`). */
function optionalUrlList(node: Node, key: string): string[] | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  const list = Array.isArray(value)
    ? value
    : typeof value === 'string'
      ? value.split(',')
      : undefined;
  if (!list || !list.every((item): item is string => typeof item === 'string')) {
    throw new Error(`context '${key}' must be a list of URLs or a comma-separated string`);
  }
  return list.map((item) => item.trim()).filter(Boolean);
}

function removalPolicy(node: Node): RemovalPolicy | undefined {
  const value = optionalString(node, CONTEXT_KEYS.removalPolicy);
  if (value === undefined) return undefined;
  if (value === 'retain') return RemovalPolicy.RETAIN;
  if (value === 'destroy') return RemovalPolicy.DESTROY;
  throw new Error(`context 'removalPolicy' must be 'retain' or 'destroy', got '${value}'`);
}

function channelRetention(node: Node): Duration | undefined {
  const value = optionalString(node, CONTEXT_KEYS.channelRetentionDays);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) {
    throw new Error(`context 'channelRetentionDays' must be a whole number, got '${value}'`);
  }
  return Duration.days(Number(value));
}

const FEATURE_PLANS: Record<string, cognito.FeaturePlan> = {
  lite: cognito.FeaturePlan.LITE,
  essentials: cognito.FeaturePlan.ESSENTIALS,
  plus: cognito.FeaturePlan.PLUS,
};

function featurePlan(node: Node): cognito.FeaturePlan | undefined {
  const value = optionalString(node, CONTEXT_KEYS.featurePlan);
  if (value === undefined) return undefined;
  const plan = FEATURE_PLANS[value];
  if (!plan) {
    throw new Error(
      `context 'featurePlan' must be one of ${Object.keys(FEATURE_PLANS).join(', ')}, got '${value}'`,
    );
  }
  return plan;
}

/** `true`/`false` (cdk.json) or `-c key=true|false`; absent means false. */
function optionalBoolean(node: Node, key: string): boolean {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '' || value === false) return false;
  if (value === true || value === 'true') return true;
  if (value === 'false') return false;
  throw new Error(`context '${key}' must be true or false, got ${JSON.stringify(value)}`);
}

/** `-c userReconcileMaxDeletes=N` / `-c userReconcileMaxDeletePercent=P`, over the defaults. */
function deleteBrake(node: Node): DeleteBrake | undefined {
  const count = optionalString(node, CONTEXT_KEYS.userReconcileMaxDeletes);
  const percent = optionalString(node, CONTEXT_KEYS.userReconcileMaxDeletePercent);
  if (count === undefined && percent === undefined) return undefined;
  if (count !== undefined && !/^\d+$/.test(count)) {
    throw new Error(`context 'userReconcileMaxDeletes' must be a whole number, got '${count}'`);
  }
  if (percent !== undefined && !(/^\d+(\.\d+)?$/.test(percent) && Number(percent) <= 100)) {
    throw new Error(
      `context 'userReconcileMaxDeletePercent' must be a number from 0 to 100, got '${percent}'`,
    );
  }
  return {
    maxCount: count === undefined ? DEFAULT_DELETE_BRAKE.maxCount : Number(count),
    maxPercent: percent === undefined ? DEFAULT_DELETE_BRAKE.maxPercent : Number(percent),
  };
}

/** Stack props from CDK context, so a deployment is configured with `-c key=value` only. */
export function stackPropsFromContext(app: { node: Node }): ChimeCognitoAuthStackProps {
  const node = app.node;
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const region =
    optionalString(node, CONTEXT_KEYS.region) ?? process.env.CDK_DEFAULT_REGION ?? DEFAULT_REGION;
  const principalTagKey = optionalString(node, CONTEXT_KEYS.principalTagKey);
  const hostedUiDomainPrefix = optionalString(node, CONTEXT_KEYS.hostedUiDomainPrefix);
  const callbackUrls = optionalUrlList(node, CONTEXT_KEYS.callbackUrls);
  const logoutUrls = optionalUrlList(node, CONTEXT_KEYS.logoutUrls);
  const policy = removalPolicy(node);
  const retention = channelRetention(node);
  const credentialVending = optionalBoolean(node, CONTEXT_KEYS.credentialVending);
  // A path to a JSON file (docs/federation.md), read and validated now so synth fails early.
  const identityProvidersFile = optionalString(node, CONTEXT_KEYS.identityProviders);
  const identityProviders =
    identityProvidersFile === undefined
      ? undefined
      : readIdentityProvidersFile(identityProvidersFile);
  if (node.tryGetContext('credentialVendingOrigins') !== undefined) {
    throw new Error(
      "context 'credentialVendingOrigins' was renamed 'apiOrigins' (the CORS origins of the whole HTTP API)",
    );
  }
  const apiOrigins = optionalUrlList(node, CONTEXT_KEYS.apiOrigins);
  // One external OIDC issuer for the vending API (the construct prop takes several).
  const oidcIssuer = optionalString(node, CONTEXT_KEYS.credentialVendingOidcIssuer);
  const oidcAudience = optionalUrlList(node, CONTEXT_KEYS.credentialVendingOidcAudience);
  const oidcName = optionalString(node, CONTEXT_KEYS.credentialVendingOidcName);
  if ((oidcIssuer === undefined) !== (oidcAudience === undefined)) {
    throw new Error(
      `context '${CONTEXT_KEYS.credentialVendingOidcIssuer}' and '${CONTEXT_KEYS.credentialVendingOidcAudience}' go together`,
    );
  }
  const schedule = optionalString(node, CONTEXT_KEYS.userReconcileSchedule);
  const userReconcileSchedule =
    schedule === undefined ? undefined : parseReconcileSchedule(schedule);
  const userDeleteBrake = deleteBrake(node);
  const userEvents = optionalBoolean(node, CONTEXT_KEYS.userEvents);
  const createTrail = optionalBoolean(node, CONTEXT_KEYS.createTrail);
  if (createTrail && !userEvents) {
    throw new Error(`context 'createTrail=true' needs 'userEvents=true' (the trail only feeds it)`);
  }
  // On unless turned off explicitly.
  const offUnlessTrue = (key: string) =>
    node.tryGetContext(key) !== undefined && !optionalBoolean(node, key);
  const webHostingOff = offUnlessTrue(CONTEXT_KEYS.webHosting);
  const guestsOff = offUnlessTrue(CONTEXT_KEYS.guests);
  const hostedUiOff = offUnlessTrue(CONTEXT_KEYS.hostedUi);
  // The user pool's vending route, off for the external issuer only ("instead of").
  const vendingUserPoolOff = offUnlessTrue(CONTEXT_KEYS.credentialVendingUserPool);
  if (vendingUserPoolOff && !credentialVending) {
    throw new Error(
      `context '${CONTEXT_KEYS.credentialVendingUserPool}=false' needs '${CONTEXT_KEYS.credentialVending}=true'`,
    );
  }
  if (vendingUserPoolOff && oidcIssuer === undefined) {
    throw new Error(
      `context '${CONTEXT_KEYS.credentialVendingUserPool}=false' needs an external issuer ('${CONTEXT_KEYS.credentialVendingOidcIssuer}' and '${CONTEXT_KEYS.credentialVendingOidcAudience}'): otherwise no vending route is left`,
    );
  }
  const deployedHostedUiDomain = optionalString(node, CONTEXT_KEYS.deployedHostedUiDomain);
  const emailFrom = optionalString(node, CONTEXT_KEYS.emailFrom);
  const sesIdentityArn = optionalString(node, CONTEXT_KEYS.sesIdentityArn);
  const sesDomain = optionalString(node, CONTEXT_KEYS.sesDomain);
  const plan = featurePlan(node);
  return {
    env: { region, ...(account && { account }) },
    description: 'chime-cognito-auth: per-user Chime SDK messaging credentials from Cognito',
    ...(principalTagKey && { principalTagKey }),
    ...(hostedUiDomainPrefix && { hostedUiDomainPrefix }),
    ...(callbackUrls && { callbackUrls }),
    ...(logoutUrls && { logoutUrls }),
    ...(policy && { removalPolicy: policy }),
    ...(retention && { channelRetention: retention }),
    ...(credentialVending && { credentialVending }),
    ...(apiOrigins && { apiOrigins }),
    ...(webHostingOff && { webHosting: false }),
    ...(identityProviders && { identityProviders }),
    ...(oidcIssuer &&
      oidcAudience && {
        credentialVendingExternalIssuers: [
          {
            name: oidcName ?? DEFAULT_EXTERNAL_ISSUER_NAME,
            issuer: oidcIssuer,
            audience: oidcAudience,
          },
        ],
      }),
    ...(vendingUserPoolOff && { credentialVendingUserPool: false }),
    ...(userReconcileSchedule && { userReconcileSchedule }),
    ...(userDeleteBrake && { userDeleteBrake }),
    ...(userEvents && { userEvents }),
    ...(createTrail && { createTrail }),
    ...(guestsOff && { guests: false }),
    ...(hostedUiOff && { hostedUi: false }),
    ...(deployedHostedUiDomain && { deployedHostedUiDomain }),
    ...(emailFrom && { emailFrom }),
    ...(sesIdentityArn && { sesIdentityArn }),
    ...(sesDomain && { sesDomain }),
    ...(plan && { featurePlan: plan }),
  };
}
