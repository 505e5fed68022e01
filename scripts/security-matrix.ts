/**
 * Regenerates docs/security-matrix.md from the stack the CDK app synthesizes.
 *
 *   npm run security:matrix            # write the file
 *   npm run security:matrix -- --check # exit 1 if the file is not current (CI)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import {
  buildVariantMatrices,
  renderSecurityDocument,
  SECURITY_MATRIX_DOC,
} from '../security/security-document';

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const started = Date.now();
  const markdown = renderSecurityDocument(await buildVariantMatrices());
  const path = relative(process.cwd(), SECURITY_MATRIX_DOC);
  let current: string | undefined;
  try {
    current = readFileSync(SECURITY_MATRIX_DOC, 'utf8');
  } catch {
    current = undefined;
  }
  const failing = (markdown.match(/\| \*\*NO\*\* \|/g) ?? []).length;
  if (check) {
    if (current !== markdown) {
      console.error(`${path} is not current: run npm run security:matrix`);
      process.exitCode = 1;
    } else {
      console.log(`${path} is current`);
    }
  } else if (current === markdown) {
    console.log(`${path} unchanged (${Date.now() - started} ms)`);
  } else {
    writeFileSync(SECURITY_MATRIX_DOC, markdown);
    console.log(`wrote ${path} (${Date.now() - started} ms)`);
  }
  if (failing > 0) {
    console.error(`${failing} rows of the matrix DO NOT HOLD`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
