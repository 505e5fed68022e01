import { Match, type Template } from 'aws-cdk-lib/assertions';
import { USER_LIFECYCLE_EVENT_NAMES } from '../../contracts/user-lifecycle';
import { RECONCILE_TIMEOUT } from '../../infra/constructs/user-lifecycle';
import { LAMBDA_RUNTIME } from '../../infra/lambda-defaults';
import { onlyResource, synthFromContext } from './support';

type Resources = Record<
  string,
  { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string }
>;

/** `cdk synth -c ...` with cdk-nag, without bundling (only the template matters here). */
function synth(context: Record<string, string> = {}): Template {
  return synthFromContext({ webHosting: 'false', 'aws:cdk:bundling-stacks': [], ...context });
}

function functionByService(template: Template, service: string) {
  const functions = template.findResources('AWS::Lambda::Function', {
    Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: service } } },
  }) as Resources;
  const [entry, ...more] = Object.entries(functions);
  if (!entry || more.length > 0) throw new Error(`expected one ${service} function`);
  return { logicalId: entry[0], properties: entry[1].Properties! };
}

function statementsOfRole(template: Template, roleRef: unknown) {
  const roleId = (roleRef as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: roleId }] },
  }) as Resources;
  return Object.values(policies).flatMap(
    (p) => (p.Properties!.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
  );
}

describe('the default stack (reconcile always on, no events)', () => {
  let template: Template;
  beforeAll(() => {
    template = synth();
  });

  it('runs the reconcile function every hour with EventBridge Scheduler', () => {
    const reconcile = functionByService(template, 'user-reconcile');
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { 'Fn::GetAtt': [reconcile.logicalId, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
      },
    });
  });

  it('gives the reconcile function the longest timeout, the pool, the AppInstance and the brake', () => {
    const { properties } = functionByService(template, 'user-reconcile');
    expect(properties).toMatchObject({
      Runtime: LAMBDA_RUNTIME.name,
      Timeout: RECONCILE_TIMEOUT.toSeconds(),
      Environment: {
        Variables: {
          APP_INSTANCE_ARN: APP_INSTANCE_MATCH,
          USER_POOL_ID: { Ref: expect.stringMatching(/^UsersUserPool/) },
          RECONCILE_MAX_DELETE_PERCENT: '5',
          RECONCILE_MAX_DELETE_COUNT: '50',
          POWERTOOLS_METRICS_NAMESPACE: 'ChimeCognitoAuth',
        },
      },
    });
  });

  it('lets the reconcile function do its job and nothing else: no action or resource on *', () => {
    const { properties } = functionByService(template, 'user-reconcile');
    // Besides writing its own log group (the project's function default).
    const statements = statementsOfRole(template, properties.Role).filter(
      (s) => !JSON.stringify(s.Action).includes('logs:'),
    );
    expect(statements).toEqual([
      expect.objectContaining({
        Sid: 'AppInstanceUsers',
        Action: [
          'chime:CreateAppInstanceUser',
          'chime:DeleteAppInstanceUser',
          'chime:DescribeAppInstanceUser',
          'chime:UpdateAppInstanceUser',
        ],
        Resource: appInstancePathOf('/user/*'),
      }),
      expect.objectContaining({
        Sid: 'ListAppInstanceUsers',
        Action: 'chime:ListAppInstanceUsers',
        Resource: [APP_INSTANCE_MATCH, appInstancePathOf('/user/*')],
      }),
      expect.objectContaining({
        Sid: 'LeaveChannels',
        Action: [
          'chime:DeleteChannelMembership',
          'chime:DeleteChannelModerator',
          'chime:ListChannelMembershipsForAppInstanceUser',
          'chime:ListChannelsModeratedByAppInstanceUser',
        ],
        Resource: [appInstancePathOf('/channel/*'), appInstancePathOf('/user/*')],
      }),
      expect.objectContaining({
        Sid: 'ReadUserPool',
        Action: ['cognito-idp:AdminGetUser', 'cognito-idp:ListUsers'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^UsersUserPool/), 'Arn'] },
      }),
    ]);
    expect(JSON.stringify(statements)).not.toMatch(/"(Resource|Action)":"\*"/);
  });

  it("gives the scheduler a role of its own that may only invoke the function, for this account's schedules", () => {
    const schedule = onlyResource(template, 'AWS::Scheduler::Schedule').properties;
    const role = (template.toJSON().Resources as Resources)[
      (schedule.Target as { RoleArn: { 'Fn::GetAtt': [string] } }).RoleArn['Fn::GetAtt'][0]
    ]!;
    expect(role.Properties!.AssumeRolePolicyDocument).toMatchObject({
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        },
      ],
    });
    const statements = statementsOfRole(
      template,
      (schedule.Target as { RoleArn: unknown }).RoleArn,
    );
    expect(statements).toEqual([
      expect.objectContaining({ Action: 'lambda:InvokeFunction', Effect: 'Allow' }),
    ]);
  });

  it('has no event rule, no event function and no trail', () => {
    template.resourceCountIs('AWS::Events::Rule', 0);
    template.resourceCountIs('AWS::CloudTrail::Trail', 0);
    expect(() => functionByService(template, 'user-event')).toThrow();
  });

  it('alarms on failures (runs, single users, function errors) and on the brake', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp('^User lifecycle: a reconcile run failed'),
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      Metrics: Match.arrayWith([
        Match.objectLike({
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({ MetricName: 'ReconcileRunFailed' }),
          }),
        }),
        Match.objectLike({
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({ MetricName: 'UserSyncFailures' }),
          }),
        }),
        Match.objectLike({
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({ MetricName: 'Errors', Namespace: 'AWS/Lambda' }),
          }),
        }),
      ]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp('delete brake'),
      MetricName: 'ReconcileBrakeEngaged',
      Namespace: 'ChimeCognitoAuth',
      Dimensions: [{ Name: 'service', Value: 'user-reconcile' }],
      Threshold: 1,
      Period: 3600,
    });
  });
});

