/**
 * Starts an HTTP(S) server on loopback only (the sandbox is safe on a laptop: nothing listens on
 * other interfaces) and resolves with the port it got (`port` 0 picks a free one).
 */
import type { AddressInfo, Server } from 'node:net';

export async function listenOnLoopback(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}
