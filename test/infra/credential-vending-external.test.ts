import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import {
  CredentialVending,
  type CredentialVendingProps,
  VendingTokenIssuer,
} from '../../infra/constructs/credential-vending';
import { stackPropsFromContext } from '../../infra/context';
import { addNagChecks } from '../../infra/nag';

const APP_INSTANCE_ARN = 'arn:aws:chime:us-east-1:123456789012:app-instance/abc';
const CORP = { issuer: 'https://login.corp.example', audience: ['chat-app'] };

function template(props: Partial<CredentialVendingProps>, nag = false) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Test', { env: { region: 'us-east-1' } });
  const pool = cognito.UserPool.fromUserPoolId(stack, 'Pool', 'us-east-1_TestPool1');
  const client = cognito.UserPoolClient.fromUserPoolClientId(stack, 'Client', 'webclient123');
  new CredentialVending(stack, 'CredentialVending', {
    appInstanceArn: APP_INSTANCE_ARN,
    tokenIssuer: VendingTokenIssuer.userPool(pool, client),
    allowedOrigins: ['https://chat.example.com'],
    ...props,
  });
  if (nag) addNagChecks(app);
  app.synth();
  return Template.fromStack(stack);
}

describe('credential vending for external OIDC issuers', () => {
  test('beside the user pool: both in the environment, issuers as JSON', () => {
    template({ externalIssuers: [CORP] }).hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          TOKEN_ISSUER_KIND: 'cognito',
          EXTERNAL_OIDC_ISSUERS: JSON.stringify([CORP]),
        }),
      },
    });
  });

  test('instead of the user pool: no user pool settings at all', () => {
    template({ tokenIssuer: undefined, externalIssuers: [CORP] }).hasResourceProperties(
      'AWS::Lambda::Function',
      {
        Environment: {
          Variables: Match.objectLike({
            TOKEN_ISSUER_KIND: Match.absent(),
            COGNITO_USER_POOL_ID: Match.absent(),
            EXTERNAL_OIDC_ISSUERS: JSON.stringify([CORP]),
          }),
        },
      },
    );
  });

  test('the server role may create and describe AppInstanceUsers of the external id form only', () => {
    const t = template({ externalIssuers: [CORP] });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'ExternalCallersAppInstanceUsers',
            Effect: 'Allow',
            Action: ['chime:CreateAppInstanceUser', 'chime:DescribeAppInstanceUser'],
            Resource: `${APP_INSTANCE_ARN}/user/oidc-*`,
          },
        ]),
      },
    });
  });

  test('without external issuers the server role has no Chime permission', () => {
    const json = JSON.stringify(template({}).toJSON());
    expect(json).not.toContain('chime:CreateAppInstanceUser');
    expect(json).not.toContain('EXTERNAL_OIDC_ISSUERS');
  });

  test('passes cdk-nag (the oidc-* wildcard acknowledged for that resource only)', () => {
    expect(() => template({ externalIssuers: [CORP] }, true)).not.toThrow();
  });

  test.each([
    [
      { tokenIssuer: undefined, externalIssuers: [] },
      /needs a tokenIssuer, externalIssuers, or both/,
    ],
    [
      { externalIssuers: [{ ...CORP, issuer: 'http://login.corp.example' }] },
      /externalIssuers\[0\]\.issuer must be an https URL/,
    ],
    [{ externalIssuers: [{ ...CORP, audience: [] }] }, /externalIssuers\[0\]\.audience must list/],
    [{ externalIssuers: [CORP, CORP] }, /externalIssuers\[1\]\.issuer is listed twice/],
    [
      {
        externalIssuers: [
          { issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_X', audience: ['a'] },
        ],
      },
      /is a Cognito user pool: give it as tokenIssuer/,
    ],
  ])('refuses %j', (props, message) => {
    expect(() => template(props as Partial<CredentialVendingProps>)).toThrow(message);
  });
});

describe('context keys', () => {
  const props = (context: Record<string, unknown>) => stackPropsFromContext(new App({ context }));

  test('-c credentialVendingOidcIssuer/Audience/JwksUri, -c credentialVendingUserPool=false', () => {
    expect(
      props({
        credentialVendingOidcIssuer: 'https://login.corp.example',
        credentialVendingOidcAudience: 'chat-app,chat-app-2',
        credentialVendingOidcJwksUri: 'https://login.corp.example/keys',
        credentialVendingUserPool: 'false',
      }),
    ).toMatchObject({
      credentialVendingExternalIssuers: [
        {
          issuer: 'https://login.corp.example',
          audience: ['chat-app', 'chat-app-2'],
          jwksUri: 'https://login.corp.example/keys',
        },
      ],
      credentialVendingUserPool: false,
    });
  });

  test('an issuer without an audience fails', () => {
    expect(() => props({ credentialVendingOidcIssuer: 'https://login.corp.example' })).toThrow(
      /'credentialVendingOidcIssuer' and 'credentialVendingOidcAudience' go together/,
    );
  });
});
