/**
 * `npm run bench`: runs every `bench/*.bench.ts` module (or those whose file name contains one of
 * the command-line arguments) one after another. Each module exports `run(): Promise<void>` and
 * prints its own figures; nothing is asserted. A module that exports `runOnlyWhenNamed = true`
 * (one that takes many minutes, like the whole suite's) runs only when an argument names it.
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';

interface BenchModule {
  run: () => Promise<void>;
  runOnlyWhenNamed?: boolean;
}

async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
    .sort();
  if (files.length === 0) throw new Error(`no benchmark matches ${filters.join(', ')}`);
  for (const file of files) {
    const mod = (await import(path.join(__dirname, file))) as BenchModule;
    if (mod.runOnlyWhenNamed && filters.length === 0) {
      console.log(
        `\n## ${file}: left out (run it by name: npm run bench -- ${file.split('.')[0]})`,
      );
      continue;
    }
    console.log(`\n## ${file}`);
    await mod.run();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
