/**
 * Reads a synthesized CloudFormation template the way CloudFormation would deploy it, with fake but
 * well-formed physical ids: resolves the intrinsic functions CDK emits and lists the IAM roles with
 * every policy that applies to them.
 *
 * Hand-written on purpose: no maintained library resolves CloudFormation intrinsics offline (the CDK
 * `Template` assertions compare the unresolved JSON). The resolver is strict: an intrinsic or a
 * reference it cannot resolve throws {@link TemplateResolutionError} naming it, so a policy is never
 * evaluated half-resolved.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DEFAULT_REGION } from '../../contracts/regions';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly Condition?: string;
  readonly DependsOn?: string | readonly string[];
}

export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Parameters?: Record<string, { readonly Type?: string; readonly Default?: unknown }>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Conditions?: Record<string, unknown>;
  readonly Outputs?: Record<string, { readonly Value: unknown; readonly Description?: string }>;
}

/** What `Ref` and `Fn::GetAtt` return for one resource once deployed. */
export interface PhysicalResource {
  readonly ref: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** The deployment a template is resolved against. */
export interface TemplateEnvironment {
  readonly accountId: string;
  readonly region: string;
  /** @default 'aws' */
  readonly partition?: string;
  /** @default 'amazonaws.com' */
  readonly urlSuffix?: string;
  /** @default 'Stack' */
  readonly stackName?: string;
  /** @default - an ARN built from the stack name and a fixed UUID */
  readonly stackId?: string;
  /** Physical resources by logical id. */
  readonly resources: Readonly<Record<string, PhysicalResource>>;
  /** Parameter values by name (parameters without one use their `Default`). */
  readonly parameters?: Readonly<Record<string, string>>;
}

export class TemplateResolutionError extends Error {
  constructor(message: string, path: readonly (string | number)[] = []) {
    super(path.length > 0 ? `${message} (at ${path.join('.')})` : message);
    this.name = 'TemplateResolutionError';
  }
}

export function loadTemplateFile(path: string): CfnTemplate {
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  return asTemplate(parsed, path);
}

/** Checks the minimal shape of a template (e.g. the output of `Template.fromStack(s).toJSON()`). */
export function asTemplate(value: unknown, source = 'template'): CfnTemplate {
  if (!isRecord(value) || !isRecord(value.Resources)) {
    throw new TemplateResolutionError(`${source} is not a CloudFormation template: no Resources`);
  }
  return value as unknown as CfnTemplate;
}

const NO_VALUE = Symbol('AWS::NoValue');

/**
 * Resolves every intrinsic function inside `value`: `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`,
 * `Fn::Select`, `Fn::Split`, `Fn::FindInMap`, `Fn::If` (with `Fn::Equals`/`Not`/`And`/`Or`
 * conditions) and the pseudo parameters. `AWS::NoValue` removes the property or list element.
 */
export function resolveIntrinsics(
  value: unknown,
  template: CfnTemplate,
  env: TemplateEnvironment,
): unknown {
  const resolved = new Resolver(template, env).resolve(value, []);
  return resolved === NO_VALUE ? undefined : resolved;
}

/** Resolves `value` and checks the result is a string. */
export function resolveString(
  value: unknown,
  template: CfnTemplate,
  env: TemplateEnvironment,
): string {
  const resolved = resolveIntrinsics(value, template, env);
  if (typeof resolved !== 'string') {
    throw new TemplateResolutionError(`expected a string, got ${JSON.stringify(resolved)}`);
  }
  return resolved;
}

class Resolver {
  constructor(
    private readonly template: CfnTemplate,
    private readonly env: TemplateEnvironment,
  ) {}

