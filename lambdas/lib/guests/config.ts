import { assertValidPrincipalTagKey } from '../../../contracts/principal-tag';
import { requireEnv } from '../env';

/** Environment variables of the guest routes' functions (infra/constructs/guest-access.ts). */
export const GUEST_ENV = {
  appInstanceArn: 'APP_INSTANCE_ARN',
  /** ARN of the KMS key that signs invites. */
  inviteKeyArn: 'INVITE_KEY_ARN',
  /** The redeem function only: the guest role and its session tag key. */
  guestRoleArn: 'GUEST_ROLE_ARN',
  principalTagKey: 'PRINCIPAL_TAG_KEY',
} as const;

/** Rate-limit scopes (the key prefixes each function's role may write). */
export const GUEST_INVITE_RATE_SCOPE = 'guest-invites';
export const GUEST_CANCEL_RATE_SCOPE = 'guest-cancels';
export const GUEST_CREDENTIALS_RATE_SCOPE = 'guest-credentials';

const APP_INSTANCE_ARN = /^arn:aws[a-z-]*:chime:[a-z0-9-]+:\d{12}:app-instance\/[\w-]+$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/;

function matching(name: string, pattern: RegExp, what: string, env: NodeJS.ProcessEnv): string {
  const value = requireEnv(name, env);
  if (!pattern.test(value)) throw new Error(`${name} is not ${what}: '${value}'`);
  return value;
}

export interface InviteSettings {
  readonly appInstanceArn: string;
  readonly inviteKeyArn: string;
}

/** The invite and cancel functions' settings; throws naming the bad variable. */
export function readInviteSettings(env: NodeJS.ProcessEnv = process.env): InviteSettings {
  return {
    appInstanceArn: matching(GUEST_ENV.appInstanceArn, APP_INSTANCE_ARN, 'an AppInstance ARN', env),
    inviteKeyArn: matching(GUEST_ENV.inviteKeyArn, KMS_KEY_ARN, 'a KMS key ARN', env),
  };
}

export interface RedeemSettings extends InviteSettings {
  readonly guestRoleArn: string;
  readonly principalTagKey: string;
}

/** The redeem function's settings; throws naming the bad variable. */
export function readRedeemSettings(env: NodeJS.ProcessEnv = process.env): RedeemSettings {
  const principalTagKey = requireEnv(GUEST_ENV.principalTagKey, env);
  assertValidPrincipalTagKey(principalTagKey);
  return {
    ...readInviteSettings(env),
    guestRoleArn: matching(GUEST_ENV.guestRoleArn, ROLE_ARN, 'an IAM role ARN', env),
    principalTagKey,
  };
}
