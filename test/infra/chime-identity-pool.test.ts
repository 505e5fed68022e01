import { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { CHIME_USER_MESSAGING_ACTIONS } from '../../contracts/chime-user-policy';
import { DEFAULT_PRINCIPAL_TAG_KEY } from '../../contracts/principal-tag';
import { ChimeIdentityPool } from '../../infra/constructs/chime-identity-pool';
import {
  authenticatedRole,
  defaultTemplate,
  onlyResource,
  synthFromContext,
  testApp,
} from './support';

const APP_INSTANCE_ARN = 'arn:aws:chime:us-east-1:111122223333:app-instance/abc-123';

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Effect: string };

function authenticatedRolePolicy(template: Template): Statement[] {
  const role = authenticatedRole(template).properties as {
    Policies: { PolicyDocument: { Statement: Statement[] } }[];
  };
  expect(role.Policies).toHaveLength(1);
  return role.Policies[0]!.PolicyDocument.Statement;
}

describe('identity pool in the stack', () => {
  let template: Template;
  beforeAll(() => {
    template = defaultTemplate();
  });

  test('authenticated identities only, classic flow off, the user pool client as only provider', () => {
    const { properties } = onlyResource(template, 'AWS::Cognito::IdentityPool');
    const client = onlyResource(template, 'AWS::Cognito::UserPoolClient');
    const pool = onlyResource(template, 'AWS::Cognito::UserPool');
    expect(properties).toEqual({
      AllowUnauthenticatedIdentities: false,
      AllowClassicFlow: false,
      CognitoIdentityProviders: [
        {
          ClientId: { Ref: client.logicalId },
          ProviderName: { 'Fn::GetAtt': [pool.logicalId, 'ProviderName'] },
          ServerSideTokenCheck: true,
        },
      ],
    });
    expect(properties).not.toHaveProperty('SupportedLoginProviders');
    expect(properties).not.toHaveProperty('OpenIdConnectProviderARNs');
    expect(properties).not.toHaveProperty('SamlProviderARNs');
    expect(properties).not.toHaveProperty('DeveloperProviderName');
  });

  test('maps the ID token sub to the one principal tag key, without defaults', () => {
    const pool = onlyResource(template, 'AWS::Cognito::UserPool');
    const identityPool = onlyResource(template, 'AWS::Cognito::IdentityPool');
    template.resourceCountIs('AWS::Cognito::IdentityPoolPrincipalTag', 1);
    template.hasResourceProperties('AWS::Cognito::IdentityPoolPrincipalTag', {
      IdentityPoolId: { Ref: identityPool.logicalId },
      IdentityProviderName: { 'Fn::GetAtt': [pool.logicalId, 'ProviderName'] },
      PrincipalTags: { [DEFAULT_PRINCIPAL_TAG_KEY]: 'sub' },
      UseDefaults: false,
    });
  });

  test('attaches only an authenticated role', () => {
    const role = authenticatedRole(template);
    template.hasResourceProperties('AWS::Cognito::IdentityPoolRoleAttachment', {
      Roles: { authenticated: { 'Fn::GetAtt': [role.logicalId, 'Arn'] } },
      RoleMappings: Match.absent(),
    });
    template.hasResourceProperties('AWS::Cognito::IdentityPoolRoleAttachment', {
      Roles: Match.not(Match.objectLike({ unauthenticated: Match.anyValue() })),
    });
  });

  test('trust: cognito-identity only, web identity + TagSession, this pool, authenticated amr', () => {
    const identityPool = onlyResource(template, 'AWS::Cognito::IdentityPool');
    expect(authenticatedRole(template).properties).toMatchObject({
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: 'cognito-identity.amazonaws.com' },
            Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
            Condition: {
              StringEquals: {
                'cognito-identity.amazonaws.com:aud': { Ref: identityPool.logicalId },
              },
              'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
            },
          },
        ],
      },
      MaxSessionDuration: 3600,
    });
  });

  test("permissions: exactly the contract's actions on own user + channels, endpoint on *", () => {
    const appInstance = onlyResource(template, 'AWS::Chime::AppInstance');
    const arn = { 'Fn::GetAtt': [appInstance.logicalId, 'AppInstanceArn'] };
    const statements = authenticatedRolePolicy(template);
    expect(statements).toHaveLength(2);
    const [endpoint, messaging] = statements;
    expect(endpoint).toEqual({
      Sid: 'MessagingSessionEndpoint',
      Effect: 'Allow',
      Action: 'chime:GetMessagingSessionEndpoint',
      Resource: '*',
    });
    expect(messaging?.Effect).toBe('Allow');
    expect([...(messaging?.Action as string[])].sort()).toEqual(
      [...CHIME_USER_MESSAGING_ACTIONS].sort(),
    );
    expect(messaging?.Action).toHaveLength(20);
    expect(messaging?.Resource).toEqual(
      expect.arrayContaining([
        { 'Fn::Join': ['', [arn, `/user/\${aws:PrincipalTag/${DEFAULT_PRINCIPAL_TAG_KEY}}`]] },
        { 'Fn::Join': ['', [arn, '/channel/*']] },
      ]),
    );
    expect(messaging?.Resource).toHaveLength(2);
  });

  test('no wildcard actions, no Deny needed, Resource * only for GetMessagingSessionEndpoint', () => {
    const statements = authenticatedRolePolicy(template);
    for (const statement of statements) {
      const actions = ([] as string[]).concat(statement.Action);
      expect(actions.every((a) => !a.includes('*'))).toBe(true);
      const resources = ([] as unknown[]).concat(statement.Resource);
      if (resources.includes('*')) expect(actions).toEqual(['chime:GetMessagingSessionEndpoint']);
    }
    expect(JSON.stringify(statements)).not.toContain('/user/*');
  });

  test('the tag key is configurable and used identically in mapping and policy', () => {
    const custom = synthFromContext({ principalTagKey: 'app_user' });
    custom.hasResourceProperties('AWS::Cognito::IdentityPoolPrincipalTag', {
      PrincipalTags: { app_user: 'sub' },
    });
    const policy = JSON.stringify(authenticatedRolePolicy(custom));
    expect(policy).toContain('/user/${aws:PrincipalTag/app_user}');
    expect(policy).not.toContain(DEFAULT_PRINCIPAL_TAG_KEY);
  });
});

