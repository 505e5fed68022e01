/**
 * The chat as the signed-in person may use it: every call carries their own AppInstanceUser ARN
 * as the bearer, and answers in the demo's own shapes (model.ts, messages.ts) so the reducer never
 * sees an SDK type. Errors are thrown as they come; the wiring words them (errors.ts).
 */
import {
  type ChimeSDKMessagingClient,
  CreateChannelCommand,
  CreateChannelMembershipCommand,
  DeleteChannelCommand,
  DeleteChannelMembershipCommand,
  ListChannelMembershipsCommand,
  ListChannelMembershipsForAppInstanceUserCommand,
  ListChannelMessagesCommand,
  ListChannelModeratorsCommand,
  RedactChannelMessageCommand,
  SendChannelMessageCommand,
  UpdateChannelMessageCommand,
} from '@aws-sdk/client-chime-sdk-messaging';
import { appInstanceUserArn } from '../../contracts/chime-arns';
import { ApiError, lookUpUserByEmail } from '../../contracts/http-api';
import { isEmailQuery } from './limits';
import { type ChatMessage, toChatMessage } from './messages';
import type { Channel, Member, Mode, Privacy } from './model';

export const PAGE_SIZE = 50;

/**
 * Turns what a person typed into a member to add: a user id (their `sub`), or an email the
 * project's people API (`GET <apiUrl>/users?email=`, docs/people.md) resolves to the same
 * `{ arn, name }`.
 */
export interface PeopleDirectory {
  resolve(query: string): Promise<{ readonly arn: string; readonly name?: string }>;
}

export function userIdDirectory(appInstanceArn: string): PeopleDirectory {
  return {
    resolve: (userId) =>
      Promise.resolve({ arn: appInstanceUserArn(appInstanceArn, userId.trim()) }),
  };
}

/** The people API answered `{"user": null}`: no active person has exactly this address. */
export class PersonNotFoundError extends Error {
  constructor() {
    super('no one with this email address');
    this.name = 'PersonNotFoundError';
  }
}

/** This site's config names no HTTP API (`apiUrl`), so there is no one to ask about an email. */
export class PeopleApiMissingError extends Error {
  constructor() {
    super('this site has no people API (apiUrl)');
    this.name = 'PeopleApiMissingError';
  }
}

