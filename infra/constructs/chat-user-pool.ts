import { Aws, Duration, Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { IdentityProviderConfig } from '../identity-providers';
import { acknowledgeNag } from '../nag';
import { FederatedSignIn } from './federated-sign-in';

/** Where the web demo runs during development (Vite's default port). */
export const LOCAL_DEV_URLS = ['http://localhost:5173/'];

/** OAuth scopes the web client asks the hosted UI for. */
export const WEB_CLIENT_OAUTH_SCOPES = ['openid', 'email', 'profile'];

export interface ChatUserPoolProps {
  /**
   * Prefix of the hosted UI (managed login) domain, `<prefix>.auth.<region>.amazoncognito.com`.
   * Lowercase letters, digits and hyphens; must not contain `aws`, `amazon` or `cognito`.
   * @default - `chime-chat-` followed by a suffix unique to the stack
   */
  readonly domainPrefix?: string;

  /**
   * URLs the hosted UI may redirect to after sign-in.
   * @default LOCAL_DEV_URLS
   */
  readonly callbackUrls?: string[];

  /**
   * URLs the hosted UI may redirect to after sign-out.
   * @default - the callback URLs
   */
  readonly logoutUrls?: string[];

  /**
   * What happens to the user pool (and every account in it) when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Cognito feature plan. Plus adds threat protection at extra cost.
   * @default cognito.FeaturePlan.ESSENTIALS
   */
  readonly featurePlan?: cognito.FeaturePlan;

  /**
   * Lambda triggers to attach.
   * @default - none
   */
  readonly lambdaTriggers?: cognito.UserPoolTriggers;

  /**
   * External identity providers (OIDC, SAML, social) people may sign in with, besides passwords
   * (docs/federation.md). The web client supports each one, and the hosted UI lists them.
   * @default - password users only
   */
  readonly identityProviders?: readonly IdentityProviderConfig[];
}

/** What the web client may write: sign-up needs email; nothing here feeds the principal tag (`sub`). */
const WEB_CLIENT_WRITE_ATTRIBUTES: cognito.StandardAttributesMask = {
  email: true,
  fullname: true,
  preferredUsername: true,
  givenName: true,
  familyName: true,
};

const DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function validateDomainPrefix(prefix: string): void {
  if (!DOMAIN_PREFIX.test(prefix)) {
    throw new Error(
      `domainPrefix must be 1-63 lowercase letters, digits or inner hyphens, got '${prefix}'`,
    );
  }
  const reserved = ['aws', 'amazon', 'cognito'].find((word) => prefix.includes(word));
  if (reserved) {
    throw new Error(
      `domainPrefix must not contain the reserved word '${reserved}', got '${prefix}'`,
    );
  }
}

function validateRedirectUrls(name: string, urls: readonly string[]): void {
  if (urls.length === 0) throw new Error(`${name} must list at least one URL`);
  for (const url of urls) {
    // A deploy-time value (e.g. the CloudFront distribution's URL) is checked by Cognito.
    if (Token.isUnresolved(url)) continue;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`${name} must hold absolute URLs, got '${url}'`);
    }
    // Cognito allows plain http only for localhost.
    const local = parsed.hostname === 'localhost' || parsed.hostname === '127.0.0.1';
    if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && local)) {
      throw new Error(`${name} must use https (http only for localhost), got '${url}'`);
    }
  }
}

/**
 * A Cognito user pool for chat users: self sign-up with email, a hosted UI domain and one public
 * SPA client (authorization code + PKCE, no secret).
 */
export class ChatUserPool extends Construct {
  public readonly userPool: cognito.UserPool;
  public readonly webClient: cognito.UserPoolClient;
  public readonly domain: cognito.UserPoolDomain;
  /** `<prefix>.auth.<region>.amazoncognito.com`, without scheme. */
  public readonly hostedUiDomain: string;
  public readonly callbackUrls: string[];
  public readonly logoutUrls: string[];
  /** The external identity providers, when configured. */
  public readonly federation?: FederatedSignIn;

  constructor(scope: Construct, id: string, props: ChatUserPoolProps = {}) {
    super(scope, id);
    this.callbackUrls = props.callbackUrls ?? LOCAL_DEV_URLS;
    this.logoutUrls = props.logoutUrls ?? this.callbackUrls;
    validateRedirectUrls('callbackUrls', this.callbackUrls);
    validateRedirectUrls('logoutUrls', this.logoutUrls);
    if (props.domainPrefix !== undefined) validateDomainPrefix(props.domainPrefix);

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      // A changed email stays unverified until confirmed; the old one keeps working meanwhile.
      keepOriginal: { email: true },
      standardAttributes: {
        email: { required: true, mutable: true },
        preferredUsername: { required: false, mutable: true },
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      featurePlan: props.featurePlan ?? cognito.FeaturePlan.ESSENTIALS,
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
      ...(props.lambdaTriggers && { lambdaTriggers: props.lambdaTriggers }),
    });

    acknowledgeNag(
      this.userPool,
      'COG2',
      'MFA is optional (TOTP) so that anyone can try the chat; a production pool can set mfa REQUIRED',
    );
    if ((props.featurePlan ?? cognito.FeaturePlan.ESSENTIALS) !== cognito.FeaturePlan.PLUS) {
      acknowledgeNag(
        this.userPool,
        'COG8',
        'threat protection needs the paid Plus plan; it is opt-in through the featurePlan prop',
      );
    }

    if (props.identityProviders && props.identityProviders.length > 0) {
      this.federation = new FederatedSignIn(this, 'Federation', {
        userPool: this.userPool,
        identityProviders: props.identityProviders,
      });
    }

    this.webClient = this.userPool.addClient('WebClient', {
      generateSecret: false,
      // SRP only: passwords never leave the browser (the local sandbox enforces the same flows).
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      // Short-lived ID tokens bound the life of credentials a stolen token can mint.
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      authSessionValidity: Duration.minutes(3),
      supportedIdentityProviders: [
        cognito.UserPoolClientIdentityProvider.COGNITO,
        ...(this.federation?.clientProviders ?? []),
      ],
      // Mapped attributes must be writable too: Cognito rewrites them at every federated sign-in.
      writeAttributes:
        this.federation?.writeAttributes(WEB_CLIENT_WRITE_ATTRIBUTES) ??
        new cognito.ClientAttributes().withStandardAttributes(WEB_CLIENT_WRITE_ATTRIBUTES),
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: this.callbackUrls,
        logoutUrls: this.logoutUrls,
      },
    });

    this.federation?.addClientDependencies(this.webClient);

    const stack = Stack.of(this);
    // A suffix unique to the stack (from its id), so two deployments never fight over a prefix.
    const stackSuffix = Fn.select(4, Fn.split('-', Fn.select(2, Fn.split('/', stack.stackId))));
    const domainPrefix = props.domainPrefix ?? Fn.join('-', ['chime-chat', stackSuffix]);
    this.domain = this.userPool.addDomain('HostedUi', {
      cognitoDomain: { domainPrefix },
    });
    this.hostedUiDomain = Fn.join('', [
      this.domain.domainName,
      '.auth.',
      Aws.REGION,
      '.amazoncognito.com',
    ]);
  }
}
