import { Annotations, Aws, Duration, Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { IdentityProviderConfig } from '../identity-providers';
import { acknowledgeNag } from '../nag';
import { PASSWORD_POLICY } from '../../contracts/password-policy';
import { FederatedSignIn } from './federated-sign-in';

/** Where the web demo runs during development (Vite's default port). */
export const LOCAL_DEV_URLS = ['http://localhost:5173/'];

/** OAuth scopes the web client asks the hosted UI for. */
export const WEB_CLIENT_OAUTH_SCOPES = [
  'openid',
  'email',
  'profile',
  'aws.cognito.signin.user.admin',
];

export interface ChatUserPoolProps {
  /**
   * Prefix of the hosted UI (managed login) domain, `<prefix>.auth.<region>.amazoncognito.com`.
   * Lowercase letters, digits and hyphens; must not contain `aws`, `amazon` or `cognito`.
   * @default - `chime-chat-` followed by a suffix unique to the stack
   */
  readonly domainPrefix?: string;

  /**
   * Give the pool a hosted UI (managed login) domain. `false` leaves it out: the first of the two
   * deploys that change {@link domainPrefix} (a user pool has one such domain at a time).
   * @default true
   */
  readonly hostedUi?: boolean;

  /**
   * The hosted UI domain of the deployed stack, `<prefix>.auth.<region>.amazoncognito.com` (the
   * `HostedUiDomain` output of the last deploy; `npm run deploy` passes it). When given, synth
   * fails if this deploy would change the prefix in one step, which CloudFormation cannot do.
   * @default - not checked
   */
  readonly deployedHostedUiDomain?: string;

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
   * Cognito feature plan. Everything this pool uses (sign-up and sign-in, SRP, TOTP MFA, Lambda
   * triggers with V1 pre token generation events, the classic hosted UI) is in Lite, the
   * lowest-priced plan; Essentials adds managed login, passwordless and passkeys, email MFA and
   * access-token customization, Plus adds threat protection (Cognito developer guide, "User pool
   * feature plans"). Cognito's own default for a new pool is Essentials.
   * @default cognito.FeaturePlan.LITE
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

  /**
   * Send the user pool's email (sign-up codes, password resets, invitations) through Amazon SES.
   * @default - Cognito's default sender, for demos only: 50 emails a day per AWS account (a synth
   * warning says so)
   */
  readonly email?: ChatUserPoolEmail;
}

/** Email through a verified Amazon SES identity (Cognito's `DEVELOPER` sending account). */
export interface ChatUserPoolEmail {
  /** The sender: `no-reply@chat.example.com` or `Chat <no-reply@chat.example.com>`. */
  readonly from: string;
  /**
   * ARN of the verified SES identity the address belongs to: the address itself or its domain,
   * `arn:aws:ses:<region>:<account>:identity/<address or domain>`.
   */
  readonly sesIdentityArn: string;
}

/**
 * Cognito's own sender: "Email messages sent daily per AWS account: 50", not adjustable, reset at
 * 09:00 UTC (Amazon Cognito quotas page, checked December 2026). Shared by every user pool of the
 * account that uses it.
 */
export const COGNITO_DEFAULT_EMAIL_DAILY_QUOTA = 50;

const EMAIL_ADDRESS = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/;
const SES_IDENTITY_ARN = /^arn:aws[a-z-]*:ses:[a-z0-9-]+:\d{12}:identity\/(.+)$/;

/** The address inside `Name <address>`, or the whole text. */
export function emailAddressOf(from: string): string {
  return /<([^<>]+)>\s*$/.exec(from)?.[1] ?? from.trim();
}

function validateEmail(email: ChatUserPoolEmail): void {
  const address = emailAddressOf(email.from);
  if (!EMAIL_ADDRESS.test(address)) {
    throw new Error(`email.from must be an address or 'Name <address>', got '${email.from}'`);
  }
  if (Token.isUnresolved(email.sesIdentityArn)) return;
  const identity = SES_IDENTITY_ARN.exec(email.sesIdentityArn)?.[1];
  if (!identity) {
    throw new Error(
      `email.sesIdentityArn must be an SES identity ARN (arn:aws:ses:<region>:<account>:identity/<address or domain>), got '${email.sesIdentityArn}'`,
    );
  }
  const domain = address.split('@')[1]!.toLowerCase();
  if (identity.toLowerCase() !== address.toLowerCase() && identity.toLowerCase() !== domain) {
    throw new Error(
      `the SES identity '${identity}' is neither the sender address '${address}' nor its domain '${domain}': SES would refuse to send as it`,
    );
  }
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

/** The default prefix: `chime-chat-` and the last group of the stack id's UUID. */
const DEFAULT_PREFIX_WORD = 'chime-chat';
const DEFAULT_PREFIX = /^chime-chat-[0-9a-f]{12}$/;
const HOSTED_UI_DOMAIN = /^([a-z0-9-]+)\.auth\.([a-z0-9-]+)\.amazoncognito\.com$/;

/**
 * Fails when this synth would move the hosted UI to another prefix in one deploy. A prefix change
 * replaces AWS::Cognito::UserPoolDomain; CloudFormation creates the replacement first, and Cognito
 * refuses a second domain for the pool ("User pool already has a domain configured"), so the
 * deploy would fail and roll back. Two deploys work: without the domain, then with the new prefix.
 */
function checkDomainPrefixChange(
  deployedDomain: string,
  requestedPrefix: string | undefined,
  region: string,
): void {
  const [, deployedPrefix, deployedRegion] = HOSTED_UI_DOMAIN.exec(deployedDomain) ?? [];
  if (deployedPrefix === undefined || deployedRegion === undefined) {
    throw new Error(
      `deployedHostedUiDomain must be <prefix>.auth.<region>.amazoncognito.com, got '${deployedDomain}'`,
    );
  }
  // Another region's deployment (an outputs file from elsewhere) says nothing about this one.
  if (!Token.isUnresolved(region) && region !== deployedRegion) return;
  const unchanged =
    requestedPrefix === undefined
      ? DEFAULT_PREFIX.test(deployedPrefix)
      : requestedPrefix === deployedPrefix;
  if (unchanged) return;
  const wanted = requestedPrefix ?? 'the default (chime-chat-<stack suffix>)';
  throw new Error(
    `the hosted UI domain prefix would change from '${deployedPrefix}' to ${requestedPrefix ? `'${wanted}'` : wanted} in one deploy, which fails: ` +
      `CloudFormation creates the new domain before deleting the old one and Cognito allows one per user pool ` +
      `("User pool already has a domain configured"). Change it in two deploys: ` +
      `1) npm run deploy -- -c hostedUi=false (with your other -c options; removes the domain), ` +
      `2) npm run deploy -- ${requestedPrefix ? `-c hostedUiDomainPrefix=${requestedPrefix}` : '(without hostedUiDomainPrefix)'}. ` +
      `This check compares with -c deployedHostedUiDomain=${deployedDomain}, which npm run deploy reads from ` +
      `the last deploy's cdk-outputs.json: if that file belongs to another deployment, delete it.`,
  );
}

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
  /** The hosted UI domain, unless turned off. */
  public readonly domain?: cognito.UserPoolDomain;
  /** `<prefix>.auth.<region>.amazoncognito.com`, without scheme, unless turned off. */
  public readonly hostedUiDomain?: string;
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
    if (props.email) validateEmail(props.email);

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
      // The web demo shows the same rules before a person types (contracts/password-policy.ts).
      passwordPolicy: { ...PASSWORD_POLICY, tempPasswordValidity: Duration.days(3) },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      featurePlan: props.featurePlan ?? cognito.FeaturePlan.LITE,
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
      ...(props.lambdaTriggers && { lambdaTriggers: props.lambdaTriggers }),
    });

    if (props.email) {
      // Set on the L1: UserPoolEmail.withSES builds the identity ARN from the stack's own account
      // and region, so it cannot take an identity ARN as given (another region, another account).
      (this.userPool.node.defaultChild as cognito.CfnUserPool).emailConfiguration = {
        emailSendingAccount: 'DEVELOPER',
        from: props.email.from,
        sourceArn: props.email.sesIdentityArn,
      };
    } else {
      Annotations.of(this.userPool).addWarningV2(
        'chime-cognito-auth:cognitoDefaultEmail',
        `No email configuration: Cognito's default sender is for demos only. It sends at most ` +
          `${COGNITO_DEFAULT_EMAIL_DAILY_QUOTA} emails a day per AWS account (Cognito quotas, not ` +
          `adjustable, shared by every user pool using it); sign-ups past it get no code. For ` +
          `production pass -c emailFrom=<address> with a verified SES identity ` +
          `(-c sesIdentityArn=<arn> or -c sesDomain=<domain>).`,
      );
    }

    acknowledgeNag(
      this.userPool,
      'COG2',
      'MFA is optional (TOTP) so that anyone can try the chat; a production pool can set mfa REQUIRED',
    );
    if ((props.featurePlan ?? cognito.FeaturePlan.LITE) !== cognito.FeaturePlan.PLUS) {
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
        scopes: [
          cognito.OAuthScope.OPENID,
          cognito.OAuthScope.EMAIL,
          cognito.OAuthScope.PROFILE,
          // Lets a hosted UI sign-in's access token call GetUser, which credential vending needs.
          cognito.OAuthScope.COGNITO_ADMIN,
        ],
        callbackUrls: this.callbackUrls,
        logoutUrls: this.logoutUrls,
      },
    });

    this.federation?.addClientDependencies(this.webClient);

    if (props.hostedUi === false) {
      if (this.federation) {
        Annotations.of(this).addWarningV2(
          'chime-cognito-auth:federation-without-hosted-ui',
          'identityProviders need the hosted UI domain (the providers send people back to it): federated sign-in is unavailable until the domain is back',
        );
      }
      return;
    }
    const stack = Stack.of(this);
    if (props.deployedHostedUiDomain !== undefined) {
      checkDomainPrefixChange(props.deployedHostedUiDomain, props.domainPrefix, stack.region);
    }
    // A suffix unique to the stack (from its id), so two deployments never fight over a prefix.
    const stackSuffix = Fn.select(4, Fn.split('-', Fn.select(2, Fn.split('/', stack.stackId))));
    const domainPrefix = props.domainPrefix ?? Fn.join('-', [DEFAULT_PREFIX_WORD, stackSuffix]);
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
