import * as path from 'node:path';
import { Duration, Token } from 'aws-cdk-lib';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { EXTERNAL_USER_ID_PREFIX } from '../../contracts/app-instance-user-id';
import { appInstanceChannelsArn, chimeUserPolicyDocument } from '../../contracts/chime-user-policy';
import {
  assertValidPrincipalTagKey,
  DEFAULT_PRINCIPAL_TAG_KEY,
} from '../../contracts/principal-tag';
import { ProjectNodejsFunction } from '../lambda-defaults';
import { acknowledgeNag, nagResourceName } from '../nag';

/** Shortest and longest vended session (STS role chaining from a Lambda caps it at one hour). */
const MIN_SESSION = Duration.minutes(15);
const MAX_SESSION = Duration.hours(1);

/** The ID tokens the vending API accepts: the identity-provider seam. */
export abstract class VendingTokenIssuer {
  /** ID tokens of a Cognito user pool, for the given app clients (aws-jwt-verify CognitoJwtVerifier). */
  public static userPool(
    userPool: cognito.IUserPool,
    ...clients: cognito.IUserPoolClient[]
  ): VendingTokenIssuer {
    if (clients.length === 0) throw new Error('userPool issuer needs at least one app client');
    return new (class extends VendingTokenIssuer {
      public readonly environment = {
        TOKEN_ISSUER_KIND: 'cognito',
        COGNITO_USER_POOL_ID: userPool.userPoolId,
        COGNITO_CLIENT_IDS: clients.map((c) => c.userPoolClientId).join(','),
      };
    })();
  }

  /**
   * ID tokens of an OpenID Connect issuer that stands in for the user pool (aws-jwt-verify
   * JwtRsaVerifier): `iss` must equal `issuer`, `aud` one of `audience`, and a `token_use` claim,
   * if present, must be `id`. The raw `sub` becomes the id, so use it only for an issuer whose subs
   * ARE the user pool's (e.g. a local stand-in). For another identity provider use
   * `externalIssuers`: its subs could equal a user pool `sub` and act as that person.
   */
  public static oidc(props: {
    readonly issuer: string;
    readonly audience: readonly string[];
    /** @default - `<issuer>/.well-known/jwks.json` */
    readonly jwksUri?: string;
  }): VendingTokenIssuer {
    for (const url of [props.issuer, props.jwksUri]) {
      if (url !== undefined && !Token.isUnresolved(url) && !url.startsWith('https://')) {
        throw new Error(`oidc issuer and jwksUri must be https URLs, got '${url}'`);
      }
    }
    if (props.audience.length === 0) throw new Error('oidc issuer needs at least one audience');
    return new (class extends VendingTokenIssuer {
      public readonly environment = {
        TOKEN_ISSUER_KIND: 'oidc',
        OIDC_ISSUER: props.issuer,
        OIDC_AUDIENCE: props.audience.join(','),
        ...(props.jwksUri !== undefined && { OIDC_JWKS_URI: props.jwksUri }),
      };
    })();
  }

  /** Environment variables the handler reads (lambdas/lib/credential-vending/config.ts). */
  public abstract readonly environment: Readonly<Record<string, string>>;
}

/** An external OpenID Connect issuer whose people may buy credentials (docs/federation.md). */
export interface ExternalOidcIssuer {
  /** The issuer URL, exactly as its tokens' `iss` (https). */
  readonly issuer: string;
  /** Accepted `aud` values (the client ids the issuer gives the app). */
  readonly audience: readonly string[];
  /** @default - discovered from `<issuer>/.well-known/openid-configuration` */
  readonly jwksUri?: string;
}

/** The actions the vending function needs to create an external caller's AppInstanceUser. */
export const EXTERNAL_USER_ACTIONS = [
  'chime:CreateAppInstanceUser',
  'chime:DescribeAppInstanceUser',
] as const;

export interface CredentialVendingProps {
  /** ARN of the Chime AppInstance the vended credentials are scoped to. */
  readonly appInstanceArn: string;

  /**
   * Whose ID tokens buy credentials with their `sub` as id (the user pool).
   * @default - none: only `externalIssuers` (at least one of the two is required)
   */
  readonly tokenIssuer?: VendingTokenIssuer;

