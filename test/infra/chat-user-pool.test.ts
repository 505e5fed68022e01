import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { FeaturePlan } from 'aws-cdk-lib/aws-cognito';
import {
  COGNITO_DEFAULT_EMAIL_DAILY_QUOTA,
  ChatUserPool,
  type ChatUserPoolProps,
} from '../../infra/constructs/chat-user-pool';
import { defaultTemplate, synthFromContext, testApp } from './support';

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
  const stack = new Stack(testApp(), 'Test', { env: { region: 'us-east-1' } });
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
      AllowedOAuthScopes: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'],
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

/** The construct alone in a stack: its template and its warnings' messages. */
function userPoolSynth(props: ChatUserPoolProps = {}) {
  const stack = new Stack(testApp(), 'Test', { env: { region: 'us-east-1', account: ACCOUNT } });
  new ChatUserPool(stack, 'Users', props);
  const warnings = Annotations.fromStack(stack)
    .findWarning('*', Match.anyValue())
    .map((w) => (typeof w.entry.data === 'string' ? w.entry.data : JSON.stringify(w.entry.data)));
  return { template: Template.fromStack(stack), warnings };
}

const ACCOUNT = '111122223333';

describe('ChatUserPool email', () => {
  test("without email: Cognito's default sender, and a synth warning with its daily quota", () => {
    const { template, warnings } = userPoolSynth();
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      EmailConfiguration: Match.absent(),
    });
    expect(warnings).toEqual([
      expect.stringMatching(
        /default sender is for demos only.*at most 50 emails a day per AWS account/,
      ),
    ]);
    expect(COGNITO_DEFAULT_EMAIL_DAILY_QUOTA).toBe(50);
  });

  test('through SES: DEVELOPER sending account, the sender and the identity as given, no warning', () => {
    const arn = 'arn:aws:ses:eu-west-1:444455556666:identity/chat.example.com';
    const { template, warnings } = userPoolSynth({
      email: { from: 'Chat <no-reply@chat.example.com>', sesIdentityArn: arn },
    });
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      EmailConfiguration: {
        EmailSendingAccount: 'DEVELOPER',
        From: 'Chat <no-reply@chat.example.com>',
        SourceArn: arn,
      },
    });
    expect(warnings).toEqual([]);
  });

  test.each([
    [
      {
        from: 'not an address',
        sesIdentityArn: 'arn:aws:ses:us-east-1:111122223333:identity/x.com',
      },
      /email.from must be an address/,
    ],
    [
      { from: 'a@chat.example.com', sesIdentityArn: 'arn:aws:sns:us-east-1:111122223333:topic' },
      /must be an SES identity ARN/,
    ],
    [
      {
        from: 'a@chat.example.com',
        sesIdentityArn: 'arn:aws:ses:us-east-1:111122223333:identity/other.com',
      },
      /'other.com' is neither the sender address 'a@chat.example.com' nor its domain 'chat.example.com'/,
    ],
  ])('refuses %p', (email, message) => {
    expect(() => userPoolSynth({ email })).toThrow(message);
  });
});

describe('ChatUserPool feature plan', () => {
  test('Lite by default: everything the pool uses is in it', () => {
    userPoolTemplate().hasResourceProperties('AWS::Cognito::UserPool', { UserPoolTier: 'LITE' });
  });

  test('another plan when asked', () => {
    userPoolTemplate({ featurePlan: FeaturePlan.ESSENTIALS }).hasResourceProperties(
      'AWS::Cognito::UserPool',
      { UserPoolTier: 'ESSENTIALS' },
    );
  });
});

describe('ChatUserPool hosted UI domain changes', () => {
  const deployed = (prefix: string, region = 'us-east-1') =>
    `${prefix}.auth.${region}.amazoncognito.com`;

  test('hostedUi false: no domain at all (step one of a prefix change)', () => {
    const stack = new Stack(testApp(), 'Test', { env: { region: 'us-east-1' } });
    const users = new ChatUserPool(stack, 'Users', {
      hostedUi: false,
      deployedHostedUiDomain: deployed('old-chat'),
    });
    Template.fromStack(stack).resourceCountIs('AWS::Cognito::UserPoolDomain', 0);
    expect(users.domain).toBeUndefined();
    expect(users.hostedUiDomain).toBeUndefined();
  });

  test('the same prefix as deployed, or the default after the default: synth goes on', () => {
    expect(() =>
      userPoolTemplate({ domainPrefix: 'my-chat', deployedHostedUiDomain: deployed('my-chat') }),
    ).not.toThrow();
    expect(() =>
      userPoolTemplate({ deployedHostedUiDomain: deployed('chime-chat-0123456789ab') }),
    ).not.toThrow();
  });

  test.each([
    ['my-chat', deployed('chime-chat-0123456789ab'), /from 'chime-chat-0123456789ab' to 'my-chat'/],
    ['new-chat', deployed('my-chat'), /from 'my-chat' to 'new-chat'/],
    [undefined, deployed('my-chat'), /from 'my-chat' to the default/],
  ])('prefix %p after %p: synth fails with the two-step change', (domainPrefix, domain, from) => {
    const synth = () =>
      userPoolTemplate({
        ...(domainPrefix && { domainPrefix }),
        deployedHostedUiDomain: domain,
      });
    expect(synth).toThrow(from);
    expect(synth).toThrow(/User pool already has a domain configured/);
    expect(synth).toThrow(/1\) npm run deploy -- -c hostedUi=false .*2\) npm run deploy --/);
  });

  test("another region's deployed domain is not compared", () => {
    expect(() =>
      userPoolTemplate({
        domainPrefix: 'my-chat',
        deployedHostedUiDomain: deployed('old-chat', 'eu-central-1'),
      }),
    ).not.toThrow();
  });

  test('a malformed deployed domain is refused', () => {
    expect(() => userPoolTemplate({ deployedHostedUiDomain: 'https://x.example.com' })).toThrow(
      /deployedHostedUiDomain must be <prefix>.auth.<region>.amazoncognito.com/,
    );
  });
});
