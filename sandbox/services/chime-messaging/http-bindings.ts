/**
 * The messaging API's HTTP bindings (restJson1), as the AWS SDK v3 model of
 * @aws-sdk/client-chime-sdk-messaging declares them: method, path with labels, the query
 * parameter that tells operations on the same path apart (`?operation=redact`,
 * `?scope=message-status`...), query members, success status. Path labels keep the model's
 * member names (`:ChannelArn`), so decoded labels land in the input under the right name.
 */
import type { MessagingService } from './service';

export type QueryType = 'string' | 'integer' | 'timestamp';

export interface OperationSpec {
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  /** `[key, value]` the query must carry to select this operation. */
  readonly discriminator?: readonly [string, string];
  readonly status: number;
  /** Query parameter -> [input member, type]. */
  readonly query?: Readonly<Record<string, readonly [string, QueryType]>>;
  /** False only for GetMessagingSessionEndpoint. */
  readonly bearer: boolean;
  /** Input members whose ARNs IAM evaluates besides the bearer (the channel, a channel flow). */
  readonly resources: readonly string[];
  readonly run: (
    service: MessagingService,
    bearer: string,
    input: Record<string, unknown>,
  ) => unknown;
}

const PAGE = {
  'max-results': ['MaxResults', 'integer'],
  'next-token': ['NextToken', 'string'],
} as const;
const SUB_CHANNEL = { 'sub-channel-id': ['SubChannelId', 'string'] } as const;
const CH = ['ChannelArn'] as const;

