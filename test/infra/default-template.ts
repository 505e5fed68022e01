/**
 * The default stack's template as the infra project's global setup shares it
 * (default-template.setup.ts), and the copy kept between runs. Apart from support.ts so the setup
 * loads aws-cdk-lib only when it has to synthesize.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../sandbox/core/state';
import { PROJECT_ROOT, STACK_SOURCES, newestMtime } from '../../sandbox/synth';

/** Where the infra project's global setup leaves the default stack's template (a JSON file). */
export const DEFAULT_TEMPLATE_ENV = 'CHIME_TEST_DEFAULT_TEMPLATE';

/** What the global setup writes: the template of `synthStack()`, or why synth failed. */
export type SharedTemplate = { readonly template: unknown } | { readonly error: string };

/** What the default template is made from: the stack, its code, its flags and packages, its tests' support. */
export const DEFAULT_TEMPLATE_SOURCES = [
  ...STACK_SOURCES,
  'test/infra/support.ts',
  'test/infra/default-template.ts',
];

/** Where a successful template is kept between runs. */
export const KEPT_TEMPLATE_FILE = join(
  PROJECT_ROOT,
  'node_modules',
  '.cache',
  'chime-cognito-auth',
  'default-template.json',
);

interface KeptTemplate {
  /** When the synth that made it started: a source saved after that makes it stale. */
  readonly synthStartedAt: number;
  readonly template: unknown;
}

/** The kept template, or undefined when there is none or a source changed since its synth. */
export function keptTemplate(file = KEPT_TEMPLATE_FILE, root = PROJECT_ROOT): unknown {
  let kept: KeptTemplate;
  try {
    kept = JSON.parse(readFileSync(file, 'utf8')) as KeptTemplate;
  } catch {
    return undefined;
  }
  const newest = Math.max(...DEFAULT_TEMPLATE_SOURCES.map((s) => newestMtime(join(root, s))));
  return newest < kept.synthStartedAt ? kept.template : undefined;
}

/** Keeps `template` (written atomically: a parallel run reads it whole). */
export function keepTemplate(
  synthStartedAt: number,
  template: unknown,
  file = KEPT_TEMPLATE_FILE,
): void {
  writeFileAtomic(file, JSON.stringify({ synthStartedAt, template } satisfies KeptTemplate));
}
