/**
 * External identity providers of the user pool (docs/federation.md): the typed configuration, and
 * the one validator that both the construct prop and `-c identityProviders=<file.json>` go through,
 * so a mistake fails `cdk synth` with an error that names the provider and the field.
 *
 * Secrets (OIDC/social client secrets, Apple's private key) are never part of the configuration:
 * it names a Secrets Manager secret, and the template carries a CloudFormation dynamic reference
 * (`{{resolve:secretsmanager:...}}`) that CloudFormation resolves at deploy time.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';

/** Provider types, as written in the file's `type` field. */
export const IDENTITY_PROVIDER_TYPES = [
  'oidc',
  'saml',
  'google',
  'facebook',
  'amazon',
  'apple',
] as const;
export type IdentityProviderType = (typeof IDENTITY_PROVIDER_TYPES)[number];

/** The names Cognito gives the social providers (fixed; `Provider_<id>` usernames start with them). */
export const SOCIAL_PROVIDER_NAMES = {
  google: 'Google',
  facebook: 'Facebook',
  amazon: 'LoginWithAmazon',
  apple: 'SignInWithApple',
} as const;

/** What a person sees on the sign-in button: "Continue with <label>". */
const SOCIAL_LABELS = {
  google: 'Google',
  facebook: 'Facebook',
  amazon: 'Amazon',
  apple: 'Apple',
} as const;

/**
 * User pool attributes a provider may fill. Each is mutable in the pool and is added to the web
 * client's write attributes (Cognito rewrites mapped attributes at every federated sign-in and fails
 * the sign-in if the client may not write them). `sub` is never mappable: it is the AppInstanceUserId.
 */
export const MAPPABLE_ATTRIBUTES = [
  'email',
  'email_verified',
  'name',
  'given_name',
  'family_name',
  'nickname',
  'preferred_username',
  'picture',
  'locale',
] as const;
export type MappableAttribute = (typeof MAPPABLE_ATTRIBUTES)[number];

/** User pool attribute -> the provider's attribute (claim, SAML attribute name, social field). */
export type AttributeMap = Readonly<Partial<Record<MappableAttribute, string>>>;

/**
 * What happens when a person signs in through this provider with the email of an existing
 * password user:
 * - `separate` (Cognito's default): a new, separate user (`<ProviderName>_<id>`), with its own
 *   `sub` and so its own AppInstanceUser;
 * - `verified-email`: a pre sign-up trigger links the provider identity to the existing user
 *   (AdminLinkProviderForUser) when both emails are verified, so the person keeps one `sub`.
 */
export type AccountLinking = 'separate' | 'verified-email';

/** A client secret (or Apple private key) in Secrets Manager: by name or by ARN, one of the two. */
export interface SecretReference {
  /** Secret name, e.g. `corp-oidc`. */
  readonly clientSecretName?: string;
  /** Secret ARN, e.g. `arn:aws:secretsmanager:us-east-1:123456789012:secret:corp-oidc-AbCdEf`. */
  readonly clientSecretArn?: string;
  /**
   * The key to read when the secret is a JSON object.
   * @default - the whole secret string
   */
  readonly clientSecretJsonField?: string;
}

interface ProviderBase {
  /**
   * User pool attribute -> provider attribute. Must map `email` (the pool requires it).
   * @default - for social providers, their email and name fields; OIDC and SAML have no default
   */
  readonly attributes?: AttributeMap;
  /** @default 'separate' */
  readonly accountLinking?: AccountLinking;
}

export interface OidcProviderConfig extends ProviderBase, SecretReference {
  readonly type: 'oidc';
  /** Cognito provider name, 3-32 of letters, digits, `.` and `-`; shown as "Continue with <name>". */
  readonly name: string;
  /** The issuer URL (https); Cognito discovers the endpoints from its `.well-known`. */
  readonly issuer: string;
  readonly clientId: string;
  /** @default ['openid', 'email', 'profile'] */
  readonly scopes?: readonly string[];
  /** How Cognito calls the userInfo endpoint. @default 'GET' */
  readonly attributeRequestMethod?: 'GET' | 'POST';
  readonly attributes: AttributeMap;
}