describe('ChimeIdentityPool validation', () => {
  function build(props: {
    principalTagKey?: string;
    principalTagClaim?: string;
    writeAttributes?: cognito.ClientAttributes;
    identityPoolName?: string;
  }) {
    const app = testApp();
    const stack = new Stack(app, 'Test', { env: { region: 'us-east-1' } });
    const userPool = new cognito.UserPool(stack, 'Pool', {
      customAttributes: { tenant_user: new cognito.StringAttribute({ mutable: false }) },
    });
    const userPoolClient = userPool.addClient('Client', {
      ...(props.writeAttributes && { writeAttributes: props.writeAttributes }),
    });
    new ChimeIdentityPool(stack, 'Identities', {
      userPool,
      userPoolClient,
      appInstanceArn: APP_INSTANCE_ARN,
      ...(props.principalTagKey !== undefined && { principalTagKey: props.principalTagKey }),
      ...(props.principalTagClaim !== undefined && { principalTagClaim: props.principalTagClaim }),
      ...(props.identityPoolName !== undefined && { identityPoolName: props.identityPoolName }),
    });
    return () => app.synth();
  }

  test.each([
    ['has}brace', /principal tag key must be 1-128 characters/],
    ['', /principal tag key must be 1-128 characters/],
    ['x'.repeat(129), /principal tag key must be 1-128 characters/],
    ['aws:user', /reserved prefix 'aws:'/],
  ])('rejects tag key %p', (principalTagKey, message) => {
    expect(() => build({ principalTagKey })).toThrow(message);
  });

  test('rejects a bad identity pool name', () => {
    expect(() => build({ identityPoolName: 'no-dashes!' })).toThrow(/identityPoolName must be/);
  });

  test('synth fails when the tag claim is writable by the app client', () => {
    const synth = build({
      principalTagClaim: 'custom:tenant_user',
      writeAttributes: new cognito.ClientAttributes().withCustomAttributes('tenant_user'),
    });
    expect(synth).toThrow(/'custom:tenant_user' is writable by the app client/);
  });

  test('synth fails when the client leaves write attributes to the default (all)', () => {
    expect(build({ principalTagClaim: 'custom:tenant_user' })).toThrow(
      /may be writable: the app client does not list its write attributes/,
    );
  });

  test('a claim the client cannot write is accepted', () => {
    const synth = build({
      principalTagClaim: 'custom:tenant_user',
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ email: true }),
    });
    expect(synth).not.toThrow();
  });
});
