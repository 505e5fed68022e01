/**
 * The vending route of each external OpenID Connect issuer (docs/federation.md, "The STS path"):
 * its own API Gateway JWT authorizer (issuer + audience; API Gateway finds the keys by discovery),
 * a function with the shared server role, the same throttle, per-caller counters and reserved
 * concurrency, and Chime permissions for `oidc-*` ids only.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  type CredentialVendingProps,
  VENDING_THROTTLE,
} from '../../infra/constructs/credential-vending';
import { DEFAULT_ROUTE_RESERVED_CONCURRENCY } from '../../infra/constructs/project-http-api';
import { stackPropsFromContext } from '../../infra/context';
import { addNagChecks } from '../../infra/nag';
import { credentialVendingStack, VENDING_APP_INSTANCE_ARN } from './credential-vending-stack';
import { testApp } from './support';

type Resources = Record<string, { Properties: Record<string, unknown> }>;

const APP_INSTANCE_ARN = VENDING_APP_INSTANCE_ARN;
const CORP = { name: 'corp', issuer: 'https://login.corp.example', audience: ['chat-app'] };

/** GIVEN a stack with a user pool, the HTTP API and the construct. */
function template(props: Partial<CredentialVendingProps>, nag = false) {
  const { app, stack, vending } = credentialVendingStack(testApp(), props);
  if (nag) addNagChecks(app);
  app.synth();
  return { t: Template.fromStack(stack), stack, vending };
}

describe('an external issuer beside the user pool', () => {
  const { t, stack, vending } = template({ externalIssuers: [CORP] });
  const route = vending.externalRoutes.get('corp')!;
  const fnId = stack.getLogicalId(route.function.node.defaultChild as never);

  test('its own route, with a JWT authorizer naming exactly its issuer and audience', () => {
    t.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: CORP.issuer, Audience: CORP.audience },
      IdentitySource: ['$request.header.Authorization'],
    });
    const [authorizerId] = Object.entries(t.findResources('AWS::ApiGatewayV2::Authorizer'))
      .filter(([, r]) => JSON.stringify(r).includes(CORP.issuer))
      .map(([id]) => id);
    t.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /credentials/external/corp',
      AuthorizationType: 'JWT',
      AuthorizerId: { Ref: authorizerId },
      // No scopes: an external issuer's tokens need not carry any.
      AuthorizationScopes: Match.absent(),
    });
    expect(route.url).toMatch(/\/api\/credentials\/external\/corp$/);
  });

  test('the user pool route keeps its Cognito authorizer and scope', () => {
    t.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /credentials',
      AuthorizationScopes: ['aws.cognito.signin.user.admin'],
    });
    t.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 2);
  });

  test('its function: its issuer, the server role, the same throttle, counters and concurrency', () => {
    const fn = (t.findResources('AWS::Lambda::Function') as Resources)[fnId]!.Properties;
    expect((fn.Environment as { Variables: Record<string, string> }).Variables).toMatchObject({
      EXTERNAL_OIDC_ISSUER: CORP.issuer,
      PRINCIPAL_TAG_KEY: 'chime_user_id',
      APP_INSTANCE_ARN,
      RATE_LIMIT_PER_WINDOW: '10',
    });
    expect(fn.ReservedConcurrentExecutions).toBe(DEFAULT_ROUTE_RESERVED_CONCURRENCY);
    expect(fn.Role).toEqual({
      'Fn::GetAtt': [stack.getLogicalId(vending.serverRole.node.defaultChild as never), 'Arn'],
    });
    const stage = Object.values(t.findResources('AWS::ApiGatewayV2::Stage') as Resources)[0]!;
    const routeSettings = stage.Properties.RouteSettings as Record<string, unknown>;
    expect(routeSettings['POST /credentials/external/corp']).toEqual({
      ThrottlingRateLimit: VENDING_THROTTLE.rateLimit,
      ThrottlingBurstLimit: VENDING_THROTTLE.burstLimit,
    });
  });

  test('the server role may create and describe AppInstanceUsers of the external id form only', () => {
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

  test('statement ids stay unique in the server role policy (two routes, one role)', () => {
    for (const policy of Object.values(t.findResources('AWS::IAM::Policy') as Resources)) {
      const document = policy.Properties.PolicyDocument as { Statement: { Sid?: string }[] };
      const sids = document.Statement.map((s) => s.Sid).filter(Boolean);
      expect(new Set(sids).size).toBe(sids.length);
    }
  });
});

test('without external issuers: no external route, no Chime permission', () => {
  const json = JSON.stringify(template({}).t.toJSON());
  expect(json).not.toContain('/credentials/external/');
  expect(json).not.toContain('chime:CreateAppInstanceUser');
  expect(json).not.toContain('EXTERNAL_OIDC_ISSUER');
});

test('passes cdk-nag (the oidc-* wildcard acknowledged for that resource only)', () => {
  expect(() => template({ externalIssuers: [CORP] }, true)).not.toThrow();
});

test('two issuers: two routes, two authorizers, one Chime statement', () => {
  const { t } = template({
    externalIssuers: [
      CORP,
      { name: 'partner-2', issuer: 'https://id.partner.example', audience: ['x'] },
    ],
  });
  t.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 3);
  t.hasResourceProperties('AWS::ApiGatewayV2::Route', {
    RouteKey: 'POST /credentials/external/partner-2',
  });
});

test.each([
  [
    { ...CORP, issuer: 'http://login.corp.example' },
    /externalIssuers\[0\]\.issuer must be an https URL/,
  ],
  [{ ...CORP, audience: [] }, /externalIssuers\[0\]\.audience must list/],
  [{ ...CORP, name: 'Corp' }, /externalIssuers\[0\]\.name must be 1-32 of \[a-z0-9-\]/],
  [{ ...CORP, name: 'a/b' }, /externalIssuers\[0\]\.name must be/],
  [
    { ...CORP, issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_X' },
    /is a Cognito user pool/,
  ],
])('refuses %j', (issuer, message) => {
  expect(() => template({ externalIssuers: [issuer] })).toThrow(message);
});

test('refuses a name or an issuer used twice', () => {
  expect(() =>
    template({ externalIssuers: [CORP, { ...CORP, issuer: 'https://b.example' }] }),
  ).toThrow(/name 'corp' is used twice/);
  expect(() => template({ externalIssuers: [CORP, { ...CORP, name: 'b' }] })).toThrow(
    /externalIssuers\[1\]\.issuer is listed twice/,
  );
});

describe('context keys', () => {
  const props = (context: Record<string, unknown>) => stackPropsFromContext(testApp({ context }));

  test('-c credentialVendingOidcIssuer/Audience/Name', () => {
    expect(
      props({
        credentialVendingOidcIssuer: 'https://login.corp.example',
        credentialVendingOidcAudience: 'chat-app,chat-app-2',
        credentialVendingOidcName: 'corp',
      }),
    ).toMatchObject({
      credentialVendingExternalIssuers: [
        {
          name: 'corp',
          issuer: 'https://login.corp.example',
          audience: ['chat-app', 'chat-app-2'],
        },
      ],
    });
  });

  test('the name defaults to oidc', () => {
    expect(
      props({
        credentialVendingOidcIssuer: 'https://login.corp.example',
        credentialVendingOidcAudience: 'chat-app',
      }).credentialVendingExternalIssuers?.[0]?.name,
    ).toBe('oidc');
  });

  test('an issuer without an audience fails', () => {
    expect(() => props({ credentialVendingOidcIssuer: 'https://login.corp.example' })).toThrow(
      /'credentialVendingOidcIssuer' and 'credentialVendingOidcAudience' go together/,
    );
  });
});
