/**
 * Authorization for every sandbox service: the caller's role policies, exactly as `cdk synth`
 * resolved them (sandbox/iam/roles.ts), evaluated with the session's principal tags by the
 * project's IAM evaluator (sandbox/iam/evaluate.ts, over @cloud-copilot/iam-simulate). A request
 * is allowed only when a policy allows it and none denies it, as on AWS.
 */
import { evaluateIdentityRequest, type Decision } from '../iam/evaluate';
import type { NamedPolicy, PolicyDocument } from '../iam/roles';
import { type Session, assumedRoleArn } from './credentials';
import { accessDenied, type Protocol } from './errors';
import type { VerifiedCaller } from './sigv4';

export type { Decision };

export interface AuthorizeRequest {
  /** `service:Action`, e.g. `chime:CreateAppInstanceUser`. */
  action: string;
  /** The resource ARN the request names (`*` for actions without a resource type). */
  resource: string;
  protocol: Protocol;
  /** Extra condition keys (`aws:PrincipalTag/*` and the caller's ids are added). */
  context?: Record<string, string | string[]>;
  /** The resource's own policy (a KMS key policy, which KMS requires to allow too). */
  resourcePolicy?: PolicyDocument;
}

/** The identity policies of each role ARN (inline, standalone, managed), from the template. */
export type RolePolicyLookup = (roleArn: string) => readonly NamedPolicy[] | undefined;

/** Global request context keys IAM derives from the session (principal tags added separately). */
export function sessionContext(
  session: Session,
  region: string,
  now = Date.now(),
): Record<string, string> {
  return {
    'aws:PrincipalArn': session.roleArn,
    'aws:PrincipalAccount': session.roleArn.split(':')[4] ?? '',
    'aws:userid': `${session.accessKeyId}:${session.roleSessionName}`,
    'aws:RequestedRegion': region,
    'aws:CurrentTime': new Date(now).toISOString(),
    'aws:EpochTime': String(Math.floor(now / 1000)),
    'aws:SecureTransport': 'false',
  };
}

/*
 * The Service Authorization Reference lists some Chime actions with no resource type (or `*`
 * only) although their API names an AppInstance or user; IAM then matches the statement's
 * Resource against the ARN the request names, which is what the sandbox does.
 */
const UNLISTED_RESOURCE_REASON =
  'the sandbox authorizes the ARN the API request names, as the service does';

export class Authorizer {
  constructor(
    private readonly policiesOf: RolePolicyLookup,
    /** `aws:CurrentTime` (the sandbox clock). @default Date.now */
    private readonly now: () => number = Date.now,
  ) {}

  async decide(
    caller: VerifiedCaller,
    request: Omit<AuthorizeRequest, 'protocol'>,
  ): Promise<Decision> {
    const outcome = await evaluateIdentityRequest({
      policies: this.policiesOf(caller.session.roleArn) ?? [],
      action: request.action,
      resource: request.resource,
      principalArn: assumedRoleArn(caller.session),
      principalTags: caller.session.principalTags,
      context: {
        ...sessionContext(caller.session, caller.region, this.now()),
        ...(request.context ?? {}),
      },
      unlistedResourceReason: UNLISTED_RESOURCE_REASON,
      ...(request.resourcePolicy && { resourcePolicy: request.resourcePolicy }),
      ...(caller.session.sessionPolicy !== undefined && {
        sessionPolicy: JSON.parse(caller.session.sessionPolicy) as PolicyDocument,
      }),
    });
    return outcome.decision;
  }

  /** Throws AWS's access-denied error of the protocol unless the request is allowed. */
  async authorize(caller: VerifiedCaller, request: AuthorizeRequest): Promise<void> {
    const decision = await this.decide(caller, request);
    if (decision === 'Allowed') return;
    const reason =
      decision === 'ExplicitlyDenied'
        ? 'with an explicit deny in an identity-based policy'
        : request.resourcePolicy
          ? `because no identity-based policy allows the ${request.action} action, or the resource's policy does not`
          : `because no identity-based policy allows the ${request.action} action`;
    throw accessDenied(
      request.protocol,
      `User: ${assumedRoleArn(caller.session)} is not authorized to perform: ${request.action} on resource: ${request.resource} ${reason}`,
    );
  }
}
