/**
 * The messaging harness (harness.ts) in its own process, driven over IPC: the benchmark runs the
 * server here, apart from its clients, as an app and `npm run sandbox` are apart.
 *
 *   parent -> { id, op: 'addUser', user, name } | { id, op: 'session', user } | { op: 'stop' }
 *   child  -> { ready: url } then { id, result } | { id, error }
 */
import { startMessagingSandbox } from './harness';

interface Request {
  id?: number;
  op: 'addUser' | 'session' | 'stop';
  user?: string;
  name?: string;
}

async function main(): Promise<void> {
  const sandbox = await startMessagingSandbox();
  const send = (message: unknown) => process.send?.(message);
  process.on('message', (raw: Request) => {
    if (raw.op === 'stop') {
      void sandbox.stop().then(() => process.exit(0));
      return;
    }
    try {
      if (raw.op === 'addUser') {
        send({ id: raw.id, result: sandbox.addUser(raw.user ?? '', raw.name ?? '') });
      } else {
        const s = sandbox.sessionFor(raw.user ?? '');
        send({
          id: raw.id,
          result: {
            accessKeyId: s.accessKeyId,
            secretAccessKey: s.secretAccessKey,
            sessionToken: s.sessionToken,
          },
        });
      }
    } catch (error) {
      send({ id: raw.id, error: String(error) });
    }
  });
  process.on('disconnect', () => void sandbox.stop().then(() => process.exit(0)));
  send({ ready: sandbox.url });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
