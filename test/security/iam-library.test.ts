import {
  assumedRoleSessionArn,
  evaluateIdentityRequest,
  evaluateTrustPolicy,
  PolicyEvaluationError,
} from '../../sandbox/iam/evaluate';
import {
  asTemplate,
  resolveIntrinsics,
  TemplateResolutionError,
  type CfnTemplate,
} from '../../sandbox/cloudformation/template';
import { fakeEnvironment, fakeRoleId } from '../../sandbox/cloudformation/fake-environment';
import { listRoles } from '../../sandbox/iam/roles';

const template: CfnTemplate = asTemplate({
  Parameters: { Stage: { Type: 'String', Default: 'dev' } },
  Mappings: { Regions: { 'us-east-1': { Short: 'use1' } } },
  Conditions: {
    IsDev: { 'Fn::Equals': [{ Ref: 'Stage' }, 'dev'] },
    IsNotDev: { 'Fn::Not': [{ Condition: 'IsDev' }] },
  },
  Resources: {
    Pool: { Type: 'AWS::Cognito::IdentityPool', Properties: {} },
    Instance: { Type: 'AWS::Chime::AppInstance', Properties: {} },
    Fn: { Type: 'AWS::Lambda::Function', Properties: {} },
    FnRole: {
      Type: 'AWS::IAM::Role',
      Metadata: { 'aws:cdk:path': 'Stack/Fn/ServiceRole/Resource' },
      Properties: {
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'lambda.amazonaws.com' },
              Action: 'sts:AssumeRole',
            },
          ],
        },
        ManagedPolicyArns: [
          {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
              ],
            ],
          },
          'arn:aws:iam::aws:policy/SomethingElse',
        ],
        Policies: [
          {
            PolicyName: 'Inline',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Action: 'chime:DescribeAppInstanceUser',
                  Resource: { 'Fn::Sub': '${Instance.AppInstanceArn}/user/*' },
                },
              ],
            },
          },
        ],
      },
    },
    FnPolicy: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        PolicyName: 'Extra',
        Roles: [{ Ref: 'FnRole' }],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'chime:SendChannelMessage',
              Resource: {
                'Fn::If': ['IsDev', { 'Fn::Sub': '${Instance.AppInstanceArn}/channel/*' }, '*'],
              },
            },
            { Ref: 'AWS::NoValue' },
          ],
        },
      },
    },
  },
});
const env = fakeEnvironment(template, { accountId: '111122223333', region: 'us-east-1' });

