/**
 * Chime messaging sandbox figures:
 * - fan-out: N senders (ChimeSDKMessagingClient, each sending one message after another) to a
 *   channel of M members, each with an open messaging-session WebSocket; delivered messages/s
 *   (frames received by all members) and delivery latency (send call start -> frame received)
 *   p50/p99. Server and clients share this process and the machine's cores.
 * - sign-up-to-credentials: SignUp -> ConfirmSignUp (the PostConfirmation trigger runs) ->
 *   InitiateAuth -> GetId -> GetCredentialsForIdentity against the full sandbox (the CLI in a
 *   child process).
 * Targets (issue #6, 2-core machine): >= 500 delivered messages/s with 20 members, p99 < 100 ms.
 */
import { performance } from 'node:perf_hooks';
import {
  CreateChannelCommand,
  CreateChannelMembershipCommand,
  SendChannelMessageCommand,
} from '@aws-sdk/client-chime-sdk-messaging';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { WebSocket } from 'ws';
import {
  APP_INSTANCE_ARN,
  type MessagingSandbox,
  REGION,
  startMessagingSandbox,
} from '../test/sandbox/messaging/harness';
import { signUpAndIn, startFullSandbox } from '../test/sandbox/messaging/full-sandbox';

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

async function connect(sandbox: MessagingSandbox, id: string, userArn: string): Promise<WebSocket> {
  const session = sandbox.sessionFor(id);
  const signer = new SignatureV4({
    service: 'chime',
    region: REGION,
    sha256: Sha256,
    credentials: {
      accessKeyId: session.accessKeyId,
      secretAccessKey: session.secretAccessKey,
      sessionToken: session.sessionToken,
    },
  });
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
  const sandbox = await startMessagingSandbox();
  const sockets: WebSocket[] = [];
  try {
    const ids = Array.from({ length: members }, (_, i) => `member-${i}`);
    const arns = ids.map((id, i) => sandbox.addUser(id, `Member ${i}`));
    const owner = arns[0] ?? '';
    const ownerClient = sandbox.client(ids[0] ?? '');
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

    const clients = Array.from({ length: senders }, (_, i) => sandbox.client(ids[i] ?? ''));
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
  console.log('fan-out (in-process server, SigV4 + IAM on every request, fsync per batch):');
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
