import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import { SecretValue } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  type AttributeMap,
  type IdentityProviderConfig,
  type MappableAttribute,
  parseIdentityProviders,
  type ResolvedIdentityProvider,
} from '../identity-providers';
import { ProjectNodejsFunction } from '../lambda-defaults';
import { TRIGGER_TIMEOUT } from './app-instance-user-sync';

/** The user pool attribute names of aws-cdk-lib's `AttributeMapping` / `StandardAttributesMask`. */
const CDK_ATTRIBUTE: Record<MappableAttribute, keyof cognito.StandardAttributesMask> = {
  email: 'email',
  email_verified: 'emailVerified',
  name: 'fullname',
  given_name: 'givenName',
  family_name: 'familyName',
  nickname: 'nickname',
  preferred_username: 'preferredUsername',
  picture: 'profilePicture',
  locale: 'locale',
};

/** The actions of the account-linking trigger, on this user pool only. */
export const ACCOUNT_LINKING_ACTIONS = [
  'cognito-idp:ListUsers',
  'cognito-idp:AdminLinkProviderForUser',
] as const;

const LAMBDAS_DIR = path.join(__dirname, '..', '..', 'lambdas');

export interface FederatedSignInProps {
  readonly userPool: cognito.UserPool;
  /** The providers; validated here (the same rules as `-c identityProviders=<file>`). */
  readonly identityProviders: readonly IdentityProviderConfig[];
}

function attributeMapping(attributes: AttributeMap): cognito.AttributeMapping {
  const mapping: Record<string, cognito.ProviderAttribute> = {};
  for (const [poolAttribute, providerAttribute] of Object.entries(attributes)) {
    mapping[CDK_ATTRIBUTE[poolAttribute as MappableAttribute]] =
      cognito.ProviderAttribute.other(providerAttribute);
  }
  return mapping;
}

/**
 * A CloudFormation dynamic reference (`{{resolve:secretsmanager:...}}`) to the provider's client
 * secret or Apple private key: the value never enters the template.
 */
function secretOf(p: ResolvedIdentityProvider): SecretValue {
  const [id, jsonField] =
    p.type === 'apple'
      ? [p.privateKeySecretArn ?? p.privateKeySecretName, p.privateKeySecretJsonField]
      : p.type === 'saml'
        ? [undefined, undefined]
        : [p.clientSecretArn ?? p.clientSecretName, p.clientSecretJsonField];
  if (id === undefined) throw new Error(`provider ${p.providerName} has no secret`);
  return SecretValue.secretsManager(id, jsonField === undefined ? {} : { jsonField });
}

/**
 * The user pool's external identity providers (OIDC, SAML, Google, Facebook, Login with Amazon,
 * Sign in with Apple) from a validated configuration, and, when a provider links accounts by
 * verified email, the pre sign-up trigger that does it (lambdas/link-federated-user.ts).
 *
 * Give {@link clientProviders} to the app client's `supportedIdentityProviders`, add
 * {@link mappedAttributes} to its write attributes, and make the client depend on
 * {@link providers} (Cognito refuses a client naming a provider that does not exist yet).
 */
export class FederatedSignIn extends Construct {
  /** The validated providers, with their Cognito names and button labels. */
  public readonly resolved: readonly ResolvedIdentityProvider[];
  public readonly providers: readonly cognito.IUserPoolIdentityProvider[];
  public readonly clientProviders: readonly cognito.UserPoolClientIdentityProvider[];
  /** Every user pool attribute some provider maps (the app client must be able to write them). */
  public readonly mappedAttributes: ReadonlySet<MappableAttribute>;
  /** The pre sign-up trigger that links accounts, when some provider asks for it. */
  public readonly accountLinking?: ProjectNodejsFunction;

  constructor(scope: Construct, id: string, props: FederatedSignInProps) {
    super(scope, id);
    this.resolved = parseIdentityProviders(props.identityProviders);
    const userPool = props.userPool;
    this.providers = this.resolved.map((p) => this.createProvider(userPool, p));
    this.clientProviders = this.resolved.map((p) =>
      cognito.UserPoolClientIdentityProvider.custom(p.providerName),
    );
    this.mappedAttributes = new Set(
      this.resolved.flatMap((p) => Object.keys(p.attributes) as MappableAttribute[]),
    );

    const linkable = this.resolved.filter((p) => p.accountLinking === 'verified-email');
    if (linkable.length > 0) {
      this.accountLinking = this.createAccountLinking(
        userPool,
        linkable.map((p) => p.providerName),
      );
    }
  }

