import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { API_STAGE_NAME } from '../../contracts/http-api';
import { RATE_LIMIT_ENV } from '../../lambdas/lib/http-api/config';
import {
  assertValidRateLimit,
  RATE_LIMIT_KEY_ATTRIBUTE,
  RATE_LIMIT_TTL_ATTRIBUTE,
  type RateLimit,
  rateLimitKeyPrefix,
} from '../../lambdas/lib/http-api/rate-limit';
import { ProjectNodejsFunction, type ProjectNodejsFunctionProps } from '../lambda-defaults';
import { acknowledgeNag } from '../nag';

/**
 * The stage's default throttle, for each route without its own (a token bucket per route). Far above what one person
 * needs, far below the account's 10,000 RPS, so one API cannot starve the account's others.
 */
export const DEFAULT_API_THROTTLE: apigwv2.ThrottleSettings = { rateLimit: 50, burstLimit: 100 };

/** Reserved concurrency of each route function unless the route says otherwise. */
export const DEFAULT_ROUTE_RESERVED_CONCURRENCY = 5;

/** The access-log line: who-less on purpose (no IP, no user agent, no claims, no query string). */
export const ACCESS_LOG_FORMAT = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLatency: '$context.responseLatency',
  integrationStatus: '$context.integrationStatus',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
  error: '$context.error.message',
} as const;

export interface ProjectHttpApiProps {
  /** Whose tokens the JWT authorizer accepts (issuer). */
  readonly userPool: cognito.IUserPool;
  /** The app client the tokens must be issued to (audience: `aud` or `client_id`). */
  readonly userPoolClient: cognito.IUserPoolClient;
  /**
   * Browser origins allowed by CORS: local development only, since the hosted web demo calls the
   * API on its own origin (CloudFront `/api/*`). `*` is refused.
   */
  readonly allowedOrigins: readonly string[];
  /**
   * The stage's default throttle.
   * @default DEFAULT_API_THROTTLE
   */
  readonly throttle?: apigwv2.ThrottleSettings;
  /**
   * Retention of the access logs and the route functions' logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/** One route of the API: one Lambda function, its own role, its own limits. */
export interface HttpApiRouteProps extends Omit<
  ProjectNodejsFunctionProps,
  'reservedConcurrentExecutions'
> {
  readonly method: apigwv2.HttpMethod;
  /** Path relative to the stage, e.g. `/users` (contracts/http-api.ts `API_PATHS`). */
  readonly path: string;
  /** The route's own throttle on the stage (under the stage's default). */
  readonly throttle: apigwv2.ThrottleSettings;
  /** Per-caller limit, counted in the rate-limit table under `<scope>#<sub>#<window>`. */
  readonly perCallerLimit: RateLimit;
  /**
   * Scopes one of which the token must carry (API Gateway checks `scope`/`scp`).
   * @default - none: any token of the pool for the web client (ID or access token)
   */
  readonly authorizationScopes?: string[];
  /**
   * Who may call the route (an external issuer's JWT authorizer).
   * @default - the API's user pool authorizer ({@link ProjectHttpApi.authorizer})
   */
  readonly authorizer?: apigwv2.IHttpRouteAuthorizer;
  /**
   * Makes the route open: no JWT authorizer, so the function must authenticate the request itself
   * (e.g. guest credentials, whose signed invite is the credential); only the throttles and the
   * per-caller limit stand before it. `reason` says why (it acknowledges cdk-nag's APIG4).
   * @default - the API's Cognito JWT authorizer checks a token before the function runs
   */
  readonly unauthenticated?: { readonly reason: string };
  /**
   * Reserved concurrency: the most instances the route can run, and a floor no other function can
   * take, so a flood of this route never starves the Cognito triggers of concurrency.
   * @default DEFAULT_ROUTE_RESERVED_CONCURRENCY
   */
  readonly reservedConcurrency?: number;
}

/**
 * The project's HTTP API: API Gateway HTTP API with a Cognito JWT authorizer (issuer = the user
 * pool, audience = the web client), one stage named `api` with throttling and token-free access
 * logs, a DynamoDB table for per-caller limits, and one Lambda per route ({@link addRoute}).
 *
 * The stage name is the first path segment (`https://<id>.execute-api.<region>.amazonaws.com/api`),
 * so CloudFront can forward `/api/*` to it unchanged (WebHosting.serveApi).
 */
export class ProjectHttpApi extends Construct {
  public readonly httpApi: apigwv2.HttpApi;
  public readonly stage: apigwv2.HttpStage;
  public readonly authorizer: HttpUserPoolAuthorizer;
  /** Per-caller request counters (TTL-expired). */
  public readonly rateLimitTable: dynamodb.Table;
  public readonly accessLogs: logs.LogGroup;
  /** `https://<id>.execute-api.<region>.amazonaws.com/api` (no trailing slash). */
  public readonly url: string;
  /** `<id>.execute-api.<region>.amazonaws.com`, for a CloudFront origin. */
  public readonly domainName: string;
  /** `RouteSettings` of the stage, as CloudFormation spells them (the L1 property is untyped JSON). */
  private readonly routeSettings: Record<
    string,
    { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }
  > = {};
  private readonly logRetention: logs.RetentionDays;

