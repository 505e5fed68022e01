import { requireEnv } from '../env';

/** Environment variables of the people lookup function (infra/constructs/people-directory.ts). */
export const USERS_LOOKUP_ENV = {
  userPoolId: 'USER_POOL_ID',
  appInstanceArn: 'APP_INSTANCE_ARN',
} as const;

/** The rate-limit scope of lookups: the key prefix its role may write (`users#*`). */
export const USERS_LOOKUP_RATE_SCOPE = 'users';

export interface UsersLookupConfig {
  readonly userPoolId: string;
  readonly appInstanceArn: string;
}

export function readUsersLookupConfig(env: NodeJS.ProcessEnv = process.env): UsersLookupConfig {
  const appInstanceArn = requireEnv(USERS_LOOKUP_ENV.appInstanceArn, env);
  if (!/^arn:aws[a-z-]*:chime:[a-z0-9-]+:\d{12}:app-instance\/[\w-]+$/.test(appInstanceArn)) {
    throw new Error(
      `${USERS_LOOKUP_ENV.appInstanceArn} is not an AppInstance ARN: '${appInstanceArn}'`,
    );
  }
  return { userPoolId: requireEnv(USERS_LOOKUP_ENV.userPoolId, env), appInstanceArn };
}
