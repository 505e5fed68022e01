/**
 * The vending API "instead of" the user pool (docs/credential-vending.md, docs/federation.md):
 * with `userPoolRoute: false` (`-c credentialVendingUserPool=false`) only the external issuers'
 * routes exist. Least privilege: nothing of the user pool route (route, function, its log group,
 * its URL in the outputs and config.json) remains; the external routes are unchanged.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { API_PATHS, externalCredentialsPath } from '../../contracts/http-api';
import {
  CredentialVending,
  type CredentialVendingProps,
} from '../../infra/constructs/credential-vending';
import { ProjectHttpApi } from '../../infra/constructs/project-http-api';
import { stackPropsFromContext } from '../../infra/context';
import { addNagChecks } from '../../infra/nag';
import { synthFromContext, testApp } from './support';

const APP_INSTANCE_ARN = 'arn:aws:chime:us-east-1:123456789012:app-instance/abc';
const CORP = { name: 'corp', issuer: 'https://login.corp.example', audience: ['chat-app'] };

/** GIVEN a stack with a user pool, the HTTP API and the construct (cdk-nag on). */
function build(props: Partial<CredentialVendingProps>) {
  const app = testApp();
  const stack = new Stack(app, 'Test', { env: { region: 'us-east-1', account: '123456789012' } });
  const api = new ProjectHttpApi(stack, 'Api', {
    userPool: cognito.UserPool.fromUserPoolId(stack, 'Pool', 'us-east-1_TestPool1'),
    userPoolClient: cognito.UserPoolClient.fromUserPoolClientId(stack, 'Client', 'webclient123'),
    allowedOrigins: ['https://chat.example.com'],
  });
  const vending = new CredentialVending(stack, 'CredentialVending', {
    appInstanceArn: APP_INSTANCE_ARN,
    api,
    ...props,
  });
  addNagChecks(app);
  app.synth();
  return { t: Template.fromStack(stack), vending };
}

const routeKeys = (t: Template) =>
  Object.values(t.findResources('AWS::ApiGatewayV2::Route'))
    .map((r) => (r.Properties as { RouteKey: string }).RouteKey)
    .sort();
const functionEntries = (t: Template) =>
  Object.values(t.findResources('AWS::Lambda::Function')).map(
    (r) => (r.Properties as { Description?: string }).Description,
  );

describe('construct: beside (default) and instead of the user pool', () => {
  test('beside: both routes and both functions', () => {
    const { t, vending } = build({ externalIssuers: [CORP] });
    expect(routeKeys(t)).toEqual(
      [`POST ${API_PATHS.credentials}`, `POST ${externalCredentialsPath('corp')}`].sort(),
    );
    expect(functionEntries(t)).toHaveLength(2);
    expect(vending.url).toMatch(/\/credentials$/);
    expect(vending.function).toBeDefined();
  });

  describe('instead of: userPoolRoute false', () => {
    const { t, vending } = build({ externalIssuers: [CORP], userPoolRoute: false });

    test('only the external route, and only its function', () => {
      expect(routeKeys(t)).toEqual([`POST ${externalCredentialsPath('corp')}`]);
      expect(functionEntries(t)).toEqual([expect.stringContaining(CORP.issuer)]);
      expect(vending.url).toBeUndefined();
      expect(vending.function).toBeUndefined();
      expect(vending.externalRoutes.get('corp')?.url).toMatch(/\/credentials\/external\/corp$/);
    });

    test('nothing of the user pool route remains: no Cognito scope, no GetUser path, no log group of it', () => {
      const json = JSON.stringify(t.toJSON());
      expect(json).not.toContain('aws.cognito.signin.user.admin');
      expect(json).not.toContain('CredentialVendingFunction');
      expect(json).not.toContain('POST /credentials:');
      // One function, and one log group fewer than beside (each route function has its own).
      t.resourceCountIs('AWS::Lambda::Function', 1);
      const beside = build({ externalIssuers: [CORP] }).t;
      const logGroups = (x: Template) => Object.keys(x.findResources('AWS::Logs::LogGroup'));
      expect(logGroups(t).length).toBe(logGroups(beside).length - 1);
    });

    test('the external route keeps its JWT authorizer, and the shared roles stay as they are', () => {
      t.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
        AuthorizerType: 'JWT',
        JwtConfiguration: { Issuer: CORP.issuer, Audience: CORP.audience },
      });
      // The server role: assume the user role, write the external function's logs, count its
      // callers, create and describe oidc-* users; nothing for a user pool function.
      const [policy] = Object.values(t.findResources('AWS::IAM::Policy'));
      const statements = (
        policy!.Properties as { PolicyDocument: { Statement: { Resource: unknown }[] } }
      ).PolicyDocument.Statement.map((st) => JSON.stringify(st.Resource));
      expect(statements).toEqual([
        expect.stringContaining('CredentialVendingUserRole'),
        expect.stringContaining('ExternalVendingCorpFunctionLogGroup'),
        expect.stringContaining('ApiRateLimits'),
        JSON.stringify(`${APP_INSTANCE_ARN}/user/oidc-*`),
      ]);
    });
  });

  test('refuses userPoolRoute false without an external issuer (no route would be left)', () => {
    expect(() => build({ userPoolRoute: false })).toThrow(
      /userPoolRoute: false leaves no vending route: configure at least one external issuer/,
    );
    expect(() => build({ userPoolRoute: false, externalIssuers: [] })).toThrow(
      /leaves no vending route/,
    );
  });
});