  constructor(scope: Construct, id: string, props: ProjectHttpApiProps) {
    super(scope, id);
    const origins = validateOrigins(props.allowedOrigins);
    this.logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;

    this.httpApi = new apigwv2.HttpApi(this, 'Api', {
      description:
        'chime-cognito-auth: the project HTTP API (people lookup, credential vending, guest access)',
      createDefaultStage: false,
      ...(origins.length > 0 && {
        corsPreflight: {
          allowOrigins: origins,
          allowMethods: [
            apigwv2.CorsHttpMethod.GET,
            apigwv2.CorsHttpMethod.POST,
            apigwv2.CorsHttpMethod.DELETE,
          ],
          // content-type: JSON bodies (guest invites) make the browser ask for it.
          allowHeaders: ['authorization', 'content-type'],
          allowCredentials: false,
          maxAge: Duration.hours(1),
        },
      }),
    });

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: this.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new apigwv2.HttpStage(this, 'Stage', {
      httpApi: this.httpApi,
      stageName: API_STAGE_NAME,
      autoDeploy: true,
      throttle: props.throttle ?? DEFAULT_API_THROTTLE,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FORMAT)),
      },
    });
    const cfnStage = this.stage.node.defaultChild as apigwv2.CfnStage;
    cfnStage.routeSettings = this.routeSettings;

    this.authorizer = new HttpUserPoolAuthorizer('UserPool', props.userPool, {
      userPoolClients: [props.userPoolClient],
      identitySource: ['$request.header.Authorization'],
    });

    this.rateLimitTable = new dynamodb.Table(this, 'RateLimits', {
      partitionKey: { name: RATE_LIMIT_KEY_ATTRIBUTE, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: RATE_LIMIT_TTL_ATTRIBUTE,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // Counters of the current minute: nothing worth keeping or restoring.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    acknowledgeNag(
      this.rateLimitTable,
      'DDB3',
      'per-caller request counters that expire within minutes (TTL): point-in-time recovery would restore nothing of value',
    );

    const domain = `${this.httpApi.apiId}.execute-api.${Stack.of(this).region}.${Stack.of(this).urlSuffix}`;
    this.domainName = domain;
    this.url = `https://${domain}/${API_STAGE_NAME}`;
  }

  /**
   * Adds a route served by a new Lambda function (its own role: the log group, the route's
   * rate-limit keys, and whatever the caller grants on the returned function's role).
   */
  addRoute(id: string, props: HttpApiRouteProps): ProjectNodejsFunction {
    const {
      method,
      path,
      throttle,
      perCallerLimit,
      authorizationScopes,
      authorizer,
      unauthenticated,
      reservedConcurrency,
      ...functionProps
    } = props;
    assertValidRateLimit(perCallerLimit);
    if (!/^(\/([a-z0-9-]+|\{[a-zA-Z]+\}))+$/.test(path)) {
      throw new Error(`route path must be like /users or /items/{itemId}, got '${path}'`);
    }
    if (unauthenticated && authorizationScopes) {
      throw new Error(`route ${method} ${path} has scopes but no authorizer to check them`);
    }
    const concurrency = reservedConcurrency ?? DEFAULT_ROUTE_RESERVED_CONCURRENCY;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new Error(`reservedConcurrency must be a positive whole number, got ${concurrency}`);
    }

    const fn = new ProjectNodejsFunction(this, id, {
      logRetention: this.logRetention,
      ...functionProps,
      reservedConcurrentExecutions: concurrency,
      environment: {
        ...functionProps.environment,
        [RATE_LIMIT_ENV.tableName]: this.rateLimitTable.tableName,
        [RATE_LIMIT_ENV.limit]: String(perCallerLimit.limit),
        [RATE_LIMIT_ENV.windowSeconds]: String(perCallerLimit.windowSeconds),
      },
    });
    // Only its own counters: one UpdateItem, on keys that start with the route's scope.
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'OwnRateLimitCounters',
        actions: ['dynamodb:UpdateItem'],
        resources: [this.rateLimitTable.tableArn],
        conditions: {
          'ForAllValues:StringLike': {
            'dynamodb:LeadingKeys': [`${rateLimitKeyPrefix(perCallerLimit.scope)}*`],
          },
        },
      }),
    );

    const [route] = this.httpApi.addRoutes({
      path,
      methods: [method],
      integration: new HttpLambdaIntegration(`${id}Integration`, fn, {
        payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
      }),
      authorizer: unauthenticated
        ? new apigwv2.HttpNoneAuthorizer()
        : (authorizer ?? this.authorizer),
      ...(authorizationScopes && { authorizationScopes }),
    });
    if (!route) throw new Error(`no route was created for ${method} ${path}`);
    if (unauthenticated) {
      if (unauthenticated.reason.trim() === '') {
        throw new Error(`route ${method} ${path} is open: say why in unauthenticated.reason`);
      }
      acknowledgeNag(route, 'APIG4', unauthenticated.reason);
    }
    if (throttle.rateLimit === undefined || throttle.burstLimit === undefined) {
      throw new Error(`route ${method} ${path} needs both a rateLimit and a burstLimit`);
    }
    this.routeSettings[`${method} ${path}`] = {
      ThrottlingRateLimit: throttle.rateLimit,
      ThrottlingBurstLimit: throttle.burstLimit,
    };
    // API Gateway refuses route settings that name a route it does not have yet.
    this.stage.node.addDependency(route);
    return fn;
  }
}

/** The distinct web origins of concrete URLs (e.g. the hosted UI callback URLs), for CORS. */
export function webOriginsOf(urls: readonly string[]): string[] {
  const origins = urls.filter((u) => !Token.isUnresolved(u)).map((u) => new URL(u).origin);
  return [...new Set(origins)];
}

/** Origins like `https://chat.example.com`: a scheme and a host, no path, no wildcard. */
export function validateOrigins(origins: readonly string[]): string[] {
  for (const origin of origins) {
    if (Token.isUnresolved(origin)) continue;
    if (!/^https?:\/\/[^/\s*?#]+$/.test(origin)) {
      throw new Error(
        `API origins must be origins like https://chat.example.com (no path, no *), got '${origin}'`,
      );
    }
  }
  return [...new Set(origins)];
}
