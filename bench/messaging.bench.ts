/**
 * Chime messaging sandbox figures:
 * - fan-out: N senders (ChimeSDKMessagingClient, each sending one message after another) to a
 *   channel of M members, each with an open messaging-session WebSocket; delivered messages/s
 *   (frames received by all members) and delivery latency (send call start -> frame received)
 *   p50/p99. The server runs in a child process (as the sandbox does), the clients here.
 * - sign-up-to-credentials: SignUp -> ConfirmSignUp (the PostConfirmation trigger runs) ->
 *   InitiateAuth -> GetId -> GetCredentialsForIdentity against the full sandbox (the CLI in a
 *   child process).
 * Targets (issue #6, 2-core machine): >= 500 delivered messages/s with 20 members, p99 < 100 ms.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  ChimeSDKMessagingClient,
  CreateChannelCommand,
  CreateChannelMembershipCommand,
  SendChannelMessageCommand,
} from '@aws-sdk/client-chime-sdk-messaging';
import { WebSocket } from 'ws';
import { APP_INSTANCE_ARN, chimeSigner, REGION } from '../testing/sandbox/messaging/harness';
import { signUpAndIn, startFullSandbox } from '../testing/sandbox/messaging/full-sandbox';

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

/** The messaging harness in a child process (its own core), driven over IPC. */
interface RemoteSandbox {
  readonly url: string;
  addUser(id: string, name: string): Promise<string>;
  session(id: string): Promise<Credentials>;
  client(id: string): Promise<ChimeSDKMessagingClient>;
  stop(): Promise<void>;
}

async function startRemoteSandbox(): Promise<RemoteSandbox> {
  const child = fork(
    join(__dirname, '..', 'testing', 'sandbox', 'messaging', 'harness-process.ts'),
    [],
    {
      execArgv: ['--import', 'tsx', '--no-warnings'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  const url = await new Promise<string>((resolve, reject) => {
    child.on('message', (m: { ready?: string; id?: number; result?: unknown; error?: string }) => {
      if (m.ready) return resolve(m.ready);
      const waiter = m.id === undefined ? undefined : pending.get(m.id);
      if (!waiter || m.id === undefined) return;
      pending.delete(m.id);
      if (m.error) waiter.reject(new Error(m.error));
      else waiter.resolve(m.result);
    });
    child.once('exit', (code) => reject(new Error(`the harness exited with ${code}`)));
  });
  const call = <T>(message: Record<string, unknown>) =>
    new Promise<T>((resolve, reject) => {
      const id = (next += 1);
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, ...message });
    });
  const session = (id: string) => call<Credentials>({ op: 'session', user: id });
  return {
    url,
    addUser: (id, name) => call<string>({ op: 'addUser', user: id, name }),
    session,
    async client(id) {
      return new ChimeSDKMessagingClient({
        region: REGION,
        endpoint: url,
        maxAttempts: 1,
        credentials: await session(id),
      });
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ op: 'stop' });
      await exited;
    },
  };
}

async function connect(sandbox: RemoteSandbox, id: string, userArn: string): Promise<WebSocket> {
  const session = await sandbox.session(id);
  const signer = chimeSigner(session);
  const url = new URL(sandbox.url);
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: 'ws:',
      hostname: url.hostname,
      port: Number(url.port),
      path: '/connect',
      headers: { host: url.host },
      query: { userArn, sessionId: id },
    },
    { expiresIn: 10 },
  );
  const query = new URLSearchParams(signed.query as Record<string, string>).toString();
  const ws = new WebSocket(`ws://${url.host}/connect?${query}`);
  await new Promise<void>((resolve, reject) => {
    ws.once('message', () => resolve()); // SESSION_ESTABLISHED
    ws.once('close', (code) => reject(new Error(`connect refused with ${code}`)));
    ws.once('error', reject);
  });
  return ws;
}