/** Every operation the sandbox serves: the end-user role's actions plus a few moderator tools. */
export const OPERATIONS: readonly OperationSpec[] = [
  {
    name: 'GetMessagingSessionEndpoint',
    method: 'GET',
    path: '/endpoints/messaging-session',
    status: 200,
    query: { 'network-type': ['NetworkType', 'string'] },
    bearer: false,
    resources: [],
    run: (s) => s.getMessagingSessionEndpoint(),
  },
  {
    name: 'CreateChannel',
    method: 'POST',
    path: '/channels',
    status: 201,
    bearer: true,
    resources: [],
    run: (s, b, i) => s.createChannel(b, i),
  },
  {
    name: 'ListChannels',
    method: 'GET',
    path: '/channels',
    status: 200,
    query: {
      'app-instance-arn': ['AppInstanceArn', 'string'],
      privacy: ['Privacy', 'string'],
      ...PAGE,
    },
    bearer: true,
    resources: [],
    run: (s, b, i) => s.listChannels(b, i),
  },
  {
    name: 'ListChannelMembershipsForAppInstanceUser',
    method: 'GET',
    path: '/channels',
    discriminator: ['scope', 'app-instance-user-memberships'],
    status: 200,
    query: { 'app-instance-user-arn': ['AppInstanceUserArn', 'string'], ...PAGE },
    bearer: true,
    resources: [],
    run: (s, b, i) => s.listChannelMembershipsForAppInstanceUser(b, i),
  },
  {
    name: 'ListChannelsModeratedByAppInstanceUser',
    method: 'GET',
    path: '/channels',
    discriminator: ['scope', 'app-instance-user-moderated-channels'],
    status: 200,
    query: { 'app-instance-user-arn': ['AppInstanceUserArn', 'string'], ...PAGE },
    bearer: true,
    resources: [],
    run: (s, b, i) => s.listChannelsModeratedByAppInstanceUser(b, i),
  },
  {
    name: 'DescribeChannel',
    method: 'GET',
    path: '/channels/:ChannelArn',
    status: 200,
    bearer: true,
    resources: CH,
    run: (s, b, i) => s.describeChannel(b, i),
  },
  {
    name: 'UpdateChannel',
    method: 'PUT',
    path: '/channels/:ChannelArn',
    status: 200,
    bearer: true,
    resources: CH,
    run: (s, b, i) => s.updateChannel(b, i),
  },
  {
    name: 'DeleteChannel',
    method: 'DELETE',
    path: '/channels/:ChannelArn',
    status: 204,
    bearer: true,
    resources: CH,
    run: (s, b, i) => s.deleteChannel(b, i),
  },
  {
    name: 'CreateChannelMembership',
    method: 'POST',
    path: '/channels/:ChannelArn/memberships',
    status: 201,
    bearer: true,
    resources: CH,
    run: (s, b, i) => s.createChannelMembership(b, i),
  },
  {
    name: 'ListChannelMemberships',
    method: 'GET',
    path: '/channels/:ChannelArn/memberships',
    status: 200,
    query: { type: ['Type', 'string'], ...PAGE, ...SUB_CHANNEL },
    bearer: true,
    resources: CH,
    run: (s, b, i) => s.listChannelMemberships(b, i),
  },
  {
    name: 'DescribeChannelMembership',
    method: 'GET',
    path: '/channels/:ChannelArn/memberships/:MemberArn',
    status: 200,
    query: SUB_CHANNEL,
    bearer: true,
    resources: CH,
    run: (s, b, i) => s.describeChannelMembership(b, i),
  },
  {
    name: 'DeleteChannelMembership',
    method: 'DELETE',
    path: '/channels/:ChannelArn/memberships/:MemberArn',
    status: 204,
    query: SUB_CHANNEL,
    bearer: true,
    resources: CH,
    run: (s, b, i) => s.deleteChannelMembership(b, i),
  },
  {
    name: 'CreateChannelModerator',
    method: 'POST',
    path: '/channels/:ChannelArn/moderators',
    status: 201,
    bearer: true,
    resources: CH,
    run: (s, b, i) => s.createChannelModerator(b, i),
  },
  {
    name: 'ListChannelModerators',
    method: 'GET',
    path: '/channels/:ChannelArn/moderators',
    status: 200,
    query: PAGE,
    bearer: true,
    resources: CH,
    run: (s, b, i) => s.listChannelModerators(b, i),
  },
  {
    name: 'DescribeChannelModerator',
    method: 'GET',
    path: '/channels/:ChannelArn/moderators/:ChannelModeratorArn',
    status: 200,
    bearer: true,
    resources: CH,
    run: (s, b, i) => s.describeChannelModerator(b, i),
  },
  {
    name: 'DeleteChannelModerator',
    method: 'DELETE',
    path: '/channels/:ChannelArn/moderators/:ChannelModeratorArn',
    status: 204,
    bearer: true,
    resources: CH,
    run: (s, b, i) => s.deleteChannelModerator(b, i),
  },
  {
    name: 'CreateChannelBan',
    method: 'POST',
    path: '/channels/:ChannelArn/bans',
    status: 201,
    bearer: true,
    resources: CH,
    run: (s, b, i) => s.createChannelBan(b, i),
  },
  {
    name: 'ListChannelBans',
    method: 'GET',
    path: '/channels/:ChannelArn/bans',
    status: 200,
    query: PAGE,
    bearer: true,
    resources: CH,
    run: (s, b, i) => s.listChannelBans(b, i),
  },
  {
    name: 'DescribeChannelBan',
    method: 'GET',
    path: '/channels/:ChannelArn/bans/:MemberArn',
    status: 200,
    bearer: true,
    resources: CH,
    run: (s, b, i) => s.describeChannelBan(b, i),
  },
  {
    name: 'DeleteChannelBan',
    method: 'DELETE',
    path: '/channels/:ChannelArn/bans/:MemberArn',
    status: 204,
    bearer: true,
    resources: CH,
    run: (s, b, i) => s.deleteChannelBan(b, i),
  },
  {
    name: 'SendChannelMessage',
    method: 'POST',
    path: '/channels/:ChannelArn/messages',
    status: 201,
    bearer: true,
    resources: CH,
    run: (s, b, i) => s.sendChannelMessage(b, i),
  },
  {
    name: 'ListChannelMessages',
    method: 'GET',
    path: '/channels/:ChannelArn/messages',
    status: 200,
    query: {
      'sort-order': ['SortOrder', 'string'],
      'not-before': ['NotBefore', 'timestamp'],
      'not-after': ['NotAfter', 'timestamp'],
      ...PAGE,
      ...SUB_CHANNEL,
    },
    bearer: true,
    resources: CH,
    run: (s, b, i) => s.listChannelMessages(b, i),
  },
  {
    name: 'GetChannelMessage',
    method: 'GET',
    path: '/channels/:ChannelArn/messages/:MessageId',
    status: 200,
    query: SUB_CHANNEL,
    bearer: true,
    resources: CH,
    run: (s, b, i) => s.getChannelMessage(b, i),
  },
  {
    name: 'GetChannelMessageStatus',
    method: 'GET',
    path: '/channels/:ChannelArn/messages/:MessageId',
    discriminator: ['scope', 'message-status'],
    status: 200,
    query: SUB_CHANNEL,
    bearer: true,
    resources: CH,
    run: (s, b, i) => s.getChannelMessageStatus(b, i),
  },
  {
    name: 'UpdateChannelMessage',
    method: 'PUT',
    path: '/channels/:ChannelArn/messages/:MessageId',
    status: 200,
    bearer: true,
    resources: CH,
    run: (s, b, i) => s.updateChannelMessage(b, i),
  },
  {
    name: 'RedactChannelMessage',
    method: 'POST',
    path: '/channels/:ChannelArn/messages/:MessageId',
    discriminator: ['operation', 'redact'],
    status: 200,
    bearer: true,
    resources: CH,
    run: (s, b, i) => s.redactChannelMessage(b, i),
  },
  {
    name: 'UpdateChannelReadMarker',
    method: 'PUT',
    path: '/channels/:ChannelArn/readMarker',
    status: 200,
    bearer: true,
    resources: CH,
    run: (s, b, i) => s.updateChannelReadMarker(b, i),
  },
  {
    name: 'AssociateChannelFlow',
    method: 'PUT',
    path: '/channels/:ChannelArn/channel-flow',
    status: 200,
    bearer: true,
    resources: ['ChannelArn', 'ChannelFlowArn'],
    run: (s, b, i) => s.associateChannelFlow(b, i),
  },
  {
    name: 'DisassociateChannelFlow',
    method: 'DELETE',
    path: '/channels/:ChannelArn/channel-flow/:ChannelFlowArn',
    status: 204,
    bearer: true,
    resources: ['ChannelArn', 'ChannelFlowArn'],
    run: (s, b, i) => s.disassociateChannelFlow(b, i),
  },
];

