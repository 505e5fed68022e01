/**
 * STS (awsQuery): `AssumeRole` with session tags and `GetCallerIdentity`, for the
 * credential-vending Lambda and for tests. The caller's own policies and the role's trust policy
 * from the template are both evaluated (sts:AssumeRole, plus sts:TagSession with tags), as IAM
 * does for a role assumed from a role session in the same account.
 */
import { randomUUID } from 'node:crypto';
import { refusedAssumeRoleAction } from '../../iam/evaluate';
import { fakeRoleId } from '../../cloudformation/fake-environment';
import { assumedRoleArn } from '../../core/credentials';
import { AwsError } from '../../core/errors';
import type { SandboxRequest, ServiceModule } from '../../server';

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
/** Role chaining (a role session assuming a role) is limited to one hour. */
const CHAINED_MAX_SECONDS = 3600;

function xml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function validation(message: string): AwsError {
  return new AwsError('ValidationError', message, 400);
}

function respond(action: string, result: string) {
  return {
    headers: { 'content-type': 'text/xml' },
    body:
      `<${action}Response xmlns="${NS}"><${action}Result>${result}</${action}Result>` +
      `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
  };
}

/** `Tags.member.N.Key/Value` of an awsQuery form. */
function tagsOf(form: URLSearchParams): Record<string, string> {
  const tags: Record<string, string> = {};
  for (let i = 1; form.has(`Tags.member.${i}.Key`); i++) {
    const key = form.get(`Tags.member.${i}.Key`) ?? '';
    const value = form.get(`Tags.member.${i}.Value`) ?? '';
    if (!TAG_KEY.test(key) || key.toLowerCase().startsWith('aws:')) {
      throw validation(`Tag key '${key}' is not valid.`);
    }
    if (!TAG_VALUE.test(value)) throw validation(`Tag value for '${key}' is not valid.`);
    if (Object.keys(tags).some((k) => k.toLowerCase() === key.toLowerCase())) {
      throw validation(`Duplicate tag key '${key}' (tag keys are case-insensitive).`);
    }
    tags[key] = value;
  }
  if (Object.keys(tags).length > 50) {
    throw validation(
      "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50",
    );
  }
  return tags;
}

/** AssumeRole `Policy`: 1-2048 characters of `\u0009`, `\u000A`, `\u000D`, `\u0020-\u00FF`. */
const MAX_SESSION_POLICY_LENGTH = 2048;
// eslint-disable-next-line no-control-regex -- tab, LF and CR are exactly what STS allows
const POLICY_CHARACTERS = /^[\u0009\u000A\u000D\u0020-\u00FF]+$/;

function malformed(message: string): AwsError {
  return new AwsError('MalformedPolicyDocument', message, 400);
}

/**
 * An inline session policy as STS accepts it: the API's length and character rules, then an
 * identity policy's shape (no `Principal`; `Effect`, an action and a resource in each statement).
 * Refused here with STS's own error names, so an unusable policy never reaches later decisions.
 */
export function checkSessionPolicy(text: string): void {
  if (text.length < 1 || text.length > MAX_SESSION_POLICY_LENGTH) {
    throw validation(
      `1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to ${MAX_SESSION_POLICY_LENGTH}`,
    );
  }
  if (!POLICY_CHARACTERS.test(text)) {
    throw validation(
      "1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+",
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw malformed('The policy is not valid JSON.');
  }
  const doc = document as { Version?: unknown; Statement?: unknown } | null;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw malformed('The policy must be a JSON object.');
  }
  if (doc.Version !== '2012-10-17' && doc.Version !== '2008-10-17') {
    throw malformed('The policy must have Version 2012-10-17.');
  }
  const statements = [doc.Statement ?? []].flat() as unknown[];
  if (statements.length === 0) throw malformed('The policy has no Statement.');
  for (const statement of statements) {
    const st = statement as Record<string, unknown> | null;
    if (typeof st !== 'object' || st === null) throw malformed('A Statement must be an object.');
    if (st.Principal !== undefined || st.NotPrincipal !== undefined) {
      throw malformed('Policy document should not specify a principal.');
    }
    if (st.Effect !== 'Allow' && st.Effect !== 'Deny') {
      throw malformed('Each Statement needs an Effect of Allow or Deny.');
    }
    if ((st.Action === undefined) === (st.NotAction === undefined)) {
      throw malformed('Each Statement needs exactly one of Action and NotAction.');
    }
    if ((st.Resource === undefined) === (st.NotResource === undefined)) {
      throw malformed('Each Statement needs exactly one of Resource and NotResource.');
    }
  }
}

export const sts: ServiceModule = {
  name: 'sts',
  register(router, ctx) {
    const authenticate = (req: SandboxRequest) =>
      ctx.authenticate(req, { service: 'sts', protocol: 'query' });

    router.queryAction('GetCallerIdentity', async (req) => {
      const caller = await authenticate(req);
      const session = caller.session;
      return respond(
        'GetCallerIdentity',
        `<Arn>${xml(assumedRoleArn(session))}</Arn>` +
          `<UserId>${xml(`${fakeRoleId(session.roleArn)}:${session.roleSessionName}`)}</UserId>` +
          `<Account>${ctx.accountId}</Account>`,
      );
    });

    router.queryAction('AssumeRole', async (req) => {
      const caller = await authenticate(req);
      const form = req.form;
      const roleArn = form.get('RoleArn') ?? '';
      const sessionName = form.get('RoleSessionName') ?? '';
      if (roleArn.length < 20)
        throw validation(
          "1 validation error detected: Value at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20",
        );
      if (!SESSION_NAME.test(sessionName)) {
        throw validation(
          `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
        );
      }
      const tags = tagsOf(form);
      const policy = form.get('Policy') ?? undefined;
      if (policy !== undefined) checkSessionPolicy(policy);
      const role = ctx.resources.role(roleArn);
      const denied = () =>
        new AwsError(
          'AccessDenied',
          `User: ${assumedRoleArn(caller.session)} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
          403,
        );
      if (!role) throw denied();
      const maxSeconds = Math.min(
        Number(ctx.resources.properties(role.logicalId).MaxSessionDuration ?? 3600),
        CHAINED_MAX_SECONDS,
      );
      const duration = Number(form.get('DurationSeconds') ?? 3600);
      if (!Number.isInteger(duration) || duration < 900) {
        throw validation(
          "1 validation error detected: Value at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
        );
      }
      if (duration > maxSeconds) {
        throw validation(
          'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
        );
      }
      const callerPolicies = ctx.resources.role(caller.session.roleArn)?.policies ?? [];
      const refused = await refusedAssumeRoleAction({
        trustPolicy: role.trustPolicy,
        roleArn,
        assumeAction: 'sts:AssumeRole',
        principal: assumedRoleArn(caller.session),
        callerPolicies,
        context: {
          'aws:PrincipalArn': caller.session.roleArn,
          ...Object.fromEntries(
            Object.entries(caller.session.principalTags).map(([k, v]) => [
              `aws:PrincipalTag/${k}`,
              v,
            ]),
          ),
        },
        requestTags: tags,
      });
      if (refused === 'sts:AssumeRole') throw denied();
      if (refused) {
        throw new AwsError(
          'AccessDenied',
          `User: ${assumedRoleArn(caller.session)} is not authorized to perform: sts:TagSession on resource: ${roleArn}`,
          403,
        );
      }
      const session = ctx.credentials.issue({
        roleArn,
        roleSessionName: sessionName,
        durationSeconds: duration,
        principalTags: tags,
        ...(policy !== undefined && { sessionPolicy: policy }),
        issuedBy: `sts AssumeRole by ${assumedRoleArn(caller.session)}`,
      });
      return respond(
        'AssumeRole',
        `<Credentials><AccessKeyId>${session.accessKeyId}</AccessKeyId>` +
          `<SecretAccessKey>${xml(session.secretAccessKey)}</SecretAccessKey>` +
          `<SessionToken>${xml(session.sessionToken)}</SessionToken>` +
          `<Expiration>${new Date(session.expiration).toISOString()}</Expiration></Credentials>` +
          `<AssumedRoleUser><AssumedRoleId>${xml(`${fakeRoleId(roleArn)}:${sessionName}`)}</AssumedRoleId>` +
          `<Arn>${xml(assumedRoleArn(session))}</Arn></AssumedRoleUser>` +
          `<PackedPolicySize>${Object.keys(tags).length * 2}</PackedPolicySize>`,
      );
    });
  },
};
