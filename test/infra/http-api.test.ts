/**
 * The project's HTTP API in the synthesized stack: the JWT authorizer, the stage (name, throttling,
 * access logs), the people route and its function's one Cognito permission, the per-caller
 * counters, the outputs, and CloudFront serving `/api/*` on the demo's own origin.
 */
import { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import {
  ACCESS_LOG_FORMAT,
  DEFAULT_API_THROTTLE,
  ProjectHttpApi,
} from '../../infra/constructs/project-http-api';
import { API_PATHS } from '../../contracts/http-api';
import { contentSecurityPolicy } from '../../infra/constructs/web-hosting';
import { defaultTemplate, onlyResource, testApp } from './support';

let t: Template;
beforeAll(() => {
  t = defaultTemplate();
});

type Resources = Record<string, { Properties: Record<string, unknown>; DependsOn?: string[] }>;
const ofType = (type: string) => t.findResources(type) as Resources;

describe('the API and its JWT authorizer', () => {
  test('an HTTP API whose JWT authorizer takes the user pool issuer and the web client audience', () => {
    const pool = onlyResource(t, 'AWS::Cognito::UserPool').logicalId;
    const client = onlyResource(t, 'AWS::Cognito::UserPoolClient').logicalId;
    t.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Issuer: {
          'Fn::Join': ['', ['https://cognito-idp.us-east-1.amazonaws.com/', { Ref: pool }]],
        },
        Audience: [{ Ref: client }],
      },
    });
    // Every route is authorized but the one whose body is its credential (a guest's invite).
    for (const route of Object.values(ofType('AWS::ApiGatewayV2::Route'))) {
      const open = route.Properties.RouteKey === `POST ${API_PATHS.guestCredentials}`;
      expect(route.Properties.AuthorizationType).toBe(open ? 'NONE' : 'JWT');
    }
  });

  test('CORS only for local development origins (the hosted demo calls it same-origin)', () => {
    t.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: {
        AllowOrigins: ['http://localhost:5173'],
        AllowMethods: ['GET', 'POST', 'DELETE'],
        AllowHeaders: ['authorization', 'content-type'],
        AllowCredentials: false,
        MaxAge: 3600,
      },
    });
  });
});

describe('the stage', () => {
  test("named 'api', deployed automatically, throttled by default and per route", () => {
    const [stage] = Object.values(ofType('AWS::ApiGatewayV2::Stage'));
    expect(stage!.Properties).toMatchObject({
      StageName: 'api',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: DEFAULT_API_THROTTLE.rateLimit,
        ThrottlingBurstLimit: DEFAULT_API_THROTTLE.burstLimit,
      },
      // Under Cognito's ListUsers quota (30 RPS per account, not adjustable).
      RouteSettings: { 'GET /users': { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 } },
    });
    // API Gateway refuses route settings naming a route it does not have yet.
    const routes = Object.keys(ofType('AWS::ApiGatewayV2::Route'));
    expect(stage!.DependsOn).toEqual(expect.arrayContaining(routes));
  });

  test('access logs: request id, route, status, latency and errors; never an address or a token', () => {
    const [stage] = Object.values(ofType('AWS::ApiGatewayV2::Stage'));
    const settings = stage!.Properties.AccessLogSettings as {
      Format: string;
      DestinationArn: unknown;
    };
    expect(JSON.parse(settings.Format)).toEqual(ACCESS_LOG_FORMAT);
    for (const leaky of ['sourceIp', 'userAgent', 'claims', 'identity', 'path']) {
      expect(settings.Format).not.toContain(leaky);
    }
    expect(settings.DestinationArn).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/AccessLogs/), 'Arn'],
    });
  });
});

describe('GET /users', () => {
  const lookupFunction = () => {
    const [id, fn] = Object.entries(ofType('AWS::Lambda::Function')).find(([id]) =>
      id.includes('UsersLookup'),
    )!;
    return { id, fn };
  };

  test('a JWT route without scopes (the ID token), payload format 2.0, one function', () => {
    t.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'GET /users',
      AuthorizationType: 'JWT',
      AuthorizationScopes: Match.absent(),
    });
    t.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [lookupFunction().id, 'Arn'] },
    });
  });

  test('reserved concurrency, and a per-caller limit of 30 a minute', () => {
    expect(lookupFunction().fn.Properties).toMatchObject({
      ReservedConcurrentExecutions: 5,
      Environment: {
        Variables: expect.objectContaining({
          RATE_LIMIT_PER_WINDOW: '30',
          RATE_LIMIT_WINDOW_SECONDS: '60',
          USER_POOL_ID: { Ref: onlyResource(t, 'AWS::Cognito::UserPool').logicalId },
        }),
      },
    });
  });

  test("the function's role: ListUsers on this pool, its own counters, its logs; nothing else", () => {
    const role = (lookupFunction().fn.Properties.Role as { 'Fn::GetAtt': [string] })[
      'Fn::GetAtt'
    ][0];
    const policies = Object.values(ofType('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties.Roles).includes(role),
    );
    expect(policies).toHaveLength(1);
    const pool = onlyResource(t, 'AWS::Cognito::UserPool').logicalId;
    expect((policies[0]!.Properties.PolicyDocument as { Statement: unknown[] }).Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/UsersLookupLogGroup/), 'Arn'] },
      },
      {
        Sid: 'OwnRateLimitCounters',
        Effect: 'Allow',
        Action: 'dynamodb:UpdateItem',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/RateLimits/), 'Arn'] },
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['users#*'] } },
      },
      {
        Sid: 'FindUsersByEmail',
        Effect: 'Allow',
        Action: 'cognito-idp:ListUsers',
        Resource: { 'Fn::GetAtt': [pool, 'Arn'] },
      },
    ]);
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.anyValue(),
      ManagedPolicyArns: Match.absent(),
    });
  });

  test('API Gateway may invoke it on this route only', () => {
    t.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'apigateway.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [lookupFunction().id, 'Arn'] },
      SourceArn: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('/\\*/\\*/users$')])] },
    });
  });
});

