/**
 * The scheduled reconcile in the sandbox, with the default template (no event rule): the real
 * user-reconcile bundle, run by the sandbox's scheduler with its own role, repairs every kind of
 * drift at its next run, and its brake stops a mass deletion.
 */
import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminUpdateUserAttributesCommand,
  ListUsersCommand,
  type ListUsersCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  type ChimeSDKIdentityClient,
  CreateAppInstanceUserCommand,
  DeleteAppInstanceUserCommand,
} from '@aws-sdk/client-chime-sdk-identity';
import {
  ChimeSDKMessagingClient,
  CreateChannelCommand,
  CreateChannelMembershipCommand,
  ListChannelMembershipsCommand,
  ListChannelsModeratedByAppInstanceUserCommand,
} from '@aws-sdk/client-chime-sdk-messaging';
import { randomUUID } from 'node:crypto';
import { appInstanceUserArn } from '../../../contracts/chime-arns';
import { startTestSandbox, type TestSandbox } from '../../../sandbox/testing';
import { adminChimeIdentity, chatUser, chimeNameOf, within } from './support';

jest.setTimeout(120_000);

let sandbox: TestSandbox;
let chime: ChimeSDKIdentityClient;
const lambdaLines: string[] = [];

beforeAll(async () => {
  sandbox = await startTestSandbox({ lambdaLog: (_fn, line) => lambdaLines.push(line) });
  chime = adminChimeIdentity(sandbox);
}, 180_000);

afterAll(async () => {
  chime?.destroy();
  await sandbox?.stop();
});

const arnOf = (id: string) => appInstanceUserArn(sandbox.config.appInstanceArn, id);

/**
 * A user who signed up (the trigger made their AppInstanceUser) and acts in no channel here: no
 * sign-in or Chime credentials, which only the users who call Chime need (chatUser).
 */
async function signedUpUser(email: string) {
  const user = await sandbox.signUpUser(email);
  return { ...user, arn: arnOf(user.sub) };
}

/** Runs the scheduled reconcile now and returns its summary. */
async function reconcile(): Promise<Record<string, unknown>> {
  const [run] = await sandbox.scheduler.run();
  if (!run) throw new Error('the template has no schedule');
  expect(run.result.FunctionError).toBeUndefined();
  return JSON.parse(run.result.Payload) as Record<string, unknown>;
}

it('runs the template schedule: hourly, the reconcile function', () => {
  expect(sandbox.scheduler.schedules).toEqual([
    expect.objectContaining({ expression: 'rate(1 hour)', everyMs: 3_600_000 }),
  ]);
  expect(sandbox.eventBus.rules).toEqual([]);
});

it('without events, an administrator deletion reaches Chime at the next reconcile, memberships included', async () => {
  const alice = await signedUpUser('alice@example.com');
  const bob = await chatUser(sandbox, 'bob@example.com');
  const { ChannelArn } = await bob.chime.send(
    new CreateChannelCommand({
      AppInstanceArn: sandbox.config.appInstanceArn,
      Name: 'team',
      ChimeBearer: bob.arn,
    }),
  );
  await bob.chime.send(
    new CreateChannelMembershipCommand({
      ChannelArn,
      MemberArn: alice.arn,
      Type: 'DEFAULT',
      ChimeBearer: bob.arn,
    }),
  );
  await sandbox.adminUserPoolClient.send(
    new AdminDeleteUserCommand({ UserPoolId: sandbox.config.userPoolId, Username: alice.email }),
  );
  // Nothing delivers the deletion: the AppInstanceUser is still there.
  expect(await chimeNameOf(chime, alice.arn)).toBe('alice');

  const summary = await reconcile();
  expect(summary).toMatchObject({ deleted: 1, membershipsRemoved: 1, brakeEngaged: false });
  expect(await chimeNameOf(chime, alice.arn)).toBeUndefined();
  const members = await bob.chime.send(
    new ListChannelMembershipsCommand({ ChannelArn, ChimeBearer: bob.arn }),
  );
  expect(members.ChannelMemberships?.map((m) => m.Member?.Arn)).toEqual([bob.arn]);
});

