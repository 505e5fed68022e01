/**
 * IAM decisions on policies, made by a real policy engine: @cloud-copilot/iam-simulate.
 *
 * LICENCE: iam-simulate is AGPL-3.0. It is a devDependency, used by tests, scripts and the local
 * sandbox only. Never import this module from `lambdas/` or `infra/` (deployed code).
 *
 * Two kinds of requests:
 * - {@link evaluateIdentityRequest}: a principal calls `action` on `resource` with its identity
 *   policies (and principal tags in the request context, `aws:PrincipalTag/<key>`).
 * - {@link evaluateTrustPolicy}: a principal asks STS for a role: the role's trust policy is the
 *   resource policy of the request (resource = the role ARN), as IAM evaluates it. iam-simulate does
 *   evaluate resource policies, with `Federated` principals (`cognito-identity.amazonaws.com`) and
 *   STS's rule that a trust policy must name the caller even in its own account.
 *
 * Strictness: iam-simulate validates the policies, the action and the resource type, and silently
 * drops context keys the Service Authorization Reference does not list for the action. Dropping a
 * key can turn an Allow into a Deny for the wrong reason, so this wrapper throws
 * {@link PolicyEvaluationError} instead, unless the caller says why the key applies
 * (`keepUnlistedContextKeys`); then the request is decided by iam-simulate's unvalidated engine with
 * the full context, after the validated engine has checked policies, action and resource.
 */
import {
  isConditionKeyArray,
  runSimulation,
  runUnsafeSimulation,
  typeForContextKey,
  type RunSimulationResults,
  type Simulation,
} from '@cloud-copilot/iam-simulate';
import type { NamedPolicy, PolicyDocument } from './roles';
// Installs the memo of iam-utils' resource-type matchers that iam-simulate calls on every request.
import './resource-type-memo';

export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

export interface EvaluationOutcome {
  readonly decision: Decision;
  readonly allowed: boolean;
  /** What the identity policies alone decide (absent when the unvalidated engine decided). */
  readonly identityDecision?: string;
  /** What the resource (trust) policy alone decides (absent when there is none). */
  readonly resourceDecision?: string;
  /** False when the decision came from the unvalidated engine (see the module comment). */
  readonly validated: boolean;
  /** Why the unvalidated engine was used, when it was. */
  readonly note?: string;
}

export class PolicyEvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyEvaluationError';
  }
}

export type ContextValues = Readonly<Record<string, string | readonly string[]>>;

/** A policy document, or a named one (names appear in engine errors). */
export type PolicyInput = PolicyDocument | Pick<NamedPolicy, 'name' | 'document'>;

export interface IdentityRequest {
  /** The identity policies of the caller (inline, attached, managed). */
  readonly policies: readonly PolicyInput[];
  readonly action: string;
  /** A concrete ARN, or `*` for actions without a resource type. */
  readonly resource: string;
  /** The caller, e.g. {@link assumedRoleSessionArn}. */
  readonly principalArn: string;
  /**
   * Account owning the resource.
   * @default - the ARN's account, or the caller's for ARNs without one (`*`, S3)
   */
  readonly resourceAccountId?: string;
  /** Session tags of the caller: become `aws:PrincipalTag/<key>`. */
  readonly principalTags?: Readonly<Record<string, string>>;
  /** Other request context keys. */
  readonly context?: ContextValues;
  /** The resource's own policy (an S3 bucket policy, ...); Chime has none. @default - none */
  readonly resourcePolicy?: PolicyDocument;
  /** @default - none */
  readonly permissionsBoundary?: PolicyDocument;
  /** @default - none */
  readonly sessionPolicy?: PolicyDocument;
  /**
   * Decide even if the Service Authorization Reference lists no resource type for the action that
   * matches `resource` (e.g. it lists `chime:CreateAppInstanceUser` as `*`-only while the API names
   * an AppInstance). Only statement matching decides then; say why in `unlistedResourceReason`.
   * @default - such a request throws
   */
  readonly unlistedResourceReason?: string;
  /** Keep these context keys although the reference does not list them for the action; say why. */
  readonly keepUnlistedContextKeys?: { readonly keys: readonly string[]; readonly reason: string };
}

