/** ARNs of the Chime SDK resources the messaging API names (see the IAM resource types). */

const APP_INSTANCE = String.raw`arn:aws[a-z-]*:chime:[a-z0-9-]+:\d{12}:app-instance/[A-Za-z0-9-]+`;
/** AppInstanceUserId / ChannelId: 1-64 characters, as in the API reference. */
const RESOURCE_ID = String.raw`[A-Za-z0-9](?:[A-Za-z0-9:\-_.@]{0,62}[A-Za-z0-9])?`;

const APP_INSTANCE_RE = new RegExp(`^${APP_INSTANCE}$`);
const USER_RE = new RegExp(`^(${APP_INSTANCE})/user/(${RESOURCE_ID})$`);
const CHANNEL_RE = new RegExp(`^(${APP_INSTANCE})/channel/(${RESOURCE_ID})$`);
const CHANNEL_FLOW_RE = new RegExp(`^(${APP_INSTANCE})/channel-flow/(${RESOURCE_ID})$`);
export const CHANNEL_ID_RE = new RegExp(`^${RESOURCE_ID}$`);

export interface ParsedArn {
  readonly appInstanceArn: string;
  readonly id: string;
}

function parse(re: RegExp, arn: string): ParsedArn | undefined {
  const match = re.exec(arn);
  if (!match?.[1] || !match[2]) return undefined;
  return { appInstanceArn: match[1], id: match[2] };
}

export const isAppInstanceArn = (arn: string): boolean => APP_INSTANCE_RE.test(arn);
export const parseUserArn = (arn: string) => parse(USER_RE, arn);
export const parseChannelArn = (arn: string) => parse(CHANNEL_RE, arn);
export const parseChannelFlowArn = (arn: string) => parse(CHANNEL_FLOW_RE, arn);

export const channelArn = (appInstanceArn: string, channelId: string): string =>
  `${appInstanceArn}/channel/${channelId}`;