  resolve(value: unknown, path: (string | number)[]): unknown {
    if (Array.isArray(value)) {
      return value
        .map((item, i) => this.resolve(item, [...path, i]))
        .filter((item) => item !== NO_VALUE);
    }
    if (!isRecord(value)) return value;
    const keys = Object.keys(value);
    const fn = keys.length === 1 ? keys[0] : undefined;
    if (fn !== undefined && (fn === 'Ref' || fn.startsWith('Fn::'))) {
      return this.intrinsic(fn, value[fn], [...path, fn]);
    }
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const item = this.resolve(value[key], [...path, key]);
      if (item !== NO_VALUE) out[key] = item;
    }
    return out;
  }

  private intrinsic(fn: string, arg: unknown, path: (string | number)[]): unknown {
    switch (fn) {
      case 'Ref':
        return this.ref(this.string(arg, path), path);
      case 'Fn::GetAtt':
        return this.getAtt(arg, path);
      case 'Fn::Join': {
        const [sep, parts] = this.tuple(arg, 2, path);
        const items = this.resolve(parts, path);
        if (!Array.isArray(items)) throw new TemplateResolutionError('Fn::Join needs a list', path);
        return items.map((item) => this.string(item, path)).join(this.string(sep, path));
      }
      case 'Fn::Select': {
        const [index, list] = this.tuple(arg, 2, path);
        const items = this.resolve(list, path);
        const i = Number(this.resolve(index, path));
        if (!Array.isArray(items) || !Number.isInteger(i) || i < 0 || i >= items.length) {
          throw new TemplateResolutionError(`Fn::Select index ${i} out of range`, path);
        }
        return items[i];
      }
      case 'Fn::Split': {
        const [sep, source] = this.tuple(arg, 2, path);
        return this.string(this.resolve(source, path), path).split(this.string(sep, path));
      }
      case 'Fn::Sub':
        return this.sub(arg, path);
      case 'Fn::FindInMap': {
        const [map, top, second] = this.tuple(arg, 3, path).map((a) =>
          this.string(this.resolve(a, path), path),
        );
        const found = this.template.Mappings?.[map!]?.[top!]?.[second!];
        if (found === undefined) {
          throw new TemplateResolutionError(
            `Fn::FindInMap ${map}.${top}.${second} not found`,
            path,
          );
        }
        return found;
      }
      case 'Fn::If': {
        const [condition, whenTrue, whenFalse] = this.tuple(arg, 3, path);
        return this.resolve(
          this.condition(this.string(condition, path), path) ? whenTrue : whenFalse,
          path,
        );
      }
      case 'Fn::Equals': {
        const [a, b] = this.tuple(arg, 2, path);
        return JSON.stringify(this.resolve(a, path)) === JSON.stringify(this.resolve(b, path));
      }
      case 'Fn::Not':
        return !this.bool(this.tuple(arg, 1, path)[0], path);
      case 'Fn::And':
        return this.list(arg, path).every((c) => this.bool(c, path));
      case 'Fn::Or':
        return this.list(arg, path).some((c) => this.bool(c, path));
      default:
        throw new TemplateResolutionError(`unsupported intrinsic ${fn}`, path);
    }
  }

  private ref(name: string, path: (string | number)[]): unknown {
    const env = this.env;
    const partition = env.partition ?? 'aws';
    const stackName = env.stackName ?? 'Stack';
    switch (name) {
      case 'AWS::AccountId':
        return env.accountId;
      case 'AWS::Region':
        return env.region;
      case 'AWS::Partition':
        return partition;
      case 'AWS::URLSuffix':
        return env.urlSuffix ?? 'amazonaws.com';
      case 'AWS::StackName':
        return stackName;
      case 'AWS::StackId':
        return (
          env.stackId ??
          `arn:${partition}:cloudformation:${env.region}:${env.accountId}:stack/${stackName}/${fakeUuid(stackName)}`
        );
      case 'AWS::NoValue':
        return NO_VALUE;
      case 'AWS::NotificationARNs':
        return [];
    }
    const parameter = this.template.Parameters?.[name];
    if (parameter) {
      const value = env.parameters?.[name] ?? parameter.Default;
      if (value === undefined) {
        throw new TemplateResolutionError(`parameter ${name} has no value and no Default`, path);
      }
      return value;
    }
    return this.physical(name, path).ref;
  }

