/**
 * Sandbox-only routes (never on AWS): the confirmation codes, health, the client config, and a
 * way to run the schedules now. The codes are a page too: the web demo links to it ("no email is
 * sent: your code is on this page").
 */
import type { ClientConfig } from '../../contracts/client-config';
import type { Router } from '../server';
import type { RunningScheduler } from '../services/scheduler';
import { codesPage } from '../services/user-pool/codes-page';
import type { CodeBook } from './codes';

export interface SandboxRoutesOptions {
  readonly codes: CodeBook;
  readonly config: ClientConfig;
  readonly scheduler: RunningScheduler;
}

export function mountSandboxRoutes(router: Router, options: SandboxRoutesOptions): void {
  const { codes, config, scheduler } = options;
  router.page('/_sandbox/codes', (req) => {
    const username = req.query.username;
    const list = codes.list(typeof username === 'string' ? username : undefined);
    // A person sent here by the web demo gets a page; tools keep the JSON.
    if (String(req.headers.accept ?? '').includes('text/html')) return codesPage(list);
    return { body: { codes: list } };
  });
  router.rest('GET', '/_sandbox/health', () => ({ body: { ready: true } }));
  router.rest('GET', '/_sandbox/config.json', () => ({ body: config }));
  // Runs the scheduled functions now (all, or `?name=<logical id>`), e.g. the user reconcile.
  router.rest('POST', '/_sandbox/schedules/run', async (req) => {
    const name = typeof req.query.name === 'string' ? req.query.name : undefined;
    let runs;
    try {
      runs = await scheduler.run(name);
    } catch (error) {
      return { status: 404, body: { message: (error as Error).message } };
    }
    return {
      body: {
        runs: runs.map((r) => ({
          schedule: r.schedule,
          functionName: r.functionName,
          ...(r.result.FunctionError && { functionError: r.result.FunctionError }),
          result: JSON.parse(r.result.Payload) as unknown,
        })),
      },
    };
  });
}
