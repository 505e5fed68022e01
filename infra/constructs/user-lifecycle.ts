import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import {
  CLOUDTRAIL_API_CALL_DETAIL_TYPE,
  COGNITO_IDP_EVENT_BUS_SOURCE,
  COGNITO_IDP_EVENT_SOURCE,
  DEFAULT_DELETE_BRAKE,
  type DeleteBrake,
  TOKEN_AUTHORIZED_EVENT_NAMES,
  USER_LIFECYCLE_ENV,
  USER_LIFECYCLE_EVENT_NAMES,
  USER_LIFECYCLE_METRICS,
  assertValidDeleteBrake,
} from '../../contracts/user-lifecycle';
import { ProjectNodejsFunction } from '../lambda-defaults';
import { acknowledgeNag, nagResourceName } from '../nag';

const LAMBDAS_DIR = path.join(__dirname, '..', '..', 'lambdas');

/** Metric namespace of the lifecycle functions (the project's one namespace). */
export const USER_LIFECYCLE_METRIC_NAMESPACE = 'ChimeCognitoAuth';

/** The reconcile may page through 100,000 users: the longest a Lambda function may run. */
export const RECONCILE_TIMEOUT = Duration.minutes(15);
/** One user's sync: a few calls, each retried with backoff on throttling. */
export const USER_EVENT_TIMEOUT = Duration.seconds(60);

/** The Chime identity actions on this AppInstance's users. */
export const LIFECYCLE_USER_ACTIONS = [
  'chime:CreateAppInstanceUser',
  'chime:DescribeAppInstanceUser',
  'chime:UpdateAppInstanceUser',
  'chime:DeleteAppInstanceUser',
] as const;

/**
 * Taking a departing user out of their channels, as that user (the bearer): the Chime SDK API
 * reference does not say DeleteAppInstanceUser removes memberships or moderator roles.
 */
export const LIFECYCLE_CHANNEL_ACTIONS = [
  'chime:ListChannelMembershipsForAppInstanceUser',
  'chime:ListChannelsModeratedByAppInstanceUser',
  'chime:DeleteChannelMembership',
  'chime:DeleteChannelModerator',
] as const;

/** Reading the user pool (both in Cognito's UserRead quota category). */
export const LIFECYCLE_COGNITO_ACTIONS = [
  'cognito-idp:ListUsers',
  'cognito-idp:AdminGetUser',
] as const;

/** The shortest schedule accepted: a run over a large pool takes minutes. */
const MIN_RATE = Duration.minutes(5);

/**
 * Parses `-c userReconcileSchedule=...`: `rate(<n> minute(s)|hour(s)|day(s))` of at least 5
 * minutes, or an EventBridge Scheduler `cron(<6 fields>)`. Throws an actionable error otherwise.
 */
export function parseReconcileSchedule(text: string): scheduler.ScheduleExpression {
  const value = text.trim();
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(value);
  if (rate) {
    const n = Number(rate[1]);
    const unit = rate[2]!.replace(/s$/, '');
    const duration =
      unit === 'minute'
        ? Duration.minutes(n)
        : unit === 'hour'
          ? Duration.hours(n)
          : Duration.days(n);
    if (duration.toSeconds() < MIN_RATE.toSeconds()) {
      throw new Error(`userReconcileSchedule must be at least rate(5 minutes), got '${value}'`);
    }
    return scheduler.ScheduleExpression.rate(duration);
  }
  const cron = /^cron\(([^()]+)\)$/.exec(value);
  if (cron && cron[1]!.trim().split(/\s+/).length === 6) {
    return scheduler.ScheduleExpression.expression(
      `cron(${cron[1]!.trim().split(/\s+/).join(' ')})`,
    );
  }
  throw new Error(
    `userReconcileSchedule must be 'rate(<n> minutes|hours|days)' (at least 5 minutes) or ` +
      `'cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>)', got '${value}'`,
  );
}

export interface UserLifecycleProps {
  /** ARN of the Chime AppInstance whose users mirror the pool. */
  readonly appInstanceArn: string;
  /** The user pool whose users get AppInstanceUsers (id = `sub`). */
  readonly userPool: cognito.IUserPool;

  /**
   * When the reconcile runs.
   * @default - every hour
   */
  readonly reconcileSchedule?: scheduler.ScheduleExpression;

  /**
   * The most a reconcile run may delete; over it, it deletes nothing and the brake alarm fires.
   * @default DEFAULT_DELETE_BRAKE (50 users or 5 %)
   */
  readonly deleteBrake?: DeleteBrake;

  /**
   * Sync a user within seconds of a delete, disable, enable or attribute change, from the
   * CloudTrail events of the user pool (needs a trail that logs management events: the account's,
   * or `createTrail`).
   * @default false
   */
  readonly userEvents?: boolean;

  /**
   * Create a single-region trail of write management events for `userEvents` (an account that
   * already has one should not: a second copy of management events is charged).
   * @default false
   */
  readonly createTrail?: boolean;

