import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CfnTemplate } from '../../sandbox/cloudformation/template';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { CLIENT_CONFIG_OUTPUT, ChimeCognitoAuthStack } from '../../infra/chime-cognito-auth-stack';
import {
  type IdentityProviderConfig,
  parseIdentityProviders,
  readIdentityProvidersFile,
} from '../../infra/identity-providers';
import { defaultTemplate, synthFromContext, synthStack, testApp } from './support';

const EXAMPLE_FILE = join(__dirname, '..', '..', 'docs', 'examples', 'identity-providers.json');

/** The shape the issue asks for, verbatim. */
const ISSUE_EXAMPLE: IdentityProviderConfig = {
  type: 'oidc',
  name: 'Corp',
  issuer: 'https://idp.example.com',
  clientId: 'abc',
  clientSecretName: 'corp-oidc',
  scopes: ['openid', 'email', 'profile'],
  attributes: { email: 'email', name: 'name' },
};

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };

function providerResource(template: Template, name: string): [string, Resource] {
  const all = Object.entries(
    template.findResources('AWS::Cognito::UserPoolIdentityProvider') as Record<string, Resource>,
  );
  const found = all.find(([, r]) => r.Properties.ProviderName === name);
  if (!found) throw new Error(`no identity provider named ${name}`);
  return found;
}

describe('every provider type, from -c identityProviders=<file> (docs/examples)', () => {
  let template: Template;
  beforeAll(() => {
    template = synthFromContext({ identityProviders: EXAMPLE_FILE });
  }, 120_000);

  test('OIDC: issuer, client, scopes, mapping; the secret is a dynamic reference', () => {
    const [, corp] = providerResource(template, 'Corp');
    expect(corp.Properties).toMatchObject({
      ProviderType: 'OIDC',
      ProviderDetails: {
        client_id: 'abc',
        client_secret: '{{resolve:secretsmanager:corp-oidc:SecretString:::}}',
        oidc_issuer: 'https://idp.example.com',
        authorize_scopes: 'openid email profile',
        attributes_request_method: 'GET',
      },
      AttributeMapping: { email: 'email', email_verified: 'email_verified', name: 'name' },
    });
  });

  test('SAML: metadata file inlined, IdP-initiated sign-in off, mapping', () => {
    const [, partner] = providerResource(template, 'Partner');
    expect(partner.Properties).toMatchObject({
      ProviderType: 'SAML',
      ProviderDetails: {
        MetadataFile: expect.stringContaining('entityID="https://partner.example.com/saml"'),
        IDPInit: false,
        IDPSignout: false,
      },
      AttributeMapping: {
        email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
      },
    });
  });

  test('Google, Facebook, Login with Amazon, Sign in with Apple: fixed names, secrets referenced', () => {
    expect(providerResource(template, 'Google')[1].Properties).toMatchObject({
      ProviderType: 'Google',
      ProviderDetails: {
        client_id: '1234567890-abc.apps.googleusercontent.com',
        client_secret:
          '{{resolve:secretsmanager:arn:aws:secretsmanager:us-east-1:123456789012:secret:google-oauth-AbCdEf:SecretString:client_secret::}}',
        authorize_scopes: 'openid email profile',
      },
      AttributeMapping: { email: 'email', name: 'name' },
    });
    expect(providerResource(template, 'Facebook')[1].Properties).toMatchObject({
      ProviderType: 'Facebook',
      ProviderDetails: {
        client_id: '123456789012345',
        client_secret: '{{resolve:secretsmanager:facebook-app-secret:SecretString:::}}',
        authorize_scopes: 'public_profile,email',
      },
    });
    expect(providerResource(template, 'LoginWithAmazon')[1].Properties).toMatchObject({
      ProviderType: 'LoginWithAmazon',
      ProviderDetails: {
        client_secret: '{{resolve:secretsmanager:lwa-secret:SecretString:::}}',
        authorize_scopes: 'profile',
      },
    });
    expect(providerResource(template, 'SignInWithApple')[1].Properties).toMatchObject({
      ProviderType: 'SignInWithApple',
      ProviderDetails: {
        client_id: 'com.example.chat.signin',
        team_id: 'ABCDE12345',
        key_id: 'KEY1234567',
        private_key: '{{resolve:secretsmanager:apple-sign-in-key:SecretString:::}}',
        authorize_scopes: 'name email',
      },
    });
  });

  test('no secret value anywhere: every secret field is a Secrets Manager dynamic reference', () => {
    const json = JSON.stringify(template.toJSON());
    const secretFields = [...json.matchAll(/"(client_secret|private_key)":"([^"]*)"/g)];
    expect(secretFields).toHaveLength(5);
    for (const [, , value] of secretFields) {
      expect(value).toMatch(/^\{\{resolve:secretsmanager:[^}]+\}\}$/);
    }
    // Nor in the outputs (the client config lists names and labels only).
    expect(JSON.stringify(template.toJSON().Outputs)).not.toMatch(/secretsmanager/);
  });

  test('the web client supports every provider (so the hosted UI lists them) and waits for them', () => {
    const clients = template.findResources('AWS::Cognito::UserPoolClient') as Record<
      string,
      Resource
    >;
    const [client] = Object.values(clients);
    expect(client!.Properties.SupportedIdentityProviders).toEqual([
      'COGNITO',
      'Corp',
      'Partner',
      'Google',
      'Facebook',
      'LoginWithAmazon',
      'SignInWithApple',
    ]);
    const providerIds = Object.keys(
      template.findResources('AWS::Cognito::UserPoolIdentityProvider'),
    );
    expect(providerIds).toHaveLength(6);
    for (const id of providerIds) expect(client!.DependsOn).toContain(id);
  });

  test('mapped attributes are writable by the web client (Cognito rewrites them at each sign-in)', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      WriteAttributes: Match.arrayWith(['email', 'email_verified', 'name']),
    });
  });

  test('the client config names each provider with its button label', () => {
    const outputs = (template.toJSON() as CfnTemplate).Outputs ?? {};
    const output = outputs[CLIENT_CONFIG_OUTPUT]?.Value;
    const rendered = JSON.stringify(output);
    for (const [name, label] of [
      ['Corp', 'Corp'],
      ['Partner', 'Partner'],
      ['Google', 'Google'],
      ['Facebook', 'Facebook'],
      ['LoginWithAmazon', 'Amazon'],
      ['SignInWithApple', 'Apple'],
    ]) {
      expect(rendered).toContain(`{\\"name\\":\\"${name}\\",\\"label\\":\\"${label}\\"}`);
    }
  });

  test('account linking (Corp): a pre sign-up trigger allowed ListUsers + AdminLinkProviderForUser on this pool only', () => {
    const pool = Object.entries(
      template.findResources('AWS::Cognito::UserPool') as Record<string, Resource>,
    )[0]!;
    const lambdaConfig = pool[1].Properties.LambdaConfig as Record<string, unknown>;
    const preSignUp = lambdaConfig.PreSignUp as { 'Fn::GetAtt': [string, string] };
    const fnId = preSignUp['Fn::GetAtt'][0];
    const fn = (template.toJSON() as CfnTemplate).Resources[fnId] as Resource;
    expect(fn.Properties.Environment).toEqual({
      Variables: expect.objectContaining({ LINK_PROVIDERS: 'Corp' }),
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Sid: 'LinkFederatedUsersInThisPool',
            Effect: 'Allow',
            Action: ['cognito-idp:AdminLinkProviderForUser', 'cognito-idp:ListUsers'],
            Resource: { 'Fn::GetAtt': [pool[0], 'Arn'] },
          },
        ],
      },
      Roles: [{ Ref: (fn.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0] }],
    });
  });
});

