import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ChatUserPool, type ChatUserPoolProps } from '../../infra/constructs/chat-user-pool';
import { defaultTemplate, synthFromContext } from './support';

/** The hosted web demo's URL, which the stack adds to the callback and logout URLs. */
const hostedSiteUrl = {
  'Fn::Join': [
    '',
    [
      'https://',
      { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebHostingDistribution'), 'DomainName'] },
      '/',
    ],
  ],
};

function userPoolTemplate(props: ChatUserPoolProps = {}): Template {
  const stack = new Stack(new App(), 'Test', { env: { region: 'us-east-1' } });
  new ChatUserPool(stack, 'Users', props);
  return Template.fromStack(stack);
}

describe('ChatUserPool in the stack', () => {
  let template: Template;
  beforeAll(() => {
    template = defaultTemplate();
  });

  test('self sign-up with email as the username, verified by email', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      UsernameConfiguration: { CaseSensitive: false },
      UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
    });
  });

  test('has a real password policy', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
          TemporaryPasswordValidityDays: 3,
        },
      },
    });
  });

  test('is retained and protected from deletion by default', () => {
    template.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtection: 'ACTIVE' }),
    });
  });

  test('has a hosted UI domain whose default prefix is unique to the stack', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: {
        'Fn::Join': ['-', ['chime-chat', Match.objectLike({ 'Fn::Select': Match.anyValue() })]],
      },
      UserPoolId: Match.objectLike({ Ref: Match.anyValue() }),
    });
  });

  test('one public SPA client: no secret, code flow, SRP only', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      SupportedIdentityProviders: ['COGNITO'],
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
      CallbackURLs: ['http://localhost:5173/', hostedSiteUrl],
      LogoutURLs: ['http://localhost:5173/', hostedSiteUrl],
    });
  });

  test('token validities are set on purpose', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      IdTokenValidity: 60,
      AccessTokenValidity: 60,
      RefreshTokenValidity: 43200,
      AuthSessionValidity: 3,
      TokenValidityUnits: { IdToken: 'minutes', AccessToken: 'minutes', RefreshToken: 'minutes' },
    });
  });

  test('the client can write email (needed to sign up) and profile names, never sub', () => {
    const clients = template.findResources('AWS::Cognito::UserPoolClient');
    const [client] = Object.values(clients) as { Properties: { WriteAttributes: string[] } }[];
    const writable = client?.Properties.WriteAttributes ?? [];
    expect([...writable].sort()).toEqual(
      ['email', 'family_name', 'given_name', 'name', 'preferred_username'].sort(),
    );
  });

  test('unauthenticated or legacy flows are absent', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ExplicitAuthFlows: Match.not(Match.arrayWith(['ALLOW_USER_PASSWORD_AUTH'])),
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AllowedOAuthFlows: Match.not(Match.arrayWith(['implicit'])),
      ClientSecret: Match.absent(),
    });
  });
});

describe('ChatUserPool configuration', () => {
  test('callback and logout URLs come from context', () => {
    const template = synthFromContext({
      callbackUrls: 'https://chat.example.com/,http://localhost:5173/',
      logoutUrls: ['https://chat.example.com/bye'],
      hostedUiDomainPrefix: 'my-chat-demo',
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      CallbackURLs: ['https://chat.example.com/', 'http://localhost:5173/', hostedSiteUrl],
      LogoutURLs: ['https://chat.example.com/bye', hostedSiteUrl],
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'my-chat-demo' });
  });

  test('removal policy DESTROY drops retention and deletion protection', () => {
    const template = userPoolTemplate({ removalPolicy: RemovalPolicy.DESTROY });
    template.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ DeletionProtection: 'INACTIVE' }),
    });
  });

  test.each([
    ['My-Chat', /lowercase letters, digits or inner hyphens/],
    ['-chat', /lowercase letters, digits or inner hyphens/],
    ['my-aws-chat', /reserved word 'aws'/],
    ['cognito-chat', /reserved word 'cognito'/],
  ])('rejects domain prefix %p', (domainPrefix, message) => {
    expect(() => userPoolTemplate({ domainPrefix })).toThrow(message);
  });

  test.each([
    [[], /at least one URL/],
    [['not a url'], /absolute URLs, got 'not a url'/],
    [['http://chat.example.com/'], /must use https/],
  ])('rejects callback URLs %p', (callbackUrls, message) => {
    expect(() => userPoolTemplate({ callbackUrls })).toThrow(message);
  });
});
