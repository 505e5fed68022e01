/**
 * The messaging API's HTTP bindings (restJson1), as the AWS SDK v3 model of
 * @aws-sdk/client-chime-sdk-messaging declares them: method, path with labels, the query
 * parameter that tells operations on the same path apart (`?operation=redact`,
 * `?scope=message-status`...), query members, success status, and the members of the SDK's request
 * type. Path labels keep the model's member names (`:ChannelArn`), so decoded labels land in the
 * request under the right name. Each operation is declared with its SDK request and response
 * types: the request is parsed into the one (./requests.ts), the service must return the other.
 */
import type * as sdk from '@aws-sdk/client-chime-sdk-messaging';
import { type HttpRequest, type MemberKind, parseRequest, readRequest } from './requests';
import type { RequestMembers } from './requests';
import type { MessagingService } from './service';

export interface OperationSpec {
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  /** `[key, value]` the query must carry to select this operation. */
  readonly discriminator?: readonly [string, string];
  readonly status: number;
  /** False only for GetMessagingSessionEndpoint. */
  readonly bearer: boolean;
  /** Input members whose ARNs IAM evaluates besides the bearer (the channel, a channel flow). */
  readonly resources: readonly string[];
  /** The request's members by model name, not yet checked (for the IAM resources). */
  readonly read: (req: HttpRequest) => Record<string, unknown>;
  /** Checks what `read` returned against the SDK's request type and runs the operation. */
  readonly invoke: (service: MessagingService, input: Record<string, unknown>) => Promise<unknown>;
}

/** An operation's binding, typed with the SDK's request (`Req`) and response (`Res`) types. */
interface Binding<Req, Res> extends Omit<OperationSpec, 'name' | 'read' | 'invoke'> {
  readonly members: RequestMembers<Req>;
  /** Query parameter -> request member. */
  readonly query?: Readonly<Record<string, keyof Req & string>>;
  readonly run: (service: MessagingService, request: Req) => Res | Promise<Res>;
}

function operation<Req, Res>(name: string, binding: Binding<Req, Res>): OperationSpec {
  const { members, query, run, ...http } = binding;
  // Erased to the table's common type; the kinds were checked against Req above.
  const kinds: Readonly<Record<string, MemberKind>> = members;
  return {
    name,
    ...http,
    read: (req) => readRequest(req, kinds, query),
    invoke: async (service, input) => run(service, parseRequest(input, members)),
  };
}

// The enums' values, in the order the error messages list them.
const CHANNEL_MODES = ['UNRESTRICTED', 'RESTRICTED'] satisfies sdk.ChannelMode[];
const CHANNEL_PRIVACIES = ['PUBLIC', 'PRIVATE'] satisfies sdk.ChannelPrivacy[];
const MEMBERSHIP_TYPES = ['DEFAULT', 'HIDDEN'] satisfies sdk.ChannelMembershipType[];
const MESSAGE_TYPES = ['STANDARD', 'CONTROL'] satisfies sdk.ChannelMessageType[];
const PERSISTENCE_TYPES = [
  'PERSISTENT',
  'NON_PERSISTENT',
] satisfies sdk.ChannelMessagePersistenceType[];
const SORT_ORDERS = ['ASCENDING', 'DESCENDING'] satisfies sdk.SortOrder[];
const NETWORK_TYPES = ['IPV4_ONLY', 'DUAL_STACK'] satisfies sdk.NetworkType[];

// Members and query parameters several operations share.
const ON_CHANNEL = { ChannelArn: 'string', ChimeBearer: 'string' } as const;
const PAGED = { MaxResults: 'integer', NextToken: 'string' } as const;
const SUB_CHANNEL = { SubChannelId: 'string' } as const;
const PAGE_QUERY = { 'max-results': 'MaxResults', 'next-token': 'NextToken' } as const;
const SUB_CHANNEL_QUERY = { 'sub-channel-id': 'SubChannelId' } as const;
const CH = ['ChannelArn'] as const;