  /**
   * External OIDC issuers whose people buy credentials too, with an id derived from issuer and
   * `sub` (`oidc-...`); their AppInstanceUser is created before the first credentials.
   * @default - none
   */
  readonly externalIssuers?: readonly ExternalOidcIssuer[];

  /**
   * Web origins (`scheme://host[:port]`) allowed to call the API from a browser (CORS).
   * At least one; `*` is refused.
   */
  readonly allowedOrigins: readonly string[];

  /**
   * Session tag key carrying the AppInstanceUserId; must equal the one in the user role policy.
   * @default DEFAULT_PRINCIPAL_TAG_KEY
   */
  readonly principalTagKey?: string;

  /**
   * Lifetime of the vended credentials, 15 to 60 minutes.
   * @default Duration.hours(1)
   */
  readonly sessionDuration?: Duration;
}

/**
 * The seed page's "Using STS to vend credentials", made valid and complete: a Lambda (server role)
 * that verifies the caller's ID token and calls `sts:AssumeRole` + `sts:TagSession` on a user role
 * with the caller's id as session tag; the user role trusts only the server role, only with that
 * tag, and carries the same Chime policy as the identity pool role.
 */
export class CredentialVending extends Construct {
  /** The Lambda execution role: may only assume (and tag) the user role, and write its logs. */
  public readonly serverRole: iam.Role;
  /** The role whose credentials users receive. */
  public readonly userRole: iam.Role;
  public readonly function: ProjectNodejsFunction;
  public readonly functionUrl: lambda.FunctionUrl;
  /** The API's URL (for `config.json`'s `credentialVendingUrl`). */
  public readonly url: string;
  public readonly principalTagKey: string;

  constructor(scope: Construct, id: string, props: CredentialVendingProps) {
    super(scope, id);
    this.principalTagKey = props.principalTagKey ?? DEFAULT_PRINCIPAL_TAG_KEY;
    assertValidPrincipalTagKey(this.principalTagKey);
    const sessionDuration = props.sessionDuration ?? MAX_SESSION;
    const seconds = sessionDuration.toSeconds();
    if (seconds < MIN_SESSION.toSeconds() || seconds > MAX_SESSION.toSeconds()) {
      throw new Error(`sessionDuration must be 15 to 60 minutes, got ${seconds} seconds`);
    }
    const allowedOrigins = validateOrigins(props.allowedOrigins);
    const externalIssuers = validateExternalIssuers(props.externalIssuers ?? []);
    if (!props.tokenIssuer && externalIssuers.length === 0) {
      throw new Error('credential vending needs a tokenIssuer, externalIssuers, or both');
    }

    this.serverRole = new iam.Role(this, 'ServerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Credential-vending Lambda: may only assume and tag the vending user role',
    });

    const tagCondition = 'aws:RequestTag/' + this.principalTagKey;
    this.userRole = new iam.Role(this, 'UserRole', {
      description:
        'Users of the credential-vending API: Chime messaging as their own AppInstanceUser only',
      // One statement for sts:AssumeRole and sts:TagSession (the seed page forgets TagSession): only
      // the server role, only with the principal tag set, and no other tag.
      assumedBy: new iam.SessionTagsPrincipal(this.serverRole).withConditions({
        Null: { [tagCondition]: 'false' },
        'ForAllValues:StringEquals': { 'aws:TagKeys': [this.principalTagKey] },
      }),
      maxSessionDuration: MAX_SESSION,
      inlinePolicies: {
        ChimeMessagingAsSelf: iam.PolicyDocument.fromJson(
          chimeUserPolicyDocument({
            appInstanceArn: props.appInstanceArn,
            principalTagKey: this.principalTagKey,
          }),
        ),
      },
    });
    // A grant on the server role's own policy resource (not inline), so the two roles' mutual
    // references do not form a dependency cycle.
    this.userRole.grant(this.serverRole, 'sts:AssumeRole', 'sts:TagSession');

    acknowledgeNag(
      this.userRole,
      'IAM5[Resource::*]',
      'chime:GetMessagingSessionEndpoint has no resource type: IAM only accepts * for it, in a statement of its own',
    );
    acknowledgeNag(
      this.userRole,
      `IAM5[Resource::${nagResourceName(this, appInstanceChannelsArn(props.appInstanceArn))}]`,
      'any channel of this AppInstance: Chime itself enforces channel membership, moderation and bans per bearer, and the bearer is pinned to the caller by the session tag',
    );