describe('template resolution', () => {
  it('resolves pseudo parameters, Ref, GetAtt, Join, Sub, Select, Split, FindInMap, If', () => {
    const instanceArn = env.resources.Instance!.attributes.AppInstanceArn!;
    expect(instanceArn).toMatch(
      /^arn:aws:chime:us-east-1:111122223333:app-instance\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(env.resources.Pool!.ref).toMatch(/^us-east-1:[0-9a-f-]{36}$/);
    const value = resolveIntrinsics(
      {
        join: { 'Fn::Join': ['-', [{ Ref: 'AWS::Region' }, { Ref: 'AWS::AccountId' }]] },
        sub: { 'Fn::Sub': ['${X}/${Pool}/${!Literal}', { X: { Ref: 'AWS::Partition' } }] },
        getAtt: { 'Fn::GetAtt': 'Instance.AppInstanceArn' },
        select: { 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] },
        map: { 'Fn::FindInMap': ['Regions', { Ref: 'AWS::Region' }, 'Short'] },
        ifTrue: { 'Fn::If': ['IsDev', 'yes', 'no'] },
        ifFalse: { 'Fn::If': ['IsNotDev', 'yes', 'no'] },
        stackSuffix: {
          'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }],
        },
        dropped: { Ref: 'AWS::NoValue' },
      },
      template,
      env,
    );
    expect(value).toEqual({
      join: 'us-east-1-111122223333',
      sub: `aws/${env.resources.Pool!.ref}/\${Literal}`,
      getAtt: instanceArn,
      select: 'b',
      map: 'use1',
      ifTrue: 'yes',
      ifFalse: 'no',
      stackSuffix: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  it("gives each role IAM's unique-id shape (AROA + 17 base32), stable per role ARN", () => {
    const a = fakeRoleId('arn:aws:iam::111122223333:role/A');
    expect(a).toMatch(/^AROA[A-Z2-7]{17}$/);
    expect(fakeRoleId('arn:aws:iam::111122223333:role/A')).toBe(a);
    expect(fakeRoleId('arn:aws:iam::111122223333:role/B')).not.toBe(a);
  });

  it('is deterministic, so generated documents are diffable', () => {
    expect(fakeEnvironment(template, { accountId: '111122223333' })).toEqual(env);
  });

  it('fails loudly on what it cannot resolve', () => {
    expect(() => resolveIntrinsics({ Ref: 'Missing' }, template, env)).toThrow(
      /resource Missing does not exist/,
    );
    expect(() => resolveIntrinsics({ 'Fn::GetAtt': ['Fn', 'Nope'] }, template, env)).toThrow(
      /no fake value for Fn.Nope/,
    );
    expect(() => resolveIntrinsics({ 'Fn::ImportValue': 'x' }, template, env)).toThrow(
      TemplateResolutionError,
    );
    // CloudFormation refuses an unescaped IAM variable inside Fn::Sub; so do we.
    expect(() =>
      resolveIntrinsics({ 'Fn::Sub': 'x/${aws:PrincipalTag/k}' }, template, env),
    ).toThrow(/aws:PrincipalTag\/k does not exist/);
  });

  it('lists roles with inline, standalone and AWS managed policies', () => {
    const [role, ...others] = listRoles(template, env);
    expect(others).toHaveLength(0);
    expect(role).toMatchObject({
      logicalId: 'FnRole',
      path: 'Stack/Fn/ServiceRole/Resource',
      arn: expect.stringMatching(/^arn:aws:iam::111122223333:role\//),
      unknownManagedPolicyArns: ['arn:aws:iam::aws:policy/SomethingElse'],
    });
    expect(role!.policies.map((p) => [p.source, p.name])).toEqual([
      ['inline', 'FnRole/Inline'],
      ['AWS::IAM::Policy', 'FnPolicy/Extra'],
      ['aws-managed', 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
    ]);
    expect(role!.policies[1]!.document.Statement).toHaveLength(1);
  });
});

describe('policy evaluation', () => {
  const role = listRoles(template, env)[0]!;
  const principalArn = assumedRoleSessionArn(role.arn, 'fn');
  const instanceArn = env.resources.Instance!.attributes.AppInstanceArn!;
  const otherInstanceArn = instanceArn.replace(/app-instance\/.*/, 'app-instance/other');

  it('decides identity requests with the engine', async () => {
    const ask = (action: string, resource: string) =>
      evaluateIdentityRequest({ policies: role.policies, action, resource, principalArn });
    await expect(ask('chime:DescribeAppInstanceUser', `${instanceArn}/user/u1`)).resolves.toEqual(
      expect.objectContaining({ decision: 'Allowed', validated: true }),
    );
    await expect(
      ask('chime:DescribeAppInstanceUser', `${otherInstanceArn}/user/u1`),
    ).resolves.toEqual(expect.objectContaining({ decision: 'ImplicitlyDenied' }));
    await expect(ask('logs:CreateLogGroup', '*')).rejects.toThrow(/concrete resource ARN/);
    await expect(
      ask('logs:CreateLogGroup', 'arn:aws:logs:us-east-1:111122223333:log-group:g'),
    ).resolves.toEqual(expect.objectContaining({ decision: 'Allowed' }));
  });

  it('substitutes principal tags in resources', async () => {
    const policies = [
      {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow' as const,
            Action: 'chime:Connect',
            Resource: `${instanceArn}/user/\${aws:PrincipalTag/uid}`,
          },
        ],
      },
    ];
    const connect = (user: string, uid?: string) =>
      evaluateIdentityRequest({
        policies,
        action: 'chime:Connect',
        resource: `${instanceArn}/user/${user}`,
        principalArn,
        ...(uid !== undefined && { principalTags: { uid } }),
      });
    expect((await connect('alice', 'alice')).allowed).toBe(true);
    expect((await connect('bob', 'alice')).allowed).toBe(false);
    expect((await connect('alice')).allowed).toBe(false);
  });

  it('refuses requests whose context keys the engine would drop', async () => {
    await expect(
      evaluateIdentityRequest({
        policies: role.policies,
        action: 'chime:DescribeAppInstanceUser',
        resource: `${instanceArn}/user/u1`,
        principalArn,
        context: { 'cognito-identity.amazonaws.com:aud': 'x' },
      }),
    ).rejects.toThrow(PolicyEvaluationError);
  });

  it('evaluates unlisted resources only when told why', async () => {
    const policies = [
      {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow' as const,
            Action: 'chime:CreateAppInstanceUser',
            Resource: instanceArn,
          },
        ],
      },
    ];
    const create = (resource: string, reason?: string) =>
      evaluateIdentityRequest({
        policies,
        action: 'chime:CreateAppInstanceUser',
        resource,
        principalArn,
        ...(reason && { unlistedResourceReason: reason }),
      });
    await expect(create(instanceArn)).rejects.toThrow(/must.use.wildcard/);
    await expect(create(instanceArn, 'the API names the AppInstance')).resolves.toEqual(
      expect.objectContaining({ decision: 'Allowed', validated: false }),
    );
    expect((await create(otherInstanceArn, 'the API names the AppInstance')).allowed).toBe(false);
  });

  it('evaluates trust policies for web identity, session tags and AssumeRole', async () => {
    const poolId = env.resources.Pool!.ref;
    const trustPolicy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow' as const,
          Principal: { Federated: 'cognito-identity.amazonaws.com' },
          Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
          Condition: {
            StringEquals: { 'cognito-identity.amazonaws.com:aud': poolId },
            'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
          },
        },
      ],
    };
    const trust = (action: string, aud: string, amr: string, principal?: string) =>
      evaluateTrustPolicy({
        trustPolicy,
        roleArn: role.arn,
        action,
        principal: principal ?? 'cognito-identity.amazonaws.com',
        context: {
          'cognito-identity.amazonaws.com:aud': aud,
          'cognito-identity.amazonaws.com:amr': [amr],
        },
        requestTags: { uid: 'alice' },
      });
    expect((await trust('sts:AssumeRoleWithWebIdentity', poolId, 'authenticated')).allowed).toBe(
      true,
    );
    expect((await trust('sts:TagSession', poolId, 'authenticated')).allowed).toBe(true);
    expect((await trust('sts:TagSession', poolId, 'unauthenticated')).allowed).toBe(false);
    expect((await trust('sts:TagSession', 'us-east-1:other', 'authenticated')).allowed).toBe(false);
    expect((await trust('sts:AssumeRoleWithWebIdentity', poolId, 'unauthenticated')).allowed).toBe(
      false,
    );
    expect((await trust('sts:AssumeRole', poolId, 'authenticated')).allowed).toBe(false);
    expect(
      (await trust('sts:AssumeRoleWithWebIdentity', poolId, 'authenticated', 'accounts.google.com'))
        .allowed,
    ).toBe(false);
  });
});

describe('session policies on the unvalidated path', () => {
  const env = fakeEnvironment(template, { accountId: '111122223333' });
  const instanceArn = env.resources.Instance!.attributes.AppInstanceArn!;
  const principalArn = 'arn:aws:sts::111122223333:assumed-role/r/s';
  const policies = [
    {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow' as const,
          Action: 'chime:CreateAppInstanceUser',
          Resource: `${instanceArn}/user/*`,
        },
      ],
    },
  ];
  const create = (sessionPolicy: object) =>
    evaluateIdentityRequest({
      policies,
      action: 'chime:CreateAppInstanceUser',
      resource: `${instanceArn}/user/u1`,
      principalArn,
      unlistedResourceReason: 'the API names the AppInstance',
      sessionPolicy: sessionPolicy as never,
    });

  it('allows only what the identity and the session policies both allow', async () => {
    const allowAll = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'chime:*', Resource: '*' }],
    };
    const allowOther = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'chime:Connect', Resource: '*' }],
    };
    const denyAll = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }],
    };
    expect((await create(allowAll)).decision).toBe('Allowed');
    expect((await create(allowOther)).decision).toBe('ImplicitlyDenied');
    expect((await create(denyAll)).decision).toBe('ExplicitlyDenied');
  });
});
