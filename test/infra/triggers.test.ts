import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import {
  APP_INSTANCE_USER_SYNC_ACTIONS,
  AppInstanceUserSync,
  TRIGGER_TIMEOUT,
} from '../../infra/constructs/app-instance-user-sync';
import { LAMBDA_RUNTIME } from '../../infra/lambda-defaults';
import { defaultTemplate, onlyResource, testApp } from './support';

type Resources = Record<
  string,
  { Type: string; Properties?: Record<string, unknown>; DependsOn?: string[] }
>;

/** GIVEN the real stack, synthesized as `cdk synth` does (cdk-nag included; bundling skipped). */
let template: Template;
beforeAll(() => {
  template = defaultTemplate();
});

function resourceByRef(value: unknown): { logicalId: string; properties: Record<string, unknown> } {
  const getAtt = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  if (!getAtt) throw new Error(`expected Fn::GetAtt, got ${JSON.stringify(value)}`);
  const resources = template.toJSON().Resources as Resources;
  const resource = resources[getAtt[0]];
  if (!resource) throw new Error(`no resource ${getAtt[0]}`);
  return { logicalId: getAtt[0], properties: resource.Properties ?? {} };
}

function triggerFunctions() {
  const config = onlyResource(template, 'AWS::Cognito::UserPool').properties.LambdaConfig as Record<
    string,
    unknown
  >;
  return {
    config,
    postConfirmation: resourceByRef(config.PostConfirmation),
    signInHeal: resourceByRef(config.PostAuthentication),
    preTokenGeneration: resourceByRef(config.PreTokenGeneration),
  };
}

/** Every statement of the policies attached to `roleLogicalId`. */
function statementsOfRole(roleLogicalId: string) {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: roleLogicalId }] },
  }) as Resources;
  return Object.values(policies).flatMap(
    (p) =>
      (p.Properties?.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement,
  );
}

describe('user pool triggers', () => {
  test('post confirmation, post authentication and pre token generation are wired, nothing else', () => {
    const { config, signInHeal, preTokenGeneration, postConfirmation } = triggerFunctions();
    expect(Object.keys(config).sort()).toEqual([
      'PostAuthentication',
      'PostConfirmation',
      'PreTokenGeneration',
    ]);
    // One healing function serves both sign-in triggers (shared warm containers).
    expect(preTokenGeneration.logicalId).toBe(signInHeal.logicalId);
    expect(postConfirmation.logicalId).not.toBe(signInHeal.logicalId);
  });

  test.each(['postConfirmation', 'signInHeal'] as const)(
    '%s: latest Node.js runtime, ARM64, timeout under 5 s, AppInstance ARN in the environment',
    (name) => {
      const fn = triggerFunctions()[name].properties;
      expect(fn.Runtime).toBe(LAMBDA_RUNTIME.name);
      expect(fn.Runtime).toBe('nodejs24.x');
      expect(fn.Architectures).toEqual(['arm64']);
      expect(fn.Timeout).toBe(TRIGGER_TIMEOUT.toSeconds());
      expect(fn.Timeout).toBeLessThan(5);
      expect(fn.Handler).toBe('index.handler');
      expect(fn.LoggingConfig).toMatchObject({ LogFormat: 'JSON', ApplicationLogLevel: 'INFO' });
      expect((fn.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({
        APP_INSTANCE_ARN: {
          'Fn::GetAtt': [expect.stringMatching(/^AppInstance/), 'AppInstanceArn'],
        },
        LOG_LEVEL: 'INFO',
      });
    },
  );

  test.each(['postConfirmation', 'signInHeal'] as const)(
    '%s: Chime permissions are create/describe on this AppInstance users only, nothing on *',
    (name) => {
      const role = resourceByRef(triggerFunctions()[name].properties.Role);
      const statements = statementsOfRole(role.logicalId);
      const chime = statements.filter((s) =>
        [s.Action].flat().some((a) => String(a).startsWith('chime:')),
      );
      expect(chime).toEqual([
        {
          Sid: 'AppInstanceUsers',
          Effect: 'Allow',
          Action: [...APP_INSTANCE_USER_SYNC_ACTIONS],
          Resource: {
            'Fn::Join': [
              '',
              [
                { 'Fn::GetAtt': [expect.stringMatching(/^AppInstance/), 'AppInstanceArn'] },
                '/user/*',
              ],
            ],
          },
        },
      ]);
      for (const s of statements) expect(s.Resource).not.toBe('*');
      // No AWSLambdaBasicExecutionRole (logs:* on *): the role writes only to its own log group.
      expect(role.properties.ManagedPolicyArns).toBeUndefined();
    },
  );

  test('no dependency cycle: neither function nor its policy refers to the user pool', () => {
    const userPool = onlyResource(template, 'AWS::Cognito::UserPool').logicalId;
    const { postConfirmation, signInHeal } = triggerFunctions();
    const resources = template.toJSON().Resources as Resources;
    for (const fn of [postConfirmation, signInHeal]) {
      const role = resourceByRef(fn.properties.Role).logicalId;
      const related = Object.entries(resources).filter(
        ([id, r]) =>
          id === fn.logicalId ||
          id === role ||
          JSON.stringify(r.Properties?.Roles ?? []).includes(role),
      );
      for (const [, r] of related) expect(JSON.stringify(r)).not.toContain(userPool);
    }
  });

  test('Cognito may invoke each trigger only for this user pool', () => {
    const userPool = onlyResource(template, 'AWS::Cognito::UserPool').logicalId;
    const { postConfirmation, signInHeal } = triggerFunctions();
    const permissions = template.findResources('AWS::Lambda::Permission', {
      Properties: { FunctionName: { 'Fn::GetAtt': [signInHeal.logicalId, 'Arn'] } },
    });
    expect(Object.keys(permissions)).toHaveLength(2); // post authentication + pre token generation
    for (const fn of [postConfirmation, signInHeal]) {
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        Principal: 'cognito-idp.amazonaws.com',
        FunctionName: { 'Fn::GetAtt': [fn.logicalId, 'Arn'] },
        SourceArn: { 'Fn::GetAtt': [userPool, 'Arn'] },
      });
    }
  });

  test('each function logs to its own log group with a retention', () => {
    const { postConfirmation } = triggerFunctions();
    const logGroupRef = (postConfirmation.properties.LoggingConfig as { LogGroup: { Ref: string } })
      .LogGroup.Ref;
    const groups = template.findResources('AWS::Logs::LogGroup') as Resources;
    expect(groups[logGroupRef]?.Properties).toMatchObject({ RetentionInDays: 30 });
  });
});