describe('the typed construct prop', () => {
  test("the issue's example shape works; linking is off by default (no pre sign-up trigger)", () => {
    const template = synthStack({ identityProviders: [ISSUE_EXAMPLE] });
    const [, corp] = providerResource(template, 'Corp');
    expect(corp.Properties.ProviderDetails).toMatchObject({
      client_secret: '{{resolve:secretsmanager:corp-oidc:SecretString:::}}',
    });
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: Match.objectLike({ PreSignUp: Match.absent() }),
    });
  });

  test('providers without the hosted UI domain (a domain change in progress): a synth warning', () => {
    const app = testApp();
    const stack = new ChimeCognitoAuthStack(app, 'NoDomain', {
      env: { region: 'us-east-1' },
      identityProviders: [ISSUE_EXAMPLE],
      hostedUi: false,
    });
    Annotations.fromStack(stack).hasWarning(
      '*',
      Match.stringLikeRegexp('identityProviders need the hosted UI domain'),
    );
  });

  test('no providers: the web client supports Cognito users only, the config lists none', () => {
    const template = defaultTemplate();
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      SupportedIdentityProviders: ['COGNITO'],
    });
    template.resourceCountIs('AWS::Cognito::UserPoolIdentityProvider', 0);
    expect(JSON.stringify(template.toJSON().Outputs)).not.toContain('identityProviders');
  });
});