export interface UnsupportedOperation {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly discriminator?: readonly [string, string];
}

/** Operations of the API the sandbox does not implement: refused with a clear message. */
export const UNSUPPORTED: readonly UnsupportedOperation[] = [
  {
    name: 'SearchChannels',
    method: 'POST',
    path: '/channels',
    discriminator: ['operation', 'search'],
  },
  {
    name: 'ChannelFlowCallback',
    method: 'POST',
    path: '/channels/:ChannelArn',
    discriminator: ['operation', 'channel-flow-callback'],
  },
  {
    name: 'DescribeChannelModeratedByAppInstanceUser',
    method: 'GET',
    path: '/channels/:ChannelArn',
    discriminator: ['scope', 'app-instance-user-moderated-channel'],
  },
  {
    name: 'DescribeChannelMembershipForAppInstanceUser',
    method: 'GET',
    path: '/channels/:ChannelArn',
    discriminator: ['scope', 'app-instance-user-membership'],
  },
  {
    name: 'DeleteChannelMessage',
    method: 'DELETE',
    path: '/channels/:ChannelArn/messages/:MessageId',
  },
  { name: 'ListSubChannels', method: 'GET', path: '/channels/:ChannelArn/subchannels' },
  {
    name: 'PutChannelExpirationSettings',
    method: 'PUT',
    path: '/channels/:ChannelArn/expiration-settings',
  },
];