export interface SamlProviderConfig extends ProviderBase {
  readonly type: 'saml';
  readonly name: string;
  /** The IdP's metadata document URL (https). One of metadataUrl / metadataFile. */
  readonly metadataUrl?: string;
  /** Path of the metadata XML (relative to the configuration file). One of metadataUrl / metadataFile. */
  readonly metadataFile?: string;
  /**
   * Accept IdP-initiated sign-in (unsolicited SAML responses). Off: only sign-ins the user pool
   * started (with a request id it can check) are accepted.
   * @default false
   */
  readonly idpInitiated?: boolean;
  /** Send a SAML logout request to the IdP when the user signs out. @default false */
  readonly idpSignout?: boolean;
  readonly attributes: AttributeMap;
}

export interface GoogleProviderConfig extends ProviderBase, SecretReference {
  readonly type: 'google';
  readonly clientId: string;
  /** @default ['openid', 'email', 'profile'] */
  readonly scopes?: readonly string[];
}

export interface FacebookProviderConfig extends ProviderBase, SecretReference {
  readonly type: 'facebook';
  /** The Facebook app id. */
  readonly clientId: string;
  /** @default ['public_profile', 'email'] */
  readonly scopes?: readonly string[];
  /** Graph API version, e.g. `v19.0`. @default - Cognito's default */
  readonly apiVersion?: string;
}

export interface AmazonProviderConfig extends ProviderBase, SecretReference {
  readonly type: 'amazon';
  readonly clientId: string;
  /** @default ['profile'] */
  readonly scopes?: readonly string[];
}

export interface AppleProviderConfig extends ProviderBase {
  readonly type: 'apple';
  /** The Services ID. */
  readonly clientId: string;
  /** 10-character Apple developer team id. */
  readonly teamId: string;
  /** 10-character id of the Sign in with Apple private key. */
  readonly keyId: string;
  /** The private key (.p8 contents) in Secrets Manager, by name. One of name / ARN. */
  readonly privateKeySecretName?: string;
  readonly privateKeySecretArn?: string;
  readonly privateKeySecretJsonField?: string;
  /** @default ['name', 'email'] */
  readonly scopes?: readonly string[];
}

export type IdentityProviderConfig =
  | OidcProviderConfig
  | SamlProviderConfig
  | GoogleProviderConfig
  | FacebookProviderConfig
  | AmazonProviderConfig
  | AppleProviderConfig;

/** A validated provider: its Cognito name and label resolved, defaults applied. */
export type ResolvedIdentityProvider = IdentityProviderConfig & {
  /** The Cognito provider name (`ProviderName`, the `identity_provider` parameter). */
  readonly providerName: string;
  /** For "Continue with <label>". */
  readonly label: string;
  readonly attributes: AttributeMap;
  readonly accountLinking: AccountLinking;
  readonly scopes?: readonly string[];
};

export class IdentityProviderConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdentityProviderConfigError';
  }
}

const DEFAULT_ATTRIBUTES: Record<keyof typeof SOCIAL_PROVIDER_NAMES, AttributeMap> = {
  google: { email: 'email', email_verified: 'email_verified', name: 'name' },
  facebook: { email: 'email', name: 'name' },
  amazon: { email: 'email', name: 'name' },
  apple: { email: 'email', email_verified: 'email_verified', name: 'name' },
};

const NAME = /^[A-Za-z0-9][A-Za-z0-9.-]{1,30}[A-Za-z0-9]$/;
const RESERVED_NAMES = [
  'cognito',
  ...Object.values(SOCIAL_PROVIDER_NAMES).map((n) => n.toLowerCase()),
];
const SECRET_NAME = /^[\w/+=.@-]{1,512}$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/;
const PROVIDER_ATTRIBUTE = /^[^\s]{1,256}$/;
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]{1,256}$/;