export interface TrustRequest {
  readonly trustPolicy: PolicyDocument;
  readonly roleArn: string;
  /** `sts:AssumeRoleWithWebIdentity`, `sts:TagSession`, `sts:AssumeRole`, ... */
  readonly action: string;
  /** `cognito-identity.amazonaws.com` (a web identity provider) or an AWS principal ARN. */
  readonly principal: string;
  /** Context of the STS request (`cognito-identity.amazonaws.com:aud`, `:amr`, ...). */
  readonly context?: ContextValues;
  /** Session tags requested: become `aws:RequestTag/<key>` and `aws:TagKeys`. */
  readonly requestTags?: Readonly<Record<string, string>>;
  /** Identity policies of an AWS principal caller (`sts:AssumeRole` needs both sides). */
  readonly callerPolicies?: readonly PolicyInput[];
}

/** The ARN of a role session, the principal that role credentials sign requests as. */
export function assumedRoleSessionArn(roleArn: string, sessionName = 'session'): string {
  const m = /^arn:([\w-]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
  if (!m) throw new PolicyEvaluationError(`not a role ARN: '${roleArn}'`);
  return `arn:${m[1]}:sts::${m[2]}:assumed-role/${m[3]}/${sessionName}`;
}

/** The account id in an ARN (`arn:aws:chime:us-east-1:123456789012:...`), if it has one. */
export function accountOfArn(arn: string): string | undefined {
  const account = arn.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

/** Request context keys that carry session tags. */
export function principalTagContext(tags: Readonly<Record<string, string>>): ContextValues {
  return Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:PrincipalTag/${k}`, v]));
}

/** Request context keys of a request that sets session tags. */
export function requestTagContext(tags: Readonly<Record<string, string>>): ContextValues {
  return {
    ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])),
    'aws:TagKeys': Object.keys(tags),
  };
}

function toIdentityPolicies(policies: readonly PolicyInput[]) {
  return policies.map((p, i) =>
    'document' in p ? { name: p.name, policy: p.document } : { name: `policy${i + 1}`, policy: p },
  );
}

/** Decides a request made with identity policies (and the resource's policy, if it has one). */
export async function evaluateIdentityRequest(req: IdentityRequest): Promise<EvaluationOutcome> {
  const callerAccount = accountOfArn(req.principalArn);
  if (!callerAccount) {
    throw new PolicyEvaluationError(
      `principal must be an ARN with an account: '${req.principalArn}'`,
    );
  }
  const context: Record<string, string | readonly string[]> = {
    ...principalTagContext(req.principalTags ?? {}),
    ...req.context,
  };
  return decide(
    {
      identityPolicies: toIdentityPolicies(req.policies),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(req.permissionsBoundary && {
        permissionBoundaryPolicies: [{ name: 'boundary', policy: req.permissionsBoundary }],
      }),
      ...(req.sessionPolicy && { sessionPolicy: req.sessionPolicy }),
      ...(req.resourcePolicy && { resourcePolicy: req.resourcePolicy }),
      request: {
        action: req.action,
        principal: req.principalArn,
        resource: {
          resource: req.resource,
          accountId: req.resourceAccountId ?? accountOfArn(req.resource) ?? callerAccount,
        },
        contextVariables: context as Record<string, string | string[]>,
      },
    },
    {
      ...(req.unlistedResourceReason !== undefined && {
        unlistedResourceReason: req.unlistedResourceReason,
      }),
      ...(req.keepUnlistedContextKeys && { keepUnlistedContextKeys: req.keepUnlistedContextKeys }),
    },
  );
}

/** Shorthand: is the identity request allowed? */
export async function isAllowed(req: IdentityRequest): Promise<boolean> {
  return (await evaluateIdentityRequest(req)).allowed;
}

/**
 * Web identity condition keys. The Service Authorization Reference lists them for
 * `sts:AssumeRoleWithWebIdentity` only, yet `sts:TagSession` is authorized within that same web
 * identity request, so the same keys are in its context: AWS's own trust policy for identity pool
 * principal tags ("Using attributes for access control") conditions both actions on
 * `cognito-identity.amazonaws.com:aud` and `:amr` in one statement, and that is what we deploy.
 */
const WEB_IDENTITY_KEY =
  /^(cognito-identity\.amazonaws\.com|accounts\.google\.com|graph\.facebook\.com|www\.amazon\.com):/i;

/**
 * Decides an STS request against a role's trust policy (the role ARN is the resource). The
 * caller's identity policies take part when given (for `sts:AssumeRole` by an AWS principal).
 */
export async function evaluateTrustPolicy(req: TrustRequest): Promise<EvaluationOutcome> {
  const roleAccount = accountOfArn(req.roleArn);
  if (!roleAccount) throw new PolicyEvaluationError(`not a role ARN: '${req.roleArn}'`);
  const context: Record<string, string | readonly string[]> = {
    ...req.context,
    ...(req.requestTags && requestTagContext(req.requestTags)),
  };
  const webIdentityKeys = Object.keys(context).filter((k) => WEB_IDENTITY_KEY.test(k));
  return decide(
    {
      identityPolicies: toIdentityPolicies(req.callerPolicies ?? []),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: req.trustPolicy,
      request: {
        action: req.action,
        principal: req.principal,
        resource: { resource: req.roleArn, accountId: roleAccount },
        contextVariables: context as Record<string, string | string[]>,
      },
    },
    {
      ...(webIdentityKeys.length > 0 && {
        keepUnlistedContextKeys: {
          keys: webIdentityKeys,
          reason:
            'web identity keys are part of every STS request of a web identity assumption, sts:TagSession included',
        },
      }),
    },
  );
}

export interface AssumeRoleRequest extends Omit<TrustRequest, 'action'> {
  /** `sts:AssumeRole` or `sts:AssumeRoleWithWebIdentity`. */
  readonly assumeAction: string;
}

/**
 * The trust-policy decisions of one role assumption, as STS makes them: the assume action and,
 * when the request carries session tags, `sts:TagSession` as well; the tags are in the context of
 * both (IAM User Guide, "Pass session tags in AWS STS"). Returns the first action refused, or
 * undefined when the role may be assumed.
 */
export async function refusedAssumeRoleAction(req: AssumeRoleRequest): Promise<string | undefined> {
  const { assumeAction, requestTags, ...trust } = req;
  const tagged = requestTags !== undefined && Object.keys(requestTags).length > 0;
  const actions = tagged ? [assumeAction, 'sts:TagSession'] : [assumeAction];
  for (const action of actions) {
    const outcome = await evaluateTrustPolicy({ ...trust, action, ...(tagged && { requestTags }) });
    if (!outcome.allowed) return action;
  }
  return undefined;
}

interface DecideOptions {
  readonly unlistedResourceReason?: string;
  readonly keepUnlistedContextKeys?: { readonly keys: readonly string[]; readonly reason: string };
}

const UNLISTED_RESOURCE_ERRORS = new Set(['must.use.wildcard', 'no.resource.types']);

async function decide(simulation: Simulation, options: DecideOptions): Promise<EvaluationOutcome> {
  const what = `${simulation.request.action} on ${simulation.request.resource.resource}`;
  const result: RunSimulationResults = await runSimulation(simulation, {});
  if (result.resultType === 'error') {
    const code = result.errors.message;
    if (options.unlistedResourceReason !== undefined && UNLISTED_RESOURCE_ERRORS.has(code)) {
      return decideUnvalidated(
        simulation,
        `resource not listed for the action (${code}): ${options.unlistedResourceReason}`,
      );
    }
    throw new PolicyEvaluationError(
      `iam-simulate refused ${what}: ${code} ${JSON.stringify(result.errors)}`,
    );
  }
  if (result.resultType === 'wildcard') {
    throw new PolicyEvaluationError(
      `${what}: give a concrete resource ARN (a wildcard resource makes iam-simulate run one simulation per policy pattern)`,
    );
  }
  const ignored = result.result.ignoredContextKeys ?? [];
  if (ignored.length > 0) {
    const kept = new Set((options.keepUnlistedContextKeys?.keys ?? []).map((k) => k.toLowerCase()));
    const unexpected = ignored.filter((k) => !kept.has(k.toLowerCase()));
    if (unexpected.length > 0) {
      throw new PolicyEvaluationError(
        `${what}: context keys ${unexpected.join(', ')} do not apply to the action per the Service Authorization Reference; iam-simulate would drop them`,
      );
    }
    return decideUnvalidated(
      simulation,
      `context keys ${ignored.join(', ')} kept: ${options.keepUnlistedContextKeys?.reason}`,
    );
  }
  const analysis = result.result.analysis;
  const decision = result.overallResult;
  return {
    decision,
    allowed: decision === 'Allowed',
    identityDecision: analysis.identityAnalysis?.result ?? 'NotApplicable',
    ...(analysis.resourceAnalysis && { resourceDecision: analysis.resourceAnalysis.result }),
    validated: true,
  };
}

/** The unvalidated engine takes the context as is: give multi-valued keys as arrays. */
async function decideUnvalidated(simulation: Simulation, note: string): Promise<EvaluationOutcome> {
  const context: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(simulation.request.contextVariables)) {
    let isArray = Array.isArray(value);
    try {
      isArray = isConditionKeyArray(await typeForContextKey(key));
    } catch {
      // A key iam-data does not know (a service-specific one): keep the caller's shape.
    }
    context[key] = isArray ? [value].flat() : Array.isArray(value) ? String(value[0]) : value;
  }
  // iam-simulate types policies as `any`: keep them opaque here.
  const sessionPolicy: unknown = simulation.sessionPolicy;
  const run = (identityPolicies: Simulation['identityPolicies']) =>
    runUnsafeSimulation(
      {
        ...simulation,
        identityPolicies,
        // runUnsafeSimulation loads a plain resource policy without a name and then crashes
        // reading it (iam-simulate 0.1.173). A policy in iam-policy's plain `ValidatedPolicy`
        // shape carries its name; `errors` is empty: the validated engine has accepted it.
        ...(simulation.resourcePolicy !== undefined && {
          resourcePolicy: {
            __validated: true,
            policyDocument: simulation.resourcePolicy as unknown,
            metadata: { name: 'ResourcePolicy' },
            errors: [],
          },
        }),
        request: { ...simulation.request, contextVariables: context },
      },
      {},
    );
  let decision = run(simulation.identityPolicies);
  if (sessionPolicy !== undefined) {
    // runUnsafeSimulation ignores session policies. Without a resource policy, IAM allows what both
    // the identity policies and the session policy allow, and an explicit deny in either wins.
    if (simulation.resourcePolicy !== undefined) {
      throw new PolicyEvaluationError(
        `cannot combine a session policy and a resource policy without validation (${note})`,
      );
    }
    const session = run([{ name: 'SessionPolicy', policy: sessionPolicy }]);
    if (decision === 'ExplicitlyDenied' || session === 'ExplicitlyDenied') {
      decision = 'ExplicitlyDenied';
    } else if (session !== 'Allowed') {
      decision = 'ImplicitlyDenied';
    }
  }
  return { decision, allowed: decision === 'Allowed', validated: false, note };
}