describe('validation at synth, with specific errors', () => {
  const oidc = (overrides: Record<string, unknown>) => [{ ...ISSUE_EXAMPLE, ...overrides }];

  test.each([
    [{ notJson: true }, /must be a JSON array of providers/],
    [
      [{ type: 'ldap' }],
      /\[0\]: 'type' must be one of oidc, saml, google, facebook, amazon, apple, got "ldap"/,
    ],
    [oidc({ issuer: 'http://idp.example.com' }), /\[0\] \(oidc "Corp"\): 'issuer' must use https/],
    [oidc({ issuer: 'idp.example.com' }), /'issuer' must be an absolute https URL/],
    [oidc({ issuer: 'https://idp.example.com/' }), /'issuer' must not end with '\/'/],
    [
      oidc({ issuer: 'https://idp.example.com:8443' }),
      /'issuer' may only use the default https port/,
    ],
    [
      oidc({ clientSecretName: undefined }),
      /give exactly one of 'clientSecretName' and 'clientSecretArn'/,
    ],
    [
      oidc({ clientSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x' }),
      /exactly one of/,
    ],
    [
      oidc({ clientSecret: 's3cr3t' }),
      /'clientSecret' is not accepted: put the value in Secrets Manager/,
    ],
    [
      oidc({ clientSecretName: undefined, clientSecretArn: 'arn:aws:s3:::bucket' }),
      /'clientSecretArn' must be a Secrets Manager secret ARN/,
    ],
    [oidc({ scopes: ['email'] }), /'scopes' must include 'openid'/],
    [oidc({ attributes: { name: 'name' } }), /'attributes.email' is required/],
    [oidc({ attributes: { email: 'email', sub: 'sub' } }), /'attributes.sub' cannot be mapped/],
    [
      oidc({ attributes: { email: 'email', 'custom:x': 'x' } }),
      /'attributes.custom:x' is not a mappable attribute/,
    ],
    [oidc({ attributes: undefined }), /'attributes' is required/],
    [oidc({ name: 'Corp_1' }), /'name' must be 3-32 letters, digits/],
    [oidc({ name: 'Google' }), /'name' "Google" is reserved by Cognito/],
    [oidc({ accountLinking: 'verified-email' }), /needs 'attributes.email_verified'/],
    [oidc({ accountLinking: 'always' }), /'accountLinking' must be 'separate' or 'verified-email'/],
    [oidc({ tenant: 'x' }), /unknown field 'tenant' for a oidc provider/],
    [
      [ISSUE_EXAMPLE, { ...ISSUE_EXAMPLE, name: 'corp' }],
      /\[1\]: provider name 'corp' is already used by identityProviders\[0\]/,
    ],
    [
      [{ type: 'saml', name: 'Partner', attributes: { email: 'mail' } }],
      /exactly one of 'metadataUrl' and 'metadataFile'/,
    ],
    [
      [
        {
          type: 'saml',
          name: 'Partner',
          metadataUrl: 'https://p.example/m',
          idpInitiated: 'yes',
          attributes: { email: 'mail' },
        },
      ],
      /'idpInitiated' must be true or false/,
    ],
    [
      [{ type: 'saml', name: 'Partner', metadataFile: 'nope.xml', attributes: { email: 'mail' } }],
      /'metadataFile' .*nope.xml does not exist/,
    ],
    [
      [{ type: 'google', name: 'G', clientId: 'x', clientSecretName: 's' }],
      /'name' is fixed for google \('Google'\)/,
    ],
    [[{ type: 'facebook', clientId: 'x' }], /\(facebook\): give exactly one of 'clientSecretName'/],
    [[{ type: 'amazon', clientSecretName: 's' }], /\(amazon\): 'clientId' is required/],
    [
      [
        {
          type: 'apple',
          clientId: 'x',
          teamId: 'short',
          keyId: 'KEY1234567',
          privateKeySecretName: 'k',
        },
      ],
      /'teamId' must be the 10-character Apple team id/,
    ],
    [
      [{ type: 'apple', clientId: 'x', teamId: 'ABCDE12345', keyId: 'KEY1234567' }],
      /give exactly one of 'privateKeySecretName' and 'privateKeySecretArn'/,
    ],
    [
      [
        { type: 'google', clientId: 'a', clientSecretName: 's' },
        { type: 'google', clientId: 'b', clientSecretName: 't' },
      ],
      /provider name 'Google' is already used/,
    ],
  ])('%j', (input, message) => {
    expect(() => parseIdentityProviders(input)).toThrow(message);
  });

  describe('the context file', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'idps-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    test('a missing file, bad JSON, or a bad entry fails synth naming the file', () => {
      expect(() => synthFromContext({ identityProviders: join(dir, 'missing.json') })).toThrow(
        /identityProviders file .*missing.json cannot be read \(ENOENT\)/,
      );
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, '[{"type": "oidc",');
      expect(() => readIdentityProvidersFile(bad)).toThrow(/bad.json is not valid JSON/);
      const wrong = join(dir, 'wrong.json');
      writeFileSync(wrong, JSON.stringify([{ ...ISSUE_EXAMPLE, issuer: 'http://x.example' }]));
      expect(() => synthFromContext({ identityProviders: wrong })).toThrow(
        /wrong.json\[0\] \(oidc "Corp"\): 'issuer' must use https/,
      );
    });

    test('a relative metadataFile is read from the directory of the configuration file', () => {
      writeFileSync(
        join(dir, 'meta.xml'),
        '<EntityDescriptor entityID="https://p.example/"></EntityDescriptor>',
      );
      writeFileSync(
        join(dir, 'saml.json'),
        JSON.stringify([
          {
            type: 'saml',
            name: 'Partner',
            metadataFile: 'meta.xml',
            attributes: { email: 'mail' },
          },
        ]),
      );
      const [partner] = readIdentityProvidersFile(join(dir, 'saml.json'));
      expect(partner).toMatchObject({ metadataFile: join(dir, 'meta.xml') });
    });
  });
});