const KNOWN_FIELDS: Record<IdentityProviderType, readonly string[]> = {
  oidc: [
    'name',
    'issuer',
    'clientId',
    'clientSecretName',
    'clientSecretArn',
    'clientSecretJsonField',
    'scopes',
    'attributeRequestMethod',
  ],
  saml: ['name', 'metadataUrl', 'metadataFile', 'idpInitiated', 'idpSignout'],
  google: ['clientId', 'clientSecretName', 'clientSecretArn', 'clientSecretJsonField', 'scopes'],
  facebook: [
    'clientId',
    'clientSecretName',
    'clientSecretArn',
    'clientSecretJsonField',
    'scopes',
    'apiVersion',
  ],
  amazon: ['clientId', 'clientSecretName', 'clientSecretArn', 'clientSecretJsonField', 'scopes'],
  apple: [
    'clientId',
    'teamId',
    'keyId',
    'privateKeySecretName',
    'privateKeySecretArn',
    'privateKeySecretJsonField',
    'scopes',
  ],
};
const COMMON_FIELDS = ['type', 'attributes', 'accountLinking'];

type Json = Record<string, unknown>;

/** Validation of one provider entry; every error names the entry. */
class EntryCheck {
  constructor(
    private readonly entry: Json,
    private readonly where: string,
  ) {}

  fail(message: string): never {
    throw new IdentityProviderConfigError(`${this.where}: ${message}`);
  }

  string(key: string, pattern?: RegExp, hint?: string): string {
    const value = this.entry[key];
    if (typeof value !== 'string' || value.trim() === '') {
      this.fail(`'${key}' is required and must be a non-empty string`);
    }
    if (pattern && !pattern.test(value)) {
      this.fail(`'${key}' must be ${hint ?? `like ${pattern}`}, got ${JSON.stringify(value)}`);
    }
    return value;
  }

  optionalString(key: string, pattern?: RegExp, hint?: string): string | undefined {
    return this.entry[key] === undefined ? undefined : this.string(key, pattern, hint);
  }

  /** An OIDC or SAML provider's name: the Cognito `ProviderName` rules, minus `_`. */
  providerName(): string {
    const name = this.string(
      'name',
      NAME,
      '3-32 letters, digits, . or - (no _ or spaces), starting and ending with a letter or digit',
    );
    if (RESERVED_NAMES.includes(name.toLowerCase())) {
      this.fail(`'name' ${JSON.stringify(name)} is reserved by Cognito`);
    }
    return name;
  }