    this.function = new ProjectNodejsFunction(this, 'Function', {
      description: 'STS credential vending: ID token in, Chime-scoped credentials out',
      entry: path.join(__dirname, '..', '..', 'lambdas', 'credential-vending.ts'),
      handler: 'handler',
      role: this.serverRole,
      timeout: Duration.seconds(10),
      serviceName: 'credential-vending',
      environment: {
        ...props.tokenIssuer?.environment,
        ...(externalIssuers.length > 0 && {
          EXTERNAL_OIDC_ISSUERS: JSON.stringify(externalIssuers),
        }),
        USER_ROLE_ARN: this.userRole.roleArn,
        PRINCIPAL_TAG_KEY: this.principalTagKey,
        APP_INSTANCE_ARN: props.appInstanceArn,
        SESSION_DURATION_SECONDS: String(seconds),
      },
    });

    if (externalIssuers.length > 0) {
      // Only ids of the external form: the function cannot create or probe user pool users.
      const externalUsers = props.appInstanceArn + '/user/' + EXTERNAL_USER_ID_PREFIX + '*';
      this.serverRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'ExternalCallersAppInstanceUsers',
          actions: [...EXTERNAL_USER_ACTIONS],
          resources: [externalUsers],
        }),
      );
      acknowledgeNag(
        this.serverRole,
        `IAM5[Resource::${nagResourceName(this, externalUsers)}]`,
        'external callers get ids derived at request time (oidc-<hash>); the wildcard is limited to that id form in this one AppInstance, and to create/describe',
      );
    }

    this.functionUrl = this.function.addFunctionUrl({
      // The handler authenticates every request itself (ID token): the URL is public by design.
      authType: lambda.FunctionUrlAuthType.NONE,
      cors: {
        allowedOrigins,
        allowedMethods: [lambda.HttpMethod.POST],
        allowedHeaders: ['authorization', 'content-type'],
        allowCredentials: false,
        maxAge: Duration.hours(1),
      },
    });
    this.url = this.functionUrl.url;
  }
}

/** The distinct web origins of concrete URLs (e.g. the hosted UI callback URLs). */
export function webOriginsOf(urls: readonly string[]): string[] {
  const origins = urls.filter((u) => !Token.isUnresolved(u)).map((u) => new URL(u).origin);
  if (origins.length === 0) {
    throw new Error('no concrete web origin among the callback URLs: set credentialVendingOrigins');
  }
  return [...new Set(origins)];
}

function validateExternalIssuers(issuers: readonly ExternalOidcIssuer[]): ExternalOidcIssuer[] {
  const seen = new Set<string>();
  return issuers.map((e, i) => {
    for (const [field, url] of [
      ['issuer', e.issuer],
      ['jwksUri', e.jwksUri],
    ] as const) {
      if (url === undefined || Token.isUnresolved(url)) continue;
      if (!/^https:\/\/[^\s?#]+$/.test(url)) {
        throw new Error(`externalIssuers[${i}].${field} must be an https URL, got '${url}'`);
      }
    }
    if (seen.has(e.issuer)) throw new Error(`externalIssuers[${i}].issuer is listed twice`);
    seen.add(e.issuer);
    if (e.audience.length === 0 || e.audience.some((a) => a.trim() === '')) {
      throw new Error(`externalIssuers[${i}].audience must list the app's client id(s)`);
    }
    if (/^https:\/\/cognito-idp\./.test(e.issuer)) {
      throw new Error(
        `externalIssuers[${i}].issuer is a Cognito user pool: give it as tokenIssuer (its users keep their sub)`,
      );
    }
    return {
      issuer: e.issuer,
      audience: [...e.audience],
      ...(e.jwksUri !== undefined && { jwksUri: e.jwksUri }),
    };
  });
}

function validateOrigins(origins: readonly string[]): string[] {
  if (origins.length === 0) throw new Error('allowedOrigins needs at least one web origin');
  for (const origin of origins) {
    if (Token.isUnresolved(origin)) continue;
    if (!/^https?:\/\/[^/\s*?#]+$/.test(origin)) {
      throw new Error(
        `allowedOrigins must be origins like https://chat.example.com (no path, no *), got '${origin}'`,
      );
    }
  }
  return [...new Set(origins)];
}
