/**
 * The test assemblies' support in sandbox/testing.ts: a local issuer named in a cached assembly's
 * template comes back on the same port (so the assembly stays valid), and on a free one only when
 * another process holds that port.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SandboxState } from '../../sandbox/core/state';
import { startAssemblyIssuer, TEST_ASSEMBLY_CACHE } from '../../sandbox/testing';

const NAME = `testing-test-${process.pid}`;
const PORT_FILE = join(TEST_ASSEMBLY_CACHE, `cdk.out-${NAME}.issuer-port`);
const CLIENTS = [{ client_id: 'app', token_endpoint_auth_method: 'none', redirect_uris: [] }];

let dir: string;
const start = () => startAssemblyIssuer(NAME, { state: new SandboxState(dir), clients: CLIENTS });
const portOf = (issuer: string) => Number(new URL(issuer).port);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'assembly-issuer-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(PORT_FILE, { force: true });
});

test('an assembly issuer keeps its port across runs, and moves only when the port is taken', async () => {
  const first = await start();
  const port = portOf(first.issuer);
  expect(readFileSync(PORT_FILE, 'utf8')).toBe(String(port));
  await first.stop();

  const again = await start();
  expect(again.issuer).toBe(first.issuer);
  await again.stop();

  // Another process holds the port: a free one, remembered for the next run.
  const holder: Server = createServer();
  await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
  try {
    const moved = await start();
    expect(portOf(moved.issuer)).not.toBe(port);
    expect(readFileSync(PORT_FILE, 'utf8')).toBe(String(portOf(moved.issuer)));
    const discovery = (await (
      await fetch(`${moved.issuer}/.well-known/openid-configuration`)
    ).json()) as { issuer: string };
    expect(discovery.issuer).toBe(moved.issuer);
    await moved.stop();
  } finally {
    await new Promise((resolve) => holder.close(resolve));
  }
}, 60_000);
