/**
 * Jest global setup of the infra project: synthesizes the default stack once per run and leaves its
 * template in a temporary file named by DEFAULT_TEMPLATE_ENV (inherited by the test workers), so
 * the template tests that only read it (support.ts defaultTemplate()) share one synth instead of
 * one per file. A failed synth is recorded and reported by every test that reads the template.
 *
 * Global setup runs before any test file starts, with every other core idle: a successful template
 * is kept and reused while none of its sources changed (default-template.ts), as the sandbox's
 * cloud assemblies are.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_TEMPLATE_ENV,
  type SharedTemplate,
  keepTemplate,
  keptTemplate,
} from './default-template';

export default async function globalSetup(): Promise<void> {
  let shared: SharedTemplate;
  const kept = keptTemplate();
  if (kept !== undefined) {
    shared = { template: kept };
  } else {
    const synthStartedAt = Date.now();
    try {
      // Loaded only here: aws-cdk-lib and the stack take about a second to load.
      const { synthStack, removeTestOutdirs } = await import('./support');
      try {
        shared = { template: synthStack().toJSON() };
      } finally {
        removeTestOutdirs();
      }
      keepTemplate(synthStartedAt, shared.template);
    } catch (error) {
      shared = { error: error instanceof Error ? error.message : String(error) };
    }
  }
  const file = join(mkdtempSync(join(tmpdir(), 'default-template-')), 'template.json');
  writeFileSync(file, JSON.stringify(shared));
  process.env[DEFAULT_TEMPLATE_ENV] = file;
}
