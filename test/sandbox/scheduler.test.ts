import { rateMs } from '../../sandbox/services/scheduler';

describe('rateMs', () => {
  it.each([
    ['rate(1 hour)', 3_600_000],
    ['rate(5 minutes)', 300_000],
    ['rate(2 days)', 172_800_000],
    ['rate(1 minute)', 60_000],
  ])('%s -> %d ms', (expression, ms) => {
    expect(rateMs(expression)).toBe(ms);
  });

  it.each(['cron(0 * * * ? *)', 'rate(1 week)', 'rate(-1 hours)', 'at(2030-01-01T00:00:00)', ''])(
    '%s is not a rate the sandbox times',
    (expression) => {
      expect(rateMs(expression)).toBeUndefined();
    },
  );
});
