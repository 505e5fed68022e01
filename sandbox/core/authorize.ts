/**
 * Authorization for every sandbox service: the caller's role policies, exactly as `cdk synth`
 * resolved them, evaluated with the session's principal tags by the project's IAM evaluator.
 * A request is allowed only when a policy allows it and none denies it, as on AWS.
 */
import { type Session, assumedRoleArn } from './credentials';
import { accessDenied, type Protocol } from './errors';
import type { VerifiedCaller } from './sigv4';

export interface PolicyDocumentJson {
  Version?: string;
  Statement: unknown;
}

export interface NamedPolicy {
  name: string;
  document: PolicyDocumentJson;
}

export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

/** What the sandbox needs from an IAM evaluator (adapted from sandbox/iam/evaluate.ts). */
export type EvaluateIdentityPolicies = (input: {
  policies: readonly NamedPolicy[];
  action: string;
  resource: string;
  principalArn: string;
  accountId: string;
  context: Record<string, string | string[]>;
}) => Decision;

export interface AuthorizeRequest {
  /** `service:Action`, e.g. `chime:CreateAppInstanceUser`. */
  action: string;
  /** The resource ARN IAM evaluates (`*` for actions without a resource type). */
  resource: string;
  protocol: Protocol;
  /** Extra condition keys (`aws:PrincipalTag/*` and the caller's ids are added). */
  context?: Record<string, string | string[]>;
}

/** The policies attached to each role ARN (inline and managed), from the template. */
export type RolePolicyLookup = (roleArn: string) => readonly NamedPolicy[] | undefined;

/** Request context keys IAM derives from the session. */
export function sessionContext(
  session: Session,
  region: string,
  now = Date.now(),
): Record<string, string | string[]> {
  const account = session.roleArn.split(':')[4] ?? '';
  const context: Record<string, string | string[]> = {
    'aws:PrincipalArn': session.roleArn,
    'aws:PrincipalAccount': account,
    'aws:PrincipalType': 'AssumedRole',
    'aws:userid': `${session.accessKeyId.slice(0, 4)}ROLE:${session.roleSessionName}`,
    'aws:RequestedRegion': region,
    'aws:CurrentTime': new Date(now).toISOString(),
    'aws:EpochTime': String(Math.floor(now / 1000)),
    'aws:SecureTransport': 'false',
  };
  const tagKeys = Object.keys(session.principalTags);
  for (const key of tagKeys) {
    context[`aws:PrincipalTag/${key}`] = session.principalTags[key] ?? '';
  }
  if (tagKeys.length > 0) context['aws:PrincipalTagKeys'] = tagKeys;
  return context;
}

export class Authorizer {
  constructor(
    private readonly policiesOf: RolePolicyLookup,
    private readonly evaluate: EvaluateIdentityPolicies,
  ) {}

  /** The decision alone (for tests and tooling). */
  decide(caller: VerifiedCaller, request: Omit<AuthorizeRequest, 'protocol'>): Decision {
    const policies = this.policiesOf(caller.session.roleArn) ?? [];
    return this.evaluate({
      policies,
      action: request.action,
      resource: request.resource,
      principalArn: assumedRoleArn(caller.session),
      accountId: caller.session.roleArn.split(':')[4] ?? '',
      context: { ...sessionContext(caller.session, caller.region), ...(request.context ?? {}) },
    });
  }

  /** Throws AWS's access-denied error of the protocol unless the request is allowed. */
  authorize(caller: VerifiedCaller, request: AuthorizeRequest): void {
    const decision = this.decide(caller, request);
    if (decision === 'Allowed') return;
    const reason =
      decision === 'ExplicitlyDenied'
        ? 'with an explicit deny in an identity-based policy'
        : `because no identity-based policy allows the ${request.action} action`;
    throw accessDenied(
      request.protocol,
      `User: ${assumedRoleArn(caller.session)} is not authorized to perform: ${request.action} on resource: ${request.resource} ${reason}`,
    );
  }
}
