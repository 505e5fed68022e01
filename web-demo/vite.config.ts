import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Connect, Plugin } from 'vite';
import { defineConfig } from 'vite';

const webDemoDir = import.meta.dirname;

/**
 * Where the dev and preview servers read `/config.json` from: `WEB_DEMO_CONFIG`, else the file the
 * local sandbox writes. On AWS the hosting construct deploys `config.json` next to the site.
 */
function clientConfigPath(): string {
  return process.env.WEB_DEMO_CONFIG ?? resolve(webDemoDir, '..', '.sandbox', 'config.json');
}

/** Serves `/config.json` fresh on every request, so a restarted sandbox needs no rebuild. */
function serveClientConfig(): Plugin {
  const middleware: Connect.NextHandleFunction = (req, res, next) => {
    if (req.url?.split('?')[0] !== '/config.json') return next();
    let body: string;
    try {
      body = readFileSync(clientConfigPath(), 'utf8');
    } catch {
      res.statusCode = 404;
      res.setHeader('content-type', 'text/plain');
      res.end(`no client config at ${clientConfigPath()}: start the sandbox (npm run sandbox)`);
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.setHeader('cache-control', 'no-store');
    res.end(body);
  };
  return {
    name: 'serve-client-config',
    configureServer(server) {
      server.middlewares.use(middleware);
    },
    configurePreviewServer(server) {
      server.middlewares.use(middleware);
    },
  };
}

/**
 * amazon-chime-sdk-js's messaging session (CommonJS) requires the whole Chime messaging client for
 * one command; a CommonJS require cannot be tree-shaken, so it would bring every command. Its
 * require resolves to a module re-exporting just that command (the same class, same package).
 */
function chimeSdkUsesOneCommand(): Plugin {
  const slim = resolve(webDemoDir, 'src', 'chime-sdk-messaging-client.ts');
  return {
    name: 'chime-sdk-uses-one-command',
    enforce: 'pre',
    resolveId(source, importer) {
      if (
        source === '@aws-sdk/client-chime-sdk-messaging' &&
        importer?.includes('amazon-chime-sdk-js') &&
        importer.includes('messagingsession')
      ) {
        return slim;
      }
      return null;
    },
  };
}

/**
 * The SDK's Versioning requires DefaultBrowserBehavior (with ua-parser-js and detect-browser) only
 * to name the browser in the signed WebSocket URL; its require resolves to a module that does just
 * that (chime-sdk-browser-name.ts), keeping the signed-in chunk within its 100 KB budget.
 */
function chimeSdkNamesBrowserOnly(): Plugin {
  const slim = resolve(webDemoDir, 'src', 'chime-sdk-browser-name.ts');
  return {
    name: 'chime-sdk-names-browser-only',
    enforce: 'pre',
    resolveId(source, importer) {
      if (
        source === '../browserbehavior/DefaultBrowserBehavior' &&
        importer?.includes('amazon-chime-sdk-js') &&
        /[\\/]versioning[\\/]Versioning\.js$/.test(importer)
      ) {
        return slim;
      }
      return null;
    },
  };
}

export default defineConfig({
  root: webDemoDir,
  // amazon-chime-sdk-js (CommonJS) refers to Node's `global`.
  define: { global: 'globalThis' },
  plugins: [serveClientConfig(), chimeSdkUsesOneCommand(), chimeSdkNamesBrowserOnly()],
  // Pre-bundle the CommonJS deep imports up front, so the dev server never reloads mid-session.
  optimizeDeps: {
    include: [
      'amazon-chime-sdk-js/build/messagingsession/DefaultMessagingSession',
      'amazon-chime-sdk-js/build/messagingsession/MessagingSessionConfiguration',
      'amazon-chime-sdk-js/build/websocketadapter/DefaultWebSocketAdapter',
      'amazon-chime-sdk-js/build/logger/LogLevel',
      '@aws-sdk/client-chime-sdk-messaging',
    ],
  },
  server: { host: '127.0.0.1', port: 5173, strictPort: false },
  preview: {
    host: '127.0.0.1',
    port: 4173,
    // The browser tests serve the build under the hosting construct's Content-Security-Policy.
    ...(process.env.WEB_DEMO_CSP && {
      headers: { 'Content-Security-Policy': process.env.WEB_DEMO_CSP },
    }),
  },
  build: {
    outDir: resolve(webDemoDir, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
});