  private getAtt(arg: unknown, path: (string | number)[]): string {
    let logicalId: string;
    let attribute: string;
    if (typeof arg === 'string') {
      const dot = arg.indexOf('.');
      logicalId = arg.slice(0, dot);
      attribute = arg.slice(dot + 1);
    } else {
      const [l, a] = this.tuple(arg, 2, path);
      logicalId = this.string(l, path);
      attribute = this.string(this.resolve(a, path), path);
    }
    const value = this.physical(logicalId, path).attributes[attribute];
    if (value === undefined) {
      throw new TemplateResolutionError(
        `no fake value for ${logicalId}.${attribute}: pass it in TemplateEnvironment.resources`,
        path,
      );
    }
    return value;
  }

  private sub(arg: unknown, path: (string | number)[]): string {
    const [body, vars] = typeof arg === 'string' ? [arg, {}] : this.tuple(arg, 2, path);
    const variables = this.resolve(vars, path);
    if (!isRecord(variables)) throw new TemplateResolutionError('Fn::Sub variables', path);
    return this.string(body, path).replace(/\$\{(!?)([^}]*)\}/g, (_match, bang, name: string) => {
      if (bang === '!') return '${' + name + '}';
      if (name in variables) return this.string(variables[name], path);
      const dot = name.indexOf('.');
      if (dot > 0 && !name.startsWith('AWS::')) {
        return this.getAtt([name.slice(0, dot), name.slice(dot + 1)], path);
      }
      return this.string(this.ref(name, path), path);
    });
  }

  private condition(name: string, path: (string | number)[]): boolean {
    const definition = this.template.Conditions?.[name];
    if (definition === undefined) {
      throw new TemplateResolutionError(`condition ${name} is not defined`, path);
    }
    return this.bool(definition, [...path, name]);
  }

  private bool(value: unknown, path: (string | number)[]): boolean {
    // `{ "Condition": "Name" }` refers to a named condition, only inside condition functions.
    if (isRecord(value) && Object.keys(value).length === 1 && typeof value.Condition === 'string') {
      return this.condition(value.Condition, path);
    }
    const resolved = this.resolve(value, path);
    if (typeof resolved !== 'boolean') {
      throw new TemplateResolutionError(`expected a condition, got ${JSON.stringify(value)}`, path);
    }
    return resolved;
  }

  private physical(logicalId: string, path: (string | number)[]): PhysicalResource {
    const physical = this.env.resources[logicalId];
    if (physical === undefined) {
      const known = logicalId in this.template.Resources ? 'has no physical id' : 'does not exist';
      throw new TemplateResolutionError(`resource ${logicalId} ${known}`, path);
    }
    return physical;
  }

  private tuple(arg: unknown, length: number, path: (string | number)[]): unknown[] {
    if (!Array.isArray(arg) || arg.length < length) {
      throw new TemplateResolutionError(`expected a list of ${length}`, path);
    }
    return arg;
  }

  private list(arg: unknown, path: (string | number)[]): unknown[] {
    if (!Array.isArray(arg)) throw new TemplateResolutionError('expected a list', path);
    return arg;
  }

  private string(value: unknown, path: (string | number)[]): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return String(value);
    throw new TemplateResolutionError(`expected a string, got ${JSON.stringify(value)}`, path);
  }
}

// ---------------------------------------------------------------------------------------------
// Fake physical ids

