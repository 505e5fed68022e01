/**
 * Per-user isolation of the credential-vending roles, decided by an IAM policy engine
 * (sandbox/iam over @cloud-copilot/iam-simulate) on the policies `cdk synth` produces with the
 * feature on: the vending user role must decide every Chime request exactly as the identity pool's
 * authenticated role does, and its trust policy must admit only the vending function's role with
 * the principal tag.
 */
import {
  CHIME_SESSION_ENDPOINT_ACTION,
  CHIME_USER_MESSAGING_ACTIONS,
} from '../../contracts/chime-user-policy';
import { DEFAULT_PRINCIPAL_TAG_KEY } from '../../contracts/principal-tag';
import {
  assumedRoleSessionArn,
  type Decision,
  evaluateIdentityRequest,
  evaluateTrustPolicy,
} from '../../sandbox/iam/evaluate';
import { asTemplate } from '../../sandbox/cloudformation/template';
import { fakeEnvironment } from '../../sandbox/cloudformation/fake-environment';
import { listRoles, type RoleInfo, statementsOf } from '../../sandbox/iam/roles';
import { synthesizeApp } from '../../infra/synthesize';
import { NO_CFN_VALIDATION, testOutdir } from './support';

const KEY = DEFAULT_PRINCIPAL_TAG_KEY;
const ALICE = '11111111-aaaa-4aaa-8aaa-111111111111';
const BOB = '22222222-bbbb-4bbb-8bbb-222222222222';

/** The stack as `cdk synth -c credentialVending=true` builds it (cdk.json's feature flags included). */
function synthesizeWithVending() {
  // Policies do not depend on the bundled code: skip bundling.
  const { template } = synthesizeApp({
    context: { credentialVending: 'true' },
    bundling: false,
    appProps: NO_CFN_VALIDATION,
    outdir: testOutdir(),
  });
  const parsed = asTemplate(template);
  return { roles: listRoles(parsed, fakeEnvironment(parsed)) };
}

function roleAt(roles: readonly RoleInfo[], pathPart: string): RoleInfo {
  const found = roles.filter((r) => r.path?.includes(pathPart));
  if (found.length !== 1) throw new Error(`expected one role at ${pathPart}, got ${found.length}`);
  return found[0]!;
}

let roles: RoleInfo[];
let vendingUser: RoleInfo;
let vendingServer: RoleInfo;
let identityPoolRole: RoleInfo;
let instanceArn: string;

beforeAll(() => {
  ({ roles } = synthesizeWithVending());
  vendingUser = roleAt(roles, '/CredentialVending/UserRole/');
  vendingServer = roleAt(roles, '/CredentialVending/ServerRole/');
  identityPoolRole = roleAt(roles, '/Identities/AuthenticatedRole/');
  // The AppInstance ARN as resolved in the fake environment, read from the user resource.
  const resources = statementsOf(vendingUser.policies[0]!.document).flatMap((s) =>
    typeof s.Resource === 'string' ? [s.Resource] : [...(s.Resource ?? [])],
  );
  const userResource = resources.find((r) => r.includes('/user/'));
  instanceArn = userResource!.split('/user/')[0]!;
});

