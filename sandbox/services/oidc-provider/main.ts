/**
 * Process entry of the local OpenID provider (started by index.ts): reads its configuration from
 * the `LOCAL_OIDC_CONFIG` environment variable (JSON), listens on 127.0.0.1 only, and prints one
 * line `ready <issuer>` when it accepts connections, or `listen-error <code>` (e.g. EADDRINUSE)
 * and exits when it cannot listen.
 */
import { createServer } from 'node:http';
import { createLocalOidcProvider, type LocalOidcProviderOptions } from './provider';

interface ChildConfig extends Omit<LocalOidcProviderOptions, 'issuer'> {
  readonly port: number;
}

const config = JSON.parse(process.env.LOCAL_OIDC_CONFIG ?? '{}') as ChildConfig;
delete process.env.LOCAL_OIDC_CONFIG;

const server = createServer();
server.once('error', (error: NodeJS.ErrnoException) => {
  process.stdout.write(`listen-error ${error.code ?? 'unknown'}\n`, () => process.exit(1));
});
server.listen(config.port, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const issuer = `http://127.0.0.1:${port}`;
  const { handle } = createLocalOidcProvider({ ...config, issuer });
  server.on('request', handle);
  process.stdout.write(`ready ${issuer}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('disconnect', () => process.exit(0));
