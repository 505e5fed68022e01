import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  type BundlingOptions,
  NodejsFunction,
  type NodejsFunctionProps,
  OutputFormat,
  SourceMapMode,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { type Construct } from 'constructs';
import { POWERTOOLS_ENV } from '../contracts/lambda-environment';

/**
 * The Lambda runtime of every function in this project: the newest Node.js Lambda offers in every
 * region (aws-cdk-lib 2.276: nodejs24.x). Pinned rather than `NODEJS_LATEST`, so an aws-cdk-lib
 * upgrade never changes a deployed runtime (and the bundle's target) without a reviewed diff.
 */
export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** esbuild target matching {@link LAMBDA_RUNTIME}. */
export const LAMBDA_ESBUILD_TARGET = 'node24';

/**
 * esbuild options shared by every function.
 *
 * - `@aws-sdk/*` is left to the runtime's copy of SDK v3 by default: the smallest artifact, and an
 *   SDK that AWS patches without a redeploy. Bundling it loads 15-23 % faster (docs/triggers.md);
 *   latency-critical functions opt in with `bundling: { bundleAwsSDK: true, externalModules: [] }`,
 *   as the Cognito sign-in triggers do.
 * - Minified, with an external source map (no sources inside) that Node applies to stack traces
 *   (`NODE_OPTIONS=--enable-source-maps`, set in {@link LAMBDA_ENVIRONMENT_DEFAULTS}).
 * - `module` before `main`, so ESM builds of dependencies (Powertools) tree-shake.
 */
export const LAMBDA_BUNDLING: BundlingOptions = {
  minify: true,
  sourceMap: true,
  sourceMapMode: SourceMapMode.EXTERNAL,
  sourcesContent: false,
  target: LAMBDA_ESBUILD_TARGET,
  format: OutputFormat.CJS,
  mainFields: ['module', 'main'],
  bundleAwsSDK: false,
  externalModules: ['@aws-sdk/*'],
};

/** Environment every function gets (the caller's variables are added to these). */
export const LAMBDA_ENVIRONMENT_DEFAULTS: Readonly<Record<string, string>> = {
  NODE_OPTIONS: '--enable-source-maps',
  [POWERTOOLS_ENV.logLevel]: 'INFO',
};

const APPLICATION_LOG_LEVELS: Record<string, lambda.ApplicationLogLevel> = {
  TRACE: lambda.ApplicationLogLevel.TRACE,
  DEBUG: lambda.ApplicationLogLevel.DEBUG,
  INFO: lambda.ApplicationLogLevel.INFO,
  WARN: lambda.ApplicationLogLevel.WARN,
  ERROR: lambda.ApplicationLogLevel.ERROR,
  CRITICAL: lambda.ApplicationLogLevel.FATAL,
  FATAL: lambda.ApplicationLogLevel.FATAL,
};

function applicationLogLevel(level: string | undefined): lambda.ApplicationLogLevel {
  const value = APPLICATION_LOG_LEVELS[(level ?? 'INFO').toUpperCase()];
  if (!value) {
    throw new Error(
      `LOG_LEVEL must be one of ${Object.keys(APPLICATION_LOG_LEVELS).join(', ')}, got '${level}'`,
    );
  }
  return value;
}

export interface ProjectNodejsFunctionProps extends NodejsFunctionProps {
  /**
   * How long the function's log group keeps events.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Removal policy of the function's log group.
   * @default RemovalPolicy.DESTROY
   */
  readonly logRemovalPolicy?: RemovalPolicy;

  /**
   * Powertools service name written in every log line.
   * @default - the construct id
   */
  readonly serviceName?: string;
}

/**
 * A `NodejsFunction` with this project's defaults: Node 24 on ARM64, minified bundle without the
 * AWS SDK, JSON logs into a log group of its own with a retention, X-Ray off (no `xray:*` on `*`),
 * and an execution role that may only write to that log group (no `AWSLambdaBasicExecutionRole`,
 * whose `logs:*` on `*` cdk-nag rejects). Grant the function's own permissions on `fn.role`.
 *
 * The caller's props are spread first; runtime, architecture, log format and log group cannot be
 * overridden (bundling options are merged over {@link LAMBDA_BUNDLING}).
 */
export class ProjectNodejsFunction extends NodejsFunction {
  /** The function's log group (also `fn.logGroup`). */
  public readonly projectLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ProjectNodejsFunctionProps) {
    const { logRetention, logRemovalPolicy, serviceName, ...functionProps } = props;
    // Siblings (not children): a subclass cannot create children before calling super().
    const logGroup = new logs.LogGroup(scope, `${id}LogGroup`, {
      retention: logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    const role =
      functionProps.role ??
      new iam.Role(scope, `${id}ServiceRole`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `Execution role of ${id}`,
      });
    logGroup.grantWrite(role);

    const environment: Record<string, string> = {
      ...LAMBDA_ENVIRONMENT_DEFAULTS,
      [POWERTOOLS_ENV.serviceName]: serviceName ?? id,
      ...functionProps.environment,
    };
    super(scope, id, {
      memorySize: 256,
      timeout: Duration.seconds(10),
      tracing: lambda.Tracing.DISABLED,
      ...functionProps,
      bundling: { ...LAMBDA_BUNDLING, ...functionProps.bundling },
      environment,
      role,
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      loggingFormat: lambda.LoggingFormat.JSON,
      // With JSON logs Lambda filters application logs itself (default INFO), and Powertools defers
      // to it: keep both on the LOG_LEVEL the function is configured with.
      applicationLogLevelV2: applicationLogLevel(environment[POWERTOOLS_ENV.logLevel]),
      logGroup,
    });
    this.projectLogGroup = logGroup;
  }
}
