import { interpretEvent } from '../../web-demo/src/events';

const CHANNEL = 'arn:aws:chime:us-east-1:111122223333:app-instance/abc/channel/c1';
const BOB = 'arn:aws:chime:us-east-1:111122223333:app-instance/abc/user/bob-sub';

const messagePayload = {
  ChannelArn: CHANNEL,
  MessageId: 'm1',
  Content: 'hi bob',
  Type: 'STANDARD',
  CreatedTimestamp: '2026-11-26T10:00:00.000Z',
  LastUpdatedTimestamp: '2026-11-26T10:00:00.000Z',
  Redacted: false,
  Persistence: 'PERSISTENT',
  Sender: { Arn: BOB, Name: 'bob@example.com' },
};

describe('interpretEvent', () => {
  it('reads a created message from a JSON string payload (as AWS sends it)', () => {
    const event = interpretEvent('CREATE_CHANNEL_MESSAGE', JSON.stringify(messagePayload));
    expect(event).toEqual({
      kind: 'message',
      created: true,
      message: expect.objectContaining({ id: 'm1', content: 'hi bob', channelArn: CHANNEL }),
    });
  });

  it('marks a redaction even if the payload still carries the text', () => {
    const event = interpretEvent('REDACT_CHANNEL_MESSAGE', { ...messagePayload });
    expect(event).toEqual({
      kind: 'message',
      created: false,
      message: expect.objectContaining({ redacted: true, content: '' }),
    });
  });

  it('reads an edit', () => {
    const event = interpretEvent('UPDATE_CHANNEL_MESSAGE', {
      ...messagePayload,
      Content: 'edited',
      LastEditedTimestamp: '2026-11-26T10:01:00.000Z',
    });
    expect(event).toEqual({
      kind: 'message',
      created: false,
      message: expect.objectContaining({ content: 'edited', edited: true }),
    });
  });

  it('reads membership changes', () => {
    const payload = { ChannelArn: CHANNEL, Member: { Arn: BOB }, Type: 'DEFAULT' };
    expect(interpretEvent('CREATE_CHANNEL_MEMBERSHIP', payload)).toEqual({
      kind: 'membership',
      channelArn: CHANNEL,
      memberArn: BOB,
      joined: true,
    });
    expect(interpretEvent('DELETE_CHANNEL_MEMBERSHIP', payload)).toMatchObject({ joined: false });
    // The member's Name, when the payload carries it: the UI never shows a bare id.
    expect(
      interpretEvent('CREATE_CHANNEL_MEMBERSHIP', {
        ...payload,
        Member: { Arn: BOB, Name: 'bob' },
      }),
    ).toMatchObject({ memberName: 'bob' });
  });

  it('reads channel updates, deletions and deleted messages', () => {
    expect(interpretEvent('UPDATE_CHANNEL', { ChannelArn: CHANNEL, Name: 'renamed' })).toEqual({
      kind: 'channelUpdated',
      channelArn: CHANNEL,
      name: 'renamed',
    });
    expect(interpretEvent('DELETE_CHANNEL', { ChannelArn: CHANNEL })).toEqual({
      kind: 'channelDeleted',
      channelArn: CHANNEL,
    });
    expect(
      interpretEvent('DELETE_CHANNEL_MESSAGE', { ChannelArn: CHANNEL, MessageId: 'm1' }),
    ).toEqual({ kind: 'messageDeleted', channelArn: CHANNEL, messageId: 'm1' });
  });

  it('ignores unknown types, broken JSON and incomplete payloads', () => {
    expect(interpretEvent('CHANNEL_DETAILS', { ChannelArn: CHANNEL })).toEqual({
      kind: 'ignored',
      type: 'CHANNEL_DETAILS',
    });
    expect(interpretEvent('CREATE_CHANNEL_MESSAGE', '{not json')).toMatchObject({
      kind: 'ignored',
    });
    expect(interpretEvent('CREATE_CHANNEL_MESSAGE', { ChannelArn: CHANNEL })).toMatchObject({
      kind: 'ignored',
    });
    expect(interpretEvent('CREATE_CHANNEL_MEMBERSHIP', { ChannelArn: CHANNEL })).toMatchObject({
      kind: 'ignored',
    });
  });
});
