// The Lambda runtime of the sandbox, in a child process per warm "container": loads the bundle CDK
// wrote to cdk.out (`LAMBDA_TASK_ROOT`, `_HANDLER` = file.export) and runs invocations sent by the
// parent over IPC with the Lambda event/context contract (async or callback-style handlers).
// Plain JavaScript so that the child starts without a TypeScript loader, like the real runtime.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = process.env.LAMBDA_TASK_ROOT;
const [file, exportName] = (process.env._HANDLER ?? 'index.handler').split(/\.(?=[^.]+$)/);

function serializeError(error) {
  if (error instanceof Error) {
    return {
      errorType: error.name || 'Error',
      errorMessage: error.message,
      trace: (error.stack ?? '').split('\n'),
    };
  }
  return { errorType: 'Error', errorMessage: String(error), trace: [] };
}

async function loadHandler() {
  const candidates = ['.js', '.mjs', '.cjs'].map((ext) => join(root, file + ext));
  const path = candidates.find((p) => existsSync(p));
  if (!path) throw new Error(`Cannot find module '${file}' in ${root}`);
  const mod = await import(pathToFileURL(path).href);
  const handler = mod[exportName] ?? mod.default?.[exportName];
  if (typeof handler !== 'function') {
    const error = new Error(`${file}.${exportName} is undefined or not exported`);
    error.name = 'Runtime.HandlerNotFound';
    throw error;
  }
  return handler;
}

const handlerPromise = loadHandler();
handlerPromise.then(
  () => process.send?.({ type: 'ready' }),
  (error) => process.send?.({ type: 'init-error', error: serializeError(error) }),
);

// The parent is gone (crash, SIGKILL): a Lambda environment does not outlive its service.
process.on('disconnect', () => process.exit(0));

process.on('message', async (message) => {
  if (message?.type !== 'invoke') return;
  const { id, event, context: info } = message;
  const context = {
    ...info,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, info.deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
  try {
    const handler = await handlerPromise;
    const value = await new Promise((resolve, reject) => {
      const callback = (error, result) => (error ? reject(error) : resolve(result));
      const returned = handler(event, context, callback);
      if (returned && typeof returned.then === 'function') returned.then(resolve, reject);
      else if (handler.length < 3) resolve(returned);
    });
    process.send?.({ type: 'result', id, ok: true, value: value ?? null });
  } catch (error) {
    process.send?.({ type: 'result', id, ok: false, error: serializeError(error) });
  }
});