describe('vending user role: the same Chime decisions as the identity pool role', () => {
  const ADMIN_AND_UNRELATED = [
    'chime:CreateAppInstanceUser',
    'chime:UpdateAppInstanceUser',
    'chime:DeleteAppInstanceUser',
    'chime:CreateAppInstanceAdmin',
    'chime:DeleteAppInstance',
    'chime:PutAppInstanceRetentionSettings',
    'chime:DeleteChannelMessage',
  ];

  function resourcesFor(arn: string) {
    const otherInstance = arn.replace(/app-instance\/.*/, 'app-instance/other-instance');
    const otherAccount = arn.replace(/:\d{12}:/, ':999999999999:');
    return {
      'alice (self)': `${arn}/user/${ALICE}`,
      bob: `${arn}/user/${BOB}`,
      'alice as prefix of a longer id': `${arn}/user/${ALICE}-x`,
      'channel of this AppInstance': `${arn}/channel/c-1`,
      'alice in another AppInstance': `${otherInstance}/user/${ALICE}`,
      'channel of another AppInstance': `${otherInstance}/channel/c-1`,
      'alice in another account': `${otherAccount}/user/${ALICE}`,
    } as Record<string, string>;
  }

  async function decide(role: RoleInfo, action: string, resource: string, tag?: string) {
    const outcome = await evaluateIdentityRequest({
      policies: role.policies,
      action,
      resource,
      principalArn: assumedRoleSessionArn(role.arn, 'alice-session'),
      ...(tag !== undefined && { principalTags: { [KEY]: tag } }),
      unlistedResourceReason: 'Chime authorizes the ARN the request names (bearer and channel)',
    });
    return outcome.decision;
  }

  it('allows self and this AppInstance, denies the rest, identically for both roles', async () => {
    const resources = resourcesFor(instanceArn);
    const self = resources['alice (self)'];
    const channel = resources['channel of this AppInstance'];
    const rows: string[] = [];
    let cases = 0;
    for (const tag of [ALICE, undefined]) {
      for (const action of [...CHIME_USER_MESSAGING_ACTIONS, ...ADMIN_AND_UNRELATED]) {
        for (const [name, resource] of Object.entries(resources)) {
          const granted = (CHIME_USER_MESSAGING_ACTIONS as readonly string[]).includes(action);
          const expected: Decision =
            granted && ((resource === self && tag === ALICE) || resource === channel)
              ? 'Allowed'
              : 'ImplicitlyDenied';
          const [vending, identityPool] = await Promise.all([
            decide(vendingUser, action, resource, tag),
            decide(identityPoolRole, action, resource, tag),
          ]);
          cases += 1;
          if (vending !== expected || identityPool !== expected) {
            rows.push(
              `${action} on ${name} tag=${tag}: vending=${vending} identityPool=${identityPool} expected=${expected}`,
            );
          }
        }
      }
    }
    expect(rows).toEqual([]);
    expect(cases).toBe(2 * (CHIME_USER_MESSAGING_ACTIONS.length + ADMIN_AND_UNRELATED.length) * 7);
  });

  it('a session tagged bob acts as bob, never as alice', async () => {
    const resources = resourcesFor(instanceArn);
    const bob = resources.bob!;
    const alice = resources['alice (self)']!;
    for (const role of [vendingUser, identityPoolRole]) {
      expect(await decide(role, 'chime:SendChannelMessage', bob, BOB)).toBe('Allowed');
      expect(await decide(role, 'chime:SendChannelMessage', alice, BOB)).toBe('ImplicitlyDenied');
    }
  });

  it('allows GetMessagingSessionEndpoint, and nothing outside Chime', async () => {
    for (const role of [vendingUser, identityPoolRole]) {
      expect(await decide(role, CHIME_SESSION_ENDPOINT_ACTION, '*', ALICE)).toBe('Allowed');
      expect(await decide(role, 'sts:AssumeRole', vendingUser.arn, ALICE)).toBe('ImplicitlyDenied');
      expect(await decide(role, 'iam:PassRole', vendingUser.arn, ALICE)).toBe('ImplicitlyDenied');
    }
  });
});