// Reused matchers for plain toEqual comparisons (not Template matchers).
const APP_INSTANCE_MATCH = {
  'Fn::GetAtt': [expect.stringMatching(/^AppInstance/), 'AppInstanceArn'],
};
const appInstancePathOf = (suffix: string) => ({ 'Fn::Join': ['', [APP_INSTANCE_MATCH, suffix]] });

describe('configuration from context', () => {
  it.each([
    ['rate(15 minutes)', 'rate(15 minutes)'],
    ['rate(1 day)', 'rate(1 day)'],
    ['rate(2 hours)', 'rate(2 hours)'],
    ['cron(0 3 * * ? *)', 'cron(0 3 * * ? *)'],
  ])('-c userReconcileSchedule=%s', (value, expression) => {
    synth({ userReconcileSchedule: value }).hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: expression,
    });
  });

  it.each([
    ['rate(1 minute)', 'at least rate(5 minutes)'],
    ['rate(4 minutes)', 'at least rate(5 minutes)'],
    ['every hour', "must be 'rate(<n> minutes|hours|days)'"],
    ['cron(0 3 * * ?)', "must be 'rate("],
    ['at(2030-01-01T00:00:00)', "got 'at(2030-01-01T00:00:00)'"],
  ])('refuses -c userReconcileSchedule=%s', (value, message) => {
    expect(() => synth({ userReconcileSchedule: value })).toThrow(message);
  });

  it('sets the brake from -c userReconcileMaxDeletes / userReconcileMaxDeletePercent, and refuses nonsense', () => {
    const { properties } = functionByService(
      synth({ userReconcileMaxDeletes: '10', userReconcileMaxDeletePercent: '2.5' }),
      'user-reconcile',
    );
    expect(properties.Environment).toMatchObject({
      Variables: { RECONCILE_MAX_DELETE_COUNT: '10', RECONCILE_MAX_DELETE_PERCENT: '2.5' },
    });
    expect(() => synth({ userReconcileMaxDeletes: 'many' })).toThrow(/whole number, got 'many'/);
    expect(() => synth({ userReconcileMaxDeletePercent: '150' })).toThrow(/0 to 100, got '150'/);
  });

  it('refuses createTrail without userEvents', () => {
    expect(() => synth({ createTrail: 'true' })).toThrow(/needs 'userEvents=true'/);
  });
});

describe('-c userEvents=true -c createTrail=true', () => {
  let template: Template;
  beforeAll(() => {
    template = synth({ userEvents: 'true', createTrail: 'true' });
  });

  it("sends the pool's lifecycle calls (administrator calls on this pool, users' own calls) to the event function", () => {
    const fn = functionByService(template, 'user-event');
    template.hasResourceProperties('AWS::Events::Rule', {
      State: 'ENABLED',
      EventPattern: {
        source: ['aws.cognito-idp'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['cognito-idp.amazonaws.com'],
          eventName: [...USER_LIFECYCLE_EVENT_NAMES],
          $or: [
            {
              requestParameters: {
                userPoolId: [{ Ref: Match.stringLikeRegexp('^UsersUserPool') }],
              },
            },
            { eventName: ['DeleteUser', 'UpdateUserAttributes'] },
          ],
        },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [fn.logicalId, 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 7200 },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [fn.logicalId, 'Arn'] },
      Principal: 'events.amazonaws.com',
    });
    expect(fn.properties.Environment).toMatchObject({
      Variables: { USER_POOL_ID: { Ref: expect.stringMatching(/^UsersUserPool/) } },
    });
  });

  it('creates a single-region trail of write management events, file validation on', () => {
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      IsLogging: true,
      IsMultiRegionTrail: false,
      IncludeGlobalServiceEvents: false,
      EnableLogFileValidation: true,
      EventSelectors: [{ IncludeManagementEvents: true, ReadWriteType: 'WriteOnly' }],
    });
  });

  it('keeps the trail in an encrypted, versioned, private, retained bucket reachable over TLS only', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
          ],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        LifecycleConfiguration: {
          Rules: [Match.objectLike({ ExpirationInDays: 365, Status: 'Enabled' })],
        },
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });
});
