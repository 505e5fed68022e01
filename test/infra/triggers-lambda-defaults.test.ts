import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LAMBDA_RUNTIME, ProjectNodejsFunction } from '../../infra/lambda-defaults';
import { testApp } from './support';

const ENTRY = path.join(__dirname, '..', '..', 'lambdas', 'lib', 'env.ts');

function stack() {
  return new Stack(testApp(), 'Defaults', { env: { region: 'us-east-1' } });
}

describe('ProjectNodejsFunction', () => {
  test('invariants win over the caller: runtime, architecture, JSON logs to its own group', () => {
    // GIVEN a caller asking for an old runtime on x86
    const s = stack();
    new ProjectNodejsFunction(s, 'Fn', {
      entry: ENTRY,
      runtime: lambda.Runtime.NODEJS_18_X,
      architecture: lambda.Architecture.X86_64,
      environment: { FOO: 'bar' },
    });

    // THEN
    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: LAMBDA_RUNTIME.name,
      Architectures: ['arm64'],
      LoggingConfig: {
        LogFormat: 'JSON',
        ApplicationLogLevel: 'INFO',
        LogGroup: { Ref: Match.stringLikeRegexp('^FnLogGroup') },
      },
      Environment: {
        Variables: {
          FOO: 'bar',
          LOG_LEVEL: 'INFO',
          NODE_OPTIONS: '--enable-source-maps',
          POWERTOOLS_SERVICE_NAME: 'Fn',
        },
      },
      TracingConfig: Match.absent(),
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    // Its own role, without AWSLambdaBasicExecutionRole.
    t.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FnLogGroup'), 'Arn'] },
          },
        ],
      },
    });
  });

  test('rejects an unknown LOG_LEVEL, naming it', () => {
    expect(
      () =>
        new ProjectNodejsFunction(stack(), 'Fn', {
          entry: ENTRY,
          environment: { LOG_LEVEL: 'verbose' },
        }),
    ).toThrow(
      /LOG_LEVEL must be one of TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL, FATAL, got 'verbose'/,
    );
  });
});