  optionalBoolean(key: string): boolean | undefined {
    const value = this.entry[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean')
      this.fail(`'${key}' must be true or false, got ${JSON.stringify(value)}`);
    return value;
  }

  httpsUrl(key: string, optional = false): string | undefined {
    const value = optional ? this.optionalString(key) : this.string(key);
    if (value === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      this.fail(`'${key}' must be an absolute https URL, got ${JSON.stringify(value)}`);
    }
    if (url.protocol !== 'https:')
      this.fail(`'${key}' must use https, got ${JSON.stringify(value)}`);
    if (url.search || url.hash || url.username || url.password) {
      this.fail(
        `'${key}' must not carry a query, fragment or credentials, got ${JSON.stringify(value)}`,
      );
    }
    return value;
  }

  scopes(defaults: readonly string[], mustInclude?: string): readonly string[] {
    const value = this.entry.scopes;
    if (value === undefined) return defaults;
    if (
      !Array.isArray(value) ||
      value.length === 0 ||
      !value.every((s) => typeof s === 'string' && SCOPE.test(s))
    ) {
      this.fail(`'scopes' must be a non-empty array of scope names, got ${JSON.stringify(value)}`);
    }
    if (new Set(value).size !== value.length)
      this.fail(`'scopes' lists a scope twice: ${JSON.stringify(value)}`);
    if (mustInclude && !value.includes(mustInclude)) {
      this.fail(
        `'scopes' must include '${mustInclude}' (Cognito needs the ID token), got ${JSON.stringify(value)}`,
      );
    }
    return value as string[];
  }

  /** Exactly one of `<prefix>Name` / `<prefix>Arn`, plus the optional JSON field. */
  secret(prefix: 'clientSecret' | 'privateKeySecret'): void {
    const name = this.optionalString(`${prefix}Name`, SECRET_NAME, 'a Secrets Manager secret name');
    const arn = this.optionalString(
      `${prefix}Arn`,
      SECRET_ARN,
      'a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)',
    );
    if ((name === undefined) === (arn === undefined)) {
      this.fail(
        `give exactly one of '${prefix}Name' and '${prefix}Arn' (the secret stays in Secrets Manager; the template only references it)`,
      );
    }
    this.optionalString(`${prefix}JsonField`);
    for (const forbidden of ['clientSecret', 'privateKey', 'secret']) {
      if (this.entry[forbidden] !== undefined) {
        this.fail(
          `'${forbidden}' is not accepted: put the value in Secrets Manager and give '${prefix}Name' or '${prefix}Arn'`,
        );
      }
    }
  }

  attributes(defaults: AttributeMap | undefined): AttributeMap {
    const value = this.entry.attributes;
    if (value === undefined) {
      if (defaults) return defaults;
      this.fail(
        `'attributes' is required: map at least the user pool's 'email' to the provider's attribute`,
      );
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.fail(`'attributes' must be an object of user pool attribute -> provider attribute`);
    }
    const out: Partial<Record<MappableAttribute, string>> = {};
    for (const [key, source] of Object.entries(value)) {
      if (key === 'sub' || key === 'username' || key === 'identities') {
        this.fail(
          `'attributes.${key}' cannot be mapped: '${key}' is set by Cognito (the sub is the AppInstanceUserId and principal tag)`,
        );
      }
      if (!(MAPPABLE_ATTRIBUTES as readonly string[]).includes(key)) {
        this.fail(
          `'attributes.${key}' is not a mappable attribute; use one of ${MAPPABLE_ATTRIBUTES.join(', ')}`,
        );
      }
      if (typeof source !== 'string' || !PROVIDER_ATTRIBUTE.test(source)) {
        this.fail(
          `'attributes.${key}' must name the provider's attribute, got ${JSON.stringify(source)}`,
        );
      }
      out[key as MappableAttribute] = source;
    }
    if (out.email === undefined) {
      this.fail(
        `'attributes.email' is required: the user pool requires an email, and federated users get theirs from the provider`,
      );
    }
    return out;
  }

  accountLinking(attributes: AttributeMap): AccountLinking {
    const value = this.entry.accountLinking ?? 'separate';
    if (value !== 'separate' && value !== 'verified-email') {
      this.fail(
        `'accountLinking' must be 'separate' or 'verified-email', got ${JSON.stringify(value)}`,
      );
    }
    if (value === 'verified-email' && attributes.email_verified === undefined) {
      this.fail(
        `'accountLinking: verified-email' needs 'attributes.email_verified': accounts are only linked when the provider says the email is verified`,
      );
    }
    return value;
  }

  noUnknownFields(type: IdentityProviderType): void {
    const known = new Set([...COMMON_FIELDS, ...KNOWN_FIELDS[type]]);
    for (const key of Object.keys(this.entry)) {
      // Secrets and a social provider's `name` get a more specific error of their own.
      if (!known.has(key) && !['clientSecret', 'privateKey', 'secret', 'name'].includes(key)) {
        this.fail(`unknown field '${key}' for a ${type} provider; known: ${[...known].join(', ')}`);
      }
    }
  }
}

export interface ParseIdentityProvidersOptions {
  /** Directory that relative `metadataFile` paths are resolved against. @default process.cwd() */
  readonly baseDir?: string;
  /** How the input is named in errors. @default 'identityProviders' */
  readonly source?: string;
}

function resolveEntry(raw: unknown, index: number, options: ParseIdentityProvidersOptions) {
  const source = options.source ?? 'identityProviders';
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new IdentityProviderConfigError(
      `${source}[${index}] must be an object, got ${JSON.stringify(raw)}`,
    );
  }
  const entry = raw as Json;
  const type = entry.type;
  if (typeof type !== 'string' || !(IDENTITY_PROVIDER_TYPES as readonly string[]).includes(type)) {
    throw new IdentityProviderConfigError(
      `${source}[${index}]: 'type' must be one of ${IDENTITY_PROVIDER_TYPES.join(', ')}, got ${JSON.stringify(type)}`,
    );
  }
  const t = type as IdentityProviderType;
  const label =
    t === 'oidc' || t === 'saml'
      ? `${source}[${index}] (${t} "${typeof entry.name === 'string' ? entry.name : '?'}")`
      : `${source}[${index}] (${t})`;
  const check = new EntryCheck(entry, label);
  check.noUnknownFields(t);

