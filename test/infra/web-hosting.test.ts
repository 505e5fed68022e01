import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { type ClientConfig } from '../../contracts/client-config';
import {
  SPA_ROUTING_FUNCTION,
  WebHosting,
  type WebHostingProps,
} from '../../infra/constructs/web-hosting';
import { addNagChecks } from '../../infra/nag';
import { cdkSynthContext } from '../../infra/synthesize';
import { defaultTemplate, synthFromContext, testApp } from './support';

/** A Ref / Fn::GetAtt / DependsOn cycle among resources (CloudFormation refuses one), if any. */
function findCycle(resources: Record<string, unknown>): string[] | undefined {
  const edges = new Map<string, Set<string>>();
  const collect = (node: unknown, into: Set<string>): void => {
    if (Array.isArray(node)) node.forEach((n) => collect(n, into));
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'Ref' && typeof value === 'string') into.add(value);
        else if (key === 'Fn::GetAtt' && Array.isArray(value)) into.add(String(value[0]));
        else collect(value, into);
      }
    }
  };
  for (const [id, resource] of Object.entries(resources)) {
    const deps = new Set<string>();
    const r = resource as { Properties?: unknown; DependsOn?: string | string[] };
    collect(r.Properties, deps);
    for (const d of [r.DependsOn ?? []].flat()) deps.add(d);
    edges.set(id, new Set([...deps].filter((d) => d in resources)));
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'visiting');
    for (const next of edges.get(id) ?? []) {
      const cycle = visit(next, [...path, id]);
      if (cycle) return cycle;
    }
    state.set(id, 'done');
    return undefined;
  };
  for (const id of edges.keys()) {
    const cycle = visit(id, []);
    if (cycle) return cycle;
  }
  return undefined;
}

const CONFIG: ClientConfig = {
  version: 1,
  region: 'us-east-1',
  userPoolId: 'us-east-1_abc',
  userPoolClientId: 'client123',
  identityPoolId: 'us-east-1:0000',
  appInstanceArn: 'arn:aws:chime:us-east-1:111122223333:app-instance/abc',
  principalTagKey: 'chime_user_id',
  signInFlow: 'USER_SRP_AUTH',
};

let builtSite: string;
let emptyDir: string;
beforeAll(() => {
  builtSite = mkdtempSync(join(tmpdir(), 'web-hosting-site-'));
  writeFileSync(join(builtSite, 'index.html'), '<!doctype html><title>t</title>');
  emptyDir = mkdtempSync(join(tmpdir(), 'web-hosting-empty-'));
});
afterAll(() => {
  rmSync(builtSite, { recursive: true, force: true });
  rmSync(emptyDir, { recursive: true, force: true });
});

/** The construct alone, in a stack checked by cdk-nag (synth throws on an unacknowledged finding). */
function hostingStack(props: WebHostingProps = {}): { stack: Stack; hosting: WebHosting } {
  const app = testApp();
  const stack = new Stack(app, 'Web', { env: { region: 'us-east-1' } });
  const hosting = new WebHosting(stack, 'WebHosting', { siteDirectory: builtSite, ...props });
  hosting.deploySite(CONFIG);
  addNagChecks(app);
  app.synth();
  return { stack, hosting };
}

