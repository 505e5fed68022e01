/**
 * The sandbox driven by a client this project did not write: the AWS CLI v2 (Debian's `awscli`,
 * botocore inside: no x-amz-content-sha256, its own header set, its own request encodings).
 * Every call is `/usr/bin/aws`'s, with a throw-away HOME and config (never the developer's
 * profiles or environment credentials) and `--endpoint-url` pointing at the sandbox.
 *
 * Sign-up -> confirm (code from /_sandbox/codes) -> sign-in (SRP) -> GetId -> GetCredentialsForIdentity
 * -> STS, Chime SDK identity and messaging with those credentials; the administrator's
 * credentials for AdminGetUser; DynamoDB with a function's role; and the refusals the CLI prints
 * as AWS's.
 *
 * The calls of this file run one after another in one Python process, through the CLI's own entry
 * point (clients/aws-cli.ts: a fresh `aws` process is 0.6-0.8 s of CPU, the same call there about
 * 0.1 s); the first test checks that it answers exactly as the `aws` command does. State a test
 * only reads (a second user, the messages it pages through) is made with the SDK; every call whose
 * answer is asserted is the CLI's.
 */
import {
  ChimeSDKMessagingClient,
  CreateChannelCommand,
  SendChannelMessageCommand,
} from '@aws-sdk/client-chime-sdk-messaging';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestSandbox, TEST_PASSWORD, startTestSandbox } from '../../sandbox/testing';
import { SrpClient } from '../../sandbox/services/user-pool/srp';
import { type AwsCli, type CliResult, awsCliDriver, runAwsCommand } from './clients/aws-cli';
import { peopleLookupCounters } from './support';

const AWS_CLI = '/usr/bin/aws';

interface Credentials {
  readonly AccessKeyId: string;
  readonly SecretKey: string;
  readonly SessionToken: string;
}

let sandbox: TestSandbox;
let home: string;
let cli: AwsCli;