it('a rename reaches the Chime name at the next reconcile', async () => {
  const carol = await signedUpUser('carol@example.com');
  await sandbox.adminUserPoolClient.send(
    new AdminUpdateUserAttributesCommand({
      UserPoolId: sandbox.config.userPoolId,
      Username: carol.email,
      UserAttributes: [{ Name: 'preferred_username', Value: 'cdanvers' }],
    }),
  );
  expect(await chimeNameOf(chime, carol.arn)).toBe('carol');
  expect(await reconcile()).toMatchObject({ renamed: 1, created: 0, deleted: 0 });
  expect(await chimeNameOf(chime, carol.arn)).toBe('cdanvers');
});

it('an AppInstanceUser deleted by hand is recreated; administrator-created users get one; disabled ones do not', async () => {
  const dave = await signedUpUser('dave@example.com');
  await chime.send(new DeleteAppInstanceUserCommand({ AppInstanceUserArn: dave.arn }));
  const frank = await sandbox.adminCreateUser('frank@example.com');
  const grace = await sandbox.adminCreateUser('grace@example.com');
  await sandbox.adminUserPoolClient.send(
    new AdminDisableUserCommand({ UserPoolId: sandbox.config.userPoolId, Username: grace.email }),
  );

  expect(await reconcile()).toMatchObject({ created: 2, notEligible: 1 });
  expect(await chimeNameOf(chime, dave.arn)).toBe('dave');
  expect(await chimeNameOf(chime, arnOf(frank.sub))).toBe('frank');
  expect(await chimeNameOf(chime, arnOf(grace.sub))).toBeUndefined();
});

it("an orphan of the pool's form is removed; AppInstanceUsers of other forms are left alone", async () => {
  const orphan = randomUUID();
  for (const id of [orphan, 'guest-42']) {
    await chime.send(
      new CreateAppInstanceUserCommand({
        AppInstanceArn: sandbox.config.appInstanceArn,
        AppInstanceUserId: id,
        Name: `made by hand ${id}`,
      }),
    );
  }
  expect(await reconcile()).toMatchObject({ deleted: 1, foreignAppInstanceUsers: 1 });
  expect(await chimeNameOf(chime, arnOf(orphan))).toBeUndefined();
  expect(await chimeNameOf(chime, arnOf('guest-42'))).toBe('made by hand guest-42');
});

it('the brake stops a mass deletion: nothing deleted, an error log line says why, a metric says it happened', async () => {
  const ids = [randomUUID(), randomUUID(), randomUUID()];
  for (const id of ids) {
    await chime.send(
      new CreateAppInstanceUserCommand({
        AppInstanceArn: sandbox.config.appInstanceArn,
        AppInstanceUserId: id,
        Name: 'orphan',
      }),
    );
  }
  const seen = lambdaLines.length;
  expect(await reconcile()).toMatchObject({ brakeEngaged: true, deleted: 0 });
  for (const id of ids) expect(await chimeNameOf(chime, arnOf(id))).toBe('orphan');
  // The function's stdout arrives beside its result, not always before it.
  const lines = () => lambdaLines.slice(seen);
  await within(3_000, () => lines().some((l) => l.includes('"_aws"')));
  const brakeLine = lines().find((l) => l.includes('delete brake engaged'));
  expect(brakeLine).toBeDefined();
  expect(JSON.parse(brakeLine!)).toMatchObject({
    level: 'ERROR',
    reason: expect.stringContaining('3 AppInstanceUsers'),
    wouldDelete: [...ids].sort(),
  });
  const emf = lines()
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .find((l) => '_aws' in l);
  expect(emf).toMatchObject({ ReconcileBrakeEngaged: 1, AppInstanceUsersDeleted: 0 });
  for (const id of ids)
    await chime.send(new DeleteAppInstanceUserCommand({ AppInstanceUserArn: arnOf(id) }));
});

it('an administrator-created user gets an AppInstanceUser at the next run, and a second run changes nothing', async () => {
  const created = await sandbox.adminUserPoolClient.send(
    new AdminCreateUserCommand({
      UserPoolId: sandbox.config.userPoolId,
      Username: 'heidi@example.com',
      UserAttributes: [{ Name: 'email', Value: 'heidi@example.com' }],
      MessageAction: 'SUPPRESS',
    }),
  );
  const sub = created.User?.Attributes?.find((a) => a.Name === 'sub')?.Value;
  expect(await reconcile()).toMatchObject({ created: 1, deleted: 0, kept: 0 });
  expect(await chimeNameOf(chime, arnOf(sub!))).toBe('heidi');
  expect(await reconcile()).toMatchObject({ created: 0, renamed: 0, deleted: 0 });
});

