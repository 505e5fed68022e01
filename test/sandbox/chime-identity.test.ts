/** Chime SDK identity in the sandbox: AppInstanceUser operations, validation and pagination. */
import {
  ChimeSDKIdentityClient,
  CreateAppInstanceUserCommand,
  DeleteAppInstanceUserCommand,
  DescribeAppInstanceUserCommand,
  ListAppInstanceUsersCommand,
  PutAppInstanceUserExpirationSettingsCommand,
  UpdateAppInstanceUserCommand,
} from '@aws-sdk/client-chime-sdk-identity';
import { type TestSandbox, startTestSandbox } from '../../sandbox/testing';

let sandbox: TestSandbox;
let chime: ChimeSDKIdentityClient;
let instance: string;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  instance = sandbox.config.appInstanceArn;
  // The sandbox administrator: allowed every action, so the API's own rules are what is tested.
  chime = new ChimeSDKIdentityClient({
    region: sandbox.config.region,
    endpoint: sandbox.url,
    credentials: {
      ...sandbox.adminCredentials,
      expiration: new Date(sandbox.adminCredentials.expiration),
    },
  });
}, 180_000);
afterAll(async () => {
  chime?.destroy();
  await sandbox?.stop();
});

const create = (id: string, extra: { Name?: string; ClientRequestToken?: string } = {}) =>
  chime.send(
    new CreateAppInstanceUserCommand({
      AppInstanceArn: instance,
      AppInstanceUserId: id,
      Name: extra.Name ?? `user ${id}`,
      ...(extra.ClientRequestToken && { ClientRequestToken: extra.ClientRequestToken }),
    }),
  );

async function errorOf(promise: Promise<unknown>) {
  return (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as { name: string; $metadata: { httpStatusCode?: number } } | undefined;
}

describe('AppInstanceUsers', () => {
  it('creates, describes, updates and deletes a user', async () => {
    const { AppInstanceUserArn: arn } = await create('user-1');
    expect(arn).toBe(`${instance}/user/user-1`);
    const described = await chime.send(
      new DescribeAppInstanceUserCommand({ AppInstanceUserArn: arn }),
    );
    expect(described.AppInstanceUser).toMatchObject({
      AppInstanceUserArn: arn,
      Name: 'user user-1',
    });
    expect(described.AppInstanceUser?.CreatedTimestamp).toBeInstanceOf(Date);
    await chime.send(
      new UpdateAppInstanceUserCommand({
        AppInstanceUserArn: arn,
        Name: 'renamed',
        Metadata: '{}',
      }),
    );
    const updated = await chime.send(
      new DescribeAppInstanceUserCommand({ AppInstanceUserArn: arn }),
    );
    expect(updated.AppInstanceUser).toMatchObject({ Name: 'renamed', Metadata: '{}' });
    await chime.send(new DeleteAppInstanceUserCommand({ AppInstanceUserArn: arn }));
    const gone = await errorOf(
      chime.send(new DescribeAppInstanceUserCommand({ AppInstanceUserArn: arn })),
    );
    expect(gone).toMatchObject({ name: 'NotFoundException', $metadata: { httpStatusCode: 404 } });
  });

  it('is idempotent with the same ClientRequestToken and conflicts otherwise', async () => {
    const first = await create('user-2', { ClientRequestToken: 'token-abc' });
    const retry = await create('user-2', { ClientRequestToken: 'token-abc' });
    expect(retry.AppInstanceUserArn).toBe(first.AppInstanceUserArn);
    expect(await errorOf(create('user-2'))).toMatchObject({
      name: 'ConflictException',
      $metadata: { httpStatusCode: 409 },
    });
  });

  it('validates ids, names and the AppInstance', async () => {
    expect((await errorOf(create('bad id with spaces')))?.name).toBe('BadRequestException');
    expect((await errorOf(create('x'.repeat(65))))?.name).toBe('BadRequestException');
    expect((await errorOf(create('user-3', { Name: '   ' })))?.name).toBe('BadRequestException');
    const other = await errorOf(
      chime.send(
        new CreateAppInstanceUserCommand({
          AppInstanceArn: instance.replace(/app-instance\/.*/, 'app-instance/nope'),
          AppInstanceUserId: 'user-4',
          Name: 'x',
        }),
      ),
    );
    expect(other).toMatchObject({ name: 'NotFoundException', $metadata: { httpStatusCode: 404 } });
  });

  it('lists every user across pages', async () => {
    for (let i = 0; i < 5; i++) await create(`page-${i}`);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await chime.send(
        new ListAppInstanceUsersCommand({
          AppInstanceArn: instance,
          MaxResults: 2,
          NextToken: token,
        }),
      );
      pages++;
      seen.push(...(page.AppInstanceUsers ?? []).map((u) => u.AppInstanceUserArn ?? ''));
      token = page.NextToken;
    } while (token);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(
      expect.arrayContaining([0, 1, 2, 3, 4].map((i) => `${instance}/user/page-${i}`)),
    );
  });
});

