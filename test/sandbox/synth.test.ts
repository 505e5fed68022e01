/**
 * When the sandbox's synth (sandbox/synth.ts) rebuilds a cloud assembly: `staleReason` against a
 * fake project root and assembly whose file times the test sets.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { type SynthContext, stampAssembly, staleReason } from '../../sandbox/synth';

const BUILT = new Date('2026-12-01T12:00:00Z');
const BEFORE = new Date(BUILT.getTime() - 60_000);
const AFTER = new Date(BUILT.getTime() + 60_000);

let root: string;
let outside: string;
let cdkOut: string;

function file(path: string, time: Date, text = '{}'): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  utimesSync(path, time, time);
  return path;
}

/** An assembly the sandbox built at BUILT with `context`, its sources older. */
function assembly(context: SynthContext): void {
  file(join(cdkOut, 'manifest.json'), BUILT, JSON.stringify({ version: '1', artifacts: {} }));
  stampAssembly(cdkOut, context);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'synth-root-'));
  outside = mkdtempSync(join(tmpdir(), 'synth-outside-'));
  cdkOut = join(root, 'cdk.out');
  file(join(root, 'infra', 'stack.ts'), BEFORE);
  utimesSync(join(root, 'infra'), BEFORE, BEFORE); // a source folder's own time counts too
  file(join(root, 'cdk.json'), BEFORE);
});

afterEach(() => {
  for (const dir of [root, outside]) rmSync(dir, { recursive: true, force: true });
});

test('up to date when sources are older and the context is the recorded one', () => {
  assembly({ userEvents: 'true' });
  expect(staleReason(cdkOut, root, { userEvents: 'true' })).toBeUndefined();
});

test('stale without an assembly, with other context, or after a source changed', () => {
  expect(staleReason(cdkOut, root)).toMatch(/^no cloud assembly in /);
  assembly({});
  expect(staleReason(cdkOut, root, { userEvents: 'true' })).toBe('synth context changed');
  file(join(root, 'infra', 'stack.ts'), AFTER);
  expect(staleReason(cdkOut, root)).toBe('stack sources changed since the last synth');
});

test("an assembly another command wrote over the sandbox's (cdk synth, deploy, destroy) is stale", () => {
  assembly({});
  expect(staleReason(cdkOut, root)).toBeUndefined();
  // `cdk destroy` synthesizes into cdk.out without bundling: same context stamp, new manifest.
  file(
    join(cdkOut, 'manifest.json'),
    BUILT,
    JSON.stringify({ version: '1', artifacts: { x: {} } }),
  );
  expect(staleReason(cdkOut, root)).toBe(
    'the cloud assembly was written by another command (cdk synth, deploy or destroy)',
  );
  // An assembly with no stamp at all (the CLI's own, or one from before stamps) is not trusted.
  rmSync(join(cdkOut, 'sandbox-synth-context.json'));
  expect(staleReason(cdkOut, root)).toMatch(/written by another command/);
  // The sandbox's synth stamps it again: up to date.
  stampAssembly(cdkOut, {});
  expect(staleReason(cdkOut, root)).toBeUndefined();
});

test('a project file that a context value names is a source: editing it makes the assembly stale', () => {
  const providers = file(join(root, 'docs', 'examples', 'providers.json'), BEFORE);
  // Named absolutely or relative to the project root (where cdk synth runs): the same file.
  for (const value of [providers, 'docs/examples/providers.json']) {
    const context = { identityProviders: value };
    assembly(context);
    utimesSync(providers, BEFORE, BEFORE);
    expect(staleReason(cdkOut, root, context)).toBeUndefined();
    utimesSync(providers, AFTER, AFTER);
    expect(staleReason(cdkOut, root, context)).toBe(
      `${join('docs', 'examples', 'providers.json')} changed since the last synth`,
    );
  }
});

test('context values that are no project file are not sources', () => {
  const elsewhere = file(join(outside, 'providers.json'), AFTER);
  mkdirSync(join(root, 'docs'));
  utimesSync(join(root, 'docs'), AFTER, AFTER);
  const context = {
    outsideTheProject: elsewhere,
    escaping: join('..', basename(outside), 'providers.json'),
    aDirectory: 'docs',
    aFlag: 'true',
    anIssuer: 'http://127.0.0.1:4610',
  };
  assembly(context);
  expect(staleReason(cdkOut, root, context)).toBeUndefined();
});
