import { Duration, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { chimeUserPolicyDocument } from '../../contracts/chime-user-policy';
import {
  type CredentialVendingProps,
  VendingTokenIssuer,
} from '../../infra/constructs/credential-vending';
import { asTemplate } from '../../sandbox/iam/template';
import { APP_INSTANCE_ARN, buildVendingStack } from './credential-vending-stack';
import { synthFromContext } from './support';

function template(overrides: Partial<CredentialVendingProps> = {}) {
  const built = buildVendingStack(overrides);
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
    const role = asTemplate(t.toJSON()).Resources[logicalId(stack, vending.userRole)];
    expect(role?.Properties?.Policies).toEqual([
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
    expect(role?.Properties?.ManagedPolicyArns).toBeUndefined();
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

  it('server role is the function role: assume + tag the user role, write its logs, nothing else', () => {
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
    ]);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Role: { 'Fn::GetAtt': [serverId, 'Arn'] },
    });
  });
});

describe('CredentialVending function and URL', () => {
  it('configures the handler for the user pool, the user role and the session length', () => {
    const {
      template: t,
      stack,
      vending,
    } = template({
      sessionDuration: Duration.minutes(30),
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Environment: {
        Variables: Match.objectLike({
          TOKEN_ISSUER_KIND: 'cognito',
          COGNITO_USER_POOL_ID: 'us-east-1_TestPool1',
          COGNITO_CLIENT_IDS: 'webclient123',
          USER_ROLE_ARN: { 'Fn::GetAtt': [logicalId(stack, vending.userRole), 'Arn'] },
          PRINCIPAL_TAG_KEY: 'chime_user_id',
          APP_INSTANCE_ARN: APP_INSTANCE_ARN,
          SESSION_DURATION_SECONDS: '1800',
        }),
      },
    });
  });

  it('serves a public function URL with CORS limited to the web origins, POST only', () => {
    const { template: t } = defaults;
    t.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      Cors: {
        AllowOrigins: ['https://chat.example.com', 'http://localhost:5173'],
        AllowMethods: ['POST'],
        AllowHeaders: ['authorization', 'content-type'],
        AllowCredentials: false,
        MaxAge: 3600,
      },
    });
    t.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunctionUrl',
      FunctionUrlAuthType: 'NONE',
    });
  });

  it('takes another identity provider through the OIDC seam', () => {
    const { template: t } = template({
      tokenIssuer: VendingTokenIssuer.oidc({
        issuer: 'https://login.example.com',
        audience: ['rp-1', 'rp-2'],
      }),
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          TOKEN_ISSUER_KIND: 'oidc',
          OIDC_ISSUER: 'https://login.example.com',
          OIDC_AUDIENCE: 'rp-1,rp-2',
          COGNITO_USER_POOL_ID: Match.absent(),
        }),
      },
    });
  });
});

describe('CredentialVending validation', () => {
  it.each([
    [{ allowedOrigins: [] }, /allowedOrigins needs at least one web origin/],
    [{ allowedOrigins: ['*'] }, /allowedOrigins must be origins like .*got '\*'/],
    [{ allowedOrigins: ['https://a.example/app'] }, /no path.*got 'https:\/\/a.example\/app'/],
    [
      { sessionDuration: Duration.minutes(10) },
      /sessionDuration must be 15 to 60 minutes, got 600/,
    ],
    [{ sessionDuration: Duration.hours(2) }, /got 7200 seconds/],
    [{ principalTagKey: 'aws:x' }, /reserved prefix/],
  ])('refuses %p', (overrides, message) => {
    expect(() => buildVendingStack(overrides as Partial<CredentialVendingProps>)).toThrow(message);
  });

  it('refuses a plain-http OIDC issuer and an empty audience', () => {
    expect(() =>
      VendingTokenIssuer.oidc({ issuer: 'http://idp.example', audience: ['a'] }),
    ).toThrow(/must be https URLs, got 'http:\/\/idp.example'/);
    expect(() => VendingTokenIssuer.oidc({ issuer: 'https://idp.example', audience: [] })).toThrow(
      /at least one audience/,
    );
  });
});

describe('the stack: credential vending is off by default, on with a context flag', () => {
  it('off: no vending function, URL or output', () => {
    const t = synthFromContext({});
    t.resourceCountIs('AWS::Lambda::Url', 0);
    expect(Object.keys(t.findOutputs('CredentialVendingUrl'))).toHaveLength(0);
    expect(JSON.stringify(t.findOutputs('ClientConfig'))).not.toContain('credentialVendingUrl');
  });

  it('on: roles, trust, function and URL, CORS from the callback origins, URL in config.json', () => {
    const t = synthFromContext({
      credentialVending: 'true',
      callbackUrls: 'https://chat.example.com/app/,http://localhost:5173/',
    });
    t.resourceCountIs('AWS::Lambda::Url', 1);
    t.hasResourceProperties('AWS::Lambda::Url', {
      Cors: Match.objectLike({
        AllowOrigins: [
          'https://chat.example.com',
          'http://localhost:5173',
          // The hosted web demo's origin.
          {
            'Fn::Join': [
              '',
              [
                'https://',
                { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebHostingDistribution'), 'DomainName'] },
              ],
            ],
          },
        ],
      }),
    });
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: ['sts:AssumeRole', 'sts:TagSession'],
            Condition: Match.objectLike({ Null: { 'aws:RequestTag/chime_user_id': 'false' } }),
          }),
        ],
      },
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          TOKEN_ISSUER_KIND: 'cognito',
          COGNITO_USER_POOL_ID: { Ref: Match.stringLikeRegexp('^Users') },
        }),
      },
    });
    t.hasOutput('CredentialVendingUrl', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('FunctionUrl'), 'FunctionUrl'] },
    });
    expect(JSON.stringify(t.findOutputs('ClientConfig'))).toContain('credentialVendingUrl');
  });

  it.each([
    [{ credentialVending: 'yes' }, /'credentialVending' must be true or false, got "yes"/],
    [{ credentialVending: true, credentialVendingOrigins: 'https://a.example/path' }, /no path/],
  ])('refuses %p', (context, message) => {
    expect(() => synthFromContext(context)).toThrow(message);
  });
});
