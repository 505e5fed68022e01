/**
 * One jest project per kind of test (CONTRIBUTING.md, "Tests"), so the inner loop can leave out the
 * slow ones: `npm run test:fast` runs unit, infra and sandbox; `npm test` runs them all.
 *
 * - unit: pure code (contracts, handlers with mocked clients, web demo logic, lint rules), seconds;
 * - infra: template assertions and the security matrix, on stacks synthesized without bundling;
 * - sandbox: the local sandbox, started in-process or as `npm run sandbox` (reads cdk.out), and the
 *   deploy, destroy and smoke scripts (a stand-in `cdk`, the smoke test against a sandbox);
 * - bundle: the Lambda bundles as esbuild builds them (`*.bundle.test.ts`);
 * - browser: the web demo in Chromium against the sandbox.
 */
import { availableParallelism } from 'node:os';

/** @type {import('jest').Config} */
const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest'] },
  // cognito-local (run in-process by the sandbox) pulls ESM-only packages through otplib; jest's
  // CommonJS runtime needs them transformed.
  transformIgnorePatterns: ['/node_modules/(?!(@scure|@noble|@otplib|otplib)/)'],
  testPathIgnorePatterns: ['/node_modules/', '\\.bundle\\.test\\.ts$'],
};

/** @type {import('jest').Config} */
export default {
  // One test file more than there are cores (jest's default is one fewer): the sandbox and browser
  // files spend part of their time waiting on other processes (Lambda runtimes, the AWS CLI,
  // Chromium), which the extra file fills. On 2 cores, 3 files: the whole run 142 s -> 131 s;
  // 4 files was slower again (135 s). A number, since jest reads a percentage over 100% as a count.
  maxWorkers: availableParallelism() + 1,
  testTimeout: 30000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/{architecture,contracts,lambdas,web-demo}/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'infra',
      testMatch: ['<rootDir>/test/{infra,security}/**/*.test.ts'],
      globalSetup: '<rootDir>/test/infra/default-template.setup.ts',
      globalTeardown: '<rootDir>/test/infra/default-template.teardown.ts',
    },
    {
      ...common,
      displayName: 'sandbox',
      testMatch: ['<rootDir>/test/{sandbox,scripts}/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'bundle',
      testMatch: ['<rootDir>/test/**/*.bundle.test.ts'],
      testPathIgnorePatterns: ['/node_modules/'],
    },
    {
      ...common,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
    },
  ],
};
