import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Annotations, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import type { ClientConfig } from '../../contracts/client-config';
import { API_STAGE_NAME } from '../../contracts/http-api';
import { accountGlobalName } from '../account-global-name';
import { acknowledgeNag, nagResourceName } from '../nag';

/** Where `npm run build:web` writes the production build of the web demo. */
export const WEB_DEMO_DIST = resolve(__dirname, '..', '..', 'web-demo', 'dist');

/**
 * CloudFront's name limits (AWS::CloudFront::ResponseHeadersPolicy,
 * ::OriginAccessControl, ::Function).
 */
const RESPONSE_HEADERS_POLICY_NAME_MAX = 128;
const ORIGIN_ACCESS_CONTROL_NAME_MAX = 64;
const FUNCTION_NAME_MAX = 64;

/** The page deployed when the web demo has not been built (e.g. `cdk synth` on a fresh clone). */
export const PLACEHOLDER_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Web demo not built</title></head>
<body><h1>The web demo was not built</h1>
<p>Run <code>npm run deploy</code> (it runs <code>npm run build:web</code> first).</p></body></html>
`;

/**
 * Single-page-app routing at the edge (viewer request, default behavior only): a path without a
 * file extension is the app, so it gets `/index.html`. A function rather than the distribution's
 * custom error responses, which apply to every behavior and would turn the API's 403 and 404 into
 * the app's page.
 */
export const SPA_ROUTING_FUNCTION = `function handler(event) {
  var request = event.request;
  var last = request.uri.split('/').pop();
  if (last.indexOf('.') === -1) request.uri = '/index.html';
  return request;
}`;

/**
 * The site's Content-Security-Policy: scripts and styles from the site only (no inline code), and
 * connections only to the AWS endpoints the demo calls in `region`, plus `additionalConnectSources`.
 * Exported so the browser tests run the app under the same policy.
 */
export function contentSecurityPolicy(
  region: string,
  additionalConnectSources: readonly string[] = [],
): string {
  const connectSources = [
    "'self'",
    `https://cognito-idp.${region}.amazonaws.com`,
    `https://cognito-identity.${region}.amazonaws.com`,
    `https://messaging-chime.${region}.amazonaws.com`,
    // GetMessagingSessionEndpoint hands out a host under chime.aws (amazon-chime-sdk-js CSP guide).
    'wss://*.chime.aws',
    // The hosted UI token endpoint (signInWithRedirect exchanges the code with fetch).
    `https://*.auth.${region}.amazoncognito.com`,
    ...additionalConnectSources,
  ];
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${connectSources.join(' ')}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export interface WebHostingProps {
  /**
   * Directory holding the built site (`index.html` + `assets/`).
   * When it holds no `index.html`, a placeholder page is deployed instead (with a synth warning).
   * @default WEB_DEMO_DIST
   */
  readonly siteDirectory?: string;

  /**
   * Extra `connect-src` sources for the Content-Security-Policy, e.g. the origin of the
   * credential-vending API.
   * @default - none: Cognito, Chime SDK messaging and the hosted UI of the stack's region only
   */
  readonly additionalConnectSources?: string[];

  /**
   * Bucket receiving S3 server access logs and CloudFront standard logs. It must allow ACL
   * writes by CloudFront (object ownership `BUCKET_OWNER_PREFERRED`).
   * @default - no access logs
   */
  readonly accessLogsBucket?: s3.IBucket;

  /**
   * CloudFront price class.
   * @default cloudfront.PriceClass.PRICE_CLASS_100
   */
  readonly priceClass?: cloudfront.PriceClass;
}

/**
 * The web demo on AWS: a private, encrypted S3 bucket served only through CloudFront (origin access
 * control), HTTPS only, with security headers and a single-page-app fallback. `deploySite` uploads
 * the build together with `config.json` made from the stack's values.
 *
 * Created before the user pool so the app client's callback URLs can name {@link siteUrl}; the
 * distribution depends on nothing Cognito creates, so there is no dependency cycle.
 */
