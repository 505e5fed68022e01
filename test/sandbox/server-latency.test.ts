/** The sandbox server's added latency (`latencyMs`, `--latency-ms`): every answer waits for it. */
import { WebSocket, WebSocketServer } from 'ws';
import { SandboxServer } from '../../sandbox/server';

async function serve(latencyMs: number): Promise<{ server: SandboxServer; url: string }> {
  const server = new SandboxServer(() => {}, latencyMs);
  server.rest('GET', '/ping', async () => ({ body: { pong: true } }));
  const sockets = new WebSocketServer({ noServer: true });
  server.upgrade('/connect', (req, socket, head) =>
    sockets.handleUpgrade(req, socket, head, (ws) => ws.close(1000)),
  );
  const port = await server.listen(0);
  return { server, url: `http://127.0.0.1:${port}` };
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

test('delays every answer and WebSocket upgrade by latencyMs; none by default', async () => {
  const slow = await serve(150);
  const fast = await serve(0);
  try {
    const ping = (url: string) => fetch(`${url}/ping`).then((r) => r.json());
    await expect(ping(slow.url)).resolves.toEqual({ pong: true });
    expect(await timed(() => ping(slow.url))).toBeGreaterThanOrEqual(145);
    expect(await timed(() => ping(fast.url))).toBeLessThan(145);
    const upgrade = (url: string) =>
      new Promise<void>((resolve, reject) => {
        const ws = new WebSocket(`${url.replace('http', 'ws')}/connect`);
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
    expect(await timed(() => upgrade(slow.url))).toBeGreaterThanOrEqual(145);
  } finally {
    await slow.server.close();
    await fast.server.close();
  }
});