describe('sync failure alarm', () => {
  test('sums AppInstanceUserSyncFailed over every trigger the handlers report', () => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { AlarmDescription: Match.stringLikeRegexp('AppInstanceUsers') },
    }) as Resources;
    const [alarm] = Object.values(alarms);
    expect(Object.keys(alarms)).toHaveLength(1);
    const props = alarm?.Properties as {
      Threshold: number;
      ComparisonOperator: string;
      TreatMissingData: string;
      Metrics: Array<{
        Expression?: string;
        MetricStat?: {
          Metric: { Namespace: string; MetricName: string; Dimensions: Array<{ Value: string }> };
        };
      }>;
    };
    expect(props).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    const stats = props.Metrics.flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric] : []));
    expect(stats.map((m) => m.MetricName)).toEqual(Array(3).fill('AppInstanceUserSyncFailed'));
    expect(stats.map((m) => m.Namespace)).toEqual(Array(3).fill('ChimeCognitoAuth'));
    // The dimensions match what the handlers publish: service name and trigger.
    const { postConfirmation, signInHeal } = triggerFunctions();
    const serviceOf = (fn: { properties: Record<string, unknown> }) =>
      (fn.properties.Environment as { Variables: Record<string, string> }).Variables
        .POWERTOOLS_SERVICE_NAME;
    expect(stats.map((m) => m.Dimensions.map((d) => d.Value).sort())).toEqual([
      ['PostConfirmation', serviceOf(postConfirmation)].sort(),
      ['PostAuthentication', serviceOf(signInHeal)].sort(),
      ['PreTokenGeneration', serviceOf(signInHeal)].sort(),
    ]);
    expect(props.Metrics.some((m) => m.Expression?.includes('FILL(m0, 0)'))).toBe(true);
  });
});

describe('AppInstanceUserSync construct', () => {
  test('can be attached to any user pool through its triggers', () => {
    // GIVEN
    const stack = new Stack(testApp(), 'Standalone', { env: { region: 'us-east-1' } });
    const sync = new AppInstanceUserSync(stack, 'Sync', {
      appInstanceArn: 'arn:aws:chime:us-east-1:123456789012:app-instance/abc',
      logLevel: 'DEBUG',
    });

    // WHEN
    new cognito.UserPool(stack, 'Pool', { lambdaTriggers: sync.triggers });

    // THEN
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: {
        PostConfirmation: {
          'Fn::GetAtt': [Match.stringLikeRegexp('^SyncPostConfirmation'), 'Arn'],
        },
        PostAuthentication: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SyncSignInHeal'), 'Arn'] },
        PreTokenGeneration: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SyncSignInHeal'), 'Arn'] },
        PreSignUp: Match.absent(),
      },
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Resource: 'arn:aws:chime:us-east-1:123456789012:app-instance/abc/user/*',
          }),
        ]),
      },
    });
    t.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      {
        Environment: { Variables: Match.objectLike({ LOG_LEVEL: 'DEBUG' }) },
        LoggingConfig: Match.objectLike({ ApplicationLogLevel: 'DEBUG' }),
      },
      2,
    );
  });
});
