/**
 * Who may act on what, by the channel rules of the API reference (IAM has already allowed the
 * call): the bearer must be an existing AppInstanceUser of the channel's AppInstance; private
 * channels are invisible outside their members and moderators; some operations are for members
 * or moderators only.
 */
import { parseAppInstanceUserArn, parseChannelArn } from '../../../contracts/chime-arns';
import type { MessagingContext } from './context';
import { badRequest, forbidden, notFound, unauthorized } from './errors';
import type { ChannelRecord } from './store';
import { requireString } from './validation';

/** The `x-amz-chime-bearer` user, checked. */
export interface Bearer {
  readonly arn: string;
  readonly appInstanceArn: string;
}

/** The bearer must be an existing AppInstanceUser. */
export function checkBearer(ctx: MessagingContext, bearer: string | undefined): Bearer {
  if (typeof bearer !== 'string' || bearer === '') {
    throw badRequest('The x-amz-chime-bearer header is required');
  }
  const parsed = parseAppInstanceUserArn(bearer);
  if (!parsed || ctx.users.nameOf(bearer) === undefined) {
    throw unauthorized(
      'An invalid app instance user ARN was supplied for the x-amz-chime-bearer HTTP header.',
    );
  }
  return { arn: bearer, appInstanceArn: parsed.appInstanceArn };
}

/** The channel the input names: well-formed, existing, in the bearer's AppInstance. */
export function channelFor(
  ctx: MessagingContext,
  channelArn: string | undefined,
  bearer: { appInstanceArn: string },
): ChannelRecord {
  const arn = requireString(channelArn, 'ChannelArn');
  const parsed = parseChannelArn(arn);
  if (!parsed) throw badRequest(`ChannelArn is not a channel ARN: ${arn}`);
  const record = ctx.store.channels.get(arn);
  if (!record) throw notFound(`Channel ${arn} not found`);
  if (parsed.appInstanceArn !== bearer.appInstanceArn) {
    throw forbidden('The bearer does not belong to the AppInstance of the channel');
  }
  return record;
}

/** A user named in the input: well-formed, same AppInstance, existing. */
export function existingUser(
  ctx: MessagingContext,
  arn: string | undefined,
  name: string,
  appInstanceArn: string,
): string {
  const value = requireString(arn, name);
  const parsed = parseAppInstanceUserArn(value);
  if (!parsed) throw badRequest(`${name} is not an AppInstanceUser ARN: ${value}`);
  if (parsed.appInstanceArn !== appInstanceArn || ctx.users.nameOf(value) === undefined) {
    throw notFound(`AppInstanceUser ${value} not found`);
  }
  return value;
}

/** An optional list of 1 to `max` existing users (CreateChannel's members and moderators). */
export function existingUsers(
  ctx: MessagingContext,
  value: readonly string[] | undefined,
  name: string,
  max: number,
  appInstanceArn: string,
): string[] {
  if (value === undefined) return [];
  if (value.length < 1 || value.length > max) {
    throw badRequest(`${name} must list 1 to ${max} AppInstanceUser ARNs`);
  }
  return value.map((arn) => existingUser(ctx, arn, name, appInstanceArn));
}

/** For the WebSocket: SESSION_ESTABLISHED is only for existing users. */
export function userExists(ctx: MessagingContext, userArn: string): boolean {
  return parseAppInstanceUserArn(userArn) !== undefined && ctx.users.nameOf(userArn) !== undefined;
}

export function isModerator(record: ChannelRecord, userArn: string): boolean {
  return record.moderators.has(userArn);
}

export function requireModerator(record: ChannelRecord, userArn: string, what: string): void {
  if (!isModerator(record, userArn)) {
    throw forbidden(`Only moderators of the channel can ${what}`);
  }
}

export function requireMember(record: ChannelRecord, userArn: string, what: string): void {
  if (!record.members.has(userArn)) {
    throw forbidden(`${userArn} is not a member of the channel and cannot ${what}`);
  }
}

function isInsider(record: ChannelRecord, userArn: string): boolean {
  return record.members.has(userArn) || record.moderators.has(userArn);
}

/** Private channels are invisible outside their members and moderators. */
export function requireVisible(record: ChannelRecord, userArn: string): void {
  if (record.meta.privacy === 'PRIVATE' && !isInsider(record, userArn)) {
    throw forbidden(`${userArn} is not a member of the private channel`);
  }
}

/** Public channels: anyone in the AppInstance may read; private: members and moderators. */
export function requireReader(record: ChannelRecord, userArn: string): void {
  if (record.meta.privacy === 'PRIVATE' && !isInsider(record, userArn)) {
    throw forbidden(
      `${userArn} is not a member of the private channel and cannot list its messages`,
    );
  }
}