export class WebHosting extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly distribution: cloudfront.Distribution;
  /** `https://<distribution domain>/`, for callback URLs and outputs. */
  public readonly siteUrl: string;
  /** `https://<distribution domain>/api`: the HTTP API on the site's own origin ({@link serveApi}). */
  public readonly apiUrl: string;
  /** The directory deployed, or `undefined` when the placeholder page is deployed. */
  public readonly siteDirectory?: string;
  private deployment?: s3deploy.BucketDeployment;
  private servesApi = false;

  constructor(scope: Construct, id: string, props: WebHostingProps = {}) {
    super(scope, id);
    const region = Stack.of(this).region;
    const directory = props.siteDirectory ?? WEB_DEMO_DIST;
    // On a fresh clone nothing is built yet: synth still works, with a placeholder page.
    this.siteDirectory = existsSync(join(directory, 'index.html')) ? directory : undefined;
    if (!this.siteDirectory) {
      Annotations.of(this).addWarningV2(
        'chime-cognito-auth:webDemoNotBuilt',
        `${directory} has no index.html: deploying a placeholder page. Run 'npm run build:web' (npm run deploy does).`,
      );
    }

    this.bucket = new s3.Bucket(this, 'Site', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Built from source on every deploy: nothing to keep.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
      ...(props.accessLogsBucket && {
        serverAccessLogsBucket: props.accessLogsBucket,
        serverAccessLogsPrefix: 'site-bucket/',
      }),
    });

    const csp = contentSecurityPolicy(region, props.additionalConnectSources);
    // CloudFront names are global to the account: one per stack and region.
    const headersPolicy = (name: string, cacheControl: string) =>
      new cloudfront.ResponseHeadersPolicy(this, name, {
        responseHeadersPolicyName: accountGlobalName(this, name, RESPONSE_HEADERS_POLICY_NAME_MAX),
        comment: `chime-cognito-auth web demo: security headers, Cache-Control ${cacheControl}`,
        securityHeadersBehavior: {
          contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
          strictTransportSecurity: {
            accessControlMaxAge: Duration.days(365),
            includeSubdomains: true,
            override: true,
          },
          contentTypeOptions: { override: true },
          frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
          referrerPolicy: {
            referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
            override: true,
          },
          xssProtection: { protection: true, modeBlock: true, override: true },
        },
        customHeadersBehavior: {
          customHeaders: [{ header: 'Cache-Control', value: cacheControl, override: true }],
        },
      });

    const originAccessControl = new cloudfront.S3OriginAccessControl(this, 'OriginAccessControl', {
      originAccessControlName: accountGlobalName(
        this,
        'OriginAccessControl',
        ORIGIN_ACCESS_CONTROL_NAME_MAX,
      ),
      description: 'chime-cognito-auth web demo: CloudFront reads the site bucket (SigV4)',
    });
    const origin = origins.S3BucketOrigin.withOriginAccessControl(this.bucket, {
      originAccessControl,
    });
    const spaRouting = new cloudfront.Function(this, 'SpaRouting', {
      functionName: accountGlobalName(this, 'SpaRouting', FUNCTION_NAME_MAX),
      comment: 'chime-cognito-auth web demo: paths without an extension serve index.html',
      code: cloudfront.FunctionCode.fromInline(SPA_ROUTING_FUNCTION),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'chime-cognito-auth web demo',
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: props.priceClass ?? cloudfront.PriceClass.PRICE_CLASS_100,
      // index.html and config.json: revalidated on every load, so a deploy shows at once.
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headersPolicy('DocumentHeaders', 'no-cache'),
        compress: true,
        functionAssociations: [
          { function: spaRouting, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
        ],
      },
      additionalBehaviors: {
        // Vite names every asset by its content hash: cache for a year.
        '/assets/*': {
          origin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
          cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
          responseHeadersPolicy: headersPolicy(
            'AssetHeaders',
            'public, max-age=31536000, immutable',
          ),
          compress: true,
        },
      },
      ...(props.accessLogsBucket && {
        enableLogging: true,
        logBucket: props.accessLogsBucket,
        logFilePrefix: 'cloudfront/',
      }),
    });
    this.siteUrl = `https://${this.distribution.distributionDomainName}/`;
    this.apiUrl = `https://${this.distribution.distributionDomainName}/${API_STAGE_NAME}`;

    if (!props.accessLogsBucket) {
      acknowledgeNag(
        this.bucket,
        'S1',
        'static demo site rebuilt from source; pass accessLogsBucket to turn server access logs on',
      );
      acknowledgeNag(
        this.distribution,
        'CFR3',
        'static demo site; pass accessLogsBucket to turn CloudFront access logs on',
      );
    }
    acknowledgeNag(
      this.distribution,
      'CFR1',
      'a public demo for people anywhere: no geo restriction',
    );
    acknowledgeNag(
      this.distribution,
      'CFR2',
      'static files, plus the HTTP API under /api/* which has its own JWT authorizer, stage and route throttling and per-caller limits; WAF adds cost and can be attached to the distribution when needed',
    );
    acknowledgeNag(
      this.distribution,
      'CFR4',
      'uses the default *.cloudfront.net certificate, with which CloudFront cannot enforce TLSv1.2 for viewers; a custom domain with its own certificate can set minimumProtocolVersion TLS_V1_2_2021',
    );
  }

  /**
   * Serves the project's HTTP API on the site's own origin: `/api/*` goes to the API Gateway stage
   * named `api` unchanged, uncached, with every viewer header but Host (so `Authorization` reaches
   * the JWT authorizer). The page then calls `/api/...` under `connect-src 'self'`, and CORS never
   * applies to it.
   */
  serveApi(api: { readonly domainName: string }): void {
    if (this.servesApi) throw new Error('serveApi may be called only once');
    this.servesApi = true;
    this.distribution.addBehavior(
      `/${API_STAGE_NAME}/*`,
      new origins.HttpOrigin(api.domainName, {
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      }),
      {
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        // A managed policy (no account-wide name to collide): HSTS, nosniff, frame and referrer
        // headers; the handlers' own Cache-Control: no-store is left as it is.
        responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
      },
    );
  }

  /**
   * Uploads the site and `config.json` (the stack's values, resolved at deploy time), then
   * invalidates the distribution. Call once, after the values exist.
   */
  deploySite(config: ClientConfig): s3deploy.BucketDeployment {
    if (this.deployment) throw new Error('deploySite may be called only once');
    const site = this.siteDirectory
      ? s3deploy.Source.asset(this.siteDirectory, { exclude: ['*.map'] })
      : s3deploy.Source.data('index.html', PLACEHOLDER_PAGE);
    this.deployment = new s3deploy.BucketDeployment(this, 'Deploy', {
      sources: [site, s3deploy.Source.jsonData('config.json', config)],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      prune: true,
      memoryLimit: 256,
    });
    this.acknowledgeDeploymentHandler(this.deployment);
    return this.deployment;
  }

  /**
   * The CDK BucketDeployment handler (a Lambda shared by the stack) is CDK's code with CDK's
   * policy; acknowledge exactly the findings that policy raises, naming each wildcard.
   */
  private acknowledgeDeploymentHandler(deployment: s3deploy.BucketDeployment): void {
    const role = deployment.handlerRole;
    const handler = role.node.scope as Construct;
    acknowledgeNag(
      role,
      'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'the CDK BucketDeployment handler writes its logs with the AWS managed basic execution policy',
    );
    const policy = role.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
    const statements = policy
      ? (
          Stack.of(this).resolve(policy.document.toJSON()) as {
            Statement: { Action: string | string[]; Resource: unknown }[];
          }
        ).Statement
      : [];
    const wildcards = new Set<string>();
    for (const statement of statements) {
      for (const action of [statement.Action].flat()) {
        if (action.includes('*')) wildcards.add(`Action::${action}`);
      }
      for (const resource of [statement.Resource].flat()) {
        const name = nagResourceName(this, withSubRendered(resource) as string);
        if (name.includes('*')) wildcards.add(`Resource::${name}`);
      }
    }
    const allowed = [
      /^Action::s3:(GetObject|GetBucket|List|DeleteObject|Abort)\*$/,
      new RegExp(`^Resource::${escapeRegExp(nagResourceName(this, this.bucket.bucketArn))}/\\*$`),
      /^Resource::arn:(<AWS::Partition>|aws[a-z-]*):s3:::cdk-[a-z0-9]+-assets-<AWS::AccountId>-[^/]+\/\*$/,
      // cloudfront:CreateInvalidation / GetInvalidation, as CDK grants them.
      /^Resource::\*$/,
    ];
    for (const finding of wildcards) {
      if (!allowed.some((pattern) => pattern.test(finding))) {
        throw new Error(`unexpected wildcard in the BucketDeployment handler policy: ${finding}`);
      }
      acknowledgeNag(
        role,
        `IAM5[${finding}]`,
        'the CDK BucketDeployment handler reads the CDK asset bucket, writes and prunes objects of this site bucket, and invalidates this distribution (CloudFront invalidation actions take no resource ARN in its grant)',
      );
    }
    acknowledgeNag(
      handler,
      'L1',
      'the BucketDeployment handler runtime is chosen by aws-cdk-lib and moves with its upgrades',
    );
  }
}

/** Renders `Fn::Sub` the way cdk-nag names it (`${AWS::AccountId}` -> `<AWS::AccountId>`). */
function withSubRendered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withSubRendered);
  if (value && typeof value === 'object') {
    const sub = (value as Record<string, unknown>)['Fn::Sub'];
    if (typeof sub === 'string') return sub.replace(/\$\{([^}]+)\}/g, '<$1>');
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, withSubRendered(v)]),
    );
  }
  return value;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