test('the rate-limit table: on demand, TTL, nothing worth keeping', () => {
  t.hasResource('AWS::DynamoDB::Table', {
    Properties: {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    },
    DeletionPolicy: 'Delete',
  });
});

test('outputs: ApiUrl (API Gateway) and apiUrl in the ClientConfig', () => {
  const api = onlyResource(t, 'AWS::ApiGatewayV2::Api').logicalId;
  t.hasOutput('ApiUrl', {
    Value: {
      'Fn::Join': [
        '',
        ['https://', { Ref: api }, '.execute-api.us-east-1.', { Ref: 'AWS::URLSuffix' }, '/api'],
      ],
    },
  });
  expect(JSON.stringify(t.findOutputs('ClientConfig'))).toContain('"apiUrl');
});

describe('the hosted demo reaches the API same-origin', () => {
  test('CloudFront forwards /api/* to the stage, uncached, with Authorization, and no SPA error pages', () => {
    const distribution = onlyResource(t, 'AWS::CloudFront::Distribution').properties
      .DistributionConfig as Record<string, unknown>;
    expect(distribution.CustomErrorResponses).toBeUndefined();
    const behaviors = distribution.CacheBehaviors as Record<string, unknown>[];
    const api = behaviors.find((b) => b.PathPattern === '/api/*');
    expect(api).toMatchObject({
      ViewerProtocolPolicy: 'https-only',
      AllowedMethods: expect.arrayContaining(['GET', 'POST', 'OPTIONS']),
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // Managed-CachingDisabled
      OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac', // AllViewerExceptHostHeader
    });
    const origins = distribution.Origins as {
      Id: string;
      DomainName: unknown;
      CustomOriginConfig?: unknown;
    }[];
    const origin = origins.find((o) => o.Id === api!.TargetOriginId)!;
    expect(JSON.stringify(origin.DomainName)).toContain('.execute-api.');
    expect(origin.CustomOriginConfig).toMatchObject({
      OriginProtocolPolicy: 'https-only',
      OriginSSLProtocols: ['TLSv1.2'],
    });
    // The app's own paths reach index.html through a viewer-request function instead.
    expect(
      (distribution.DefaultCacheBehavior as Record<string, unknown>).FunctionAssociations,
    ).toEqual([{ EventType: 'viewer-request', FunctionARN: expect.anything() }]);
  });

  test("the CSP stays connect-src 'self' plus the AWS endpoints: no API or Lambda URL wildcard", () => {
    const csp = contentSecurityPolicy('us-east-1');
    expect(csp).not.toMatch(/lambda-url|execute-api/);
    const policies = JSON.stringify(ofType('AWS::CloudFront::ResponseHeadersPolicy'));
    expect(policies).not.toMatch(/lambda-url|execute-api/);
  });

  test("the deployed config.json points the demo at its own origin's /api", () => {
    // config.json's deploy-time values (the asset's markers): the distribution's domain for the
    // sign-in URL, the sign-out URL and apiUrl, and never the API Gateway endpoint.
    const deployment = Object.values(ofType('Custom::CDKBucketDeployment'))[0]!;
    const markers = JSON.stringify(deployment.Properties.SourceMarkers);
    const api = onlyResource(t, 'AWS::ApiGatewayV2::Api').logicalId;
    expect(markers).not.toContain(api);
    expect(markers.match(/WebHostingDistribution[A-F0-9]+","DomainName"/g)).toHaveLength(3);
  });
});

describe('ProjectHttpApi validation', () => {
  const api = (origins: string[]) => {
    const stack = new Stack(testApp(), 'T', { env: { region: 'us-east-1' } });
    return new ProjectHttpApi(stack, 'Api', {
      userPool: cognito.UserPool.fromUserPoolId(stack, 'P', 'us-east-1_x'),
      userPoolClient: cognito.UserPoolClient.fromUserPoolClientId(stack, 'C', 'c'),
      allowedOrigins: origins,
    });
  };

  test('refuses wildcard or path origins, and malformed routes', () => {
    expect(() => api(['*'])).toThrow(/no path, no \*/);
    expect(() => api(['https://a.example/app'])).toThrow(/no path/);
    const ok = api(['https://a.example']);
    const route = {
      method: apigwv2.HttpMethod.GET,
      entry: __filename,
      throttle: { rateLimit: 1, burstLimit: 1 },
      perCallerLimit: { scope: 'x', limit: 1, windowSeconds: 60 },
    };
    expect(() => ok.addRoute('A', { ...route, path: 'users' })).toThrow(/route path must be like/);
    expect(() =>
      ok.addRoute('B', {
        ...route,
        path: '/b',
        perCallerLimit: { scope: 'x', limit: 0, windowSeconds: 60 },
      }),
    ).toThrow(/positive whole number/);
  });
});
