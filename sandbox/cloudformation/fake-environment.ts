/**
 * Fake but deterministic and well-formed physical ids for every resource of a template, so it can
 * be resolved (./template.ts) as if deployed, without an AWS account.
 */
import { createHash } from 'node:crypto';
import { DEFAULT_REGION } from '../../contracts/regions';
import type { CfnTemplate, PhysicalResource, TemplateEnvironment } from './template';

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