  /**
   * How long the trail's log files are kept.
   * @default Duration.days(365)
   */
  readonly trailRetention?: Duration;

  /**
   * Where the alarms notify (for example an SNS topic action).
   * @default - the alarms only change state
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];

  /**
   * Log level of the functions (Powertools `LOG_LEVEL`).
   * @default 'INFO'
   */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

  /**
   * Retention of the functions' log groups.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * What administrators do in the Cognito console reaches Chime (docs/user-lifecycle.md):
 *
 * - `reconcileFunction`, run by EventBridge Scheduler (hourly by default), pages through the pool
 *   and the AppInstance and repairs the drift: creates the AppInstanceUser of every confirmed,
 *   enabled user, renames, and deletes the AppInstanceUsers of deleted users (only ids of the
 *   pool's form, after taking them out of their channels), behind a safety brake;
 * - with `userEvents`, `userEventFunction` does the same for one user as soon as EventBridge
 *   delivers the CloudTrail event of a delete, disable, enable or attribute update;
 * - `failureAlarm` and `brakeAlarm` say when something needs a person.
 */
export class UserLifecycle extends Construct {
  public readonly reconcileFunction: ProjectNodejsFunction;
  public readonly schedule: scheduler.Schedule;
  public readonly userEventFunction?: ProjectNodejsFunction;
  public readonly userEventRule?: events.Rule;
  public readonly trail?: cloudtrail.Trail;
  public readonly trailBucket?: s3.Bucket;
  /** In alarm when a run failed, or a user could not be synced, in the last hour. */
  public readonly failureAlarm: cloudwatch.Alarm;
  /** In alarm when a run held back its deletions (the brake) in the last hour. */
  public readonly brakeAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: UserLifecycleProps) {
    super(scope, id);
    const brake = props.deleteBrake ?? DEFAULT_DELETE_BRAKE;
    assertValidDeleteBrake(brake);
    if (props.createTrail && !props.userEvents) {
      throw new Error('createTrail needs userEvents: the trail only exists to deliver user events');
    }

    const common = {
      environment: {
        [USER_LIFECYCLE_ENV.appInstanceArn]: props.appInstanceArn,
        [USER_LIFECYCLE_ENV.userPoolId]: props.userPool.userPoolId,
        [USER_LIFECYCLE_ENV.maxDeletePercent]: String(brake.maxPercent),
        [USER_LIFECYCLE_ENV.maxDeleteCount]: String(brake.maxCount),
        LOG_LEVEL: props.logLevel ?? 'INFO',
        POWERTOOLS_METRICS_NAMESPACE: USER_LIFECYCLE_METRIC_NAMESPACE,
      },
      ...(props.logRetention && { logRetention: props.logRetention }),
    };
    this.reconcileFunction = new ProjectNodejsFunction(this, 'Reconcile', {
      ...common,
      entry: path.join(LAMBDAS_DIR, 'user-reconcile.ts'),
      description:
        'Scheduled: repairs the drift between the Cognito user pool and the Chime AppInstanceUsers',
      serviceName: 'user-reconcile',
      timeout: RECONCILE_TIMEOUT,
      memorySize: 512,
      // A failed run is repeated once; after that the next scheduled run takes over.
      retryAttempts: 1,
    });
    this.grantLifecycle(this.reconcileFunction, props);

    // The scheduler's own role (LambdaInvoke grants it lambda:InvokeFunction on this function).
    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'EventBridge Scheduler: invokes the user reconcile function',
    });
    this.schedule = new scheduler.Schedule(this, 'ReconcileSchedule', {
      schedule: props.reconcileSchedule ?? scheduler.ScheduleExpression.rate(Duration.hours(1)),
      description: 'Reconciles the Cognito users with the Chime AppInstanceUsers',
      target: new schedulerTargets.LambdaInvoke(this.reconcileFunction, {
        role: schedulerRole,
        retryAttempts: 2,
        maxEventAge: Duration.hours(1),
      }),
    });
    acknowledgeNag(
      schedulerRole,
      `IAM5[Resource::<${Stack.of(this).getLogicalId(this.reconcileFunction.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
      "lambda:InvokeFunction on the reconcile function's versions and aliases (CDK's grantInvoke); nothing else",
    );

    if (props.userEvents) {
      this.userEventFunction = new ProjectNodejsFunction(this, 'UserEvent', {
        ...common,
        entry: path.join(LAMBDAS_DIR, 'user-event.ts'),
        description:
          "Syncs one user's Chime AppInstanceUser after a CloudTrail event of the user pool",
        serviceName: 'user-event',
        timeout: USER_EVENT_TIMEOUT,
      });
      this.grantLifecycle(this.userEventFunction, props);
      this.userEventRule = new events.Rule(this, 'UserEventRule', {
        description: "The user pool's delete, disable, enable and attribute-update calls",
        eventPattern: {
          source: [COGNITO_IDP_EVENT_BUS_SOURCE],
          detailType: [CLOUDTRAIL_API_CALL_DETAIL_TYPE],
          detail: {
            eventSource: [COGNITO_IDP_EVENT_SOURCE],
            eventName: [...USER_LIFECYCLE_EVENT_NAMES],
            // Administrator calls name the pool; a user's own calls (token) do not.
            $or: [
              { requestParameters: { userPoolId: [props.userPool.userPoolId] } },
              { eventName: [...TOKEN_AUTHORIZED_EVENT_NAMES] },
            ],
          },
        },
        targets: [
          new eventsTargets.LambdaFunction(this.userEventFunction, {
            retryAttempts: 4,
            maxEventAge: Duration.hours(2),
          }),
        ],
      });
      if (props.createTrail) {
        [this.trail, this.trailBucket] = this.createTrail(
          props.trailRetention ?? Duration.days(365),
        );
      }
    }

    const metric = (name: string, service: string) =>
      new cloudwatch.Metric({
        namespace: USER_LIFECYCLE_METRIC_NAMESPACE,
        metricName: name,
        dimensionsMap: { service },
        statistic: cloudwatch.Stats.SUM,
        period: Duration.hours(1),
      });
    const functions = [
      this.reconcileFunction,
      ...(this.userEventFunction ? [this.userEventFunction] : []),
    ];
    const failures = [
      metric(USER_LIFECYCLE_METRICS.runFailed, 'user-reconcile'),
      metric(USER_LIFECYCLE_METRICS.failed, 'user-reconcile'),
      ...(this.userEventFunction ? [metric(USER_LIFECYCLE_METRICS.failed, 'user-event')] : []),
      ...functions.map((fn) =>
        fn.metricErrors({ statistic: cloudwatch.Stats.SUM, period: Duration.hours(1) }),
      ),
    ];
    this.failureAlarm = new cloudwatch.Alarm(this, 'FailureAlarm', {
      alarmDescription:
        'User lifecycle: a reconcile run failed or a user could not be synced to Chime (see the user-reconcile / user-event logs); the next run retries',
      metric: new cloudwatch.MathExpression({
        expression: failures.map((_, i) => `FILL(m${i}, 0)`).join(' + '),
        usingMetrics: Object.fromEntries(failures.map((m, i) => [`m${i}`, m])),
        period: Duration.hours(1),
        label: 'UserLifecycleFailures',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.brakeAlarm = new cloudwatch.Alarm(this, 'BrakeAlarm', {
      alarmDescription:
        "User lifecycle: the reconcile's delete brake held back deletions (the log says how many and why); check the user pool, then 'npm run users -- reconcile'",
      metric: metric(USER_LIFECYCLE_METRICS.brake, 'user-reconcile'),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const action of props.alarmActions ?? []) {
      this.failureAlarm.addAlarmAction(action);
      this.brakeAlarm.addAlarmAction(action);
    }
  }

  /** The lifecycle permissions: this AppInstance's users and channels, this pool's users. */
  private grantLifecycle(fn: ProjectNodejsFunction, props: UserLifecycleProps): void {
    const users = `${props.appInstanceArn}/user/*`;
    const channels = `${props.appInstanceArn}/channel/*`;
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'AppInstanceUsers',
        actions: [...LIFECYCLE_USER_ACTIONS],
        resources: [users],
      }),
    );
    // The API names the AppInstance; the Service Authorization Reference lists the user resource
    // type: both, on this AppInstance only.
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ListAppInstanceUsers',
        actions: ['chime:ListAppInstanceUsers'],
        resources: [props.appInstanceArn, users],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'LeaveChannels',
        actions: [...LIFECYCLE_CHANNEL_ACTIONS],
        resources: [users, channels],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadUserPool',
        actions: [...LIFECYCLE_COGNITO_ACTIONS],
        resources: [props.userPool.userPoolArn],
      }),
    );
    if (fn.role) {
      acknowledgeNag(
        fn.role,
        `IAM5[Resource::${nagResourceName(this, users)}]`,
        "the AppInstanceUserIds are the pool's subs, unknown at deploy time; limited to this AppInstance's users and to the lifecycle actions",
      );
      acknowledgeNag(
        fn.role,
        `IAM5[Resource::${nagResourceName(this, channels)}]`,
        "a departing user's channels are any of this AppInstance's; only listing them and leaving them (membership, moderator role), as that user",
      );
    }
  }

  private createTrail(retention: Duration): [cloudtrail.Trail, s3.Bucket] {
    const bucket = new s3.Bucket(this, 'TrailBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: retention, noncurrentVersionExpiration: Duration.days(30) }],
    });
    acknowledgeNag(
      bucket,
      'S1',
      'the bucket only receives CloudTrail log files, which are themselves the access record (file validation on); server access logs would need a bucket of their own',
    );
    const trail = new cloudtrail.Trail(this, 'Trail', {
      bucket,
      isMultiRegionTrail: false,
      includeGlobalServiceEvents: false,
      managementEvents: cloudtrail.ReadWriteType.WRITE_ONLY,
      enableFileValidation: true,
      sendToCloudWatchLogs: false,
    });
    return [trail, bucket];
  }
}
