/** The sandbox HTTP server on its own: added latency, and the body limit of every route. */
import { WebOrigins } from '../../sandbox/core/browser-access';
import { SandboxServer } from '../../sandbox/server';

async function serve(options: { latencyMs?: number; bodyLimitBytes?: number }) {
  const server = new SandboxServer({ webOrigins: new WebOrigins(), ...options });
  const seen: number[] = [];
  server.rest('POST', '/echo', (req) => {
    seen.push(req.body.length);
    return { body: { length: req.body.length } };
  });
  const port = await server.listen(0);
  return { server, seen, url: `http://127.0.0.1:${port}` };
}

it('delays every answer by latencyMs (a slow network for UI work)', async () => {
  const { server, url } = await serve({ latencyMs: 250 });
  try {
    const started = performance.now();
    const response = await fetch(`${url}/echo`, { method: 'POST', body: 'x' });
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(245);
  } finally {
    await server.close();
  }
});

it('hands routes bodies up to the limit and never a byte more', async () => {
  const { server, seen, url } = await serve({ bodyLimitBytes: 1000 });
  try {
    const ok = await fetch(`${url}/echo`, { method: 'POST', body: 'a'.repeat(1000) });
    expect(await ok.json()).toEqual({ length: 1000 });
    const over = await fetch(`${url}/echo`, { method: 'POST', body: 'a'.repeat(1001) });
    expect(over.status).toBe(413);
    expect(over.headers.get('x-amzn-errortype')).toBe('RequestEntityTooLargeException');
    expect(seen).toEqual([1000]);
  } finally {
    await server.close();
  }
});