describe('WebHosting', () => {
  let template: Template;
  beforeAll(() => {
    template = Template.fromStack(hostingStack().stack);
  });

  test('the bucket is private, encrypted and refuses plain HTTP', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
      WebsiteConfiguration: Match.absent(),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  test('only this distribution reads the bucket, through origin access control', () => {
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: {
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
            Condition: {
              StringEquals: {
                'AWS:SourceArn': Match.objectLike({ 'Fn::Join': Match.anyValue() }),
              },
            },
          }),
        ]),
      },
    });
    const distribution = Object.values(
      template.findResources('AWS::CloudFront::Distribution'),
    )[0] as { Properties: { DistributionConfig: { Origins: Record<string, unknown>[] } } };
    const [origin] = distribution.Properties.DistributionConfig.Origins;
    expect(origin).toMatchObject({
      OriginAccessControlId: { 'Fn::GetAtt': [expect.any(String), 'Id'] },
      S3OriginConfig: { OriginAccessIdentity: '' },
    });
    // No legacy origin access identity anywhere.
    template.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
  });

  test('HTTPS only: every behaviour redirects HTTP to HTTPS', () => {
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'redirect-to-https',
          AllowedMethods: ['GET', 'HEAD'],
        }),
        CacheBehaviors: [
          Match.objectLike({ PathPattern: '/assets/*', ViewerProtocolPolicy: 'redirect-to-https' }),
        ],
      }),
    });
  });

  test('single-page app routing by a viewer-request function, not distribution-wide error pages', () => {
    // Error pages would apply to every behavior, and turn the API's 403 and 404 into index.html.
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        CustomErrorResponses: Match.absent(),
        DefaultCacheBehavior: Match.objectLike({
          FunctionAssociations: [
            {
              EventType: 'viewer-request',
              FunctionARN: { 'Fn::GetAtt': [Match.anyValue(), 'FunctionARN'] },
            },
          ],
        }),
      }),
    });
    template.hasResourceProperties('AWS::CloudFront::Function', {
      FunctionCode: SPA_ROUTING_FUNCTION,
      FunctionConfig: Match.objectLike({ Runtime: 'cloudfront-js-2.0' }),
    });
    // The function itself: app paths get index.html; files keep their path.
    // Evaluated in a context of its own, as CloudFront Functions run it (no Node globals).
    const handler = runInNewContext(`${SPA_ROUTING_FUNCTION}; handler;`) as (event: {
      request: { uri: string };
    }) => { uri: string };
    const route = (uri: string) => handler({ request: { uri } }).uri;
    expect(route('/')).toBe('/index.html');
    expect(route('/chat/general')).toBe('/index.html');
    expect(route('/config.json')).toBe('/config.json');
    expect(route('/assets/index-abc123.js')).toBe('/assets/index-abc123.js');
  });

  test('security headers on every response, with a CSP that allows only the AWS endpoints used', () => {
    const policies = Object.values(
      template.findResources('AWS::CloudFront::ResponseHeadersPolicy'),
    );
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      const config = (
        policy as { Properties: { ResponseHeadersPolicyConfig: Record<string, unknown> } }
      ).Properties.ResponseHeadersPolicyConfig;
      expect(config.SecurityHeadersConfig).toMatchObject({
        StrictTransportSecurity: {
          AccessControlMaxAgeSec: 31536000,
          IncludeSubdomains: true,
          Override: true,
        },
        ContentTypeOptions: { Override: true },
        FrameOptions: { FrameOption: 'DENY', Override: true },
        ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin', Override: true },
      });
      const csp = (
        config.SecurityHeadersConfig as {
          ContentSecurityPolicy: { ContentSecurityPolicy: string };
        }
      ).ContentSecurityPolicy.ContentSecurityPolicy;
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      const connect = csp
        .split('; ')
        .find((d) => d.startsWith('connect-src'))
        ?.split(' ');
      expect(connect).toEqual([
        'connect-src',
        "'self'",
        'https://cognito-idp.us-east-1.amazonaws.com',
        'https://cognito-identity.us-east-1.amazonaws.com',
        'https://messaging-chime.us-east-1.amazonaws.com',
        'wss://*.chime.aws',
        'https://*.auth.us-east-1.amazoncognito.com',
      ]);
    }
  });

  test('documents are revalidated, hashed assets cached for a year', () => {
    const cacheControl = Object.values(
      template.findResources('AWS::CloudFront::ResponseHeadersPolicy'),
    ).map(
      (p) =>
        (
          p as {
            Properties: {
              ResponseHeadersPolicyConfig: {
                CustomHeadersConfig: { Items: { Header: string; Value: string }[] };
              };
            };
          }
        ).Properties.ResponseHeadersPolicyConfig.CustomHeadersConfig.Items.find(
          (h) => h.Header === 'Cache-Control',
        )?.Value,
    );
    expect(cacheControl.sort()).toEqual(['no-cache', 'public, max-age=31536000, immutable']);
  });

  test('deploys the site and config.json together, then invalidates the distribution', () => {
    template.resourceCountIs('Custom::CDKBucketDeployment', 1);
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      // Two sources: the built site and the generated config.json.
      SourceObjectKeys: [Match.stringLikeRegexp('\\.zip$'), Match.stringLikeRegexp('\\.zip$')],
      DestinationBucketName: { Ref: Match.stringLikeRegexp('^WebHostingSite') },
      DistributionId: { Ref: Match.stringLikeRegexp('^WebHostingDistribution') },
      DistributionPaths: ['/*'],
      Prune: true,
    });
  });

  test('extra connect-src sources (the vending API) are added to the CSP', () => {
    const t = Template.fromStack(
      hostingStack({ additionalConnectSources: ['https://*.lambda-url.us-east-1.on.aws'] }).stack,
    );
    t.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          ContentSecurityPolicy: {
            ContentSecurityPolicy: Match.stringLikeRegexp(
              'wss://\\*\\.chime\\.aws https://\\*\\.auth\\.us-east-1\\.amazoncognito\\.com https://\\*\\.lambda-url\\.us-east-1\\.on\\.aws;',
            ),
            Override: true,
          },
        }),
      }),
    });
  });

  test('an access-log bucket turns on S3 and CloudFront logs', () => {
    const app = testApp();
    const stack = new Stack(app, 'Logs', { env: { region: 'us-east-1' } });
    const logs = new s3.Bucket(stack, 'Logs');
    new WebHosting(stack, 'WebHosting', { siteDirectory: builtSite, accessLogsBucket: logs });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp('^Logs') } },
    });
    t.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Logging: Match.objectLike({ Prefix: 'cloudfront/' }),
      }),
    });
  });

  test('without a build, synth deploys a placeholder page and warns', () => {
    const app = testApp();
    const stack = new Stack(app, 'Fresh', { env: { region: 'us-east-1' } });
    const hosting = new WebHosting(stack, 'WebHosting', { siteDirectory: emptyDir });
    hosting.deploySite(CONFIG);
    expect(hosting.siteDirectory).toBeUndefined();
    Annotations.fromStack(stack).hasWarning(
      '/Fresh/WebHosting',
      Match.stringLikeRegexp(
        "has no index.html: deploying a placeholder page. Run 'npm run build:web'",
      ),
    );
    expect(() => app.synth()).not.toThrow();
  });

  test("passes cdk-nag with cdk.json's feature flags too (partition literals, as cdk synth runs)", () => {
    const app = testApp({ context: cdkSynthContext() });
    const stack = new Stack(app, 'Flags', { env: { region: 'eu-central-1' } });
    new WebHosting(stack, 'WebHosting', { siteDirectory: builtSite }).deploySite(CONFIG);
    addNagChecks(app);
    expect(() => app.synth()).not.toThrow();
  });

  test('deploySite may be called once', () => {
    const { hosting } = hostingStack();
    expect(() => hosting.deploySite(CONFIG)).toThrow(/only once/);
  });
});

