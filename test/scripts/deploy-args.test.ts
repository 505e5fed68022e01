import { STACK_NAME } from '../../infra/chime-cognito-auth-stack';
import { UsageError } from '../../scripts/cli';
import { cdkDeployArgs, outputsFileOf } from '../../scripts/deploy-args';

const previousOutputs = {
  [STACK_NAME]: { HostedUiDomain: 'my-chat.auth.us-east-1.amazoncognito.com' },
};

describe('cdkDeployArgs', () => {
  test('in a terminal: the user arguments first, then outputs file and approval level', () => {
    const { args, outputsFile } = cdkDeployArgs(['-c', 'hostedUiDomainPrefix=my-chat'], {
      interactive: true,
    });
    expect(args).toEqual([
      'deploy',
      '-c',
      'hostedUiDomainPrefix=my-chat',
      '--outputs-file',
      'cdk-outputs.json',
      '--require-approval',
      'broadening',
    ]);
    expect(outputsFile).toBe('cdk-outputs.json');
  });

  test('without a terminal and without --require-approval: refused before anything runs', () => {
    expect(() => cdkDeployArgs(['-c', 'x=y'], { interactive: false })).toThrow(UsageError);
    expect(() => cdkDeployArgs([], { interactive: false })).toThrow(/--require-approval never/);
  });

  test.each([
    [['--require-approval', 'never']],
    [['--require-approval=never']],
    [['--require-approval', 'broadening']],
  ])('an explicit approval level %p is passed through as given, once', (given) => {
    const { args } = cdkDeployArgs(given, { interactive: false });
    expect(args.filter((a) => a.startsWith('--require-approval'))).toHaveLength(1);
    expect(args.slice(1, 1 + given.length)).toEqual(given);
  });

  test.each([
    [['--outputs-file', 'out/o.json'], 'out/o.json'],
    [['--outputs-file=o.json'], 'o.json'],
    [['-O', 'o.json'], 'o.json'],
  ])('a given outputs file %p is used and not added again', (given, file) => {
    const { args, outputsFile } = cdkDeployArgs(given, { interactive: true });
    expect(outputsFile).toBe(file);
    expect(outputsFileOf(given)).toBe(file);
    expect(args.filter((a) => a.startsWith('--outputs-file') || a === '-O')).toHaveLength(1);
  });

  test("passes the last deploy's hosted UI domain as context, unless the user sets it", () => {
    expect(cdkDeployArgs([], { interactive: true, previousOutputs }).args).toEqual(
      expect.arrayContaining([
        '-c',
        'deployedHostedUiDomain=my-chat.auth.us-east-1.amazoncognito.com',
      ]),
    );
    const own = cdkDeployArgs(['-c', 'deployedHostedUiDomain=x.auth.us-east-1.amazoncognito.com'], {
      interactive: true,
      previousOutputs,
    }).args;
    expect(own.filter((a) => a.startsWith('deployedHostedUiDomain='))).toEqual([
      'deployedHostedUiDomain=x.auth.us-east-1.amazoncognito.com',
    ]);
    // No previous deploy, or one without a hosted UI: nothing to compare with.
    expect(cdkDeployArgs([], { interactive: true }).args.join(' ')).not.toContain('deployed');
    expect(
      cdkDeployArgs([], { interactive: true, previousOutputs: { [STACK_NAME]: {} } }).args.join(
        ' ',
      ),
    ).not.toContain('deployed');
  });
});