describe('ExpirationSettings (CREATED_TIMESTAMP), by the sandbox clock', () => {
  const DAY = 86_400_000;
  const expiring = (id: string, days: number) =>
    chime.send(
      new CreateAppInstanceUserCommand({
        AppInstanceArn: instance,
        AppInstanceUserId: id,
        Name: id,
        ExpirationSettings: { ExpirationDays: days, ExpirationCriterion: 'CREATED_TIMESTAMP' },
      }),
    );
  const exists = async (arn: string) =>
    (await errorOf(chime.send(new DescribeAppInstanceUserCommand({ AppInstanceUserArn: arn }))))
      ?.name !== 'NotFoundException';

  it('are validated as the API reference says (1-5475 days, CREATED_TIMESTAMP)', async () => {
    for (const days of [0, 5476, 1.5]) {
      expect(
        await errorOf(expiring(`bad-days-${String(days).replace('.', '-')}`, days)),
      ).toMatchObject({
        name: 'BadRequestException',
      });
    }
    const wrong = chime.send(
      new CreateAppInstanceUserCommand({
        AppInstanceArn: instance,
        AppInstanceUserId: 'bad-criterion',
        Name: 'x',
        ExpirationSettings: { ExpirationDays: 1, ExpirationCriterion: 'LAST_SEEN' as never },
      }),
    );
    expect(await errorOf(wrong)).toMatchObject({ name: 'BadRequestException' });
  });

  it('delete the user when its days are up, not before; users without settings stay; settings can be changed and removed', async () => {
    const { AppInstanceUserArn: oneDay } = await expiring('expires-1', 1);
    const { AppInstanceUserArn: twoDays } = await expiring('expires-2', 2);
    const { AppInstanceUserArn: changed } = await expiring('expires-changed', 1);
    const { AppInstanceUserArn: kept } = await create('never-expires');
    const described = await chime.send(
      new DescribeAppInstanceUserCommand({ AppInstanceUserArn: oneDay }),
    );
    expect(described.AppInstanceUser?.ExpirationSettings).toEqual({
      ExpirationDays: 1,
      ExpirationCriterion: 'CREATED_TIMESTAMP',
    });
    // Removing the settings: the user no longer expires.
    const put = await chime.send(
      new PutAppInstanceUserExpirationSettingsCommand({ AppInstanceUserArn: changed }),
    );
    expect(put.ExpirationSettings).toBeUndefined();

    sandbox.clock.advance(DAY - 60_000);
    expect(await exists(oneDay!)).toBe(true);
    sandbox.clock.advance(120_000);
    expect(await exists(oneDay!)).toBe(false);
    expect(await exists(twoDays!)).toBe(true);
    expect(await exists(changed!)).toBe(true);
    expect(await exists(kept!)).toBe(true);
    sandbox.clock.advance(DAY);
    expect(await exists(twoDays!)).toBe(false);
    expect(() => sandbox.clock.advance(-1)).toThrow(/only moves forward/);
  });
});