it('POST /_sandbox/schedules/run runs the reconcile on demand', async () => {
  const res = await fetch(`${sandbox.url}/_sandbox/schedules/run`, { method: 'POST' });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { runs: { schedule: string; result: unknown }[] };
  expect(body.runs).toEqual([
    {
      schedule: sandbox.scheduler.schedules[0]!.name,
      functionName: expect.any(String),
      result: expect.objectContaining({ deleted: 0, brakeEngaged: false }),
    },
  ]);
  const unknown = await fetch(`${sandbox.url}/_sandbox/schedules/run?name=Nope`, {
    method: 'POST',
  });
  expect(unknown.status).toBe(404);
});

it('ListUsers pages as Cognito does (Limit, PaginationToken, AttributesToGet)', async () => {
  const list = (input: Partial<ListUsersCommandInput>) =>
    sandbox.adminUserPoolClient.send(
      new ListUsersCommand({ UserPoolId: sandbox.config.userPoolId, ...input }),
    );
  const all = await list({});
  const total = all.Users!.length;
  expect(total).toBeGreaterThan(3);
  expect(all.PaginationToken).toBeUndefined();
  const seen: string[] = [];
  let token: string | undefined;
  do {
    const page = await list({ Limit: 2, AttributesToGet: ['sub'], PaginationToken: token });
    expect(page.Users!.length).toBeLessThanOrEqual(2);
    for (const user of page.Users!) {
      expect(user.Attributes!.map((a) => a.Name)).toEqual(['sub']);
      seen.push(user.Username!);
    }
    token = page.PaginationToken;
  } while (token);
  expect(seen).toHaveLength(total);
  expect(new Set(seen).size).toBe(total);
  await expect(list({ PaginationToken: 'forged' })).rejects.toThrow(/PaginationToken/);
  await expect(list({ Limit: 61 })).rejects.toThrow(/'limit'/);

  // With a Filter, pages follow the searched attribute's order and still miss no one.
  const emails = (users: typeof all.Users) =>
    (users ?? []).map((u) => u.Attributes!.find((a) => a.Name === 'email')!.Value!);
  const matching = emails(all.Users).filter((e) => e.includes('@'));
  const filtered: string[] = [];
  token = undefined;
  do {
    const page = await list({ Limit: 1, Filter: 'email ^= ""', PaginationToken: token });
    filtered.push(...emails(page.Users));
    token = page.PaginationToken;
  } while (token);
  expect(filtered).toEqual([...matching].sort((a, b) => a.localeCompare(b)));
});

it('ListChannelsModeratedByAppInstanceUser lists the channels one moderates, only one own, for the lifecycle role only', async () => {
  const ivan = await chatUser(sandbox, 'ivan@example.com');
  const judy = await signedUpUser('judy@example.com');
  const { ChannelArn } = await ivan.chime.send(
    new CreateChannelCommand({
      AppInstanceArn: sandbox.config.appInstanceArn,
      Name: 'ivan',
      ChimeBearer: ivan.arn,
    }),
  );
  // End users are not granted it (IAM refuses, as on AWS); the reconcile function's role is.
  await expect(
    ivan.chime.send(new ListChannelsModeratedByAppInstanceUserCommand({ ChimeBearer: ivan.arn })),
  ).rejects.toThrow(/not authorized to perform: chime:ListChannelsModeratedByAppInstanceUser/);
  const lifecycle = new ChimeSDKMessagingClient({
    region: sandbox.config.region,
    endpoint: sandbox.url,
    credentials: sandbox.functionRoleCredentials('UserLifecycleReconcile'),
  });
  const out = await lifecycle.send(
    new ListChannelsModeratedByAppInstanceUserCommand({ ChimeBearer: ivan.arn }),
  );
  expect(out.Channels?.map((c) => c.ChannelSummary?.ChannelArn)).toEqual([ChannelArn]);
  await expect(
    lifecycle.send(
      new ListChannelsModeratedByAppInstanceUserCommand({
        ChimeBearer: judy.arn,
        AppInstanceUserArn: ivan.arn,
      }),
    ),
  ).rejects.toThrow(/AppInstanceAdmin/);
  lifecycle.destroy();
});
