import { CfnOutput, type Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { type Construct } from 'constructs';
import { CLIENT_CONFIG_VERSION, type ClientConfig } from '../contracts/client-config';
import { API_PATHS, apiRouteUrl } from '../contracts/http-api';
import { DEFAULT_PRINCIPAL_TAG_KEY } from '../contracts/principal-tag';
import type { DeleteBrake } from '../contracts/user-lifecycle';
import { AppInstanceUserSync } from './constructs/app-instance-user-sync';
import {
  type ChatUserPoolEmail,
  ChatUserPool,
  LOCAL_DEV_URLS,
  WEB_CLIENT_OAUTH_SCOPES,
  emailAddressOf,
} from './constructs/chat-user-pool';
import { ChimeAppInstance } from './constructs/chime-app-instance';
import { ChimeIdentityPool } from './constructs/chime-identity-pool';
import { CredentialVending, type ExternalOidcIssuer } from './constructs/credential-vending';
import { GuestAccess } from './constructs/guest-access';
import { MessagingSessionEndpoint } from './constructs/messaging-session-endpoint';
import { PeopleDirectory } from './constructs/people-directory';
import { ProjectHttpApi, webOriginsOf } from './constructs/project-http-api';
import { UserLifecycle } from './constructs/user-lifecycle';
import { WebHosting } from './constructs/web-hosting';
import type { IdentityProviderConfig } from './identity-providers';
import { guardChimeRegion } from './region-guard';
import {
  APP_INSTANCE_ARN_OUTPUT,
  CLIENT_CONFIG_OUTPUT,
  HOSTED_UI_DOMAIN_OUTPUT,
  REMOVAL_POLICY_OUTPUT,
  USER_POOL_ID_OUTPUT,
} from './stack-outputs';

export { CLIENT_CONFIG_OUTPUT, HOSTED_UI_DOMAIN_OUTPUT, STACK_NAME } from './stack-outputs';

export interface ChimeCognitoAuthStackProps extends StackProps {
  /**
   * Principal tag key carrying the user's AppInstanceUserId.
   * @default DEFAULT_PRINCIPAL_TAG_KEY
   */
  readonly principalTagKey?: string;
  /**
   * Hosted UI domain prefix.
   * @default - unique to the stack
   */
  readonly hostedUiDomainPrefix?: string;
  /**
   * Give the user pool a hosted UI domain; `false` removes it (step one of a prefix change).
   * @default true
   */
  readonly hostedUi?: boolean;
  /**
   * The deployed stack's hosted UI domain, to refuse a one-step prefix change (ChatUserPool).
   * @default - not checked
   */
  readonly deployedHostedUiDomain?: string;
  /**
   * Send the user pool's email from this address through Amazon SES (with a verified identity:
   * {@link sesIdentityArn}, {@link sesDomain}, or else the address itself in this account and
   * region).
   * @default - Cognito's default sender (50 emails a day per account; synth warns)
   */
  readonly emailFrom?: string;
  /**
   * ARN of the verified SES identity (address or domain) of {@link emailFrom}.
   * @default - from {@link sesDomain} or the address
   */
  readonly sesIdentityArn?: string;
  /**
   * A domain verified in SES, in this account and region, that {@link emailFrom} belongs to.
   * @default - the address is the identity
   */
  readonly sesDomain?: string;
  /**
   * The user pool's feature plan (ChatUserPool says why Lite is enough).
   * @default cognito.FeaturePlan.LITE
   */
  readonly featurePlan?: cognito.FeaturePlan;
  /**
   * Hosted UI redirect URLs after sign-in.
   * @default - the local web demo (http://localhost:5173/)
   */
  readonly callbackUrls?: string[];
  /**
   * Hosted UI redirect URLs after sign-out.
   * @default - the callback URLs
   */
  readonly logoutUrls?: string[];
  /**
   * Removal policy of the stateful resources (user pool, AppInstance).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Channel message retention.
   * @default - kept until deleted
   */
  readonly channelRetention?: Duration;
  /**
   * Deploy the optional STS credential-vending API (docs/credential-vending.md).
   * @default false
   */
  readonly credentialVending?: boolean;
  /**
   * Web origins allowed to call the HTTP API from a browser (CORS). The hosted web demo needs none:
   * it calls the API on its own origin (`/api/*`).
   * @default - the origins of the callback URLs
   */
  readonly apiOrigins?: string[];
  /**
   * External OpenID Connect issuers whose tokens buy credentials too, each on its own route
   * `POST /credentials/external/<name>` with its own JWT authorizer (docs/federation.md): ids
   * derived from issuer and `sub`, AppInstanceUsers created before vending.
   * @default - none
   */
  readonly credentialVendingExternalIssuers?: readonly ExternalOidcIssuer[];
  /**
   * Keep the user pool's vending route `POST /credentials` beside the external issuers' routes.
   * `false` deploys the vending API for external issuers only ("instead of" the user pool); it
   * needs `credentialVending` and at least one external issuer.
   * @default true
   */
  readonly credentialVendingUserPool?: boolean;
  /**
   * Host the web demo on S3 + CloudFront (docs/web-demo.md); its URL joins the callback URLs.
   * @default true
   */
  readonly webHosting?: boolean;
  /**
   * External identity providers of the user pool: OIDC, SAML, Google, Facebook, Login with Amazon,
   * Sign in with Apple (docs/federation.md). Secrets are named, never given.
   * @default - password users only
   */
  readonly identityProviders?: readonly IdentityProviderConfig[];
  /**
   * When the user reconcile runs (docs/user-lifecycle.md).
   * @default - every hour
   */
  readonly userReconcileSchedule?: scheduler.ScheduleExpression;
  /**
   * The reconcile's delete brake.
   * @default DEFAULT_DELETE_BRAKE (50 users or 5 %)
   */
  readonly userDeleteBrake?: DeleteBrake;
  /**
   * Sync users within seconds from the user pool's CloudTrail events (needs a management-events
   * trail).
   * @default false
   */
  readonly userEvents?: boolean;
  /**
   * Create the management-events trail `userEvents` needs.
   * @default false
   */
  readonly createTrail?: boolean;
  /**
   * Guest access: moderators invite people without an account into one channel (docs/guests.md).
   * @default true
   */
  readonly guests?: boolean;
}

/** Cognito user pool + identity pool with principal tags + Chime AppInstance, wired together. */
export class ChimeCognitoAuthStack extends Stack {
  public readonly appInstance: ChimeAppInstance;
  /** The messaging session endpoint, asked at deploy time for the client config. */
  public readonly messagingSessionEndpoint: MessagingSessionEndpoint;
  public readonly users: ChatUserPool;
  /** Cognito triggers that create each user's AppInstanceUser (id = `sub`). */
  public readonly userSync: AppInstanceUserSync;
  public readonly identities: ChimeIdentityPool;
  /** The project's HTTP API (`apiUrl`): people lookup, and credential vending when enabled. */
  public readonly api: ProjectHttpApi;
  /** `GET /users?email=`: find a person by email. */
  public readonly people: PeopleDirectory;
  /** The STS credential-vending API (`POST /credentials`), when enabled. */
  public readonly credentialVending?: CredentialVending;
  /** The hosted web demo, unless turned off. */
  public readonly webHosting?: WebHosting;
  /** Deleted, disabled and renamed users reach Chime (reconcile, optional immediate sync). */
  public readonly userLifecycle: UserLifecycle;
  /** Guest invites and guest credentials, unless turned off. */
  public readonly guests?: GuestAccess;

  constructor(scope: Construct, id: string, props: ChimeCognitoAuthStackProps = {}) {
    super(scope, id, props);
    guardChimeRegion(this);

    this.appInstance = new ChimeAppInstance(this, 'AppInstance', {
      ...(props.removalPolicy && { removalPolicy: props.removalPolicy }),
      ...(props.channelRetention && {
        channelRetention: props.channelRetention,
      }),
    });

    this.messagingSessionEndpoint = new MessagingSessionEndpoint(this, 'MessagingSessionEndpoint');

    this.userSync = new AppInstanceUserSync(this, 'AppInstanceUserSync', {
      appInstanceArn: this.appInstance.appInstanceArn,
    });

    // Before the user pool: the app client's callback URLs name the distribution.
    if (props.webHosting !== false) {
      this.webHosting = new WebHosting(this, 'WebHosting');
    }
    const siteUrls = this.webHosting ? [this.webHosting.siteUrl] : [];
    const callbackUrls = [...(props.callbackUrls ?? LOCAL_DEV_URLS), ...siteUrls];
    const logoutUrls = props.logoutUrls && [...props.logoutUrls, ...siteUrls];

    const email = this.emailOf(props);
    this.users = new ChatUserPool(this, 'Users', {
      lambdaTriggers: this.userSync.triggers,
      ...(props.hostedUiDomainPrefix && {
        domainPrefix: props.hostedUiDomainPrefix,
      }),
      ...(props.hostedUi === false && { hostedUi: false }),
      ...(props.deployedHostedUiDomain && {
        deployedHostedUiDomain: props.deployedHostedUiDomain,
      }),
      ...(email && { email }),
      ...(props.featurePlan && { featurePlan: props.featurePlan }),
      callbackUrls,
      ...(logoutUrls && { logoutUrls }),
      ...(props.removalPolicy && { removalPolicy: props.removalPolicy }),
      ...(props.identityProviders && { identityProviders: props.identityProviders }),
    });

    this.userLifecycle = new UserLifecycle(this, 'UserLifecycle', {
      appInstanceArn: this.appInstance.appInstanceArn,
      userPool: this.users.userPool,
      ...(props.userReconcileSchedule && { reconcileSchedule: props.userReconcileSchedule }),
      ...(props.userDeleteBrake && { deleteBrake: props.userDeleteBrake }),
      ...(props.userEvents && { userEvents: true }),
      ...(props.createTrail && { createTrail: true }),
    });

    this.identities = new ChimeIdentityPool(this, 'Identities', {
      userPool: this.users.userPool,
      userPoolClient: this.users.webClient,
      appInstanceArn: this.appInstance.appInstanceArn,
      principalTagKey: props.principalTagKey ?? DEFAULT_PRINCIPAL_TAG_KEY,
    });

    this.api = new ProjectHttpApi(this, 'HttpApi', {
      userPool: this.users.userPool,
      userPoolClient: this.users.webClient,
      allowedOrigins: props.apiOrigins ?? webOriginsOf(props.callbackUrls ?? LOCAL_DEV_URLS),
    });
    this.people = new PeopleDirectory(this, 'People', {
      api: this.api,
      userPool: this.users.userPool,
      appInstanceArn: this.appInstance.appInstanceArn,
    });
    if (props.credentialVendingUserPool === false && !props.credentialVending) {
      throw new Error(
        'credentialVendingUserPool: false configures the credential-vending API: it needs credentialVending: true',
      );
    }
    if (props.credentialVending) {
      this.credentialVending = new CredentialVending(this, 'CredentialVending', {
        api: this.api,
        appInstanceArn: this.appInstance.appInstanceArn,
        ...(props.credentialVendingExternalIssuers && {
          externalIssuers: props.credentialVendingExternalIssuers,
        }),
        principalTagKey: this.identities.principalTagKey,
        ...(props.credentialVendingUserPool === false && { userPoolRoute: false }),
      });
    }
    if (props.guests !== false) {
      this.guests = new GuestAccess(this, 'Guests', {
        api: this.api,
        appInstanceArn: this.appInstance.appInstanceArn,
        principalTagKey: this.identities.principalTagKey,
      });
    }
    // The hosted demo calls the API on its own origin: CSP connect-src 'self', no CORS.
    this.webHosting?.serveApi(this.api);

    this.addOutputs(props.removalPolicy === RemovalPolicy.DESTROY ? 'destroy' : 'retain');
  }

  /** The SES identity of `emailFrom`: the ARN given, the domain given, or the address itself. */
  private emailOf(props: ChimeCognitoAuthStackProps): ChatUserPoolEmail | undefined {
    if (props.emailFrom === undefined) {
      if (props.sesIdentityArn !== undefined || props.sesDomain !== undefined) {
        throw new Error('sesIdentityArn and sesDomain need emailFrom (the sender address)');
      }
      return undefined;
    }
    if (props.sesIdentityArn !== undefined && props.sesDomain !== undefined) {
      throw new Error('give sesIdentityArn or sesDomain, not both');
    }
    const identity = props.sesDomain ?? emailAddressOf(props.emailFrom);
    return {
      from: props.emailFrom,
      sesIdentityArn:
        props.sesIdentityArn ??
        this.formatArn({ service: 'ses', resource: 'identity', resourceName: identity }),
    };
  }

  private addOutputs(removal: 'retain' | 'destroy'): void {
    const clientConfig: ClientConfig = {
      version: CLIENT_CONFIG_VERSION,
      region: this.region,
      userPoolId: this.users.userPool.userPoolId,
      userPoolClientId: this.users.webClient.userPoolClientId,
      identityPoolId: this.identities.identityPoolId,
      appInstanceArn: this.appInstance.appInstanceArn,
      principalTagKey: this.identities.principalTagKey,
      signInFlow: 'USER_SRP_AUTH',
      // A sign-in connects without asking GetMessagingSessionEndpoint (the request budget).
      messagingSessionEndpoint: this.messagingSessionEndpoint.url,
      ...(this.users.hostedUiDomain && {
        hostedUi: {
          domain: this.users.hostedUiDomain,
          redirectSignIn: this.users.callbackUrls,
          redirectSignOut: this.users.logoutUrls,
          scopes: WEB_CLIENT_OAUTH_SCOPES,
          ...(this.users.federation && {
            identityProviders: this.users.federation.resolved.map((p) => ({
              name: p.providerName,
              label: p.label,
            })),
          }),
        },
      }),
      apiUrl: this.api.url,
      // Only when the user pool's route exists: the web demo signs in with the user pool.
      ...(this.credentialVending?.url && { credentialVendingUrl: this.credentialVending.url }),
      ...(this.guests && { guests: true }),
    };
    const outputs: Record<string, [string, string]> = {
      Region: [this.region, 'Region of every resource'],
      [USER_POOL_ID_OUTPUT]: [clientConfig.userPoolId, 'Cognito user pool id'],
      UserPoolClientId: [clientConfig.userPoolClientId, 'Public SPA app client id'],
      IdentityPoolId: [clientConfig.identityPoolId, 'Cognito identity pool id'],
      [APP_INSTANCE_ARN_OUTPUT]: [clientConfig.appInstanceArn, 'Chime AppInstance ARN'],
      [REMOVAL_POLICY_OUTPUT]: [
        removal,
        'retain: deleting the stack keeps the user pool and the AppInstance (npm run destroy says how to remove them)',
      ],
      ...(this.users.hostedUiDomain && {
        [HOSTED_UI_DOMAIN_OUTPUT]: [this.users.hostedUiDomain, 'Hosted UI domain (no scheme)'],
      }),
      PrincipalTagKey: [
        clientConfig.principalTagKey,
        'Principal tag carrying the AppInstanceUserId',
      ],
      ApiUrl: [this.api.url, 'The project HTTP API (API Gateway endpoint)'],
      ...(this.credentialVending?.url && {
        CredentialVendingUrl: [this.credentialVending.url, 'STS credential-vending API URL'],
      }),
      ...(this.webHosting && {
        WebDemoUrl: [this.webHosting.siteUrl, 'The hosted web demo'],
      }),
      [CLIENT_CONFIG_OUTPUT]: [
        this.toJsonString(clientConfig),
        'The web demo config.json (one JSON document)',
      ],
    };
    for (const [id, [value, description]] of Object.entries(outputs)) {
      new CfnOutput(this, id, { value, description });
    }
    // The hosted demo's config.json: the same, with the API on the site's own origin.
    if (this.webHosting) {
      const sameOriginApi = this.webHosting.apiUrl;
      this.webHosting.deploySite({
        ...clientConfig,
        apiUrl: sameOriginApi,
        ...(this.credentialVending?.url && {
          credentialVendingUrl: apiRouteUrl(sameOriginApi, API_PATHS.credentials),
        }),
      });
    }
  }
}
