import { MissingEnvironmentVariableError, requireEnv } from '../../lambdas/lib/env';

describe('requireEnv', () => {
  test('returns the value of a set variable', () => {
    expect(requireEnv('APP_INSTANCE_ARN', { APP_INSTANCE_ARN: 'arn:x' })).toBe('arn:x');
  });

  test.each([
    ['missing', {}],
    ['empty', { APP_INSTANCE_ARN: '' }],
    ['blank', { APP_INSTANCE_ARN: '   ' }],
  ])('%s: throws an error naming the variable', (_, env) => {
    const error = (() => {
      try {
        requireEnv('APP_INSTANCE_ARN', env);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(MissingEnvironmentVariableError);
    expect((error as MissingEnvironmentVariableError).variableName).toBe('APP_INSTANCE_ARN');
    expect((error as Error).message).toBe(
      'environment variable APP_INSTANCE_ARN is not set (it is set by the CDK stack)',
    );
  });

  test('a handler module fails at load when its variable is missing', async () => {
    const saved = process.env.APP_INSTANCE_ARN;
    delete process.env.APP_INSTANCE_ARN;
    try {
      await jest.isolateModulesAsync(async () => {
        await expect(import('../../lambdas/post-confirmation')).rejects.toThrow(
          'environment variable APP_INSTANCE_ARN is not set',
        );
      });
    } finally {
      if (saved !== undefined) process.env.APP_INSTANCE_ARN = saved;
    }
  });
});