describe('WebHosting in the stack', () => {
  let template: Template;
  beforeAll(() => {
    template = defaultTemplate();
  });

  const siteUrl = {
    'Fn::Join': [
      '',
      [
        'https://',
        { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebHostingDistribution'), 'DomainName'] },
        '/',
      ],
    ],
  };

  test('is on by default, and its URL is an allowed callback and logout URL', () => {
    template.resourceCountIs('AWS::CloudFront::Distribution', 1);
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      CallbackURLs: Match.arrayWith([siteUrl]),
      LogoutURLs: Match.arrayWith([siteUrl]),
    });
    template.hasOutput('WebDemoUrl', { Value: siteUrl });
  });

  test("config.json carries the stack's own values, resolved at deploy time", () => {
    const deployment = Object.values(template.findResources('Custom::CDKBucketDeployment'))[0] as {
      Properties: { SourceMarkers: Record<string, unknown>[] };
    };
    const markers = JSON.stringify(deployment.Properties.SourceMarkers);
    for (const ref of ['UsersUserPool', 'UsersUserPoolWebClient', 'Identities']) {
      expect(markers).toContain(ref);
    }
    expect(markers).toContain('AppInstanceArn');
    // The messaging session endpoint the custom resource asked for at deploy time.
    expect(deployment.Properties.SourceMarkers.flatMap((m) => Object.values(m))).toContainEqual({
      'Fn::GetAtt': [expect.stringMatching(/^MessagingSessionEndpoint/), 'Endpoint.Url'],
    });
  });

  test('the cycle check finds a cycle when there is one', () => {
    expect(
      findCycle({
        A: { Properties: { X: { Ref: 'B' } } },
        B: { Properties: { Y: { 'Fn::GetAtt': ['A', 'Arn'] } } },
      }),
    ).toEqual(['A', 'B', 'A']);
  });

  test('no dependency cycle between the app client, the distribution and config.json', () => {
    expect(findCycle(template.toJSON().Resources as Record<string, unknown>)).toBeUndefined();
  });

  test('-c webHosting=false leaves it out', () => {
    const t = synthFromContext({ webHosting: 'false' });
    t.resourceCountIs('AWS::CloudFront::Distribution', 0);
    t.resourceCountIs('Custom::CDKBucketDeployment', 0);
    t.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      CallbackURLs: ['http://localhost:5173/'],
    });
  });
});