beforeAll(async () => {
  if (!existsSync(AWS_CLI)) {
    throw new Error(`no AWS CLI at ${AWS_CLI}: install Debian's awscli (.ci/run does)`);
  }
  home = mkdtempSync(join(tmpdir(), 'aws-cli-home-'));
  writeFileSync(join(home, 'config'), '');
  writeFileSync(join(home, 'credentials'), '');
  cli = awsCliDriver(AWS_CLI);
  sandbox = await startTestSandbox();
}, 180_000);
afterAll(async () => {
  await cli?.close();
  await sandbox?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

/** The environment and arguments of a call to the sandbox; `credentials` are the only ones it finds. */
function cliCall(
  args: readonly string[],
  options: { credentials?: Credentials; region?: string } = {},
): { argv: string[]; env: NodeJS.ProcessEnv } {
  const env: NodeJS.ProcessEnv = {
    PATH: '/usr/bin:/bin',
    HOME: home,
    AWS_CONFIG_FILE: join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    LANG: 'C.UTF-8',
    ...(options.credentials && {
      AWS_ACCESS_KEY_ID: options.credentials.AccessKeyId,
      AWS_SECRET_ACCESS_KEY: options.credentials.SecretKey,
      AWS_SESSION_TOKEN: options.credentials.SessionToken,
    }),
  };
  const argv = [
    ...args,
    '--endpoint-url',
    sandbox.url,
    '--region',
    options.region ?? sandbox.config.region,
    '--output',
    'json',
  ];
  return { argv, env };
}

/** Runs the CLI against the sandbox; `credentials` (if any) are the only ones it can find. */
function aws(
  args: readonly string[],
  options: { credentials?: Credentials; region?: string } = {},
): Promise<CliResult> {
  const { argv, env } = cliCall(args, options);
  return cli.run(argv, env);
}

/** The parsed output of a call that must succeed. */
async function awsJson<T = Record<string, unknown>>(
  args: readonly string[],
  options?: { credentials?: Credentials; region?: string },
): Promise<T> {
  const result = await aws(args, options);
  if (result.code !== 0) {
    throw new Error(`aws ${args.slice(0, 2).join(' ')} failed (${result.code}): ${result.stderr}`);
  }
  return JSON.parse(result.stdout) as T;
}

const admin = (): Credentials => ({
  AccessKeyId: sandbox.adminCredentials.accessKeyId,
  SecretKey: sandbox.adminCredentials.secretAccessKey,
  SessionToken: sandbox.adminCredentials.sessionToken,
});

async function signUpAndConfirm(email: string): Promise<string> {
  const { config } = sandbox;
  const signUp = await awsJson<{ UserSub: string; UserConfirmed: boolean }>([
    'cognito-idp',
    'sign-up',
    '--client-id',
    config.userPoolClientId,
    '--username',
    email,
    '--password',
    TEST_PASSWORD,
    '--user-attributes',
    `Name=email,Value=${email}`,
  ]);
  expect(signUp.UserConfirmed).toBe(false);
  // The code, as a developer reads it: from the sandbox-only route.
  const response = await fetch(
    `${sandbox.url}/_sandbox/codes?username=${encodeURIComponent(email)}`,
  );
  const { codes } = (await response.json()) as { codes: { code: string }[] };
  const code = codes.at(-1)?.code;
  if (!code) throw new Error(`no code for ${email}`);
  await awsJson([
    'cognito-idp',
    'confirm-sign-up',
    '--client-id',
    config.userPoolClientId,
    '--username',
    email,
    '--confirmation-code',
    code,
  ]).catch((error: unknown) => {
    // confirm-sign-up prints nothing on success; an empty stdout is not JSON.
    if (!(error instanceof SyntaxError)) throw error;
  });
  return signUp.UserSub;
}

/**
 * The user's ID token, signed in with USER_SRP_AUTH, the only password flow the template's app
 * client allows. The CLI makes both calls; it has no SRP math, so the sandbox's SRP client
 * computes `SRP_A` and the PASSWORD_VERIFIER answer, as an app's SDK would.
 */
async function idTokenOf(email: string): Promise<string> {
  const srp = new SrpClient(sandbox.config.userPoolId);
  const challenge = await awsJson<{ Session: string; ChallengeParameters: Record<string, string> }>(
    [
      'cognito-idp',
      'initiate-auth',
      '--client-id',
      sandbox.config.userPoolClientId,
      '--auth-flow',
      'USER_SRP_AUTH',
      '--auth-parameters',
      `USERNAME=${email},SRP_A=${srp.A}`,
    ],
  );
  const out = await awsJson<{ AuthenticationResult: { IdToken: string } }>([
    'cognito-idp',
    'respond-to-auth-challenge',
    '--client-id',
    sandbox.config.userPoolClientId,
    '--challenge-name',
    'PASSWORD_VERIFIER',
    '--session',
    challenge.Session,
    '--challenge-responses',
    JSON.stringify(srp.respond(challenge.ChallengeParameters, TEST_PASSWORD)),
  ]);
  return out.AuthenticationResult.IdToken;
}

async function credentialsOf(idToken: string): Promise<{ id: string; creds: Credentials }> {
  const logins = `${sandbox.loginsKey}=${idToken}`;
  const { IdentityId } = await awsJson<{ IdentityId: string }>([
    'cognito-identity',
    'get-id',
    '--identity-pool-id',
    sandbox.config.identityPoolId,
    '--logins',
    logins,
  ]);
  const out = await awsJson<{ IdentityId: string; Credentials: Credentials }>([
    'cognito-identity',
    'get-credentials-for-identity',
    '--identity-id',
    IdentityId,
    '--logins',
    logins,
  ]);
  expect(out.IdentityId).toBe(IdentityId);
  return { id: IdentityId, creds: out.Credentials };
}

describe('the AWS CLI v2 against the sandbox', () => {
  let alice: { sub: string; creds: Credentials; userArn: string };
  let bobArn: string;

  beforeAll(async () => {
    // Alice's whole path is the CLI's; Bob only needs to exist (his is the bearer Alice may not use).
    const [aliceSub, bob] = await Promise.all([
      signUpAndConfirm('cli-alice@example.com'),
      sandbox.signUpUser('cli-bob@example.com'),
    ]);
    const { creds } = await credentialsOf(await idTokenOf('cli-alice@example.com'));
    alice = {
      sub: aliceSub,
      creds,
      userArn: `${sandbox.config.appInstanceArn}/user/${aliceSub}`,
    };
    bobArn = `${sandbox.config.appInstanceArn}/user/${bob.sub}`;
  }, 120_000);

  it('answers as the aws command does: output, refusal and usage error, byte for byte', async () => {
    const calls = [
      cliCall(['sts', 'get-caller-identity'], { credentials: alice.creds }),
      cliCall(
        ['chime-sdk-identity', 'describe-app-instance-user', '--app-instance-user-arn', bobArn],
        { credentials: alice.creds },
      ),
      cliCall(['cognito-idp', 'sign-up', '--client-id', sandbox.config.userPoolClientId]),
    ];
    const inDriver = await Promise.all(calls.map(({ argv, env }) => cli.run(argv, env)));
    const asCommands = await Promise.all(
      calls.map(({ argv, env }) => runAwsCommand(AWS_CLI, argv, env)),
    );
    expect(inDriver).toEqual(asCommands);
    expect(inDriver.map(({ code }) => code)).toEqual([0, 254, 252]);
    expect(inDriver[1]?.stderr).toContain('ForbiddenException');
    expect(inDriver[2]?.stderr).toContain('the following arguments are required: --username');
  });

  it('sts get-caller-identity names the assumed role and an AROA role id', async () => {
    const me = await awsJson<{ UserId: string; Account: string; Arn: string }>(
      ['sts', 'get-caller-identity'],
      { credentials: alice.creds },
    );
    expect(me.Account).toBe(sandbox.resources.accountId);
    expect(me.Arn).toMatch(
      new RegExp(`^arn:aws:sts::${me.Account}:assumed-role/[^/]+/CognitoIdentityCredentials$`),
    );
    expect(me.UserId).toMatch(/^AROA[A-Z2-7]{17}:CognitoIdentityCredentials$/);
  });

  it('chime-sdk-identity describe-app-instance-user: the AppInstanceUser the trigger created', async () => {
    // The operator's view (the user role has no chime:DescribeAppInstanceUser, see below).
    const describe = ['chime-sdk-identity', 'describe-app-instance-user'];
    const [out, asUser] = await Promise.all([
      awsJson<{ AppInstanceUser: { AppInstanceUserArn: string; Name: string } }>(
        [...describe, '--app-instance-user-arn', alice.userArn],
        { credentials: admin() },
      ),
      aws([...describe, '--app-instance-user-arn', alice.userArn], { credentials: alice.creds }),
    ]);
    expect(out.AppInstanceUser.AppInstanceUserArn).toBe(alice.userArn);
    expect(asUser.code).toBe(254);
    expect(asUser.stderr).toMatch(
      /An error occurred \(ForbiddenException\) when calling the DescribeAppInstanceUser operation: User: arn:aws:sts::\d{12}:assumed-role\/[^/]+\/CognitoIdentityCredentials is not authorized to perform: chime:DescribeAppInstanceUser on resource: /,
    );
  });

  it('chime-sdk-messaging: create a channel, send a message, list it', async () => {
    const { ChannelArn } = await awsJson<{ ChannelArn: string }>(
      [
        'chime-sdk-messaging',
        'create-channel',
        '--app-instance-arn',
        sandbox.config.appInstanceArn,
        '--name',
        'cli channel',
        '--mode',
        'RESTRICTED',
        '--privacy',
        'PRIVATE',
        '--chime-bearer',
        alice.userArn,
      ],
      { credentials: alice.creds },
    );
    expect(ChannelArn).toMatch(/\/channel\//);
    const sent = await awsJson<{ MessageId: string }>(
      [
        'chime-sdk-messaging',
        'send-channel-message',
        '--channel-arn',
        ChannelArn,
        '--content',
        'hello from the CLI: é ✓',
        '--type',
        'STANDARD',
        '--persistence',
        'PERSISTENT',
        '--chime-bearer',
        alice.userArn,
      ],
      { credentials: alice.creds },
    );
    const listed = await awsJson<{ ChannelMessages: { MessageId: string; Content: string }[] }>(
      [
        'chime-sdk-messaging',
        'list-channel-messages',
        '--channel-arn',
        ChannelArn,
        '--chime-bearer',
        alice.userArn,
      ],
      { credentials: alice.creds },
    );
    expect(listed.ChannelMessages).toEqual([
      expect.objectContaining({ MessageId: sent.MessageId, Content: 'hello from the CLI: é ✓' }),
    ]);
  });

  it('chime-sdk-messaging: pages by NextToken one message at a time; MaxResults 51 is refused', async () => {
    const bearer = ['--chime-bearer', alice.userArn];
    // The channel and its messages as Alice, with the SDK: creating and sending through the CLI
    // is the previous test's; this one is about the CLI's paging.
    const chime = new ChimeSDKMessagingClient({
      region: sandbox.config.region,
      endpoint: sandbox.url,
      credentials: {
        accessKeyId: alice.creds.AccessKeyId,
        secretAccessKey: alice.creds.SecretKey,
        sessionToken: alice.creds.SessionToken,
      },
    });
    const { ChannelArn } = await chime.send(
      new CreateChannelCommand({
        AppInstanceArn: sandbox.config.appInstanceArn,
        Name: 'cli paging',
        ChimeBearer: alice.userArn,
      }),
    );
    if (!ChannelArn) throw new Error('CreateChannel returned no ChannelArn');
    for (const content of ['one', 'two', 'three']) {
      await chime.send(
        new SendChannelMessageCommand({
          ChannelArn,
          Content: content,
          Type: 'STANDARD',
          Persistence: 'PERSISTENT',
          ChimeBearer: alice.userArn,
        }),
      );
    }
    chime.destroy();
    // The CLI has no paginator for Chime messaging: page by hand, one message a page.
    type Page = { ChannelMessages: { Content: string }[]; NextToken?: string };
    const list = ['chime-sdk-messaging', 'list-channel-messages', '--channel-arn', ChannelArn];
    // MaxResults 51 (asserted below) does not depend on the paging: it runs meanwhile.
    const refused = aws([...list, '--no-paginate', '--max-results', '51', ...bearer], {
      credentials: alice.creds,
    });
    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const page: Page = await awsJson<Page>(
        [
          ...list,
          '--sort-order',
          'ASCENDING',
          '--max-results',
          '1',
          ...(token ? ['--next-token', token] : []),
          ...bearer,
        ],
        { credentials: alice.creds },
      );
      pages.push(page.ChannelMessages.map((m) => m.Content));
      token = page.NextToken;
    } while (token && pages.length < 5);
    // Whether AWS answers a NextToken with the last item is not documented: an empty last page
    // is allowed, no other shape.
    expect(pages.flat()).toEqual(['one', 'two', 'three']);
    expect(pages.every((page) => page.length <= 1)).toBe(true);
    // The API reference bounds MaxResults to 1-50; the service refuses more (BadRequestException).
    const tooMany = await refused;
    expect(tooMany.code).toBe(254);
    expect(tooMany.stderr).toMatch(
      /An error occurred \(BadRequestException\) when calling the ListChannelMessages operation/,
    );
  });

  it('cognito-idp admin-get-user with the sandbox administrator credentials', async () => {
    const out = await awsJson<{
      Username: string;
      UserAttributes: { Name: string; Value: string }[];
    }>(
      [
        'cognito-idp',
        'admin-get-user',
        '--user-pool-id',
        sandbox.config.userPoolId,
        '--username',
        'cli-alice@example.com',
      ],
      { credentials: admin() },
    );
    expect(out.UserAttributes).toContainEqual({ Name: 'sub', Value: alice.sub });
  });

  it("dynamodb update-item: the people-lookup function's counter, and another table refused", async () => {
    const { tableName, credentials: role } = peopleLookupCounters(sandbox);
    const credentials: Credentials = {
      AccessKeyId: role.accessKeyId,
      SecretKey: role.secretAccessKey,
      SessionToken: role.sessionToken,
    };
    const count = (table: string) => [
      'dynamodb',
      'update-item',
      '--table-name',
      table,
      '--key',
      JSON.stringify({ pk: { S: 'users#cli-caller#0' } }),
      '--update-expression',
      'ADD #count :one',
      '--expression-attribute-names',
      JSON.stringify({ '#count': 'requests' }),
      '--expression-attribute-values',
      JSON.stringify({ ':one': { N: '1' } }),
      '--return-values',
      'UPDATED_NEW',
    ];
    // Independent calls: they run together.
    const [counted, refused] = await Promise.all([
      awsJson<{ Attributes: Record<string, { N: string }> }>(count(tableName), { credentials }),
      aws(count('another-table'), { credentials }),
    ]);
    expect(counted.Attributes).toEqual({ requests: { N: '1' } });
    expect(refused.code).toBe(254);
    expect(refused.stderr).toMatch(
      /An error occurred \(AccessDeniedException\) when calling the UpdateItem operation: User: arn:aws:sts::\d{12}:assumed-role\/[^/]+\/[^ ]+ is not authorized to perform: dynamodb:UpdateItem on resource: arn:aws:dynamodb:[a-z0-9-]+:\d{12}:table\/another-table/,
    );
  });

  it('refuses acting as another user (their bearer), with the error AWS prints', async () => {
    const asBob = await aws(
      [
        'chime-sdk-messaging',
        'list-channels',
        '--app-instance-arn',
        sandbox.config.appInstanceArn,
        '--chime-bearer',
        bobArn,
      ],
      { credentials: alice.creds },
    );
    expect(asBob.code).toBe(254);
    expect(asBob.stderr).toMatch(
      new RegExp(
        `An error occurred \\(ForbiddenException\\) when calling the ListChannels operation: User: arn:aws:sts::\\d{12}:assumed-role/[^/]+/CognitoIdentityCredentials is not authorized to perform: chime:ListChannels on resource: ${bobArn}`,
      ),
    );
  });

  it('refuses the user pool administrator operations to a user', async () => {
    const result = await aws(
      [
        'cognito-idp',
        'admin-get-user',
        '--user-pool-id',
        sandbox.config.userPoolId,
        '--username',
        'cli-bob@example.com',
      ],
      { credentials: alice.creds },
    );
    expect(result.stderr).toMatch(
      /An error occurred \(AccessDeniedException\) when calling the AdminGetUser operation: User: .* is not authorized to perform: cognito-idp:AdminGetUser/,
    );
  });

  it('refuses a credential scope in another region, per protocol', async () => {
    const elsewhere = { credentials: alice.creds, region: 'eu-west-3' };
    const [sts, chime] = await Promise.all([
      aws(['sts', 'get-caller-identity'], elsewhere),
      aws(
        [
          'chime-sdk-identity',
          'describe-app-instance-user',
          '--app-instance-user-arn',
          alice.userArn,
        ],
        elsewhere,
      ),
    ]);
    expect(sts.stderr).toContain(
      'An error occurred (SignatureDoesNotMatch) when calling the GetCallerIdentity operation: Credential should be scoped to a valid region.',
    );
    expect(chime.stderr).toContain(
      'An error occurred (InvalidSignatureException) when calling the DescribeAppInstanceUser operation: Credential should be scoped to a valid region.',
    );
  });

  it('refuses a tampered signature (a wrong secret) and an unknown key', async () => {
    const [tampered, unknown] = await Promise.all([
      aws(['sts', 'get-caller-identity'], {
        credentials: { ...alice.creds, SecretKey: `${alice.creds.SecretKey.slice(0, -2)}AA` },
      }),
      aws(
        [
          'chime-sdk-identity',
          'describe-app-instance-user',
          '--app-instance-user-arn',
          alice.userArn,
        ],
        { credentials: { ...alice.creds, AccessKeyId: 'ASIAAAAAAAAAAAAAAAAA' } },
      ),
    ]);
    expect(tampered.stderr).toContain(
      'An error occurred (SignatureDoesNotMatch) when calling the GetCallerIdentity operation: The request signature we calculated does not match the signature you provided.',
    );
    expect(unknown.stderr).toContain(
      'An error occurred (UnrecognizedClientException) when calling the DescribeAppInstanceUser operation: The security token included in the request is invalid.',
    );
  });
});

test('an aws that is not a Python script (a frozen binary) runs as one process per command', async () => {
  const frozen = join(home, 'frozen-aws');
  writeFileSync(frozen, '#!/bin/sh\necho "$@"; echo "to stderr" >&2; exit 3\n', { mode: 0o755 });
  const cli = awsCliDriver(frozen);
  expect(cli.mode).toBe('process');
  await expect(cli.run(['sts', 'get-caller-identity'], { PATH: '/usr/bin:/bin' })).resolves.toEqual(
    {
      code: 3,
      stdout: 'sts get-caller-identity\n',
      stderr: 'to stderr\n',
    },
  );
});

test('an aws whose Python cannot start fails the call with the reason, and the next call tries again', async () => {
  const broken = join(home, 'broken-aws');
  writeFileSync(broken, '#!/nonexistent/python3\nimport awscli.clidriver\n', { mode: 0o755 });
  const cli = awsCliDriver(broken);
  expect(cli.mode).toBe('driver');
  for (const _attempt of [1, 2]) {
    await expect(cli.run(['sts', 'get-caller-identity'], {})).rejects.toThrow(
      /the AWS CLI driver stopped:\n.*ENOENT/,
    );
  }
  await cli.close();
});