describe('vending user role trust policy', () => {
  const serverSession = () => assumedRoleSessionArn(vendingServer.arn, 'credential-vending-fn');

  async function assume(
    action: 'sts:AssumeRole' | 'sts:TagSession',
    options: { principal?: string; tags?: Record<string, string>; callerPolicies?: RoleInfo } = {},
  ) {
    const caller = options.callerPolicies ?? vendingServer;
    const outcome = await evaluateTrustPolicy({
      trustPolicy: vendingUser.trustPolicy,
      roleArn: vendingUser.arn,
      action,
      principal: options.principal ?? serverSession(),
      callerPolicies: caller.policies,
      context: { 'aws:PrincipalArn': caller.arn },
      ...(options.tags && { requestTags: options.tags }),
    });
    return outcome.decision;
  }

  it('admits the vending function role with exactly the principal tag', async () => {
    const tags = { [KEY]: ALICE };
    expect(await assume('sts:AssumeRole', { tags })).toBe('Allowed');
    expect(await assume('sts:TagSession', { tags })).toBe('Allowed');
  });

  it('refuses the vending function role without the tag, or with any other tag', async () => {
    expect(await assume('sts:AssumeRole')).not.toBe('Allowed');
    const wrongTags: Record<string, string>[] = [{ other: ALICE }, { [KEY]: ALICE, extra: 'x' }];
    for (const tags of wrongTags) {
      expect(await assume('sts:AssumeRole', { tags })).not.toBe('Allowed');
      expect(await assume('sts:TagSession', { tags })).not.toBe('Allowed');
    }
  });

  it('refuses every other role of the stack, and a same-named role of another account', async () => {
    const others = roles.filter((r) => r.logicalId !== vendingServer.logicalId);
    expect(others.length).toBeGreaterThanOrEqual(3);
    for (const other of others) {
      expect(
        await assume('sts:AssumeRole', {
          principal: assumedRoleSessionArn(other.arn, 's'),
          tags: { [KEY]: ALICE },
          callerPolicies: other,
        }),
      ).not.toBe('Allowed');
    }
    const foreign = vendingServer.arn.replace(/:\d{12}:/, ':999999999999:');
    expect(
      await assume('sts:AssumeRole', {
        principal: assumedRoleSessionArn(foreign, 's'),
        tags: { [KEY]: ALICE },
      }),
    ).not.toBe('Allowed');
  });

  it('the identity pool principal cannot assume the vending user role', async () => {
    const outcome = await evaluateTrustPolicy({
      trustPolicy: vendingUser.trustPolicy,
      roleArn: vendingUser.arn,
      action: 'sts:AssumeRoleWithWebIdentity',
      principal: 'cognito-identity.amazonaws.com',
      requestTags: { [KEY]: ALICE },
    });
    expect(outcome.allowed).toBe(false);
  });
});

describe('vending server role: assume and tag the user role, nothing else', () => {
  const ask = (action: string, resource: string) =>
    evaluateIdentityRequest({
      policies: vendingServer.policies,
      action,
      resource,
      principalArn: assumedRoleSessionArn(vendingServer.arn, 'fn'),
      unlistedResourceReason: 'Chime authorizes the ARN the request names',
    }).then((o) => o.decision);

  it('may assume and tag only the vending user role', async () => {
    expect(await ask('sts:AssumeRole', vendingUser.arn)).toBe('Allowed');
    expect(await ask('sts:TagSession', vendingUser.arn)).toBe('Allowed');
    for (const other of roles.filter((r) => r.logicalId !== vendingUser.logicalId)) {
      expect(await ask('sts:AssumeRole', other.arn)).toBe('ImplicitlyDenied');
      expect(await ask('sts:TagSession', other.arn)).toBe('ImplicitlyDenied');
    }
  });

  it('cannot act in Chime itself, nor manage IAM', async () => {
    expect(await ask('chime:SendChannelMessage', `${instanceArn}/channel/c-1`)).toBe(
      'ImplicitlyDenied',
    );
    expect(await ask('chime:CreateAppInstanceUser', `${instanceArn}/user/${ALICE}`)).toBe(
      'ImplicitlyDenied',
    );
    expect(await ask('iam:PassRole', vendingUser.arn)).toBe('ImplicitlyDenied');
    expect(await ask('iam:UpdateAssumeRolePolicy', vendingUser.arn)).toBe('ImplicitlyDenied');
  });
});