interface FanOutResult {
  readonly senders: number;
  readonly members: number;
  readonly messages: number;
  readonly deliveries: number;
  readonly seconds: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

async function fanOut(senders: number, members: number, perSender: number): Promise<FanOutResult> {
  const sandbox = await startRemoteSandbox();
  const sockets: WebSocket[] = [];
  try {
    const ids = Array.from({ length: members }, (_, i) => `member-${i}`);
    const arns = await Promise.all(ids.map((id, i) => sandbox.addUser(id, `Member ${i}`)));
    const owner = arns[0] ?? '';
    const ownerClient = await sandbox.client(ids[0] ?? '');
    const { ChannelArn } = await ownerClient.send(
      new CreateChannelCommand({
        AppInstanceArn: APP_INSTANCE_ARN,
        Name: 'bench',
        ChimeBearer: owner,
      }),
    );
    for (const arn of arns.slice(1)) {
      await ownerClient.send(
        new CreateChannelMembershipCommand({
          ChannelArn,
          MemberArn: arn,
          ChimeBearer: owner,
          Type: 'DEFAULT',
        }),
      );
    }
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    let deliveries = 0;
    const expected = senders * perSender * members;
    let allDelivered: () => void = () => {};
    const done = new Promise<void>((resolve) => (allDelivered = resolve));
    for (let i = 0; i < members; i += 1) {
      const ws = await connect(sandbox, ids[i] ?? '', arns[i] ?? '');
      ws.on('message', (data: Buffer) => {
        const now = performance.now();
        const frame = JSON.parse(data.toString()) as {
          Headers: Record<string, string>;
          Payload: string;
        };
        if (frame.Headers['x-amz-chime-event-type'] !== 'CREATE_CHANNEL_MESSAGE') return;
        const { Content } = JSON.parse(frame.Payload) as { Content: string };
        const start = sentAt.get(Content);
        if (start !== undefined) latencies.push(now - start);
        deliveries += 1;
        if (deliveries === expected) allDelivered();
      });
      sockets.push(ws);
    }

    const clients = await Promise.all(
      Array.from({ length: senders }, (_, i) => sandbox.client(ids[i] ?? '')),
    );
    const begin = performance.now();
    await Promise.all(
      clients.map(async (client, s) => {
        for (let m = 0; m < perSender; m += 1) {
          const content = `s${s}-m${m}`;
          sentAt.set(content, performance.now());
          await client.send(
            new SendChannelMessageCommand({
              ChannelArn,
              ChimeBearer: arns[s],
              Content: content,
              Type: 'STANDARD',
              Persistence: 'PERSISTENT',
            }),
          );
        }
      }),
    );
    await Promise.race([done, new Promise((r) => setTimeout(r, 30_000))]);
    const seconds = (performance.now() - begin) / 1000;
    latencies.sort((a, b) => a - b);
    return {
      senders,
      members,
      messages: senders * perSender,
      deliveries,
      seconds,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? Number.NaN,
    };
  } finally {
    for (const ws of sockets) ws.terminate();
    await sandbox.stop();
  }
}

async function signUpToCredentials(users: number): Promise<void> {
  let sandbox;
  try {
    sandbox = await startFullSandbox();
  } catch (error) {
    console.log(
      `sign-up-to-credentials: not measured (the sandbox did not start: ${String(error).split('\n')[0]})`,
    );
    return;
  }
  try {
    const times: number[] = [];
    for (let i = 0; i < users; i += 1) {
      const start = performance.now();
      await signUpAndIn(sandbox, `bench-${i}-${Date.now()}@example.com`);
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    console.log(
      `sign-up-to-credentials (${users} users, one after another): p50 ${percentile(times, 50).toFixed(0)} ms, ` +
        `p99 ${percentile(times, 99).toFixed(0)} ms, max ${(times.at(-1) ?? 0).toFixed(0)} ms`,
    );
  } finally {
    await sandbox.stop();
  }
}

export async function run(): Promise<void> {
  console.log(
    'fan-out (server in its own process; SigV4 + IAM on every request, fsync per batch):',
  );
  console.log('senders members messages deliveries  seconds  delivered/s  p50 ms  p99 ms  max ms');
  for (const [senders, members, perSender] of [
    [1, 20, 100],
    [4, 20, 100],
    [8, 20, 60],
    [4, 50, 50],
  ] as const) {
    const r = await fanOut(senders, members, perSender);
    console.log(
      [
        String(r.senders).padStart(7),
        String(r.members).padStart(7),
        String(r.messages).padStart(8),
        String(r.deliveries).padStart(10),
        r.seconds.toFixed(2).padStart(8),
        (r.deliveries / r.seconds).toFixed(0).padStart(12),
        r.p50.toFixed(1).padStart(7),
        r.p99.toFixed(1).padStart(7),
        r.max.toFixed(1).padStart(7),
      ].join(' '),
    );
  }
  await signUpToCredentials(10);
}