  switch (t) {
    case 'oidc': {
      const name = check.providerName();
      const issuer = check.httpsUrl('issuer')!;
      // Cognito's rules for the issuer URL (developer guide, "Adding OIDC identity providers").
      if (issuer.endsWith('/'))
        check.fail(`'issuer' must not end with '/', got ${JSON.stringify(issuer)}`);
      if (new URL(issuer).port !== '') {
        check.fail(
          `'issuer' may only use the default https port (Cognito accepts 443 and 80), got ${JSON.stringify(issuer)}`,
        );
      }
      const clientId = check.string('clientId');
      check.secret('clientSecret');
      const scopes = check.scopes(['openid', 'email', 'profile'], 'openid');
      const method = check.optionalString('attributeRequestMethod');
      if (method !== undefined && method !== 'GET' && method !== 'POST') {
        check.fail(`'attributeRequestMethod' must be GET or POST, got ${JSON.stringify(method)}`);
      }
      const attributes = check.attributes(undefined);
      const config: ResolvedIdentityProvider = {
        ...(entry as unknown as OidcProviderConfig),
        name,
        // Kept exactly: Cognito compares it with the discovery document's `issuer`.
        issuer,
        clientId,
        scopes,
        attributes,
        accountLinking: check.accountLinking(attributes),
        providerName: name,
        label: name,
      };
      return config;
    }
    case 'saml': {
      const name = check.providerName();
      const metadataUrl = check.httpsUrl('metadataUrl', true);
      let metadataFile = check.optionalString('metadataFile');
      if ((metadataUrl === undefined) === (metadataFile === undefined)) {
        check.fail(`give exactly one of 'metadataUrl' and 'metadataFile'`);
      }
      if (metadataFile !== undefined) {
        metadataFile = isAbsolute(metadataFile)
          ? metadataFile
          : resolve(options.baseDir ?? process.cwd(), metadataFile);
        if (!existsSync(metadataFile)) check.fail(`'metadataFile' ${metadataFile} does not exist`);
        const xml = readFileSync(metadataFile, 'utf8');
        if (!/<(\w+:)?EntityDescriptor[\s>]/.test(xml)) {
          check.fail(
            `'metadataFile' ${metadataFile} is not SAML metadata (no EntityDescriptor element)`,
          );
        }
      }
      const idpInitiated = check.optionalBoolean('idpInitiated') ?? false;
      const idpSignout = check.optionalBoolean('idpSignout') ?? false;
      const attributes = check.attributes(undefined);
      const config: ResolvedIdentityProvider = {
        type: 'saml',
        name,
        ...(metadataUrl !== undefined && { metadataUrl }),
        ...(metadataFile !== undefined && { metadataFile }),
        idpInitiated,
        idpSignout,
        attributes,
        accountLinking: check.accountLinking(attributes),
        providerName: name,
        label: name,
      };
      return config;
    }
    case 'google':
    case 'facebook':
    case 'amazon': {
      if (entry.name !== undefined) {
        check.fail(`'name' is fixed for ${t} ('${SOCIAL_PROVIDER_NAMES[t]}'): leave it out`);
      }
      const clientId = check.string('clientId');
      check.secret('clientSecret');
      const scopes = check.scopes(
        t === 'google'
          ? ['openid', 'email', 'profile']
          : t === 'facebook'
            ? ['public_profile', 'email']
            : ['profile'],
      );
      if (t === 'facebook')
        check.optionalString('apiVersion', /^v\d+\.\d+$/, 'a Graph API version like v19.0');
      const attributes = check.attributes(DEFAULT_ATTRIBUTES[t]);
      const config: ResolvedIdentityProvider = {
        ...(entry as unknown as
          GoogleProviderConfig | FacebookProviderConfig | AmazonProviderConfig),
        type: t,
        clientId,
        scopes,
        attributes,
        accountLinking: check.accountLinking(attributes),
        providerName: SOCIAL_PROVIDER_NAMES[t],
        label: SOCIAL_LABELS[t],
      };
      return config;
    }
    case 'apple': {
      if (entry.name !== undefined)
        check.fail(`'name' is fixed for apple ('SignInWithApple'): leave it out`);
      const clientId = check.string('clientId');
      const teamId = check.string('teamId', /^[A-Z0-9]{10}$/, 'the 10-character Apple team id');
      const keyId = check.string('keyId', /^[A-Z0-9]{10}$/, 'the 10-character key id');
      check.secret('privateKeySecret');
      const scopes = check.scopes(['name', 'email']);
      const attributes = check.attributes(DEFAULT_ATTRIBUTES.apple);
      const config: ResolvedIdentityProvider = {
        ...(entry as unknown as AppleProviderConfig),
        type: 'apple',
        clientId,
        teamId,
        keyId,
        scopes,
        attributes,
        accountLinking: check.accountLinking(attributes),
        providerName: SOCIAL_PROVIDER_NAMES.apple,
        label: SOCIAL_LABELS.apple,
      };
      return config;
    }
  }
}

