import { AwsError } from '../../sandbox/core/errors';
import { DECISION_TTL_MS, DecisionCache } from '../../sandbox/services/chime-messaging';
import type { SandboxContext } from '../../sandbox/server';

type Caller = Parameters<SandboxContext['authorize']>[0];

const caller = (accessKeyId: string) => ({ session: { accessKeyId } }) as unknown as Caller;

describe('DecisionCache', () => {
  it('asks IAM once per session, action and resource, and repeats denials', async () => {
    let now = 1_000;
    const asked: string[] = [];
    const authorize: SandboxContext['authorize'] = (c, request) => {
      asked.push(`${c.session.accessKeyId} ${request.action} ${request.resource}`);
      return request.resource.endsWith('/bob')
        ? Promise.reject(new AwsError('ForbiddenException', 'denied', 403))
        : Promise.resolve();
    };
    const cache = new DecisionCache(authorize, () => now);
    await cache.check(caller('K1'), 'chime:SendChannelMessage', 'arn/alice');
    await cache.check(caller('K1'), 'chime:SendChannelMessage', 'arn/alice');
    await expect(cache.check(caller('K1'), 'chime:SendChannelMessage', 'arn/bob')).rejects.toThrow(
      'denied',
    );
    await expect(cache.check(caller('K1'), 'chime:SendChannelMessage', 'arn/bob')).rejects.toThrow(
      'denied',
    );
    await cache.check(caller('K2'), 'chime:SendChannelMessage', 'arn/alice');
    await cache.check(caller('K1'), 'chime:ListChannelMessages', 'arn/alice');
    expect(asked).toHaveLength(4);
    now += DECISION_TTL_MS;
    await cache.check(caller('K1'), 'chime:SendChannelMessage', 'arn/alice');
    expect(asked).toHaveLength(5);
  });

  it('does not keep unexpected failures', async () => {
    let calls = 0;
    const cache = new DecisionCache(() => {
      calls += 1;
      return calls === 1 ? Promise.reject(new Error('engine crashed')) : Promise.resolve();
    });
    await expect(cache.check(caller('K1'), 'chime:Connect', 'arn/alice')).rejects.toThrow(
      'crashed',
    );
    await cache.check(caller('K1'), 'chime:Connect', 'arn/alice');
    expect(calls).toBe(2);
  });
});
