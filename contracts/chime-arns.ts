/**
 * The Amazon Chime SDK ids and ARNs this project names: one pattern and one builder each, for the
 * stack, the Lambdas, the sandbox and the web demo.
 *
 * Sources: the Chime SDK API reference (CreateAppInstanceUser `AppInstanceUserId`, CreateChannel
 * `ChannelId`: 1-64 characters matching `[A-Za-z0-9]([A-Za-z0-9\:\-\_\.\@]{0,62}[A-Za-z0-9])?`;
 * the API's own ARN shape `ChimeArn` is a generic 5-1600 character ARN) and the IAM service
 * authorization reference for Chime (resource types `app-instance/${AppInstanceId}`,
 * `.../user/${AppInstanceUserId}`, `.../channel/${ChannelId}`,
 * `.../channel-flow/${ChannelFlowId}`). Chime assigns AppInstance ids itself (UUIDs in every
 * documented example): letters, digits and `-` are accepted here.
 */
import { type AssertionErrorClass, assertMatches } from './assert';

/**
 * `AppInstanceUserId` and `ChannelId`: the API reference's id pattern. Channel flow ids are
 * assigned by Chime; the sandbox accepts the same pattern for them.
 */
const CHIME_ID = String.raw`[A-Za-z0-9](?:[A-Za-z0-9:\-_.@]{0,62}[A-Za-z0-9])?`;
/** Segment lengths within the API's `ChimeArn` pattern (63 per segment, 1024 for the resource). */
const APP_INSTANCE_ARN = String.raw`arn:aws[a-z-]{0,60}:chime:[a-z0-9-]{1,63}:\d{12}:app-instance/[A-Za-z0-9-]{1,1011}`;

export const APP_INSTANCE_ARN_PATTERN = new RegExp(`^${APP_INSTANCE_ARN}$`);
export const APP_INSTANCE_USER_ID_PATTERN = new RegExp(`^${CHIME_ID}$`);
export const CHANNEL_ID_PATTERN = new RegExp(`^${CHIME_ID}$`);
const APP_INSTANCE_USER_ARN_PATTERN = new RegExp(`^(${APP_INSTANCE_ARN})/user/(${CHIME_ID})$`);
const CHANNEL_ARN_PATTERN = new RegExp(`^(${APP_INSTANCE_ARN})/channel/(${CHIME_ID})$`);
const CHANNEL_FLOW_ARN_PATTERN = new RegExp(`^(${APP_INSTANCE_ARN})/channel-flow/(${CHIME_ID})$`);

/** What to say about a value that is not an AppInstanceUserId. */
export const APP_INSTANCE_USER_ID_RULE =
  '1-64 characters of letters, digits and :-_.@ that start and end with a letter or digit';

export function isAppInstanceArn(value: string): boolean {
  return APP_INSTANCE_ARN_PATTERN.test(value);
}

export function isAppInstanceUserId(value: unknown): value is string {
  return typeof value === 'string' && APP_INSTANCE_USER_ID_PATTERN.test(value);
}

export function assertAppInstanceArn(
  name: string,
  value: unknown,
  ErrorClass: AssertionErrorClass,
): asserts value is string {
  assertMatches(name, value, APP_INSTANCE_ARN_PATTERN, 'an AppInstance ARN', ErrorClass);
}

export function assertAppInstanceUserId(
  name: string,
  value: unknown,
  ErrorClass: AssertionErrorClass,
): asserts value is string {
  assertMatches(
    name,
    value,
    APP_INSTANCE_USER_ID_PATTERN,
    `an AppInstanceUserId (${APP_INSTANCE_USER_ID_RULE})`,
    ErrorClass,
  );
}

/*
 * Builders. They never validate: the stack passes CDK tokens and IAM policy variables
 * (`${aws:PrincipalTag/...}`) through them.
 */

/** The AppInstanceUser ARN of a user, from the AppInstance ARN and the user's id (their `sub`). */
export function appInstanceUserArn(appInstanceArn: string, appInstanceUserId: string): string {
  return `${appInstanceArn}/user/${appInstanceUserId}`;
}

export function channelArn(appInstanceArn: string, channelId: string): string {
  return `${appInstanceArn}/channel/${channelId}`;
}

/** Every AppInstanceUser of this AppInstance (an IAM resource). */
export function appInstanceUsersArn(appInstanceArn: string): string {
  return appInstanceUserArn(appInstanceArn, '*');
}

/** Every channel of this AppInstance (an IAM resource). */
export function appInstanceChannelsArn(appInstanceArn: string): string {
  return channelArn(appInstanceArn, '*');
}

/** An ARN under an AppInstance, taken apart. */
export interface AppInstanceChildArn {
  readonly appInstanceArn: string;
  readonly id: string;
}

function parse(pattern: RegExp, arn: string): AppInstanceChildArn | undefined {
  const match = pattern.exec(arn);
  if (!match?.[1] || !match[2]) return undefined;
  return { appInstanceArn: match[1], id: match[2] };
}

export const parseAppInstanceUserArn = (arn: string) => parse(APP_INSTANCE_USER_ARN_PATTERN, arn);
export const parseChannelArn = (arn: string) => parse(CHANNEL_ARN_PATTERN, arn);
export const parseChannelFlowArn = (arn: string) => parse(CHANNEL_FLOW_ARN_PATTERN, arn);