/**
 * Validates a list of identity providers (parsed JSON or the typed prop) and resolves names,
 * labels and defaults. Throws an {@link IdentityProviderConfigError} naming the entry and field.
 */
export function parseIdentityProviders(
  input: unknown,
  options: ParseIdentityProvidersOptions = {},
): ResolvedIdentityProvider[] {
  const source = options.source ?? 'identityProviders';
  if (!Array.isArray(input)) {
    throw new IdentityProviderConfigError(
      `${source} must be a JSON array of providers, e.g. [{"type": "oidc", "name": "Corp", ...}]`,
    );
  }
  const resolved = input.map((raw, index) => resolveEntry(raw, index, options));
  const seen = new Map<string, number>();
  resolved.forEach((p, index) => {
    const key = p.providerName.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      throw new IdentityProviderConfigError(
        `${source}[${index}]: provider name '${p.providerName}' is already used by ${source}[${first}] (names are unique, case-insensitively)`,
      );
    }
    seen.set(key, index);
  });
  return resolved;
}

/** The configuration part of a resolved provider (what the construct prop takes). */
export function configOf(provider: ResolvedIdentityProvider): IdentityProviderConfig {
  const { providerName: _name, label: _label, ...config } = provider;
  return config;
}

/**
 * Reads and validates `-c identityProviders=<file>`: a JSON array of providers. Relative
 * `metadataFile` paths are resolved against the file's directory.
 */
export function readIdentityProvidersFile(file: string): IdentityProviderConfig[] {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new IdentityProviderConfigError(
      `identityProviders file ${path} cannot be read (${code ?? String(error)})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new IdentityProviderConfigError(
      `identityProviders file ${path} is not valid JSON: ${(error as Error).message}`,
    );
  }
  return parseIdentityProviders(json, { baseDir: dirname(path), source: file }).map(configOf);
}