/** A deterministic UUID-shaped id derived from `seed` (stable across runs, so output is diffable). */
export function fakeUuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function fakeToken(seed: string, length: number, alphabet: string): string {
  const bytes = createHash('sha256').update(seed).digest();
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[bytes[i % bytes.length]! % alphabet.length];
  return out;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** The alphabet of AWS unique ids (access key ids, role ids): upper-case base32. */
const UNIQUE_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * A role's unique id as IAM forms it (`AROA` + 17 characters, 21 in all), derived from the role
 * ARN so the same role always has the same id: the template's `RoleId` attribute, STS
 * `AssumedRoleId` and `GetCallerIdentity` `UserId` (`<role id>:<session name>`).
 */
export function fakeRoleId(roleArn: string): string {
  return `AROA${fakeToken(roleArn, 17, UNIQUE_ID_ALPHABET)}`;
}

export interface FakeEnvironmentOptions {
  /** @default '123456789012' */
  readonly accountId?: string;
  /** @default DEFAULT_REGION */
  readonly region?: string;
  /** @default 'aws' */
  readonly partition?: string;
  /** @default 'ChimeCognitoAuth' */
  readonly stackName?: string;
  /** Physical resources that replace (or complete) the generated ones, by logical id. */
  readonly overrides?: Readonly<Record<string, PhysicalResource>>;
  /** Parameter values by name. */
  readonly parameters?: Readonly<Record<string, string>>;
}

/**
 * Builds a {@link TemplateEnvironment} with fake, deterministic and well-formed physical ids for
 * every resource of `template` (ids in the format each service uses: `us-east-1:<uuid>` identity
 * pools, `us-east-1_Abc123` user pools, `app-instance/<uuid>` ARNs, ...). Attributes this function
 * does not know for a type are absent: resolving them throws, unless given in `overrides`.
 */
export function fakeEnvironment(
  template: CfnTemplate,
  options: FakeEnvironmentOptions = {},
): TemplateEnvironment {
  const accountId = options.accountId ?? '123456789012';
  const region = options.region ?? DEFAULT_REGION;
  const partition = options.partition ?? 'aws';
  const stackName = options.stackName ?? 'ChimeCognitoAuth';
  const resources: Record<string, PhysicalResource> = {};
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    resources[logicalId] = fakePhysicalResource(logicalId, resource.Type, {
      accountId,
      region,
      partition,
      stackName,
    });
  }
  return {
    accountId,
    region,
    partition,
    stackName,
    resources: { ...resources, ...options.overrides },
    ...(options.parameters && { parameters: options.parameters }),
  };
}

interface FakeContext {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  readonly stackName: string;
}