  /** Marks `client` as depending on every provider. */
  public addClientDependencies(client: cognito.UserPoolClient): void {
    for (const provider of this.providers) client.node.addDependency(provider);
  }

  /** Write attributes for the web client: `base` plus every mapped attribute. */
  public writeAttributes(base: cognito.StandardAttributesMask): cognito.ClientAttributes {
    const mask: Record<string, boolean> = { ...base };
    for (const attribute of this.mappedAttributes) mask[CDK_ATTRIBUTE[attribute]] = true;
    return new cognito.ClientAttributes().withStandardAttributes(mask);
  }

  private createProvider(
    userPool: cognito.UserPool,
    p: ResolvedIdentityProvider,
  ): cognito.IUserPoolIdentityProvider {
    const common = {
      userPool,
      attributeMapping: attributeMapping(p.attributes),
    };
    // By name, so reordering the list replaces nothing; `-` and `.` spelled out so ids stay unique.
    const id = `Provider${p.providerName.replace(/-/g, 'Dash').replace(/\./g, 'Dot')}`;
    switch (p.type) {
      case 'oidc':
        return new cognito.UserPoolIdentityProviderOidc(this, id, {
          ...common,
          name: p.providerName,
          issuerUrl: p.issuer,
          clientId: p.clientId,
          // This L2 (and Facebook's, Amazon's) takes a string: the token renders as the dynamic
          // reference, which CloudFormation resolves at deploy time. No value is unwrapped here.
          clientSecret: secretOf(p).unsafeUnwrap(),
          scopes: [...(p.scopes ?? [])],
          attributeRequestMethod:
            p.attributeRequestMethod === 'POST'
              ? cognito.OidcAttributeRequestMethod.POST
              : cognito.OidcAttributeRequestMethod.GET,
        });
      case 'saml':
        return new cognito.UserPoolIdentityProviderSaml(this, id, {
          ...common,
          name: p.providerName,
          metadata:
            p.metadataUrl !== undefined
              ? cognito.UserPoolIdentityProviderSamlMetadata.url(p.metadataUrl)
              : cognito.UserPoolIdentityProviderSamlMetadata.file(
                  readFileSync(p.metadataFile!, 'utf8'),
                ),
          idpInitiated: p.idpInitiated ?? false,
          idpSignout: p.idpSignout ?? false,
        });
      case 'google':
        return new cognito.UserPoolIdentityProviderGoogle(this, id, {
          ...common,
          clientId: p.clientId,
          clientSecretValue: secretOf(p),
          scopes: [...(p.scopes ?? [])],
        });
      case 'facebook':
        return new cognito.UserPoolIdentityProviderFacebook(this, id, {
          ...common,
          clientId: p.clientId,
          clientSecret: secretOf(p).unsafeUnwrap(),
          scopes: [...(p.scopes ?? [])],
          ...(p.apiVersion !== undefined && { apiVersion: p.apiVersion }),
        });
      case 'amazon':
        return new cognito.UserPoolIdentityProviderAmazon(this, id, {
          ...common,
          clientId: p.clientId,
          clientSecret: secretOf(p).unsafeUnwrap(),
          scopes: [...(p.scopes ?? [])],
        });
      case 'apple':
        return new cognito.UserPoolIdentityProviderApple(this, id, {
          ...common,
          clientId: p.clientId,
          teamId: p.teamId,
          keyId: p.keyId,
          privateKeyValue: secretOf(p),
          scopes: [...(p.scopes ?? [])],
        });
    }
  }

  private createAccountLinking(
    userPool: cognito.UserPool,
    providerNames: readonly string[],
  ): ProjectNodejsFunction {
    const fn = new ProjectNodejsFunction(this, 'AccountLinking', {
      entry: path.join(LAMBDAS_DIR, 'link-federated-user.ts'),
      description:
        'Cognito pre sign-up: links a first federated sign-in to the password user with the same verified email',
      serviceName: 'link-federated-user',
      timeout: TRIGGER_TIMEOUT,
      environment: { LINK_PROVIDERS: providerNames.join(',') },
    });
    userPool.addTrigger(cognito.UserPoolOperation.PRE_SIGN_UP, fn);
    // A standalone policy (not the role's default policy): the function does not depend on it, so
    // naming the pool's ARN here makes no UserPool -> Function -> Policy -> UserPool cycle.
    new iam.Policy(this, 'AccountLinkingPolicy', {
      roles: [fn.role!],
      statements: [
        new iam.PolicyStatement({
          sid: 'LinkFederatedUsersInThisPool',
          actions: [...ACCOUNT_LINKING_ACTIONS],
          resources: [userPool.userPoolArn],
        }),
      ],
    });
    return fn;
  }
}
