import { Duration, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { chimeUserPolicyDocument } from '../../contracts/chime-user-policy';
import {
  type CredentialVendingProps,
  VENDING_AUTHORIZATION_SCOPE,
} from '../../infra/constructs/credential-vending';
import { credentialVendingStack, VENDING_APP_INSTANCE_ARN } from './credential-vending-stack';
import { synthFromContext, testApp } from './support';

const APP_INSTANCE_ARN = VENDING_APP_INSTANCE_ARN;

/** GIVEN a stack with a user pool and the construct (no bundling: the bundle test bundles it). */
function build(overrides: Partial<CredentialVendingProps> = {}) {
  return credentialVendingStack(testApp(), overrides);
}

function template(overrides: Partial<CredentialVendingProps> = {}) {
  const built = build(overrides);
  return { ...built, template: Template.fromStack(built.stack) };
}

let defaults: ReturnType<typeof template>;
beforeAll(() => {
  defaults = template();
});

const logicalId = (stack: Stack, construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);

describe('CredentialVending roles', () => {
  it('user role trusts only the server role, for AssumeRole + TagSession, only with the tag', () => {
    const { template: t, stack, vending } = defaults;
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['sts:AssumeRole', 'sts:TagSession'],
            Principal: { AWS: { 'Fn::GetAtt': [logicalId(stack, vending.serverRole), 'Arn'] } },
            Condition: {
              Null: { 'aws:RequestTag/chime_user_id': 'false' },
              'ForAllValues:StringEquals': { 'aws:TagKeys': ['chime_user_id'] },
            },
          },
        ],
      },
      MaxSessionDuration: 3600,
    });
  });

  it('user role permissions are exactly the shared Chime user policy, keyed on the same tag', () => {
    const { template: t, stack, vending } = defaults;
    const { Resources } = t.toJSON() as {
      Resources: Record<string, { Properties: Record<string, unknown> }>;
    };
    const role = Resources[logicalId(stack, vending.userRole)]!;
    expect(role.Properties.Policies).toEqual([
      {
        PolicyName: 'ChimeMessagingAsSelf',
        PolicyDocument: stack.resolve(
          chimeUserPolicyDocument({
            appInstanceArn: APP_INSTANCE_ARN,
            principalTagKey: 'chime_user_id',
          }),
        ),
      },
    ]);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('a custom tag key flows into the trust conditions, the policy and the function', () => {
    const { template: t } = template({ principalTagKey: 'app_user' });
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Condition: {
              Null: { 'aws:RequestTag/app_user': 'false' },
              'ForAllValues:StringEquals': { 'aws:TagKeys': ['app_user'] },
            },
          }),
        ],
      },
      Policies: [
        Match.objectLike({
          PolicyDocument: Match.objectLike({
            Statement: Match.arrayWith([
              Match.objectLike({
                Resource: Match.arrayWith([
                  `${APP_INSTANCE_ARN}/user/\${aws:PrincipalTag/app_user}`,
                ]),
              }),
            ]),
          }),
        }),
      ],
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ PRINCIPAL_TAG_KEY: 'app_user' }) },
    });
  });

  it('server role is the function role: assume + tag the user role, write its logs, count its own requests, nothing else', () => {
    const { template: t, stack, vending } = defaults;
    const serverId = logicalId(stack, vending.serverRole);
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'lambda.amazonaws.com' },
          },
        ],
      },
      ManagedPolicyArns: Match.absent(),
      Policies: Match.absent(),
    });
    const policies = Object.values(
      t.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: serverId }] } }),
    ) as { Properties: { PolicyDocument: { Statement: unknown } } }[];
    expect(policies).toHaveLength(1);
    expect(policies[0]!.Properties.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Resource: { 'Fn::GetAtt': [logicalId(stack, vending.userRole), 'Arn'] },
      },
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/LogGroup/), 'Arn'] },
      },
      {
        Sid: 'OwnRateLimitCounters',
        Effect: 'Allow',
        Action: 'dynamodb:UpdateItem',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/RateLimits/), 'Arn'] },
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['credentials#*'] } },
      },
    ]);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Role: { 'Fn::GetAtt': [serverId, 'Arn'] },
    });
  });
});