/** The fake physical id and attributes of one resource (see {@link fakeEnvironment}). */
export function fakePhysicalResource(
  logicalId: string,
  type: string,
  ctx: FakeContext,
): PhysicalResource {
  const { accountId: a, region: r, partition: p, stackName } = ctx;
  const seed = `${stackName}/${logicalId}`;
  const name = `${stackName}-${logicalId}-${fakeToken(seed, 12, UPPER_ALNUM)}`.slice(0, 64);
  const arn = (service: string, resource: string, region = r, account = a) =>
    `arn:${p}:${service}:${region}:${account}:${resource}`;
  switch (type) {
    case 'AWS::Cognito::UserPool': {
      const id = `${r}_${fakeToken(seed, 9, ALNUM)}`;
      return {
        ref: id,
        attributes: {
          Arn: arn('cognito-idp', `userpool/${id}`),
          ProviderName: `cognito-idp.${r}.amazonaws.com/${id}`,
          ProviderURL: `https://cognito-idp.${r}.amazonaws.com/${id}`,
          UserPoolId: id,
        },
      };
    }
    case 'AWS::Cognito::UserPoolClient': {
      const id = fakeToken(seed, 26, LOWER_ALNUM);
      return { ref: id, attributes: { ClientId: id, Name: logicalId } };
    }
    case 'AWS::Cognito::UserPoolDomain': {
      const id = `chime-chat-${fakeToken(seed, 8, LOWER_ALNUM)}`;
      return {
        ref: id,
        attributes: {
          CloudFrontDistribution: `${fakeToken(seed, 14, LOWER_ALNUM)}.cloudfront.net`,
        },
      };
    }
    case 'AWS::Cognito::IdentityPool': {
      const id = `${r}:${fakeUuid(seed)}`;
      return { ref: id, attributes: { Id: id, Name: logicalId } };
    }
    case 'AWS::Chime::AppInstance': {
      const instanceArn = arn('chime', `app-instance/${fakeUuid(seed)}`);
      return { ref: instanceArn, attributes: { AppInstanceArn: instanceArn } };
    }
    case 'AWS::IAM::Role':
      return {
        ref: name,
        attributes: {
          Arn: `arn:${p}:iam::${a}:role/${name}`,
          RoleId: fakeRoleId(`arn:${p}:iam::${a}:role/${name}`),
        },
      };
    case 'AWS::IAM::Policy':
      return { ref: name, attributes: { Id: name } };
    case 'AWS::IAM::ManagedPolicy': {
      const policyArn = `arn:${p}:iam::${a}:policy/${name}`;
      return { ref: policyArn, attributes: { PolicyArn: policyArn } };
    }
    case 'AWS::Lambda::Function':
      return { ref: name, attributes: { Arn: arn('lambda', `function:${name}`) } };
    // The user lifecycle's schedule, event rule and trail (their ARNs appear in permissions).
    case 'AWS::Events::Rule':
      return { ref: name, attributes: { Arn: arn('events', `rule/${name}`) } };
    case 'AWS::Scheduler::Schedule':
      return { ref: name, attributes: { Arn: arn('scheduler', `schedule/default/${name}`) } };
    case 'AWS::CloudTrail::Trail':
      return { ref: name, attributes: { Arn: arn('cloudtrail', `trail/${name}`) } };
    case 'AWS::Lambda::Url': {
      const id = fakeToken(seed, 32, LOWER_ALNUM);
      return {
        ref: arn('lambda', `function:${name}`),
        attributes: {
          FunctionUrl: `https://${id}.lambda-url.${r}.on.aws/`,
          FunctionArn: arn('lambda', `function:${name}`),
        },
      };
    }
    case 'AWS::Logs::LogGroup':
      return {
        ref: `/aws/lambda/${name}`,
        attributes: { Arn: arn('logs', `log-group:${name}:*`) },
      };
    case 'AWS::S3::Bucket': {
      const bucket = name.toLowerCase();
      return {
        ref: bucket,
        attributes: {
          Arn: `arn:${p}:s3:::${bucket}`,
          DomainName: `${bucket}.s3.amazonaws.com`,
          RegionalDomainName: `${bucket}.s3.${r}.amazonaws.com`,
          WebsiteURL: `http://${bucket}.s3-website-${r}.amazonaws.com`,
        },
      };
    }
    case 'AWS::CloudFront::Distribution': {
      const id = `E${fakeToken(seed, 13, UPPER_ALNUM)}`;
      return {
        ref: id,
        attributes: { Id: id, DomainName: `d${fakeToken(seed, 13, LOWER_ALNUM)}.cloudfront.net` },
      };
    }
    case 'AWS::CloudFront::OriginAccessControl':
    case 'AWS::CloudFront::CloudFrontOriginAccessIdentity': {
      const id = `E${fakeToken(seed, 13, UPPER_ALNUM)}`;
      return {
        ref: id,
        attributes: { Id: id, S3CanonicalUserId: fakeToken(seed, 64, LOWER_ALNUM) },
      };
    }
    case 'AWS::ApiGateway::RestApi': {
      const id = fakeToken(seed, 10, LOWER_ALNUM);
      return {
        ref: id,
        attributes: { RestApiId: id, RootResourceId: fakeToken(id, 10, LOWER_ALNUM) },
      };
    }
    case 'AWS::ApiGatewayV2::Api': {
      const id = fakeToken(seed, 10, LOWER_ALNUM);
      return {
        ref: id,
        attributes: { ApiId: id, ApiEndpoint: `https://${id}.execute-api.${r}.amazonaws.com` },
      };
    }
    case 'AWS::DynamoDB::Table':
      return {
        ref: name,
        attributes: {
          Arn: arn('dynamodb', `table/${name}`),
          StreamArn: arn('dynamodb', `table/${name}/stream/2026-01-01T00:00:00.000`),
        },
      };
    case 'AWS::SQS::Queue':
      return {
        ref: `https://sqs.${r}.amazonaws.com/${a}/${name}`,
        attributes: { Arn: arn('sqs', name), QueueName: name },
      };
    case 'AWS::SNS::Topic':
      return { ref: arn('sns', name), attributes: { TopicArn: arn('sns', name), TopicName: name } };
    case 'AWS::KMS::Key': {
      const id = fakeUuid(seed);
      return { ref: id, attributes: { Arn: arn('kms', `key/${id}`), KeyId: id } };
    }
    case 'AWS::SecretsManager::Secret': {
      const secretArn = arn('secretsmanager', `secret:${name}-${fakeToken(seed, 6, ALNUM)}`);
      return { ref: secretArn, attributes: { Id: secretArn } };
    }
    case 'AWS::SSM::Parameter':
      return { ref: name, attributes: { Type: 'String', Value: 'fake' } };
    default:
      return { ref: name, attributes: {} };
  }
}

