import * as path from 'node:path';
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { appInstanceUsersArn } from '../../contracts/chime-arns';
import { POWERTOOLS_ENV, TRIGGER_ENV } from '../../contracts/lambda-environment';
import { ProjectNodejsFunction } from '../lambda-defaults';
import { acknowledgeNag, nagResourceName } from '../nag';

/** Below Cognito's hard 5-second limit per trigger attempt (the handlers stop Chime work earlier). */
export const TRIGGER_TIMEOUT = Duration.seconds(4);

/** The only Chime actions the triggers need, on this AppInstance's users only. */
export const APP_INSTANCE_USER_SYNC_ACTIONS = [
  'chime:CreateAppInstanceUser',
  'chime:DescribeAppInstanceUser',
] as const;

/** Metric namespace of the triggers (`AppInstanceUserCreated`, `AppInstanceUserSyncFailed`). */
export const APP_INSTANCE_USER_SYNC_METRIC_NAMESPACE = 'ChimeCognitoAuth';

const LAMBDAS_DIR = path.join(__dirname, '..', '..', 'lambdas');

export interface AppInstanceUserSyncProps {
  /** ARN of the Chime AppInstance the users are created in. */
  readonly appInstanceArn: string;

  /**
   * Log level of the trigger functions (Powertools `LOG_LEVEL`).
   * @default 'INFO'
   */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

  /**
   * Retention of the functions' log groups.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Removal policy of the functions' log groups.
   * @default RemovalPolicy.DESTROY
   */
  readonly logRemovalPolicy?: RemovalPolicy;

  /**
   * Where the `syncFailedAlarm` notifies (for example an SNS topic action).
   * @default - the alarm only changes state
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];
}

/**
 * The Cognito triggers that give every user exactly one Chime AppInstanceUser, whose id is the
 * user's `sub`:
 *
 * - `postConfirmation` creates it when a sign-up is confirmed (and on a federated first sign-in);
 * - `signInHeal`, wired as post authentication and as pre token generation, heals everyone else on
 *   sign-in (administrator-created users, failed post-confirmations): post authentication covers
 *   API sign-ins, pre token generation (`TokenGeneration_HostedAuth`, local users only) the managed
 *   login pages. At most one idempotent Chime call per sign-in, none per token refresh.
 *
 * Pass {@link triggers} to the user pool's `lambdaTriggers`. The functions' permissions name the
 * AppInstance only, never the user pool, so there is no UserPool -> Function -> Policy -> UserPool
 * cycle.
 */
export class AppInstanceUserSync extends Construct {
  public readonly postConfirmation: ProjectNodejsFunction;
  /** Post-authentication and pre-token-generation trigger (one function, two triggers). */
  public readonly signInHeal: ProjectNodejsFunction;
  /** Ready for `UserPoolProps.lambdaTriggers`. */
  public readonly triggers: cognito.UserPoolTriggers;
  /**
   * In alarm when any trigger gave up creating an AppInstanceUser in the last 5 minutes (Chime
   * down, throttled or misconfigured). The users are healed at their next sign-in.
   */
  public readonly syncFailedAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: AppInstanceUserSyncProps) {
    super(scope, id);
    const usersArn = appInstanceUsersArn(props.appInstanceArn);

    const common = {
      timeout: TRIGGER_TIMEOUT,
      // These run synchronously on the sign-in path: the AWS SDK is bundled, which loads 15-23 %
      // faster than the runtime's copy (measured in docs/triggers.md), and pins the SDK the tests
      // ran against.
      bundling: { bundleAwsSDK: true, externalModules: [] },
      environment: {
        [TRIGGER_ENV.appInstanceArn]: props.appInstanceArn,
        [POWERTOOLS_ENV.logLevel]: props.logLevel ?? 'INFO',
        [POWERTOOLS_ENV.metricsNamespace]: APP_INSTANCE_USER_SYNC_METRIC_NAMESPACE,
      },
      ...(props.logRetention && { logRetention: props.logRetention }),
      ...(props.logRemovalPolicy && { logRemovalPolicy: props.logRemovalPolicy }),
    };
    this.postConfirmation = new ProjectNodejsFunction(this, 'PostConfirmation', {
      ...common,
      entry: path.join(LAMBDAS_DIR, 'post-confirmation.ts'),
      description: 'Cognito post-confirmation: creates the Chime AppInstanceUser of the new user',
      serviceName: 'post-confirmation',
    });
    this.signInHeal = new ProjectNodejsFunction(this, 'SignInHeal', {
      ...common,
      entry: path.join(LAMBDAS_DIR, 'sign-in-heal.ts'),
      description:
        'Cognito post-authentication and pre-token-generation: creates the Chime AppInstanceUser if it is missing',
      serviceName: 'sign-in-heal',
    });

    for (const fn of [this.postConfirmation, this.signInHeal]) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'AppInstanceUsers',
          actions: [...APP_INSTANCE_USER_SYNC_ACTIONS],
          resources: [usersArn],
        }),
      );
      if (fn.role) {
        acknowledgeNag(
          fn.role,
          `IAM5[Resource::${nagResourceName(this, usersArn)}]`,
          'the AppInstanceUserId is the sub of whichever user signs up or in, unknown at deploy time; the wildcard is limited to users of this one AppInstance and to create/describe',
        );
      }
    }

    // The handlers publish the metric with dimensions `service` and `Trigger`: add them all up.
    const failures = (
      [
        ['post-confirmation', 'PostConfirmation'],
        ['sign-in-heal', 'PostAuthentication'],
        ['sign-in-heal', 'PreTokenGeneration'],
      ] as const
    ).map(
      ([service, trigger]) =>
        new cloudwatch.Metric({
          namespace: APP_INSTANCE_USER_SYNC_METRIC_NAMESPACE,
          metricName: 'AppInstanceUserSyncFailed',
          dimensionsMap: { service, Trigger: trigger },
          statistic: cloudwatch.Stats.SUM,
          period: Duration.minutes(5),
        }),
    );
    this.syncFailedAlarm = new cloudwatch.Alarm(this, 'SyncFailedAlarm', {
      alarmDescription:
        'Cognito triggers could not create Chime AppInstanceUsers (see the functions logs for the sub); the users are healed at their next sign-in',
      metric: new cloudwatch.MathExpression({
        expression: failures.map((_, i) => `FILL(m${i}, 0)`).join(' + '),
        usingMetrics: Object.fromEntries(failures.map((m, i) => [`m${i}`, m])),
        period: Duration.minutes(5),
        label: 'AppInstanceUserSyncFailed',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const action of props.alarmActions ?? []) this.syncFailedAlarm.addAlarmAction(action);

    this.triggers = {
      postConfirmation: this.postConfirmation,
      postAuthentication: this.signInHeal,
      preTokenGeneration: this.signInHeal,
    };
  }
}