/** Every operation the sandbox serves: the end-user role's actions plus a few moderator tools. */
export const OPERATIONS: readonly OperationSpec[] = [
  operation<sdk.GetMessagingSessionEndpointRequest, sdk.GetMessagingSessionEndpointResponse>(
    'GetMessagingSessionEndpoint',
    {
      method: 'GET',
      path: '/endpoints/messaging-session',
      members: { NetworkType: NETWORK_TYPES },
      status: 200,
      query: { 'network-type': 'NetworkType' },
      bearer: false,
      resources: [],
      run: (s) => s.getMessagingSessionEndpoint(),
    },
  ),
  operation<sdk.CreateChannelRequest, sdk.CreateChannelResponse>('CreateChannel', {
    method: 'POST',
    path: '/channels',
    members: {
      AppInstanceArn: 'string',
      Name: 'string',
      Mode: CHANNEL_MODES,
      Privacy: CHANNEL_PRIVACIES,
      Metadata: 'string',
      ClientRequestToken: 'string',
      Tags: 'list',
      ChimeBearer: 'string',
      ChannelId: 'string',
      MemberArns: 'strings',
      ModeratorArns: 'strings',
      ElasticChannelConfiguration: 'object',
      ExpirationSettings: 'object',
    },
    status: 201,
    bearer: true,
    resources: [],
    run: (s, r) => s.createChannel(r.ChimeBearer, r),
  }),
  operation<sdk.ListChannelsRequest, sdk.ListChannelsResponse>('ListChannels', {
    method: 'GET',
    path: '/channels',
    members: {
      AppInstanceArn: 'string',
      Privacy: CHANNEL_PRIVACIES,
      ...PAGED,
      ChimeBearer: 'string',
    },
    status: 200,
    query: {
      'app-instance-arn': 'AppInstanceArn',
      privacy: 'Privacy',
      ...PAGE_QUERY,
    },
    bearer: true,
    resources: [],
    run: (s, r) => s.listChannels(r.ChimeBearer, r),
  }),
  operation<
    sdk.ListChannelMembershipsForAppInstanceUserRequest,
    sdk.ListChannelMembershipsForAppInstanceUserResponse
  >('ListChannelMembershipsForAppInstanceUser', {
    method: 'GET',
    path: '/channels',
    discriminator: ['scope', 'app-instance-user-memberships'],
    members: { AppInstanceUserArn: 'string', ...PAGED, ChimeBearer: 'string' },
    status: 200,
    query: { 'app-instance-user-arn': 'AppInstanceUserArn', ...PAGE_QUERY },
    bearer: true,
    resources: [],
    run: (s, r) => s.listChannelMembershipsForAppInstanceUser(r.ChimeBearer, r),
  }),
  operation<
    sdk.ListChannelsModeratedByAppInstanceUserRequest,
    sdk.ListChannelsModeratedByAppInstanceUserResponse
  >('ListChannelsModeratedByAppInstanceUser', {
    method: 'GET',
    path: '/channels',
    discriminator: ['scope', 'app-instance-user-moderated-channels'],
    members: { AppInstanceUserArn: 'string', ...PAGED, ChimeBearer: 'string' },
    status: 200,
    query: { 'app-instance-user-arn': 'AppInstanceUserArn', ...PAGE_QUERY },
    bearer: true,
    resources: [],
    run: (s, r) => s.listChannelsModeratedByAppInstanceUser(r.ChimeBearer, r),
  }),
  operation<sdk.DescribeChannelRequest, sdk.DescribeChannelResponse>('DescribeChannel', {
    method: 'GET',
    path: '/channels/:ChannelArn',
    members: ON_CHANNEL,
    status: 200,
    bearer: true,
    resources: CH,
    run: (s, r) => s.describeChannel(r.ChimeBearer, r),
  }),
  operation<sdk.UpdateChannelRequest, sdk.UpdateChannelResponse>('UpdateChannel', {
    method: 'PUT',
    path: '/channels/:ChannelArn',
    members: { ...ON_CHANNEL, Name: 'string', Mode: CHANNEL_MODES, Metadata: 'string' },
    status: 200,
    bearer: true,
    resources: CH,
    run: (s, r) => s.updateChannel(r.ChimeBearer, r),
  }),
  operation<sdk.DeleteChannelRequest, void>('DeleteChannel', {
    method: 'DELETE',
    path: '/channels/:ChannelArn',
    members: ON_CHANNEL,
    status: 204,
    bearer: true,
    resources: CH,
    run: (s, r) => s.deleteChannel(r.ChimeBearer, r),
  }),
  operation<sdk.CreateChannelMembershipRequest, sdk.CreateChannelMembershipResponse>(
    'CreateChannelMembership',
    {
      method: 'POST',
      path: '/channels/:ChannelArn/memberships',
      members: { ...ON_CHANNEL, MemberArn: 'string', Type: MEMBERSHIP_TYPES, ...SUB_CHANNEL },
      status: 201,
      bearer: true,
      resources: CH,
      run: (s, r) => s.createChannelMembership(r.ChimeBearer, r),
    },
  ),
  operation<sdk.ListChannelMembershipsRequest, sdk.ListChannelMembershipsResponse>(
    'ListChannelMemberships',
    {
      method: 'GET',
      path: '/channels/:ChannelArn/memberships',
      members: { ...ON_CHANNEL, Type: MEMBERSHIP_TYPES, ...PAGED, ...SUB_CHANNEL },
      status: 200,
      query: { type: 'Type', ...PAGE_QUERY, ...SUB_CHANNEL_QUERY },
      bearer: true,
      resources: CH,
      run: (s, r) => s.listChannelMemberships(r.ChimeBearer, r),
    },
  ),
  operation<sdk.DescribeChannelMembershipRequest, sdk.DescribeChannelMembershipResponse>(
    'DescribeChannelMembership',
    {
      method: 'GET',
      path: '/channels/:ChannelArn/memberships/:MemberArn',
      members: { ...ON_CHANNEL, MemberArn: 'string', ...SUB_CHANNEL },
      status: 200,
      query: SUB_CHANNEL_QUERY,
      bearer: true,
      resources: CH,
      run: (s, r) => s.describeChannelMembership(r.ChimeBearer, r),
    },
  ),
  operation<sdk.DeleteChannelMembershipRequest, void>('DeleteChannelMembership', {
    method: 'DELETE',
    path: '/channels/:ChannelArn/memberships/:MemberArn',
    members: { ...ON_CHANNEL, MemberArn: 'string', ...SUB_CHANNEL },
    status: 204,
    query: SUB_CHANNEL_QUERY,
    bearer: true,
    resources: CH,
    run: (s, r) => s.deleteChannelMembership(r.ChimeBearer, r),
  }),
  operation<sdk.CreateChannelModeratorRequest, sdk.CreateChannelModeratorResponse>(
    'CreateChannelModerator',
    {
      method: 'POST',
      path: '/channels/:ChannelArn/moderators',
      members: { ...ON_CHANNEL, ChannelModeratorArn: 'string' },
      status: 201,
      bearer: true,
      resources: CH,
      run: (s, r) => s.createChannelModerator(r.ChimeBearer, r),
    },
  ),
  operation<sdk.ListChannelModeratorsRequest, sdk.ListChannelModeratorsResponse>(
    'ListChannelModerators',
    {
      method: 'GET',
      path: '/channels/:ChannelArn/moderators',
      members: { ...ON_CHANNEL, ...PAGED },
      status: 200,
      query: PAGE_QUERY,
      bearer: true,
      resources: CH,
      run: (s, r) => s.listChannelModerators(r.ChimeBearer, r),
    },
  ),
  operation<sdk.DescribeChannelModeratorRequest, sdk.DescribeChannelModeratorResponse>(
    'DescribeChannelModerator',
    {
      method: 'GET',
      path: '/channels/:ChannelArn/moderators/:ChannelModeratorArn',
      members: { ...ON_CHANNEL, ChannelModeratorArn: 'string' },
      status: 200,
      bearer: true,
      resources: CH,
      run: (s, r) => s.describeChannelModerator(r.ChimeBearer, r),
    },
  ),
  operation<sdk.DeleteChannelModeratorRequest, void>('DeleteChannelModerator', {
    method: 'DELETE',
    path: '/channels/:ChannelArn/moderators/:ChannelModeratorArn',
    members: { ...ON_CHANNEL, ChannelModeratorArn: 'string' },
    status: 204,
    bearer: true,
    resources: CH,
    run: (s, r) => s.deleteChannelModerator(r.ChimeBearer, r),
  }),
  operation<sdk.CreateChannelBanRequest, sdk.CreateChannelBanResponse>('CreateChannelBan', {
    method: 'POST',
    path: '/channels/:ChannelArn/bans',
    members: { ...ON_CHANNEL, MemberArn: 'string' },
    status: 201,
    bearer: true,
    resources: CH,
    run: (s, r) => s.createChannelBan(r.ChimeBearer, r),
  }),
  operation<sdk.ListChannelBansRequest, sdk.ListChannelBansResponse>('ListChannelBans', {
    method: 'GET',
    path: '/channels/:ChannelArn/bans',
    members: { ...ON_CHANNEL, ...PAGED },
    status: 200,
    query: PAGE_QUERY,
    bearer: true,
    resources: CH,
    run: (s, r) => s.listChannelBans(r.ChimeBearer, r),
  }),
  operation<sdk.DescribeChannelBanRequest, sdk.DescribeChannelBanResponse>('DescribeChannelBan', {
    method: 'GET',
    path: '/channels/:ChannelArn/bans/:MemberArn',
    members: { ...ON_CHANNEL, MemberArn: 'string' },
    status: 200,
    bearer: true,
    resources: CH,
    run: (s, r) => s.describeChannelBan(r.ChimeBearer, r),
  }),
  operation<sdk.DeleteChannelBanRequest, void>('DeleteChannelBan', {
    method: 'DELETE',
    path: '/channels/:ChannelArn/bans/:MemberArn',
    members: { ...ON_CHANNEL, MemberArn: 'string' },
    status: 204,
    bearer: true,
    resources: CH,
    run: (s, r) => s.deleteChannelBan(r.ChimeBearer, r),
  }),
  operation<sdk.SendChannelMessageRequest, sdk.SendChannelMessageResponse>('SendChannelMessage', {
    method: 'POST',
    path: '/channels/:ChannelArn/messages',
    members: {
      ...ON_CHANNEL,
      Content: 'string',
      Type: MESSAGE_TYPES,
      Persistence: PERSISTENCE_TYPES,
      Metadata: 'string',
      ClientRequestToken: 'string',
      PushNotification: 'object',
      MessageAttributes: 'object',
      ...SUB_CHANNEL,
      ContentType: 'string',
      Target: 'list',
    },
    status: 201,
    bearer: true,
    resources: CH,
    run: (s, r) => s.sendChannelMessage(r.ChimeBearer, r),
  }),
  operation<sdk.ListChannelMessagesRequest, sdk.ListChannelMessagesResponse>(
    'ListChannelMessages',
    {
      method: 'GET',
      path: '/channels/:ChannelArn/messages',
      members: {
        ...ON_CHANNEL,
        SortOrder: SORT_ORDERS,
        NotBefore: 'timestamp',
        NotAfter: 'timestamp',
        ...PAGED,
        ...SUB_CHANNEL,
      },
      status: 200,
      query: {
        'sort-order': 'SortOrder',
        'not-before': 'NotBefore',
        'not-after': 'NotAfter',
        ...PAGE_QUERY,
        ...SUB_CHANNEL_QUERY,
      },
      bearer: true,
      resources: CH,
      run: (s, r) => s.listChannelMessages(r.ChimeBearer, r),
    },
  ),
  operation<sdk.GetChannelMessageRequest, sdk.GetChannelMessageResponse>('GetChannelMessage', {
    method: 'GET',
    path: '/channels/:ChannelArn/messages/:MessageId',
    members: { ...ON_CHANNEL, MessageId: 'string', ...SUB_CHANNEL },
    status: 200,
    query: SUB_CHANNEL_QUERY,
    bearer: true,
    resources: CH,
    run: (s, r) => s.getChannelMessage(r.ChimeBearer, r),
  }),
  operation<sdk.GetChannelMessageStatusRequest, sdk.GetChannelMessageStatusResponse>(
    'GetChannelMessageStatus',
    {
      method: 'GET',
      path: '/channels/:ChannelArn/messages/:MessageId',
      discriminator: ['scope', 'message-status'],
      members: { ...ON_CHANNEL, MessageId: 'string', ...SUB_CHANNEL },
      status: 200,
      query: SUB_CHANNEL_QUERY,
      bearer: true,
      resources: CH,
      run: (s, r) => s.getChannelMessageStatus(r.ChimeBearer, r),
    },
  ),
  operation<sdk.UpdateChannelMessageRequest, sdk.UpdateChannelMessageResponse>(
    'UpdateChannelMessage',
    {
      method: 'PUT',
      path: '/channels/:ChannelArn/messages/:MessageId',
      members: {
        ...ON_CHANNEL,
        MessageId: 'string',
        Content: 'string',
        Metadata: 'string',
        ...SUB_CHANNEL,
        ContentType: 'string',
      },
      status: 200,
      bearer: true,
      resources: CH,
      run: (s, r) => s.updateChannelMessage(r.ChimeBearer, r),
    },
  ),
  operation<sdk.RedactChannelMessageRequest, sdk.RedactChannelMessageResponse>(
    'RedactChannelMessage',
    {
      method: 'POST',
      path: '/channels/:ChannelArn/messages/:MessageId',
      discriminator: ['operation', 'redact'],
      members: { ...ON_CHANNEL, MessageId: 'string', ...SUB_CHANNEL },
      status: 200,
      bearer: true,
      resources: CH,
      run: (s, r) => s.redactChannelMessage(r.ChimeBearer, r),
    },
  ),
  operation<sdk.UpdateChannelReadMarkerRequest, sdk.UpdateChannelReadMarkerResponse>(
    'UpdateChannelReadMarker',
    {
      method: 'PUT',
      path: '/channels/:ChannelArn/readMarker',
      members: ON_CHANNEL,
      status: 200,
      bearer: true,
      resources: CH,
      run: (s, r) => s.updateChannelReadMarker(r.ChimeBearer, r),
    },
  ),
  operation<sdk.AssociateChannelFlowRequest, never>('AssociateChannelFlow', {
    method: 'PUT',
    path: '/channels/:ChannelArn/channel-flow',
    members: { ...ON_CHANNEL, ChannelFlowArn: 'string' },
    status: 200,
    bearer: true,
    resources: ['ChannelArn', 'ChannelFlowArn'],
    run: (s, r) => s.associateChannelFlow(r.ChimeBearer, r),
  }),
  operation<sdk.DisassociateChannelFlowRequest, never>('DisassociateChannelFlow', {
    method: 'DELETE',
    path: '/channels/:ChannelArn/channel-flow/:ChannelFlowArn',
    members: { ...ON_CHANNEL, ChannelFlowArn: 'string' },
    status: 204,
    bearer: true,
    resources: ['ChannelArn', 'ChannelFlowArn'],
    run: (s, r) => s.disassociateChannelFlow(r.ChimeBearer, r),
  }),
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