// ---------------------------------------------------------------------------------------------
// IAM roles and their policies

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly PolicyStatement[] | PolicyStatement;
}

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Record<string, Record<string, string | readonly string[] | boolean>>;
}

export interface NamedPolicy {
  /** `<role or policy logical id>/<policy name>`, or the managed policy ARN. */
  readonly name: string;
  /** Where the policy comes from, for messages. */
  readonly source: 'inline' | 'AWS::IAM::Policy' | 'AWS::IAM::ManagedPolicy' | 'aws-managed';
  readonly document: PolicyDocument;
}

export interface RoleInfo {
  readonly logicalId: string;
  /** The construct path (`aws:cdk:path` metadata), when the template has it. */
  readonly path?: string;
  readonly arn: string;
  readonly name: string;
  readonly trustPolicy: PolicyDocument;
  /** Every identity policy that applies: inline, standalone and managed, resolved. */
  readonly policies: readonly NamedPolicy[];
  /** Managed policy ARNs whose content is not known here (see {@link AWS_MANAGED_POLICIES}). */
  readonly unknownManagedPolicyArns: readonly string[];
  readonly permissionsBoundaryArn?: string;
}

/**
 * Content of the AWS managed policies CDK attaches by itself, so that a role using one is evaluated
 * with what it really grants (as published by AWS).
 */
export const AWS_MANAGED_POLICIES: Readonly<Record<string, PolicyDocument>> = {
  'service-role/AWSLambdaBasicExecutionRole': {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: '*',
      },
    ],
  },
};