describe('context key credentialVendingUserPool', () => {
  const props = (context: Record<string, unknown>) => stackPropsFromContext(testApp({ context }));
  const external = {
    credentialVending: 'true',
    credentialVendingOidcIssuer: CORP.issuer,
    credentialVendingOidcAudience: 'chat-app',
    credentialVendingOidcName: 'corp',
  };

  test('=false with an external issuer: the prop is false; unset or true: not set', () => {
    expect(props({ ...external, credentialVendingUserPool: 'false' })).toMatchObject({
      credentialVendingUserPool: false,
    });
    expect(props(external).credentialVendingUserPool).toBeUndefined();
    expect(
      props({ ...external, credentialVendingUserPool: 'true' }).credentialVendingUserPool,
    ).toBeUndefined();
  });

  test.each([
    [
      { credentialVendingUserPool: 'false' },
      /'credentialVendingUserPool=false' needs 'credentialVending=true'/,
    ],
    [
      { credentialVending: 'true', credentialVendingUserPool: 'false' },
      /'credentialVendingUserPool=false' needs an external issuer \('credentialVendingOidcIssuer' and 'credentialVendingOidcAudience'\)/,
    ],
    [
      { ...external, credentialVendingUserPool: 'no' },
      /'credentialVendingUserPool' must be true or false, got "no"/,
    ],
  ])('refuses %p', (context, message) => {
    expect(() => props(context)).toThrow(message);
  });

  test('the stack prop alone is refused without credentialVending', async () => {
    const { ChimeCognitoAuthStack } = await import('../../infra/chime-cognito-auth-stack');
    const app = testApp();
    expect(
      () => new ChimeCognitoAuthStack(app, 'Refused', { credentialVendingUserPool: false }),
    ).toThrow(/credentialVendingUserPool: false configures the credential-vending API/);
  });
});

describe('the stack, instead of the user pool', () => {
  const t = synthFromContext({
    ...{
      credentialVending: 'true',
      credentialVendingOidcIssuer: CORP.issuer,
      credentialVendingOidcAudience: 'chat-app',
      credentialVendingOidcName: 'corp',
    },
    credentialVendingUserPool: 'false',
  });

  test('the external route only; no credentialVendingUrl in the outputs or config.json', () => {
    const keys = routeKeys(t);
    expect(keys).toContain(`POST ${externalCredentialsPath('corp')}`);
    expect(keys).not.toContain(`POST ${API_PATHS.credentials}`);
    expect(Object.keys(t.findOutputs('CredentialVendingUrl'))).toHaveLength(0);
    expect(JSON.stringify(t.findOutputs('ClientConfig'))).not.toContain('credentialVendingUrl');
  });
});