describe('CredentialVending route and function', () => {
  it('configures the handler for the user role, the session length and its per-caller limit', () => {
    const {
      template: t,
      stack,
      vending,
    } = template({
      sessionDuration: Duration.minutes(30),
      requestsPerMinute: 6,
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      ReservedConcurrentExecutions: 5,
      Environment: {
        Variables: Match.objectLike({
          USER_ROLE_ARN: { 'Fn::GetAtt': [logicalId(stack, vending.userRole), 'Arn'] },
          PRINCIPAL_TAG_KEY: 'chime_user_id',
          APP_INSTANCE_ARN: APP_INSTANCE_ARN,
          SESSION_DURATION_SECONDS: '1800',
          RATE_LIMIT_PER_WINDOW: '6',
          RATE_LIMIT_WINDOW_SECONDS: '60',
          TOKEN_ISSUER_KIND: Match.absent(),
        }),
      },
    });
  });

  it('is POST /credentials behind the JWT authorizer, access tokens only (scope), throttled', () => {
    const { template: t } = defaults;
    t.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /credentials',
      AuthorizationType: 'JWT',
      AuthorizationScopes: [VENDING_AUTHORIZATION_SCOPE],
    });
    t.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      RouteSettings: {
        'POST /credentials': { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
      },
    });
    t.resourceCountIs('AWS::Lambda::Url', 0);
  });

  it('a smaller reserved concurrency can be set; none is refused', () => {
    template({ reservedConcurrency: 2 }).template.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 2,
    });
    expect(() => build({ reservedConcurrency: 0 })).toThrow(/positive whole number/);
  });
});

describe('CredentialVending validation', () => {
  it.each([
    [
      { sessionDuration: Duration.minutes(10) },
      /sessionDuration must be 15 to 60 minutes, got 600/,
    ],
    [{ sessionDuration: Duration.hours(2) }, /got 7200 seconds/],
    [{ principalTagKey: 'aws:x' }, /reserved prefix/],
    [{ requestsPerMinute: 0 }, /positive whole number/],
  ])('refuses %p', (overrides, message) => {
    expect(() => build(overrides as Partial<CredentialVendingProps>)).toThrow(message);
  });
});

describe('the stack: credential vending is off by default, on with a context flag', () => {
  it('off: no vending route, function or output', () => {
    const t = synthFromContext({});
    expect(JSON.stringify(t.findResources('AWS::ApiGatewayV2::Route'))).not.toContain(
      'POST /credentials',
    );
    expect(Object.keys(t.findOutputs('CredentialVendingUrl'))).toHaveLength(0);
    expect(JSON.stringify(t.findOutputs('ClientConfig'))).not.toContain('credentialVendingUrl');
  });

  it('on: the route on the HTTP API, its URL <apiUrl>/credentials in the outputs and config.json', () => {
    const t = synthFromContext({
      credentialVending: 'true',
      callbackUrls: 'https://chat.example.com/app/,http://localhost:5173/',
    });
    t.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /credentials' });
    // CORS for local development: the callback URLs' origins (the hosted demo is same-origin).
    t.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({
        AllowOrigins: ['https://chat.example.com', 'http://localhost:5173'],
      }),
    });
    const url = JSON.stringify(t.findOutputs('CredentialVendingUrl'));
    expect(url).toContain('.execute-api.');
    expect(url).toContain('/api/credentials');
    expect(JSON.stringify(t.findOutputs('ClientConfig'))).toContain('credentialVendingUrl');
  });

  it.each([
    [{ credentialVending: 'yes' }, /'credentialVending' must be true or false, got "yes"/],
    [{ apiOrigins: 'https://a.example/path' }, /no path/],
    [{ credentialVendingOrigins: 'https://a.example' }, /renamed 'apiOrigins'/],
  ])('refuses %p', (context, message) => {
    expect(() => synthFromContext(context)).toThrow(message);
  });
});