function asStringList(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

/** Logical ids a `Roles` list refers to with `Ref`. */
function referencedLogicalIds(roles: unknown): string[] {
  if (!Array.isArray(roles)) return [];
  return roles
    .map((r) => (isRecord(r) && typeof r.Ref === 'string' ? r.Ref : undefined))
    .filter((r): r is string => r !== undefined);
}

function asPolicyDocument(value: unknown, what: string): PolicyDocument {
  if (!isRecord(value) || value.Statement === undefined) {
    throw new TemplateResolutionError(`${what} is not a policy document`);
  }
  return value as unknown as PolicyDocument;
}

/** The statements of a policy document as a list. */
export function statementsOf(document: PolicyDocument): readonly PolicyStatement[] {
  return Array.isArray(document.Statement)
    ? (document.Statement as readonly PolicyStatement[])
    : [document.Statement as PolicyStatement];
}

/** Every `AWS::IAM::Role` of the template with its trust policy and resolved identity policies. */
export function listRoles(template: CfnTemplate, env: TemplateEnvironment): RoleInfo[] {
  const resolve = (value: unknown) => resolveIntrinsics(value, template, env);
  const entries = Object.entries(template.Resources);
  const roles: RoleInfo[] = [];
  for (const [logicalId, resource] of entries) {
    if (resource.Type !== 'AWS::IAM::Role') continue;
    const props = resource.Properties ?? {};
    const policies: NamedPolicy[] = [];
    const inline = Array.isArray(props.Policies) ? props.Policies : [];
    for (const p of inline) {
      const policy = resolve(p);
      if (!isRecord(policy)) continue;
      const name = `${logicalId}/${String(policy.PolicyName)}`;
      policies.push({
        name,
        source: 'inline',
        document: asPolicyDocument(policy.PolicyDocument, name),
      });
    }
    for (const [policyId, other] of entries) {
      if (other.Type !== 'AWS::IAM::Policy' && other.Type !== 'AWS::IAM::ManagedPolicy') continue;
      if (!referencedLogicalIds(other.Properties?.Roles).includes(logicalId)) continue;
      const policyName = other.Properties?.PolicyName;
      const name =
        other.Type === 'AWS::IAM::Policy'
          ? `${policyId}/${typeof policyName === 'string' ? policyName : policyId}`
          : policyId;
      policies.push({
        name,
        source: other.Type,
        document: asPolicyDocument(resolve(other.Properties?.PolicyDocument), name),
      });
    }
    const unknownManagedPolicyArns: string[] = [];
    const managedArns = asStringList(resolve(props.ManagedPolicyArns));
    for (const managedArn of managedArns) {
      const standalone = entries.find(
        ([id, r]) => r.Type === 'AWS::IAM::ManagedPolicy' && env.resources[id]?.ref === managedArn,
      );
      if (standalone) {
        const [id, r] = standalone;
        policies.push({
          name: id,
          source: 'AWS::IAM::ManagedPolicy',
          document: asPolicyDocument(resolve(r.Properties?.PolicyDocument), id),
        });
        continue;
      }
      const awsManaged = /^arn:[\w-]+:iam::aws:policy\/(.+)$/.exec(managedArn)?.[1];
      const document = awsManaged === undefined ? undefined : AWS_MANAGED_POLICIES[awsManaged];
      if (document) policies.push({ name: managedArn, source: 'aws-managed', document });
      else unknownManagedPolicyArns.push(managedArn);
    }
    const physical = env.resources[logicalId];
    const boundary =
      props.PermissionsBoundary === undefined ? undefined : resolve(props.PermissionsBoundary);
    const path = resource.Metadata?.['aws:cdk:path'];
    roles.push({
      logicalId,
      ...(typeof path === 'string' && { path }),
      arn: resolveString({ 'Fn::GetAtt': [logicalId, 'Arn'] }, template, env),
      name: physical?.ref ?? logicalId,
      trustPolicy: asPolicyDocument(
        resolve(props.AssumeRolePolicyDocument),
        `${logicalId} trust policy`,
      ),
      policies,
      unknownManagedPolicyArns,
      ...(typeof boundary === 'string' && { permissionsBoundaryArn: boundary }),
    });
  }
  return roles;
}

/** The role with this logical id; throws if there is none. */
export function getRole(roles: readonly RoleInfo[], logicalId: string): RoleInfo {
  const role = roles.find((r) => r.logicalId === logicalId);
  if (!role) throw new TemplateResolutionError(`no AWS::IAM::Role ${logicalId} in the template`);
  return role;
}

/** Logical ids of the resources of a type. */
export function resourcesOfType(template: CfnTemplate, type: string): string[] {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === type)
    .map(([id]) => id);
}

/** The logical id a `Ref` / `Fn::GetAtt` value points to, without resolving it. */
export function referencedLogicalId(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  if (typeof value.Ref === 'string') return value.Ref;
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
