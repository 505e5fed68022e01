/**
 * Jest global setup of the infra project: synthesizes the default stack once per run and leaves its
 * template in a temporary file named by DEFAULT_TEMPLATE_ENV (inherited by the test workers), so
 * the template tests that only read it (support.ts defaultTemplate()) share one synth instead of
 * one per file. A failed synth is recorded and reported by every test that reads the template.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TEMPLATE_ENV, type SharedTemplate, synthStack } from './support';

export default function globalSetup(): void {
  let shared: SharedTemplate;
  try {
    shared = { template: synthStack().toJSON() };
  } catch (error) {
    shared = { error: error instanceof Error ? error.message : String(error) };
  }
  const file = join(mkdtempSync(join(tmpdir(), 'default-template-')), 'template.json');
  writeFileSync(file, JSON.stringify(shared));
  process.env[DEFAULT_TEMPLATE_ENV] = file;
}