/** The people API could not be asked (network, a malformed answer, no ID token). */
export class PeopleApiUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`the people API could not be asked: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'PeopleApiUnavailableError';
  }
}

/**
 * Emails through the people API with the caller's ID token; anything else is a user id. One
 * lookup per "Add", never per keystroke: the API counts lookups (30 a minute per person).
 */
export function peopleDirectory(options: {
  appInstanceArn: string;
  apiUrl?: string;
  idToken: () => Promise<string>;
}): PeopleDirectory {
  const byId = userIdDirectory(options.appInstanceArn);
  return {
    async resolve(query) {
      const text = query.trim();
      if (!isEmailQuery(text)) return byId.resolve(text);
      if (!options.apiUrl) throw new PeopleApiMissingError();
      let found;
      try {
        found = await lookUpUserByEmail(options.apiUrl, await options.idToken(), text);
      } catch (error) {
        // The API's own answers (400, 401, 429, 5xx) keep their status; anything else is "down".
        if (error instanceof ApiError) throw error;
        throw new PeopleApiUnavailableError(error);
      }
      if (!found) throw new PersonNotFoundError();
      return { arn: found.appInstanceUserArn, name: found.name };
    },
  };
}

export interface ConversationPage {
  readonly messages: readonly ChatMessage[];
  readonly olderToken?: string;
  readonly members: readonly Member[];
  readonly moderators: readonly string[];
}

/** What happened when these credentials tried to act as another user. */
export type ActAsOutcome =
  | { readonly refused: true; readonly status?: number; readonly code: string }
  | { readonly refused: false };

export interface ChatApi {
  /** My AppInstanceUser ARN: the bearer of every call. */
  readonly me: string;
  listChannels(): Promise<Channel[]>;
  loadConversation(channelArn: string): Promise<ConversationPage>;
  olderMessages(
    channelArn: string,
    token: string,
  ): Promise<{ messages: ChatMessage[]; olderToken?: string }>;
  /** Every message created at or after `since` (epoch ms), oldest first: a reconnect's catch-up. */
  messagesSince(channelArn: string, since: number): Promise<ChatMessage[]>;
  createChannel(
    input: { name: string; privacy: Privacy; mode: Mode },
    token: string,
  ): Promise<Channel>;
  addMember(channelArn: string, person: string): Promise<Member>;
  /** Adds an AppInstanceUser I already know by ARN (an invited guest). */
  addMemberByArn(channelArn: string, memberArn: string): Promise<Member>;
  removeMember(channelArn: string, memberArn: string): Promise<void>;
  leave(channelArn: string): Promise<void>;
  deleteChannel(channelArn: string): Promise<void>;
  /** `token` is the ClientRequestToken: a retry with the same one never posts twice. */
  send(channelArn: string, content: string, token: string): Promise<{ messageId: string }>;
  edit(channelArn: string, messageId: string, content: string): Promise<void>;
  redact(channelArn: string, messageId: string): Promise<void>;
  /** Lists `userId`'s channels with `userId` as the bearer: IAM must refuse it. */
  tryActAs(userId: string): Promise<ActAsOutcome>;
}

function httpStatus(error: unknown): number | undefined {
  const status = (error as { $metadata?: { httpStatusCode?: unknown } })?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Every page of a paginated list, in order. */
async function allPages<T>(
  page: (token: string | undefined) => Promise<{ items: T[]; next?: string | undefined }>,
): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const result = await page(token);
    items.push(...result.items);
    token = result.next;
  } while (token);
  return items;
}

function toMillis(value: Date | undefined): number | undefined {
  return value ? value.getTime() : undefined;
}

export function createChatApi(
  client: ChimeSDKMessagingClient,
  options: { appInstanceArn: string; userId: string; people?: PeopleDirectory },
): ChatApi {
  const me = appInstanceUserArn(options.appInstanceArn, options.userId);
  const people = options.people ?? userIdDirectory(options.appInstanceArn);
  const bearer = { ChimeBearer: me };

  const messagePage = async (
    channelArn: string,
    params: { NextToken?: string; NotBefore?: Date; SortOrder: 'ASCENDING' | 'DESCENDING' },
  ) => {
    const page = await client.send(
      new ListChannelMessagesCommand({
        ...bearer,
        ChannelArn: channelArn,
        MaxResults: PAGE_SIZE,
        ...params,
      }),
    );
    const messages = (page.ChannelMessages ?? []).flatMap((raw) => {
      const m = toChatMessage(raw, channelArn);
      return m ? [m] : [];
    });
    return { messages, ...(page.NextToken && { olderToken: page.NextToken }) };
  };

  const allMembers = (channelArn: string): Promise<Member[]> =>
    allPages(async (token) => {
      const page = await client.send(
        new ListChannelMembershipsCommand({
          ...bearer,
          ChannelArn: channelArn,
          MaxResults: PAGE_SIZE,
          ...(token && { NextToken: token }),
        }),
      );
      const members = (page.ChannelMemberships ?? []).flatMap((m): Member[] => {
        const arn = m.Member?.Arn;
        return arn ? [{ arn, ...(m.Member?.Name && { name: m.Member.Name }) }] : [];
      });
      return { items: members, next: page.NextToken };
    });

  const moderators = (channelArn: string): Promise<string[]> =>
    allPages(async (token) => {
      const page = await client.send(
        new ListChannelModeratorsCommand({
          ...bearer,
          ChannelArn: channelArn,
          MaxResults: PAGE_SIZE,
          ...(token && { NextToken: token }),
        }),
      );
      const arns = (page.ChannelModerators ?? []).flatMap((m) =>
        m.Moderator?.Arn ? [m.Moderator.Arn] : [],
      );
      return { items: arns, next: page.NextToken };
    });

  const addByArn = async (channelArn: string, arn: string, name?: string): Promise<Member> => {
    const added = await client.send(
      new CreateChannelMembershipCommand({
        ...bearer,
        ChannelArn: channelArn,
        MemberArn: arn,
        Type: 'DEFAULT',
      }),
    );
    const answeredName = added.Member?.Name ?? name;
    return { arn, ...(answeredName && { name: answeredName }) };
  };

  return {
    me,

    listChannels: () =>
      allPages(async (token) => {
        const page = await client.send(
          new ListChannelMembershipsForAppInstanceUserCommand({
            ...bearer,
            AppInstanceUserArn: me,
            MaxResults: PAGE_SIZE,
            ...(token && { NextToken: token }),
          }),
        );
        const channels = (page.ChannelMemberships ?? []).flatMap((m): Channel[] => {
          const s = m.ChannelSummary;
          if (!s?.ChannelArn) return [];
          const lastMessageAt = toMillis(s.LastMessageTimestamp);
          return [
            {
              arn: s.ChannelArn,
              name: s.Name ?? '',
              privacy: s.Privacy === 'PUBLIC' ? 'PUBLIC' : 'PRIVATE',
              mode: s.Mode === 'RESTRICTED' ? 'RESTRICTED' : 'UNRESTRICTED',
              ...(lastMessageAt !== undefined && { lastMessageAt }),
            },
          ];
        });
        return { items: channels, next: page.NextToken };
      }),

    async loadConversation(channelArn) {
      const [page, members, mods] = await Promise.all([
        messagePage(channelArn, { SortOrder: 'DESCENDING' }),
        allMembers(channelArn),
        moderators(channelArn),
      ]);
      return { ...page, members, moderators: mods };
    },

    olderMessages: (channelArn, token) =>
      messagePage(channelArn, { SortOrder: 'DESCENDING', NextToken: token }),

    messagesSince: (channelArn, since) =>
      allPages(async (token) => {
        const page = await messagePage(channelArn, {
          SortOrder: 'ASCENDING',
          NotBefore: new Date(since),
          ...(token && { NextToken: token }),
        });
        return { items: page.messages, next: page.olderToken };
      }),

    async createChannel(input, token) {
      const created = await client.send(
        new CreateChannelCommand({
          ...bearer,
          AppInstanceArn: options.appInstanceArn,
          Name: input.name,
          Privacy: input.privacy,
          Mode: input.mode,
          ClientRequestToken: token,
        }),
      );
      if (!created.ChannelArn) throw new Error('CreateChannel answered without a ChannelArn');
      return { arn: created.ChannelArn, ...input };
    },

    async addMember(channelArn, person) {
      const { arn, name } = await people.resolve(person);
      return addByArn(channelArn, arn, name);
    },

    addMemberByArn: (channelArn, memberArn) => addByArn(channelArn, memberArn),

    async removeMember(channelArn, memberArn) {
      await client.send(
        new DeleteChannelMembershipCommand({
          ...bearer,
          ChannelArn: channelArn,
          MemberArn: memberArn,
        }),
      );
    },

    async leave(channelArn) {
      await client.send(
        new DeleteChannelMembershipCommand({ ...bearer, ChannelArn: channelArn, MemberArn: me }),
      );
    },

    async deleteChannel(channelArn) {
      await client.send(new DeleteChannelCommand({ ...bearer, ChannelArn: channelArn }));
    },

    async send(channelArn, content, token) {
      const sent = await client.send(
        new SendChannelMessageCommand({
          ...bearer,
          ChannelArn: channelArn,
          Content: content,
          Type: 'STANDARD',
          Persistence: 'PERSISTENT',
          ClientRequestToken: token,
        }),
      );
      if (!sent.MessageId) throw new Error('SendChannelMessage answered without a MessageId');
      return { messageId: sent.MessageId };
    },

    async edit(channelArn, messageId, content) {
      await client.send(
        new UpdateChannelMessageCommand({
          ...bearer,
          ChannelArn: channelArn,
          MessageId: messageId,
          Content: content,
        }),
      );
    },

    async redact(channelArn, messageId) {
      await client.send(
        new RedactChannelMessageCommand({
          ...bearer,
          ChannelArn: channelArn,
          MessageId: messageId,
        }),
      );
    },

    async tryActAs(userId) {
      const other = appInstanceUserArn(options.appInstanceArn, userId.trim());
      try {
        await client.send(
          new ListChannelMembershipsForAppInstanceUserCommand({
            ChimeBearer: other,
            AppInstanceUserArn: other,
          }),
        );
        return { refused: false };
      } catch (error) {
        const status = httpStatus(error);
        const code = (error as { name?: unknown })?.name;
        if (status !== 403 && status !== 401) throw error;
        return {
          refused: true,
          status,
          code: typeof code === 'string' ? code : 'ForbiddenException',
        };
      }
    },
  };
}
