/**
 * The IAM roles of a synthesized template, each with its trust policy and every identity policy
 * that applies to it (inline, standalone `AWS::IAM::Policy`, customer and AWS managed), resolved
 * against a {@link TemplateEnvironment}.
 */
import {
  type CfnTemplate,
  type TemplateEnvironment,
  TemplateResolutionError,
  isRecord,
  resolveIntrinsics,
  resolveString,
} from '../cloudformation/template';

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
