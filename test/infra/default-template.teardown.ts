/** Jest global teardown of the infra project: removes what default-template.setup.ts left for the run. */
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_TEMPLATE_ENV } from './default-template';

export default function globalTeardown(): void {
  const file = process.env[DEFAULT_TEMPLATE_ENV];
  if (file !== undefined) rmSync(dirname(file), { recursive: true, force: true });
}
