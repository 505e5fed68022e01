/**
 * The default template kept between runs (default-template.ts): reused only while every source is
 * older than the synth that made it; anything else (a newer source, no file, a damaged file) means
 * a new synth.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TEMPLATE_SOURCES, keepTemplate, keptTemplate } from './default-template';

const SYNTH = new Date('2026-12-01T12:00:00Z').getTime();
const TEMPLATE = { Resources: { Pool: { Type: 'AWS::Cognito::UserPool' } } };
let root: string;
let file: string;

/** Every source (a directory holds one file) saved at `time`. */
function sources(time: number): void {
  for (const source of DEFAULT_TEMPLATE_SOURCES) {
    const path = /\.\w+$/.test(source) ? join(root, source) : join(root, source, 'index.ts');
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, '');
    const at = new Date(time);
    utimesSync(path, at, at);
    if (path !== join(root, source)) utimesSync(join(root, source), at, at);
  }
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'default-template-'));
  file = join(root, 'cache', 'default-template.json');
  sources(SYNTH - 60_000);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

test('reused while every source is older than the synth that made it', () => {
  keepTemplate(SYNTH, TEMPLATE, file);
  expect(keptTemplate(file, root)).toEqual(TEMPLATE);
});

test.each(DEFAULT_TEMPLATE_SOURCES)('stale once %s is saved after the synth started', (source) => {
  keepTemplate(SYNTH, TEMPLATE, file);
  const path = /\.\w+$/.test(source) ? join(root, source) : join(root, source, 'index.ts');
  const after = new Date(SYNTH + 1_000);
  utimesSync(path, after, after);
  expect(keptTemplate(file, root)).toBeUndefined();
});

test('none kept, or a damaged file: a new synth', () => {
  expect(keptTemplate(file, root)).toBeUndefined();
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, '{"synthStartedAt": 1, "templ');
  expect(keptTemplate(file, root)).toBeUndefined();
});
