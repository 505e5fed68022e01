import {
  DescribeAppInstanceUserCommand,
  ListAppInstanceUsersCommand,
} from '@aws-sdk/client-chime-sdk-identity';
import {
  AdminGetUserCommand,
  type AttributeType,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DISPLAY_NAME_ATTRIBUTES } from '../display-name';
import type { LifecycleContext } from './context';

/** What reconciliation needs of a Cognito user. */
export interface PoolUser {
  readonly sub: string;
  readonly enabled: boolean;
  /** `UserStatus`: CONFIRMED, UNCONFIRMED, FORCE_CHANGE_PASSWORD, RESET_REQUIRED, EXTERNAL_PROVIDER, ... */
  readonly status: string;
  /** `sub` and the attributes the display name rule reads (never more). */
  readonly attributes: Readonly<Record<string, string>>;
}

/** What reconciliation needs of an AppInstanceUser of this AppInstance. */
export interface ChimeUser {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  readonly metadata?: string;
}

/** ListUsers' largest page (the API allows 1-60). */
const COGNITO_PAGE = 60;
/** ListAppInstanceUsers' largest page (1-50). */
const CHIME_PAGE = 50;
/** Only what the name rule reads: no phone numbers or other profile data leave Cognito. */
const ATTRIBUTES_TO_GET = ['sub', ...DISPLAY_NAME_ATTRIBUTES];

function poolUserOf(
  attributes: readonly AttributeType[] | undefined,
  enabled: boolean | undefined,
  status: string | undefined,
): PoolUser | undefined {
  const values: Record<string, string> = {};
  for (const { Name, Value } of attributes ?? []) {
    if (Name && Value !== undefined && ATTRIBUTES_TO_GET.includes(Name)) values[Name] = Value;
  }
  const sub = values.sub;
  if (sub === undefined) return undefined;
  return { sub, enabled: enabled !== false, status: status ?? 'UNKNOWN', attributes: values };
}

/** Every user of the pool, page by page (`onPage` gets the running count). */
export async function listPoolUsers(
  ctx: LifecycleContext,
  deadline: number,
  onPage?: (count: number) => void,
): Promise<PoolUser[]> {
  const users = await ctx.collect(async (token) => {
    const page = await ctx.cognitoCall(
      'ListUsers',
      () =>
        ctx.deps.cognito.send(
          new ListUsersCommand({
            UserPoolId: ctx.deps.userPoolId,
            Limit: COGNITO_PAGE,
            AttributesToGet: ATTRIBUTES_TO_GET,
            ...(token && { PaginationToken: token }),
          }),
        ),
      deadline,
    );
    const items = (page.Users ?? []).map((u) => poolUserOf(u.Attributes, u.Enabled, u.UserStatus));
    return { items, ...(page.PaginationToken && { next: page.PaginationToken }) };
  }, onPage);
  const valid = users.filter((u): u is PoolUser => u !== undefined);
  if (valid.length < users.length) {
    ctx.log.warn('user pool users without a sub were skipped', {
      count: users.length - valid.length,
    });
  }
  return valid;
}

/** Every AppInstanceUser of the AppInstance, page by page. */
export async function listChimeUsers(
  ctx: LifecycleContext,
  deadline: number,
  onPage?: (count: number) => void,
): Promise<ChimeUser[]> {
  const prefix = `${ctx.deps.appInstanceArn}/user/`;
  return ctx.collect(async (token) => {
    const page = await ctx.chimeCall(
      'ListAppInstanceUsers',
      () =>
        ctx.deps.chime.send(
          new ListAppInstanceUsersCommand({
            AppInstanceArn: ctx.deps.appInstanceArn,
            MaxResults: CHIME_PAGE,
            ...(token && { NextToken: token }),
          }),
        ),
      deadline,
    );
    const items = (page.AppInstanceUsers ?? [])
      .filter((u) => u.AppInstanceUserArn?.startsWith(prefix))
      .map((u) => ({
        id: u.AppInstanceUserArn!.slice(prefix.length),
        arn: u.AppInstanceUserArn!,
        name: u.Name ?? '',
        ...(u.Metadata !== undefined && { metadata: u.Metadata }),
      }));
    return { items, ...(page.NextToken && { next: page.NextToken }) };
  }, onPage);
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : '';
}

/**
 * The pool's user whose `sub` this is, or undefined when there is none. AdminGetUser accepts the
 * `sub` as the user name (API reference: "this value must be the sub of a local user" when the
 * name is not an alias).
 */
export async function getPoolUser(
  ctx: LifecycleContext,
  sub: string,
  deadline: number,
): Promise<PoolUser | undefined> {
  try {
    const out = await ctx.cognitoCall(
      'AdminGetUser',
      () =>
        ctx.deps.cognito.send(
          new AdminGetUserCommand({ UserPoolId: ctx.deps.userPoolId, Username: sub }),
        ),
      deadline,
    );
    const user = poolUserOf(out.UserAttributes, out.Enabled, out.UserStatus);
    // A user found by another name (an alias equal to this string) is not this sub's user.
    return user?.sub === sub ? user : undefined;
  } catch (error) {
    if (errorName(error) === 'UserNotFoundException') return undefined;
    throw error;
  }
}

/**
 * The AppInstanceUser with this id, or undefined. A missing user has been reported to answer
 * ForbiddenException as well as NotFoundException: both mean missing here.
 */
export async function getChimeUser(
  ctx: LifecycleContext,
  id: string,
  deadline: number,
): Promise<ChimeUser | undefined> {
  const arn = ctx.userArn(id);
  try {
    const out = await ctx.chimeCall(
      'DescribeAppInstanceUser',
      () => ctx.deps.chime.send(new DescribeAppInstanceUserCommand({ AppInstanceUserArn: arn })),
      deadline,
    );
    const user = out.AppInstanceUser;
    if (!user?.AppInstanceUserArn) return undefined;
    return {
      id,
      arn,
      name: user.Name ?? '',
      ...(user.Metadata !== undefined && { metadata: user.Metadata }),
    };
  } catch (error) {
    if (['NotFoundException', 'ForbiddenException'].includes(errorName(error))) return undefined;
    throw error;
  }
}
