import fc from 'fast-check';
import {
  type ChatMessage,
  catchUpFrom,
  mergeMessages,
  removeMessage,
  toChatMessage,
} from '../../web-demo/src/messages';

const CHANNEL = 'arn:aws:chime:us-east-1:111122223333:app-instance/abc/channel/c1';
const ALICE = 'arn:aws:chime:us-east-1:111122223333:app-instance/abc/user/alice-sub';

function message(id: string, createdAt: number, extra: Partial<ChatMessage> = {}): ChatMessage {
  return {
    id,
    channelArn: CHANNEL,
    content: `text ${id}`,
    senderArn: ALICE,
    senderName: 'alice',
    createdAt,
    updatedAt: createdAt,
    edited: false,
    redacted: false,
    ...extra,
  };
}

describe('toChatMessage', () => {
  it('reads an SDK message (Date timestamps)', () => {
    const m = toChatMessage(
      {
        MessageId: 'm1',
        Content: 'hello',
        Sender: { Arn: ALICE, Name: 'Alice' },
        CreatedTimestamp: new Date('2026-11-26T10:00:00Z'),
        LastUpdatedTimestamp: new Date('2026-11-26T10:00:00Z'),
      },
      CHANNEL,
    );
    expect(m).toEqual({
      id: 'm1',
      channelArn: CHANNEL,
      content: 'hello',
      senderArn: ALICE,
      senderName: 'Alice',
      createdAt: Date.parse('2026-11-26T10:00:00Z'),
      updatedAt: Date.parse('2026-11-26T10:00:00Z'),
      edited: false,
      redacted: false,
    });
  });

  it('reads an event payload (ISO strings, channel in the payload) and marks edits', () => {
    const m = toChatMessage({
      MessageId: 'm1',
      ChannelArn: CHANNEL,
      Content: 'fixed',
      Sender: { Arn: ALICE },
      CreatedTimestamp: '2026-11-26T10:00:00.000Z',
      LastEditedTimestamp: '2026-11-26T10:05:00.000Z',
    });
    expect(m?.edited).toBe(true);
    expect(m?.updatedAt).toBe(Date.parse('2026-11-26T10:05:00Z'));
    // No Name in the payload: no made-up name from the id (the UI says "Unknown person").
    expect(m?.senderName).toBeUndefined();
  });

  it('treats epoch seconds as seconds', () => {
    expect(
      toChatMessage({ MessageId: 'm', CreatedTimestamp: 1_790_000_000 }, CHANNEL)?.createdAt,
    ).toBe(1_790_000_000_000);
  });

  it('drops the content of a redacted message', () => {
    const m = toChatMessage(
      { MessageId: 'm', Content: 'secret', Redacted: true, CreatedTimestamp: 1 },
      CHANNEL,
    );
    expect(m).toMatchObject({ redacted: true, content: '' });
  });

  it('rejects a message without id, time or channel', () => {
    expect(toChatMessage({ CreatedTimestamp: 1 }, CHANNEL)).toBeUndefined();
    expect(toChatMessage({ MessageId: 'm' }, CHANNEL)).toBeUndefined();
    expect(
      toChatMessage({ MessageId: 'm', CreatedTimestamp: 'not a date' }, CHANNEL),
    ).toBeUndefined();
    expect(toChatMessage({ MessageId: 'm', CreatedTimestamp: 1 })).toBeUndefined();
  });
});

describe('mergeMessages', () => {
  it('keeps one copy of a message seen both over REST and the WebSocket', () => {
    const restPage = [message('a', 1), message('b', 2)];
    const afterEvent = mergeMessages(restPage, [message('b', 2)]);
    expect(afterEvent).toBe(restPage);
    expect(afterEvent.map((m) => m.id)).toEqual(['a', 'b']);
  });

  it('sorts by creation time whatever the arrival order', () => {
    const merged = mergeMessages([message('c', 3)], [message('a', 1), message('b', 2)]);
    expect(merged.map((m) => m.id)).toEqual(['a', 'b', 'c']);
  });

  it('takes the newer version of an edited message and ignores a stale one', () => {
    const edited = message('a', 1, { content: 'v2', updatedAt: 5, edited: true });
    const merged = mergeMessages([message('a', 1)], [edited]);
    expect(merged[0]).toBe(edited);
    expect(mergeMessages(merged, [message('a', 1)])).toBe(merged);
  });

  it('never brings back the text of a redacted message', () => {
    const redacted = message('a', 1, { content: '', redacted: true, updatedAt: 3 });
    const lateEdit = message('a', 1, { content: 'v2', edited: true, updatedAt: 9 });
    const merged = mergeMessages([redacted], [lateEdit]);
    expect(merged[0]).toBe(redacted);
  });

  it('lets the server copy replace the optimistic local copy of a sent message', () => {
    const local = message('a', 100, { updatedAt: 0 });
    const server = message('a', 98);
    expect(mergeMessages([local], [server])[0]).toBe(server);
    expect(mergeMessages([server], [local])[0]).toBe(server);
  });

  it('after a reconnect catch-up, holds every message exactly once, in order', () => {
    const ids = fc.uniqueArray(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(ids, fc.nat(), fc.nat(), (times, cut, overlap) => {
        // The channel's history, oldest first; the client saw a prefix of it live.
        const all = times
          .map((t) => message(`m${t}`, t * 10))
          .sort((a, b) => a.createdAt - b.createdAt);
        const seenLive = all.slice(0, cut % (all.length + 1));
        // The catch-up page starts at (or before) the last seen message: an overlap.
        const from = Math.max(0, seenLive.length - 1 - (overlap % 3));
        const catchUp = all.slice(from);
        const merged = mergeMessages(seenLive, catchUp);
        expect(merged.map((m) => m.id)).toEqual(all.map((m) => m.id));
      }),
    );
  });
});

describe('catchUpFrom', () => {
  it('starts at the newest creation time seen', () => {
    expect(catchUpFrom([message('a', 5), message('b', 9), message('c', 7)])).toEqual(new Date(9));
  });
  it('has nothing to start from when no message was seen', () => {
    expect(catchUpFrom([])).toBeUndefined();
  });
  it("never starts at a provisional copy (its time is the browser's clock, maybe ahead)", () => {
    const provisional = { ...message('p', 99), provisional: true };
    expect(catchUpFrom([message('a', 5), provisional])).toEqual(new Date(5));
  });
});

describe('provisional copies', () => {
  it("the service's copy replaces the browser's, whatever their times", () => {
    const provisional = { ...message('a', 50), content: 'mine', provisional: true };
    const real = { ...message('a', 40), content: 'mine', updatedAt: 40 };
    expect(mergeMessages([provisional], [real])).toEqual([real]);
    expect(mergeMessages([real], [provisional])).toEqual([real]);
  });
});

describe('removeMessage', () => {
  it('drops the message and returns the same list when it is absent', () => {
    const list = [message('a', 1), message('b', 2)];
    expect(removeMessage(list, 'a').map((m) => m.id)).toEqual(['b']);
    expect(removeMessage(list, 'zzz')).toBe(list);
  });
});
