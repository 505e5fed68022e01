import { MessagingError } from '../../sandbox/services/chime-messaging/errors';
import { paginate } from '../../sandbox/services/chime-messaging/pagination';

/** Every page of `items` (given in any order), following NextToken. */
function allPages(items: readonly string[], MaxResults: number, descending = false) {
  const pages: string[][] = [];
  let NextToken: string | undefined;
  do {
    const page = paginate(
      { MaxResults, NextToken },
      { scope: 'List|a', items, key: (s) => s, descending },
    );
    pages.push(page.items);
    NextToken = page.NextToken;
  } while (NextToken !== undefined);
  return pages;
}

function refusal(run: () => unknown): MessagingError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MessagingError);
    return error as MessagingError;
  }
  throw new Error('expected a BadRequestException');
}

describe('paginate (every list operation of the messaging sandbox)', () => {
  it('pages items given in any order by key, ascending or descending', () => {
    expect(allPages(['c', 'a', 'e', 'b', 'd'], 2)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(allPages(['c', 'a', 'e', 'b', 'd'], 2, true)).toEqual([['e', 'd'], ['c', 'b'], ['a']]);
    expect(paginate({}, { scope: 's', items: [3, 1, 2], key: (n) => n })).toEqual({
      items: [1, 2, 3],
    });
  });

  it('gives no NextToken on the last page, even a full one', () => {
    expect(paginate({ MaxResults: 2 }, { scope: 's', items: ['a', 'b'], key: (s) => s })).toEqual({
      items: ['a', 'b'],
    });
  });

  it('defaults MaxResults to 50 and refuses anything but an integer from 1 to 50', () => {
    const items = Array.from({ length: 60 }, (_, i) => i);
    expect(paginate({}, { scope: 's', items, key: (n) => n }).items).toHaveLength(50);
    for (const MaxResults of [0, 51, 1.5, -1]) {
      const error = refusal(() => paginate({ MaxResults }, { scope: 's', items, key: (n) => n }));
      expect(error.code).toBe('BadRequestException');
      expect(error.message).toBe('MaxResults must be an integer from 1 to 50');
    }
  });

  it("continues after the token's item, so items added between pages neither repeat nor skip", () => {
    const first = paginate(
      { MaxResults: 2 },
      { scope: 's', items: ['b', 'd', 'f'], key: (s) => s },
    );
    expect(first.items).toEqual(['b', 'd']);
    const next = paginate(
      { MaxResults: 2, NextToken: first.NextToken },
      { scope: 's', items: ['a', 'b', 'c', 'd', 'e', 'f'], key: (s) => s },
    );
    expect(next.items).toEqual(['e', 'f']);
  });

  it('refuses a token of another list, or a made-up one', () => {
    const { NextToken } = paginate(
      { MaxResults: 1 },
      { scope: 'ListChannelBans|x', items: ['a', 'b'], key: (s) => s },
    );
    for (const token of [
      NextToken,
      'not-a-token',
      Buffer.from('{"s":"s"}').toString('base64url'),
    ]) {
      const error = refusal(() =>
        paginate(
          { NextToken: token },
          { scope: 'ListChannelModerators|x', items: ['a'], key: (s) => s },
        ),
      );
      expect(error.message).toBe('Invalid NextToken');
    }
  });
});
